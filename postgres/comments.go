package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/magpie-sns/magpie"
)

// commentColumns are the columns scanComment reads, of comments c joined
// with its author, users u.
const commentColumns = `c.id, c.post_id, c.author_id, u.username, c.body, c.created_at, c.updated_at`

func scanComment(row pgx.Row) (magpie.Comment, error) {
	var c magpie.Comment
	err := row.Scan(&c.ID, &c.PostID, &c.AuthorID, &c.AuthorUsername, &c.Body, &c.CreatedAt, &c.UpdatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c, err
}

// CreateComment inserts c and sets c.ID and c.AuthorUsername. ErrNotFound
// if the post or the author does not exist.
func (db *DB) CreateComment(ctx context.Context, c *magpie.Comment) error {
	// The foreign keys decide a missing post or author; a trigger counts
	// the comment on the post.
	err := db.pool.QueryRow(ctx, `
		INSERT INTO comments AS c (post_id, author_id, body, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING c.id, (SELECT u.username FROM users u WHERE u.id = c.author_id)`,
		c.PostID, c.AuthorID, c.Body, c.CreatedAt, c.UpdatedAt,
	).Scan(&c.ID, &c.AuthorUsername)
	if err != nil {
		return storeError("create comment", err)
	}
	return nil
}

// CommentByID returns the comment. ErrNotFound if there is none.
func (db *DB) CommentByID(ctx context.Context, id int64) (*magpie.Comment, error) {
	// comments_pkey, then users_pkey.
	c, err := scanComment(db.pool.QueryRow(ctx, `
		SELECT `+commentColumns+`
		FROM comments c
		JOIN users u ON u.id = c.author_id
		WHERE c.id = $1`,
		id,
	))
	if err != nil {
		return nil, storeError("comment by id", err)
	}
	return &c, nil
}

// UpdateComment sets the comment's body and UpdatedAt and returns it as it
// now is. ErrNotFound if there is none.
func (db *DB) UpdateComment(ctx context.Context, id int64, body string, updatedAt time.Time) (*magpie.Comment, error) {
	c, err := scanComment(db.pool.QueryRow(ctx, `
		UPDATE comments c SET body = $2, updated_at = $3
		FROM users u
		WHERE c.id = $1 AND u.id = c.author_id
		RETURNING `+commentColumns,
		id, body, updatedAt,
	))
	if err != nil {
		return nil, storeError("update comment", err)
	}
	return &c, nil
}

// DeleteComment removes the comment. ErrNotFound if there is none.
func (db *DB) DeleteComment(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM comments WHERE id = $1`, id)
	if err == nil {
		err = oneRowAffected(tag)
	}
	if err != nil {
		return storeError("delete comment", err)
	}
	return nil
}

// ListComments returns the comments on the post, oldest first.
func (db *DB) ListComments(ctx context.Context, postID int64, page magpie.Page) ([]magpie.Comment, error) {
	// Oldest first: without a cursor the page starts at -infinity, before
	// every stored time.
	at, id := pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, int64(0)
	if page.After != nil {
		at, id = pgtype.Timestamptz{Time: page.After.Time, Valid: true}, page.After.ID
	}
	// comments_post_created_idx, read from the cursor on.
	return queryList(ctx, db.pool, page, "list comments", scanComment, `
		SELECT `+commentColumns+`
		FROM comments c
		JOIN users u ON u.id = c.author_id
		WHERE c.post_id = $1 AND (c.created_at, c.id) > ($2, $3)
		ORDER BY c.created_at, c.id
		LIMIT $4`,
		postID, at, id, page.Limit)
}
