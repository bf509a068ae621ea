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
	// case, races included. The followee's recent posts enter the
	// follower's timeline in the same transaction.
	return db.inTx(ctx, "create follow", func(tx querier) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO follows (follower_id, following_id, created_at)
			VALUES (?, ?, ?)
			RETURNING id`,
			f.FollowerID, f.FollowingID, micros(f.CreatedAt),
		).Scan(&f.ID)
		if err != nil {
			return err
		}
		if err := markHeavy(ctx, tx, f.FollowingID); err != nil {
			return err
		}
		return backfill(ctx, tx, f.FollowerID, f.FollowingID)
	})
}

// DeleteFollow removes the follow. ErrNotFound if there is none.
func (db *DB) DeleteFollow(ctx context.Context, followerID, followingID int64) error {
	return db.inTx(ctx, "delete follow", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM follows WHERE follower_id = ? AND following_id = ?`,
			followerID, followingID,
		)
		if err == nil {
			err = oneRowAffected(res)
		}
		if err != nil {
			return err
		}
		// The followee's posts leave the follower's timeline with the
		// follow.
		return unfollowTimeline(ctx, tx, followerID, followingID)
	})
}

func scanUserEntry(s scanner) (magpie.UserEntry, error) {
	var e magpie.UserEntry
	err := s.Scan(&e.ID, &e.UserID, &e.Username, timeCol{&e.CreatedAt})
	return e, err
}

// ListFollowing returns the users that userID follows, most recent follow
// first.
func (db *DB) ListFollowing(ctx context.Context, userID int64, page magpie.Page) ([]magpie.UserEntry, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list following", scanUserEntry, listFollowingSQL, userID, at, id, limit)
}

// ListFollowers returns the users who follow userID, most recent follow
// first.
func (db *DB) ListFollowers(ctx context.Context, userID int64, page magpie.Page) ([]magpie.UserEntry, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list followers", scanUserEntry, listFollowersSQL, userID, at, id, limit)
}

// The follow lists: listFollowingSQL walks index follows_follower,
// listFollowersSQL index follows_following.
var (
	listFollowingSQL = followListSQL("follower_id", "following_id")
	listFollowersSQL = followListSQL("following_id", "follower_id")
)

// followListSQL lists the follows whose column user is the user asked
// about, each with the user in column other: the columns scanUserEntry
// reads.
func followListSQL(user, other string) string {
	return `
	SELECT f.id, f.` + other + `, (SELECT username FROM users u WHERE u.id = f.` + other + `), f.created_at
	FROM follows f
	WHERE f.` + user + ` = ? AND (f.created_at, f.id) < (?, ?)
	ORDER BY f.created_at DESC, f.id DESC
	LIMIT ?`
}
