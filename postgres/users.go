package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie"
)

// userColumns are the columns scanUser reads, of users u.
const userColumns = `u.id, u.username, u.is_superuser, u.date_joined, u.display_name, u.bio, u.is_active`

func scanUser(row pgx.Row, extra ...any) (*magpie.User, error) {
	var u magpie.User
	dest := []any{&u.ID, &u.Username, &u.IsSuperuser, &u.DateJoined, &u.DisplayName, &u.Bio, &u.IsActive}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	u.DateJoined = u.DateJoined.UTC()
	return &u, nil
}

// nameKey is the key a username is looked up by besides itself; "" (which
// no account has) for a name that has no key.
func nameKey(username string) string {
	key, err := magpie.UsernameKey(username)
	if err != nil {
		return ""
	}
	return key
}

// byName is the condition that finds the account a username names: the
// one with exactly that name, or else the one with its key (see
// magpie.UserStore). It takes the parameters username and
// nameKey(username). users_username_key and users_name_key, each probed.
const byName = `(u.username = $1 OR u.name_key = $2)
	ORDER BY u.username = $1 DESC
	LIMIT 1`

// CreateUser inserts u and sets u.ID. ErrUsernameTaken if the username, or
// another with its key, is taken.
func (db *DB) CreateUser(ctx context.Context, u *magpie.User, passwordHash string) error {
	key, err := magpie.UsernameKey(u.Username)
	if err != nil {
		return magpie.ErrConstraint
	}
	u.IsActive = true
	// users_username_key and users_name_key decide between two sign-ups
	// racing for one name.
	err = db.pool.QueryRow(ctx, `
		INSERT INTO users (username, name_key, password_hash, is_superuser, date_joined, display_name, bio)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		u.Username, key, passwordHash, u.IsSuperuser, u.DateJoined, u.DisplayName, u.Bio,
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

// UserByUsername returns the user. ErrNotFound if there is none.
func (db *DB) UserByUsername(ctx context.Context, username string) (*magpie.User, error) {
	u, _, err := db.UserCredentials(ctx, username)
	return u, err
}

// UserCredentials returns the user and its password hash. ErrNotFound if
// there is none.
func (db *DB) UserCredentials(ctx context.Context, username string) (*magpie.User, string, error) {
	var hash string
	u, err := scanUser(db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, u.password_hash
		FROM users u
		WHERE `+byName,
		username, nameKey(username),
	), &hash)
	if err != nil {
		return nil, "", storeError("user credentials", err)
	}
	return u, hash, nil
}

// Profile returns the user as viewerID sees them. ErrNotFound if there is
// none.
func (db *DB) Profile(ctx context.Context, viewerID int64, username string) (*magpie.Profile, error) {
	var p magpie.Profile
	// The two EXISTS probe follows_follower_following_key.
	u, err := scanUser(db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, u.posts_count, u.followers_count, u.following_count,
			EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $3 AND f.following_id = u.id),
			EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = u.id AND f.following_id = $3)
		FROM users u
		WHERE `+byName,
		username, nameKey(username), viewerID,
	), &p.PostsCount, &p.FollowersCount, &p.FollowingCount, &p.IsFollowing, &p.FollowsYou)
	if err != nil {
		return nil, storeError("profile", err)
	}
	p.User = *u
	return &p, nil
}

// UpdateProfile applies upd and returns the user as it now is. ErrNotFound
// if there is none.
func (db *DB) UpdateProfile(ctx context.Context, userID int64, upd magpie.ProfileUpdate) (*magpie.User, error) {
	// users_pkey; a NULL parameter keeps the column as it is.
	u, err := scanUser(db.pool.QueryRow(ctx, `
		UPDATE users u SET
			display_name = COALESCE($2, u.display_name),
			bio = COALESCE($3, u.bio)
		WHERE u.id = $1
		RETURNING `+userColumns,
		userID, upd.DisplayName, upd.Bio,
	))
	if err != nil {
		return nil, storeError("update profile", err)
	}
	return u, nil
}

// SetPassword replaces the user's password hash and deletes every token of
// the user but the one with hash keep (nil: all). ErrNotFound if there is
// no such user.
func (db *DB) SetPassword(ctx context.Context, userID int64, passwordHash string, keep []byte) error {
	return db.inTx(ctx, "set password", func(tx querier) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, passwordHash)
		if err == nil {
			err = oneRowAffected(tag)
		}
		if err != nil {
			return err
		}
		// tokens_user_id_idx.
		_, err = tx.Exec(ctx, `DELETE FROM tokens WHERE user_id = $1 AND hash IS DISTINCT FROM $2`, userID, keep)
		return err
	})
}

// SetActive activates or deactivates the user; deactivating deletes its
// tokens too. ErrNotFound if there is none.
func (db *DB) SetActive(ctx context.Context, userID int64, active bool) error {
	return db.inTx(ctx, "set active", func(tx querier) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET is_active = $2 WHERE id = $1`, userID, active)
		if err == nil {
			err = oneRowAffected(tag)
		}
		if err != nil || active {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM tokens WHERE user_id = $1`, userID)
		return err
	})
}

// DeleteUser deletes the user and everything it owns, in one statement:
// the foreign keys cascade, and the triggers fix the counts of others.
// ErrNotFound if there is none.
func (db *DB) DeleteUser(ctx context.Context, userID int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, userID)
	if err == nil {
		err = oneRowAffected(tag)
	}
	if err != nil {
		return storeError("delete user", err)
	}
	return nil
}

// ListUsers returns every active user but the viewer, by id ascending,
// each with whether the viewer follows them; with search, only those whose
// username or display name has a word starting with each word of it.
// Page.After uses ID only.
func (db *DB) ListUsers(ctx context.Context, viewerID int64, search []string, page magpie.Page) ([]magpie.ListedUser, error) {
	var after int64
	if page.After != nil {
		after = page.After.ID
	}
	if len(search) > 0 {
		// users_search_idx finds the matches, which are sorted by id.
		return queryList(ctx, db.pool, page, "search users", scanListedUser, searchUsersSQL,
			viewerID, after, page.Limit, tsQuery(search, true))
	}
	// users_pkey walks ids in order.
	return queryList(ctx, db.pool, page, "list users", scanListedUser, listUsersSQL, viewerID, after, page.Limit)
}

// listedUserColumns are the columns scanListedUser reads, of users u, for
// the viewer $1; the EXISTS probes follows_follower_following_key.
const listedUserColumns = `u.id, u.username, u.display_name,
	EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.following_id = u.id)`

const listUsersSQL = `
	SELECT ` + listedUserColumns + `
	FROM users u
	WHERE u.id > $2 AND u.id <> $1 AND u.is_active
	ORDER BY u.id
	LIMIT $3`

const searchUsersSQL = `
	SELECT ` + listedUserColumns + `
	FROM users u
	WHERE u.search @@ to_tsquery('simple', $4) AND u.id > $2 AND u.id <> $1 AND u.is_active
	ORDER BY u.id
	LIMIT $3`

func scanListedUser(row pgx.Row) (magpie.ListedUser, error) {
	var u magpie.ListedUser
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.IsFollowing)
	return u, err
}
