package sqlite

import (
	"context"
	"math"

	"github.com/magpie-sns/magpie"
)

// CreateUser inserts u and sets u.ID. ECONFLICT if the username is taken.
func (db *DB) CreateUser(ctx context.Context, u *magpie.User, passwordHash string) error {
	err := db.write.QueryRowContext(ctx, `
		INSERT INTO users (username, password_hash, is_superuser, date_joined)
		VALUES (?, ?, ?, ?)
		RETURNING id`,
		u.Username, passwordHash, u.IsSuperuser, micros(u.DateJoined),
	).Scan(&u.ID)
	if err != nil {
		return storeError("create user", err, messages{magpie.ECONFLICT: msgUsernameTaken})
	}
	return nil
}

// UserByID returns the user. ENOTFOUND if there is none.
func (db *DB) UserByID(ctx context.Context, id int64) (*magpie.User, error) {
	var u magpie.User
	err := db.read.QueryRowContext(ctx, `
		SELECT id, username, is_superuser, date_joined
		FROM users
		WHERE id = ?`,
		id,
	).Scan(&u.ID, &u.Username, &u.IsSuperuser, timeCol{&u.DateJoined})
	if err != nil {
		return nil, storeError("user by id", err, nil)
	}
	return &u, nil
}

// UserByUsername returns the user; usernames match exactly, case
// included. ENOTFOUND if there is none.
func (db *DB) UserByUsername(ctx context.Context, username string) (*magpie.User, error) {
	u, _, err := db.UserCredentials(ctx, username)
	return u, err
}

// UserCredentials returns the user and its password hash. ENOTFOUND if
// there is none.
func (db *DB) UserCredentials(ctx context.Context, username string) (*magpie.User, string, error) {
	var u magpie.User
	var hash string
	err := db.read.QueryRowContext(ctx, `
		SELECT id, username, is_superuser, date_joined, password_hash
		FROM users
		WHERE username = ?`,
		username,
	).Scan(&u.ID, &u.Username, &u.IsSuperuser, timeCol{&u.DateJoined}, &hash)
	if err != nil {
		return nil, "", storeError("user by username", err, nil)
	}
	return &u, hash, nil
}

// ListUsers returns every user but the viewer, by id ascending, each with
// whether the viewer follows them. Page.After uses ID only.
func (db *DB) ListUsers(ctx context.Context, viewerID int64, page magpie.Page) ([]magpie.ListedUser, error) {
	after := int64(math.MinInt64)
	if page.After != nil {
		after = page.After.ID
	}
	return queryList(ctx, db, "list users", func(s scanner) (magpie.ListedUser, error) {
		var u magpie.ListedUser
		err := s.Scan(&u.ID, &u.Username, &u.IsFollowing)
		return u, err
	}, listUsersSQL, viewerID, after, sqlLimit(page))
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
