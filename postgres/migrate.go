package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"github.com/magpie-sns/magpie"
)

// goMigrations are the migrations written in Go, beside the SQL files:
// what SQL cannot compute.
var goMigrations = []*goose.Migration{
	// 4: the username keys of the accounts made before migration 3 (see
	// magpie.FirstKeys); the down migration has nothing to undo that 3's
	// does not.
	goose.NewGoMigration(4, &goose.GoFunc{RunTx: fillNameKeys}, &goose.GoFunc{Mode: goose.TransactionEnabled}),
}

// fillNameKeys gives every account without a key the key FirstKeys gives
// it, oldest first, in one statement.
func fillNameKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, username FROM users ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read usernames: %w", err)
	}
	defer rows.Close()
	var (
		ids   []int64
		names []string
	)
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		ids, names = append(ids, id), append(names, name)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var keyIDs []int64
	var keys []string
	for i, key := range magpie.FirstKeys(names) {
		if key != "" {
			keyIDs, keys = append(keyIDs, ids[i]), append(keys, key)
		}
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE users u SET name_key = v.key
		FROM unnest($1::bigint[], $2::text[]) AS v (id, key)
		WHERE u.id = v.id AND u.name_key IS NULL`,
		keyIDs, keys)
	if err != nil {
		return fmt.Errorf("set the keys: %w", err)
	}
	return nil
}
