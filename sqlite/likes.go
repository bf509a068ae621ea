package sqlite

import (
	"context"

	"github.com/magpie-sns/magpie"
)

// CreateLike inserts l and sets l.ID. ErrAlreadyLiked if the user likes
// the post already, ErrNotFound if the post or the user does not exist.
func (db *DB) CreateLike(ctx context.Context, l *magpie.Like) error {
	// UNIQUE (post_id, user_id) and the foreign keys decide each case,
	// races included; a trigger counts the like on the post.
	return db.inTx(ctx, "create like", func(tx querier) error {
		return tx.QueryRowContext(ctx, `
			INSERT INTO likes (post_id, user_id, created_at)
			VALUES (?, ?, ?)
			RETURNING id`,
			l.PostID, l.UserID, micros(l.CreatedAt),
		).Scan(&l.ID)
	})
}

// DeleteLike removes the like. ErrNotFound if there is none.
func (db *DB) DeleteLike(ctx context.Context, postID, userID int64) error {
	return db.inTx(ctx, "delete like", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM likes WHERE post_id = ? AND user_id = ?`, postID, userID)
		if err != nil {
			return err
		}
		return oneRowAffected(res)
	})
}

// ListLikes returns the users who like the post, most recent like first.
func (db *DB) ListLikes(ctx context.Context, postID int64, page magpie.Page) ([]magpie.UserEntry, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list likes", scanUserEntry, listLikesSQL, postID, at, id, limit)
}

// listLikesSQL walks index likes_post_created.
const listLikesSQL = `
	SELECT l.id, l.user_id, (SELECT username FROM users u WHERE u.id = l.user_id), l.created_at
	FROM likes l
	WHERE l.post_id = ? AND (l.created_at, l.id) < (?, ?)
	ORDER BY l.created_at DESC, l.id DESC
	LIMIT ?`
