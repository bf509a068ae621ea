package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie"
)

// CreateFollow inserts f and sets f.ID. ErrAlreadyFollowing if the follow
// exists, ErrNotFound if either user does not exist, ErrSelfFollow if both
// are the same user.
// The followee's recent posts enter the follower's timeline in the same
// transaction.
func (db *DB) CreateFollow(ctx context.Context, f *magpie.Follow) error {
	return db.inTx(ctx, "create follow", func(tx querier) error {
		// follows_follower_following_key, follows_not_self and the foreign
		// keys decide each case, races included.
		err := tx.QueryRow(ctx, `
			INSERT INTO follows (follower_id, following_id, created_at)
			VALUES ($1, $2, $3)
			RETURNING id`,
			f.FollowerID, f.FollowingID, f.CreatedAt,
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
// The followee's posts leave the follower's timeline in the same
// transaction.
func (db *DB) DeleteFollow(ctx context.Context, followerID, followingID int64) error {
	return db.inTx(ctx, "delete follow", func(tx querier) error {
		// follows_follower_following_key.
		tag, err := tx.Exec(ctx, `
			DELETE FROM follows
			WHERE follower_id = $1 AND following_id = $2`,
			followerID, followingID)
		if err == nil {
			err = oneRowAffected(tag)
		}
		if err != nil {
			return err
		}
		return unfollowTimeline(ctx, tx, followerID, followingID)
	})
}

func scanUserEntry(row pgx.Row) (magpie.UserEntry, error) {
	var e magpie.UserEntry
	err := row.Scan(&e.ID, &e.UserID, &e.Username, &e.CreatedAt)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, err
}

// ListFollowing returns the users that userID follows, most recent follow
// first.
func (db *DB) ListFollowing(ctx context.Context, userID int64, page magpie.Page) ([]magpie.UserEntry, error) {
	at, id, limit := keyset(page)
	// follows_follower_created_idx, read from the cursor on.
	return queryList(ctx, db.pool, page, "list following", scanUserEntry, listFollowingSQL, userID, at, id, limit)
}

// ListFollowers returns the users who follow userID, most recent follow
// first.
func (db *DB) ListFollowers(ctx context.Context, userID int64, page magpie.Page) ([]magpie.UserEntry, error) {
	at, id, limit := keyset(page)
	// follows_following_created_idx, read from the cursor on.
	return queryList(ctx, db.pool, page, "list followers", scanUserEntry, listFollowersSQL, userID, at, id, limit)
}

var (
	listFollowingSQL = followListSQL("follower_id", "following_id")
	listFollowersSQL = followListSQL("following_id", "follower_id")
)

// followListSQL lists the follows whose column user is the user asked
// about, each joined with the user in column other: the columns
// scanUserEntry reads.
func followListSQL(user, other string) string {
	return `
		SELECT f.id, u.id, u.username, f.created_at
		FROM follows f
		JOIN users u ON u.id = f.` + other + `
		WHERE f.` + user + ` = $1 AND (f.created_at, f.id) < ($2, $3)
		ORDER BY f.created_at DESC, f.id DESC
		LIMIT $4`
}
