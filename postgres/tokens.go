package postgres

import (
	"context"
	"time"

	"github.com/magpie-sns/magpie"
)

// CreateToken stores t, then deletes the oldest tokens of its user beyond
// the newest keep. ErrNotFound if its user does not exist.
func (db *DB) CreateToken(ctx context.Context, t *magpie.Token, keep int) error {
	return db.inTx(ctx, "create token", func(tx querier) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO tokens (hash, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`,
			t.Hash, t.UserID, t.CreatedAt, t.ExpiresAt)
		if err != nil {
			return err
		}
		// tokens_user_id_idx, then a sort of the user's few tokens.
		_, err = tx.Exec(ctx, `
			DELETE FROM tokens
			WHERE user_id = $1 AND hash NOT IN (
				SELECT hash FROM tokens WHERE user_id = $1
				ORDER BY created_at DESC, hash DESC
				LIMIT $2
			)`,
			t.UserID, keep)
		return err
	})
}

// UserByToken returns the owner of the token with this hash if it expires
// after now. ErrNotFound otherwise.
func (db *DB) UserByToken(ctx context.Context, hash []byte, now time.Time) (*magpie.User, error) {
	// tokens_pkey, then users_pkey.
	u, err := scanUser(db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`
		FROM tokens t
		JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.expires_at > $2 AND u.is_active`,
		prepared, hash, now))
	if err != nil {
		return nil, storeError("user by token", err)
	}
	return u, nil
}

// DeleteToken removes the token; removing a missing one is not an error,
// so that logging out twice is harmless.
func (db *DB) DeleteToken(ctx context.Context, hash []byte) error {
	// tokens_pkey.
	if _, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = $1`, hash); err != nil {
		return storeError("delete token", err)
	}
	return nil
}

// DeleteUserTokens removes every token of the user.
func (db *DB) DeleteUserTokens(ctx context.Context, userID int64) error {
	// tokens_user_id_idx.
	if _, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE user_id = $1`, userID); err != nil {
		return storeError("delete user tokens", err)
	}
	return nil
}

// DeleteExpiredTokens removes tokens that expired at or before now and
// returns how many.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	// tokens_expires_at_idx.
	tag, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, storeError("delete expired tokens", err)
	}
	return tag.RowsAffected(), nil
}
