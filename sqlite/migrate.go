package sqlite

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
// it, oldest first.
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
	stmt, err := tx.PrepareContext(ctx, `UPDATE users SET name_key = ? WHERE id = ? AND name_key IS NULL`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, key := range magpie.FirstKeys(names) {
		if key == "" {
			continue
		}
		if _, err := stmt.ExecContext(ctx, key, ids[i]); err != nil {
			return fmt.Errorf("set the key of user %d: %w", ids[i], err)
		}
	}
	return nil
}
