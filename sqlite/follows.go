package sqlite

import (
	"context"

	"github.com/magpie-sns/magpie"
)

// CreateFollow inserts f and sets f.ID. ErrAlreadyFollowing if the follow
// exists, ErrNotFound if either user does not exist, ErrSelfFollow if both
// are the same user.
func (db *DB) CreateFollow(ctx context.Context, f *magpie.Follow) error {
	// The UNIQUE and CHECK constraints and the foreign keys decide each
	// case, races included.
	return db.inTx(ctx, "create follow", func(tx querier) error {
		return tx.QueryRowContext(ctx, `
			INSERT INTO follows (follower_id, following_id, created_at)
			VALUES (?, ?, ?)
			RETURNING id`,
			f.FollowerID, f.FollowingID, micros(f.CreatedAt),
		).Scan(&f.ID)
	})
}

// DeleteFollow removes the follow. ErrNotFound if there is none.
func (db *DB) DeleteFollow(ctx context.Context, followerID, followingID int64) error {
	return db.inTx(ctx, "delete follow", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM follows WHERE follower_id = ? AND following_id = ?`,
			followerID, followingID,
		)
		if err != nil {
			return err
		}
		return oneRowAffected(res)
	})
}

// followEntryColumns are the columns scanFollowEntry reads, of follows f,
// given the column that holds the other user's id.
func followEntryColumns(otherID string) string {
	return `f.id, ` + otherID + `, (SELECT username FROM users u WHERE u.id = ` + otherID + `), f.created_at`
}

func scanFollowEntry(s scanner) (magpie.FollowEntry, error) {
	var e magpie.FollowEntry
	err := s.Scan(&e.ID, &e.UserID, &e.Username, timeCol{&e.CreatedAt})
	return e, err
}

// ListFollowing returns the users that userID follows, most recent follow
// first.
func (db *DB) ListFollowing(ctx context.Context, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list following", scanFollowEntry, listFollowingSQL, userID, at, id, limit)
}

// listFollowingSQL walks index follows_follower.
var listFollowingSQL = `
	SELECT ` + followEntryColumns("f.following_id") + `
	FROM follows f
	WHERE f.follower_id = ? AND (f.created_at, f.id) < (?, ?)
	ORDER BY f.created_at DESC, f.id DESC
	LIMIT ?`

// ListFollowers returns the users who follow userID, most recent follow
// first.
func (db *DB) ListFollowers(ctx context.Context, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list followers", scanFollowEntry, listFollowersSQL, userID, at, id, limit)
}

// listFollowersSQL walks index follows_following.
var listFollowersSQL = `
	SELECT ` + followEntryColumns("f.follower_id") + `
	FROM follows f
	WHERE f.following_id = ? AND (f.created_at, f.id) < (?, ?)
	ORDER BY f.created_at DESC, f.id DESC
	LIMIT ?`
