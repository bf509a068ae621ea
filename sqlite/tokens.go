package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/magpie-sns/magpie"
)

// CreateToken stores t. ENOTFOUND if its user does not exist.
func (db *DB) CreateToken(ctx context.Context, t *magpie.Token) error {
	_, err := db.write.ExecContext(ctx, `
		INSERT INTO tokens (hash, user_id, created_at, expires_at)
		VALUES (?, ?, ?, ?)`,
		t.Hash, t.UserID, micros(t.CreatedAt), micros(t.ExpiresAt),
	)
	if err != nil {
		return storeError("create token", err, nil)
	}
	return nil
}

// UserByToken returns the owner of the token with this hash if it expires
// after now. ENOTFOUND otherwise.
func (db *DB) UserByToken(ctx context.Context, hash []byte, now time.Time) (*magpie.User, error) {
	var u magpie.User
	err := db.read.QueryRowContext(ctx, `
		SELECT u.id, u.username, u.is_superuser, u.date_joined
		FROM tokens t
		JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.expires_at > ?`,
		hash, micros(now),
	).Scan(&u.ID, &u.Username, &u.IsSuperuser, timeCol{&u.DateJoined})
	if err != nil {
		return nil, storeError("user by token", err, nil)
	}
	return &u, nil
}

// DeleteToken removes the token; removing a missing one is not an error,
// so that logging out twice is harmless.
func (db *DB) DeleteToken(ctx context.Context, hash []byte) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("sqlite: delete token: %w", err)
	}
	return nil
}

// DeleteExpiredTokens removes tokens that expired at or before now and
// returns how many.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM tokens WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired tokens: %w", err)
	}
	return n, nil
}
