package postgres

import (
	"context"
	"time"

	"github.com/magpie-sns/magpie"
)

// CreateToken stores t. ENOTFOUND if its user does not exist.
func (db *DB) CreateToken(ctx context.Context, t *magpie.Token) error {
	_, err := db.pool.Exec(ctx, `
		INSERT INTO tokens (hash, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`,
		t.Hash, t.UserID, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return formatError("create token", err)
	}
	return nil
}

// UserByToken returns the owner of the token with this hash if it expires
// after now. ENOTFOUND otherwise.
func (db *DB) UserByToken(ctx context.Context, hash []byte, now time.Time) (*magpie.User, error) {
	// tokens_pkey, then users_pkey.
	row := db.pool.QueryRow(ctx, `
		SELECT u.id, u.username, u.is_superuser, u.date_joined
		FROM tokens t
		JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.expires_at > $2`,
		hash, now)
	u, err := scanUser(row)
	if err != nil {
		return nil, formatError("user by token", err)
	}
	return u, nil
}

// DeleteToken removes the token; removing a missing one is not an error.
func (db *DB) DeleteToken(ctx context.Context, hash []byte) error {
	// tokens_pkey.
	if _, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = $1`, hash); err != nil {
		return formatError("delete token", err)
	}
	return nil
}

// DeleteExpiredTokens removes tokens that expired at or before now and
// returns how many.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	// tokens_expires_at_idx.
	tag, err := db.pool.Exec(ctx, `DELETE FROM tokens WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, formatError("delete expired tokens", err)
	}
	return tag.RowsAffected(), nil
}
