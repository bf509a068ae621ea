package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie"
)

// CreateFollow inserts f and sets f.ID. ECONFLICT if the follow exists,
// ENOTFOUND if either user does not exist, EINVALID if both are the same
// user.
func (db *DB) CreateFollow(ctx context.Context, f *magpie.Follow) error {
	// follows_follower_following_key, follows_not_self and the foreign
	// keys decide each case, races included.
	err := db.pool.QueryRow(ctx, `
		INSERT INTO follows (follower_id, following_id, created_at)
		VALUES ($1, $2, $3)
		RETURNING id`,
		f.FollowerID, f.FollowingID, f.CreatedAt,
	).Scan(&f.ID)
	if err != nil {
		return formatError("create follow", err)
	}
	return nil
}

// DeleteFollow removes the follow. ENOTFOUND if there is none.
func (db *DB) DeleteFollow(ctx context.Context, followerID, followingID int64) error {
	// follows_follower_following_key.
	tag, err := db.pool.Exec(ctx, `
		DELETE FROM follows
		WHERE follower_id = $1 AND following_id = $2`,
		followerID, followingID)
	if err != nil {
		return formatError("delete follow", err)
	}
	if tag.RowsAffected() == 0 {
		return errNotFound()
	}
	return nil
}

// ListFollowing returns the users that userID follows, most recent follow
// first.
func (db *DB) ListFollowing(ctx context.Context, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	// follows_follower_created_idx, read from the cursor on.
	return db.listFollows(ctx, "list following", `
		SELECT f.id, u.id, u.username, f.created_at
		FROM follows f
		JOIN users u ON u.id = f.following_id
		WHERE f.follower_id = $1 AND (f.created_at, f.id) < ($2, $3)
		ORDER BY f.created_at DESC, f.id DESC
		LIMIT $4`, userID, page)
}

// ListFollowers returns the users who follow userID, most recent follow
// first.
func (db *DB) ListFollowers(ctx context.Context, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	// follows_following_created_idx, read from the cursor on.
	return db.listFollows(ctx, "list followers", `
		SELECT f.id, u.id, u.username, f.created_at
		FROM follows f
		JOIN users u ON u.id = f.follower_id
		WHERE f.following_id = $1 AND (f.created_at, f.id) < ($2, $3)
		ORDER BY f.created_at DESC, f.id DESC
		LIMIT $4`, userID, page)
}

// listFollows runs a follow-list query whose parameters are the user, the
// cursor's time and id, and the limit.
func (db *DB) listFollows(ctx context.Context, op, query string, userID int64, page magpie.Page) ([]magpie.FollowEntry, error) {
	at, id := cursor(page.After)
	return queryList(ctx, db, op, collectFollowEntry, query, userID, at, id, max(page.Limit, 0))
}

// collectFollowEntry reads the follow's id, the other user's id and
// username, and the follow's created_at.
func collectFollowEntry(row pgx.CollectableRow) (magpie.FollowEntry, error) {
	var e magpie.FollowEntry
	err := row.Scan(&e.ID, &e.UserID, &e.Username, &e.CreatedAt)
	e.CreatedAt = e.CreatedAt.UTC()
	return e, err
}
