package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie"
)

// userColumns are the columns scanUser reads, of users u.
const userColumns = `u.id, u.username, u.is_superuser, u.date_joined`

func scanUser(row pgx.Row, extra ...any) (*magpie.User, error) {
	var u magpie.User
	if err := row.Scan(append([]any{&u.ID, &u.Username, &u.IsSuperuser, &u.DateJoined}, extra...)...); err != nil {
		return nil, err
	}
	u.DateJoined = u.DateJoined.UTC()
	return &u, nil
}

// CreateUser inserts u and sets u.ID. ErrUsernameTaken if the username is
// taken.
func (db *DB) CreateUser(ctx context.Context, u *magpie.User, passwordHash string) error {
	// users_username_key decides between two sign-ups racing for one name.
	err := db.pool.QueryRow(ctx, `
		INSERT INTO users (username, password_hash, is_superuser, date_joined)
		VALUES ($1, $2, $3, $4)
		RETURNING id`,
		u.Username, passwordHash, u.IsSuperuser, u.DateJoined,
	).Scan(&u.ID)
	if err != nil {
		return storeError("create user", err)
	}
	return nil
}

// UserByID returns the user. ErrNotFound if there is none.
func (db *DB) UserByID(ctx context.Context, id int64) (*magpie.User, error) {
	// users_pkey.
	u, err := scanUser(db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`
		FROM users u
		WHERE u.id = $1`,
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
	// users_username_key.
	var hash string
	u, err := scanUser(db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, u.password_hash
		FROM users u
		WHERE u.username = $1`,
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
	// users_pkey walks ids in order; the EXISTS probes
	// follows_follower_following_key once per row.
	return queryList(ctx, db.pool, page, "list users", scanListedUser, `
		SELECT u.id, u.username, EXISTS (
			SELECT 1 FROM follows f
			WHERE f.follower_id = $1 AND f.following_id = u.id
		)
		FROM users u
		WHERE u.id > $2 AND u.id <> $1
		ORDER BY u.id
		LIMIT $3`,
		viewerID, after, page.Limit)
}

func scanListedUser(row pgx.Row) (magpie.ListedUser, error) {
	var u magpie.ListedUser
	err := row.Scan(&u.ID, &u.Username, &u.IsFollowing)
	return u, err
}
