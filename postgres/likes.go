package postgres

import (
	"context"

	"github.com/magpie-sns/magpie"
)

// CreateLike inserts l and sets l.ID. ErrAlreadyLiked if the user likes
// the post already, ErrNotFound if the post or the user does not exist.
func (db *DB) CreateLike(ctx context.Context, l *magpie.Like) error {
	// likes_post_user_key and the foreign keys decide each case, races
	// included; a trigger counts the like on the post.
	err := db.pool.QueryRow(ctx, `
		INSERT INTO likes (post_id, user_id, created_at)
		VALUES ($1, $2, $3)
		RETURNING id`,
		l.PostID, l.UserID, l.CreatedAt,
	).Scan(&l.ID)
	if err != nil {
		return storeError("create like", err)
	}
	return nil
}

// DeleteLike removes the like. ErrNotFound if there is none.
func (db *DB) DeleteLike(ctx context.Context, postID, userID int64) error {
	// likes_post_user_key.
	tag, err := db.pool.Exec(ctx, `DELETE FROM likes WHERE post_id = $1 AND user_id = $2`, postID, userID)
	if err == nil {
		err = oneRowAffected(tag)
	}
	if err != nil {
		return storeError("delete like", err)
	}
	return nil
}

// ListLikes returns the users who like the post, most recent like first.
func (db *DB) ListLikes(ctx context.Context, postID int64, page magpie.Page) ([]magpie.UserEntry, error) {
	at, id, limit := keyset(page)
	// likes_post_created_idx, read from the cursor on; users_pkey per row.
	return queryList(ctx, db.pool, page, "list likes", scanUserEntry, `
		SELECT l.id, u.id, u.username, l.created_at
		FROM likes l
		JOIN users u ON u.id = l.user_id
		WHERE l.post_id = $1 AND (l.created_at, l.id) < ($2, $3)
		ORDER BY l.created_at DESC, l.id DESC
		LIMIT $4`,
		postID, at, id, limit)
}
