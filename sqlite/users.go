package sqlite

import (
	"context"

	"github.com/magpie-sns/magpie"
)

// userColumns are the columns scanUser reads, of users u.
const userColumns = `u.id, u.username, u.is_superuser, u.date_joined`

func scanUser(s scanner, extra ...any) (*magpie.User, error) {
	var u magpie.User
	if err := s.Scan(append([]any{&u.ID, &u.Username, &u.IsSuperuser, timeCol{&u.DateJoined}}, extra...)...); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser inserts u and sets u.ID. ErrUsernameTaken if the username is
// taken.
func (db *DB) CreateUser(ctx context.Context, u *magpie.User, passwordHash string) error {
	return db.inTx(ctx, "create user", func(tx querier) error {
		return tx.QueryRowContext(ctx, `
			INSERT INTO users (username, password_hash, is_superuser, date_joined)
			VALUES (?, ?, ?, ?)
			RETURNING id`,
			u.Username, passwordHash, u.IsSuperuser, micros(u.DateJoined),
		).Scan(&u.ID)
	})
}

// UserByID returns the user. ErrNotFound if there is none.
func (db *DB) UserByID(ctx context.Context, id int64) (*magpie.User, error) {
	u, err := scanUser(db.reader().QueryRowContext(ctx, `
		SELECT `+userColumns+`
		FROM users u
		WHERE u.id = ?`,
		id,
	))
	if err != nil {
		return nil, storeError("user by id", err)
	}
	return u, nil
}

// UserByUsername returns the user; usernames match exactly, case
// included. ErrNotFound if there is none.
func (db *DB) UserByUsername(ctx context.Context, username string) (*magpie.User, error) {
	u, _, err := db.UserCredentials(ctx, username)
	return u, err
}

// UserCredentials returns the user and its password hash. ErrNotFound if
// there is none.
func (db *DB) UserCredentials(ctx context.Context, username string) (*magpie.User, string, error) {
	var hash string
	u, err := scanUser(db.reader().QueryRowContext(ctx, `
		SELECT `+userColumns+`, u.password_hash
		FROM users u
		WHERE u.username = ?`,
		username,
	), &hash)
	if err != nil {
		return nil, "", storeError("user credentials", err)
	}
	return u, hash, nil
}

// ListUsers returns every user but the viewer, by id ascending, each with
// whether the viewer follows them. Page.After uses ID only.
func (db *DB) ListUsers(ctx context.Context, viewerID int64, page magpie.Page) ([]magpie.ListedUser, error) {
	var after int64
	if page.After != nil {
		after = page.After.ID
	}
	return queryList(ctx, db.reader(), page, "list users", scanListedUser, listUsersSQL, viewerID, after, page.Limit)
}

// listUsersSQL walks a range of the users rowid; IsFollowing probes the
// index of UNIQUE (follower_id, following_id).
const listUsersSQL = `
	SELECT u.id, u.username,
		EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1 AND f.following_id = u.id)
	FROM users u
	WHERE u.id > ?2 AND u.id <> ?1
	ORDER BY u.id
	LIMIT ?3`

func scanListedUser(s scanner) (magpie.ListedUser, error) {
	var u magpie.ListedUser
	err := s.Scan(&u.ID, &u.Username, &u.IsFollowing)
	return u, err
}
