package sqlite

import (
	"context"

	"github.com/magpie-sns/magpie"
)

// postColumns are the columns scanPost reads, of posts p. The owner's name
// comes from a scalar subquery rather than a join, so that posts is the
// only table in FROM and the planner, with or without ANALYZE statistics,
// has no join order to get wrong.
const postColumns = `p.id, p.title, p.body, p.owner_id,
	(SELECT username FROM users u WHERE u.id = p.owner_id),
	p.is_hidden, p.created_at, p.updated_at`

func scanPost(s scanner) (magpie.Post, error) {
	var p magpie.Post
	err := s.Scan(&p.ID, &p.Title, &p.Body, &p.OwnerID, &p.OwnerUsername, &p.IsHidden,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

// CreatePost inserts p and sets p.ID and p.OwnerUsername. ErrNotFound if
// the owner does not exist.
func (db *DB) CreatePost(ctx context.Context, p *magpie.Post) error {
	return db.inTx(ctx, "create post", func(tx querier) error {
		return createPost(ctx, tx, p)
	})
}

// CreatePosts inserts every post, setting its ID and OwnerUsername, in one
// transaction: if one fails, none is stored. ErrNotFound if an owner does
// not exist.
func (db *DB) CreatePosts(ctx context.Context, posts []*magpie.Post) error {
	return db.inTx(ctx, "create posts", func(tx querier) error {
		for _, p := range posts {
			if err := createPost(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func createPost(ctx context.Context, tx querier, p *magpie.Post) error {
	// The foreign key, not a lookup beforehand, decides a missing owner.
	return tx.QueryRowContext(ctx, `
		INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		RETURNING id, (SELECT username FROM users u WHERE u.id = owner_id)`,
		p.Title, p.Body, p.OwnerID, p.IsHidden, micros(p.CreatedAt), micros(p.UpdatedAt),
	).Scan(&p.ID, &p.OwnerUsername)
}

// PostByID returns the post. ErrNotFound if there is none.
func (db *DB) PostByID(ctx context.Context, id int64) (*magpie.Post, error) {
	p, err := postByID(ctx, db.reader(), id)
	if err != nil {
		return nil, storeError("post by id", err)
	}
	return p, nil
}

func postByID(ctx context.Context, q querier, id int64) (*magpie.Post, error) {
	p, err := scanPost(q.QueryRowContext(ctx, `
		SELECT `+postColumns+`
		FROM posts p
		WHERE p.id = ?`,
		id,
	))
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdatePost applies upd and returns the post as it now is, read in the
// same transaction, so that no other write comes between. ErrNotFound if
// there is none.
func (db *DB) UpdatePost(ctx context.Context, id int64, upd magpie.PostUpdate) (*magpie.Post, error) {
	var p *magpie.Post
	err := db.inTx(ctx, "update post", func(tx querier) error {
		// A NULL argument (a nil field) leaves the column as it is.
		res, err := tx.ExecContext(ctx, `
			UPDATE posts SET
				title = coalesce(?, title),
				body = coalesce(?, body),
				is_hidden = coalesce(?, is_hidden),
				updated_at = ?
			WHERE id = ?`,
			upd.Title, upd.Body, upd.IsHidden, micros(upd.UpdatedAt), id,
		)
		if err != nil {
			return err
		}
		if err := oneRowAffected(res); err != nil {
			return err
		}
		p, err = postByID(ctx, tx, id)
		return err
	})
	return p, err
}

// DeletePost removes the post. ErrNotFound if there is none.
func (db *DB) DeletePost(ctx context.Context, id int64) error {
	return db.inTx(ctx, "delete post", func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return oneRowAffected(res)
	})
}

// Every list is newest first and pages by keyset: a page starts strictly
// after the (created_at, id) of the cursor, so each query is a range of
// one index walked in list order and a page costs its own rows, however
// deep. TestQueryPlans checks the plans.

// ListPosts returns the posts that are not hidden.
func (db *DB) ListPosts(ctx context.Context, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list posts", scanPost, listPostsSQL, at, id, limit)
}

// listPostsSQL walks index posts_public (partial: is_hidden = 0).
const listPostsSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.is_hidden = 0 AND (p.created_at, p.id) < (?, ?)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?`

// ListPostsByOwner returns all of one user's posts, hidden ones too.
func (db *DB) ListPostsByOwner(ctx context.Context, ownerID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list posts by owner", scanPost, listPostsByOwnerSQL, ownerID, at, id, limit)
}

// listPostsByOwnerSQL walks index posts_owner.
const listPostsByOwnerSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.owner_id = ? AND (p.created_at, p.id) < (?, ?)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?`

// ListFeed returns the posts that are not hidden of the users that userID
// follows.
func (db *DB) ListFeed(ctx context.Context, userID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list feed", scanPost, listFeedSQL, userID, at, id, limit)
}

// listFeedSQL: the index of UNIQUE (follower_id, following_id) lists the
// followed users; for each, a range of index posts_feed (partial:
// is_hidden = 0) gives their posts after the cursor, newest first. Those
// ranges are merged by a sort, so a page of the feed costs the followed
// users' posts after the cursor, not just the page.
const listFeedSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.is_hidden = 0
		AND p.owner_id IN (SELECT following_id FROM follows WHERE follower_id = ?)
		AND (p.created_at, p.id) < (?, ?)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?`
