package sqlite

import (
	"context"

	"github.com/magpie-sns/magpie"
)

// userColumns are the columns scanUser reads, of users u.
const userColumns = `u.id, u.username, u.is_superuser, u.date_joined, u.display_name, u.bio, u.is_active`

func scanUser(s scanner, extra ...any) (*magpie.User, error) {
	var u magpie.User
	dest := []any{&u.ID, &u.Username, &u.IsSuperuser, timeCol{&u.DateJoined}, &u.DisplayName, &u.Bio, &u.IsActive}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
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
// magpie.UserStore). It takes the arguments username and nameKey(username).
const byName = `(u.username = ?1 OR u.name_key = ?2)
	ORDER BY u.username = ?1 DESC
	LIMIT 1`

// CreateUser inserts u and sets u.ID. ErrUsernameTaken if the username, or
// another with its key, is taken.
func (db *DB) CreateUser(ctx context.Context, u *magpie.User, passwordHash string) error {
	key, err := magpie.UsernameKey(u.Username)
	if err != nil {
		return magpie.ErrConstraint
	}
	u.IsActive = true
	return db.inTx(ctx, "create user", func(tx querier) error {
		return tx.QueryRowContext(ctx, `
			INSERT INTO users (username, name_key, password_hash, is_superuser, date_joined, display_name, bio)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
			u.Username, key, passwordHash, u.IsSuperuser, micros(u.DateJoined), u.DisplayName, u.Bio,
		).Scan(&u.ID)
	})
}

// UserByID returns the user. ErrNotFound if there is none.
func (db *DB) UserByID(ctx context.Context, id int64) (*magpie.User, error) {
	u, err := userByID(ctx, db.reader(), id)
	if err != nil {
		return nil, storeError("user by id", err)
	}
	return u, nil
}

func userByID(ctx context.Context, q querier, id int64) (*magpie.User, error) {
	return scanUser(q.QueryRowContext(ctx, `
		SELECT `+userColumns+`
		FROM users u
		WHERE u.id = ?`,
		id,
	))
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
	u, err := scanUser(db.reader().QueryRowContext(ctx, `
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
	u, err := scanUser(db.reader().QueryRowContext(ctx, `
		SELECT `+userColumns+`, u.posts_count, u.followers_count, u.following_count,
			EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?3 AND f.following_id = u.id),
			EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = u.id AND f.following_id = ?3)
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
	var u *magpie.User
	err := db.inTx(ctx, "update profile", func(tx querier) error {
		// A NULL argument (a nil field) leaves the column as it is.
		res, err := tx.ExecContext(ctx, `
			UPDATE users SET
				display_name = coalesce(?, display_name),
				bio = coalesce(?, bio)
			WHERE id = ?`,
			upd.DisplayName, upd.Bio, userID,
		)
		if err == nil {
			err = oneRowAffected(res)
		}
		if err != nil {
			return err
		}
		u, err = userByID(ctx, tx, userID)
		return err
	})
	return u, err
}

// SetPassword replaces the user's password hash and deletes every token of
// the user but the one with hash keep (nil: all). ErrNotFound if there is
// no such user.
func (db *DB) SetPassword(ctx context.Context, userID int64, passwordHash string, keep []byte) error {
	return db.inTx(ctx, "set password", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
		if err == nil {
			err = oneRowAffected(res)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = ?1 AND (?2 IS NULL OR hash <> ?2)`, userID, keep)
		return err
	})
}

// SetActive activates or deactivates the user; deactivating deletes its
// tokens too. ErrNotFound if there is none.
func (db *DB) SetActive(ctx context.Context, userID int64, active bool) error {
	return db.inTx(ctx, "set active", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET is_active = ? WHERE id = ?`, active, userID)
		if err == nil {
			err = oneRowAffected(res)
		}
		if err != nil || active {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = ?`, userID)
		return err
	})
}

// DeleteUser deletes the user and everything it owns: the foreign keys
// cascade, and the triggers fix the counts of others. ErrNotFound if there
// is none.
func (db *DB) DeleteUser(ctx context.Context, userID int64) error {
	return db.inTx(ctx, "delete user", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID)
		if err != nil {
			return err
		}
		return oneRowAffected(res)
	})
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
		return queryList(ctx, db.reader(), page, "search users", scanListedUser, searchUsersSQL,
			viewerID, after, page.Limit, ftsQuery(search, true))
	}
	return queryList(ctx, db.reader(), page, "list users", scanListedUser, listUsersSQL, viewerID, after, page.Limit)
}

// listUsersSQL walks a range of the users rowid; IsFollowing probes the
// index of UNIQUE (follower_id, following_id).
const listUsersSQL = `
	SELECT u.id, u.username, u.display_name,
		EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1 AND f.following_id = u.id)
	FROM users u
	WHERE u.id > ?2 AND u.id <> ?1 AND u.is_active = 1
	ORDER BY u.id
	LIMIT ?3`

// searchUsersSQL reads the matches of users_fts in rowid order from the
// cursor on, each joined to its user by the rowid.
const searchUsersSQL = `
	SELECT u.id, u.username, u.display_name,
		EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ?1 AND f.following_id = u.id)
	FROM users_fts s
	JOIN users u ON u.id = s.rowid
	WHERE users_fts MATCH ?4 AND s.rowid > ?2 AND u.id <> ?1 AND u.is_active = 1
	ORDER BY s.rowid
	LIMIT ?3`

func scanListedUser(s scanner) (magpie.ListedUser, error) {
	var u magpie.ListedUser
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.IsFollowing)
	return u, err
}
