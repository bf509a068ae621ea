package sqlite

import (
	"context"
	"fmt"

	"github.com/magpie-sns/magpie"
)

// CreateFollow inserts f and sets f.ID. ECONFLICT if the follow exists,
// ENOTFOUND if either user does not exist, EINVALID if both are the same
// user.
func (db *DB) CreateFollow(ctx context.Context, f *magpie.Follow) error {
	err := db.write.QueryRowContext(ctx, `
		INSERT INTO follows (follower_id, following_id, created_at)
		VALUES (?, ?, ?)
		RETURNING id`,
		f.FollowerID, f.FollowingID, micros(f.CreatedAt),
	).Scan(&f.ID)
	if err != nil {
		return storeError("create follow", err, messages{
			magpie.ECONFLICT: msgAlreadyFollowing,
			magpie.EINVALID:  msgSelfFollow,
		})
	}
	return nil
}

// DeleteFollow removes the follow. ENOTFOUND if there is none.
func (db *DB) DeleteFollow(ctx context.Context, followerID, followingID int64) error {
	res, err := db.write.ExecContext(ctx, `
		DELETE FROM follows WHERE follower_id = ? AND following_id = ?`,
		followerID, followingID,
	)
	if err != nil {
		return fmt.Errorf("sqlite: delete follow: %w", err)
	}
	return notFoundUnlessOne("delete follow", res)
}

// ListFollowing returns the users that userID follows, most recent follow
// first.
func (db *DB) ListFollowing(ctx context.Context, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	at, id, limit := keyset(page)
	return db.listFollows(ctx, "list following", listFollowingSQL, userID, at, id, limit)
}

// listFollowingSQL walks index follows_follower.
const listFollowingSQL = `
	SELECT f.id, f.following_id,
		(SELECT username FROM users u WHERE u.id = f.following_id),
		f.created_at
	FROM follows f
	WHERE f.follower_id = ? AND (f.created_at, f.id) < (?, ?)
	ORDER BY f.created_at DESC, f.id DESC
	LIMIT ?`

// ListFollowers returns the users who follow userID, most recent follow
// first.
func (db *DB) ListFollowers(ctx context.Context, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	at, id, limit := keyset(page)
	return db.listFollows(ctx, "list followers", listFollowersSQL, userID, at, id, limit)
}

// listFollowersSQL walks index follows_following.
const listFollowersSQL = `
	SELECT f.id, f.follower_id,
		(SELECT username FROM users u WHERE u.id = f.follower_id),
		f.created_at
	FROM follows f
	WHERE f.following_id = ? AND (f.created_at, f.id) < (?, ?)
	ORDER BY f.created_at DESC, f.id DESC
	LIMIT ?`

func (db *DB) listFollows(ctx context.Context, op, query string, args ...any) ([]magpie.FollowEntry, error) {
	return queryList(ctx, db, op, func(s scanner) (magpie.FollowEntry, error) {
		var e magpie.FollowEntry
		err := s.Scan(&e.ID, &e.UserID, &e.Username, timeCol{&e.CreatedAt})
		return e, err
	}, query, args...)
}
