package sqlite

import (
	"context"
	"math"
	"time"

	"github.com/magpie-sns/magpie"
)

// commentColumns are the columns scanComment reads, of comments c.
const commentColumns = `c.id, c.post_id, c.author_id,
	(SELECT username FROM users u WHERE u.id = c.author_id),
	c.body, c.created_at, c.updated_at`

func scanComment(s scanner) (magpie.Comment, error) {
	var c magpie.Comment
	err := s.Scan(&c.ID, &c.PostID, &c.AuthorID, &c.AuthorUsername, &c.Body, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

// CreateComment inserts c and sets c.ID and c.AuthorUsername. ErrNotFound
// if the post or the author does not exist.
func (db *DB) CreateComment(ctx context.Context, c *magpie.Comment) error {
	// The foreign keys decide a missing post or author; a trigger counts
	// the comment on the post.
	return db.inTx(ctx, "create comment", func(tx querier) error {
		return tx.QueryRowContext(ctx, `
			INSERT INTO comments (post_id, author_id, body, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)
			RETURNING id, (SELECT username FROM users u WHERE u.id = author_id)`,
			c.PostID, c.AuthorID, c.Body, micros(c.CreatedAt), micros(c.UpdatedAt),
		).Scan(&c.ID, &c.AuthorUsername)
	})
}

// CommentByID returns the comment. ErrNotFound if there is none.
func (db *DB) CommentByID(ctx context.Context, id int64) (*magpie.Comment, error) {
	c, err := commentByID(ctx, db.reader(), id)
	if err != nil {
		return nil, storeError("comment by id", err)
	}
	return c, nil
}

func commentByID(ctx context.Context, q querier, id int64) (*magpie.Comment, error) {
	c, err := scanComment(q.QueryRowContext(ctx, `
		SELECT `+commentColumns+`
		FROM comments c
		WHERE c.id = ?`,
		id,
	))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateComment sets the comment's body and UpdatedAt and returns it as it
// now is. ErrNotFound if there is none.
func (db *DB) UpdateComment(ctx context.Context, id int64, body string, updatedAt time.Time) (*magpie.Comment, error) {
	var c *magpie.Comment
	err := db.inTx(ctx, "update comment", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE comments SET body = ?, updated_at = ? WHERE id = ?`, body, micros(updatedAt), id)
		if err == nil {
			err = oneRowAffected(res)
		}
		if err != nil {
			return err
		}
		c, err = commentByID(ctx, tx, id)
		return err
	})
	return c, err
}

// DeleteComment removes the comment. ErrNotFound if there is none.
func (db *DB) DeleteComment(ctx context.Context, id int64) error {
	return db.inTx(ctx, "delete comment", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return oneRowAffected(res)
	})
}

// ListComments returns the comments on the post, oldest first.
func (db *DB) ListComments(ctx context.Context, postID int64, page magpie.Page) ([]magpie.Comment, error) {
	// Oldest first: the page starts after the cursor going up, and
	// without one, below every row.
	at, id := int64(math.MinInt64), int64(math.MinInt64)
	if page.After != nil {
		at, id = micros(page.After.Time), page.After.ID
	}
	return queryList(ctx, db.reader(), page, "list comments", scanComment, listCommentsSQL, postID, at, id, page.Limit)
}

// listCommentsSQL walks index comments_post_created.
const listCommentsSQL = `
	SELECT ` + commentColumns + `
	FROM comments c
	WHERE c.post_id = ? AND (c.created_at, c.id) > (?, ?)
	ORDER BY c.created_at, c.id
	LIMIT ?`
