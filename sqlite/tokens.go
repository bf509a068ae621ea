package sqlite

import (
	"context"
	"time"

	"github.com/magpie-sns/magpie"
)

// CreateToken stores t, then deletes the oldest tokens of its user beyond
// the newest keep. ErrNotFound if its user does not exist.
func (db *DB) CreateToken(ctx context.Context, t *magpie.Token, keep int) error {
	return db.inTx(ctx, "create token", func(tx querier) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO tokens (hash, user_id, created_at, expires_at)
			VALUES (?, ?, ?, ?)`,
			t.Hash, t.UserID, micros(t.CreatedAt), micros(t.ExpiresAt),
		)
		if err != nil {
			return err
		}
		// Index tokens_user_id, then a sort of the user's few tokens.
		_, err = tx.ExecContext(ctx, `
			DELETE FROM tokens
			WHERE user_id = ?1 AND hash NOT IN (
				SELECT hash FROM tokens WHERE user_id = ?1
				ORDER BY created_at DESC, hash DESC
				LIMIT ?2
			)`,
			t.UserID, keep,
		)
		return err
	})
}

// UserByToken returns the owner of the token with this hash if it expires
// after now. ErrNotFound otherwise.
func (db *DB) UserByToken(ctx context.Context, hash []byte, now time.Time) (*magpie.User, error) {
	u, err := scanUser(db.reader().QueryRowContext(ctx, `
		SELECT `+userColumns+`
		FROM tokens t
		JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.expires_at > ? AND u.is_active = 1`,
		hash, micros(now),
	))
	if err != nil {
		return nil, storeError("user by token", err)
	}
	return u, nil
}

// DeleteToken removes the token; removing a missing one is not an error,
// so that logging out twice is harmless.
func (db *DB) DeleteToken(ctx context.Context, hash []byte) error {
	return db.inTx(ctx, "delete token", func(tx querier) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash)
		return err
	})
}

// DeleteUserTokens removes every token of the user.
func (db *DB) DeleteUserTokens(ctx context.Context, userID int64) error {
	return db.inTx(ctx, "delete user tokens", func(tx querier) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = ?`, userID)
		return err
	})
}

// DeleteExpiredTokens removes tokens that expired at or before now and
// returns how many.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time) (n int64, err error) {
	err = db.inTx(ctx, "delete expired tokens", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tokens WHERE expires_at <= ?`, micros(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
