package sqlite

import (
	"context"
	"fmt"

	"github.com/magpie-sns/magpie"
)

// scanPost reads the columns id, title, body, owner_id, owner username,
// is_hidden, created_at, updated_at, in that order.
func scanPost(s scanner) (magpie.Post, error) {
	var p magpie.Post
	err := s.Scan(&p.ID, &p.Title, &p.Body, &p.OwnerID, &p.OwnerUsername, &p.IsHidden,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

// CreatePost inserts p and sets p.ID and p.OwnerUsername. ENOTFOUND if the
// owner does not exist.
func (db *DB) CreatePost(ctx context.Context, p *magpie.Post) error {
	err := db.write.QueryRowContext(ctx, `
		INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		RETURNING id, (SELECT username FROM users WHERE users.id = owner_id)`,
		p.Title, p.Body, p.OwnerID, p.IsHidden, micros(p.CreatedAt), micros(p.UpdatedAt),
	).Scan(&p.ID, &p.OwnerUsername)
	if err != nil {
		return storeError("create post", err, nil)
	}
	return nil
}

// PostByID returns the post. ENOTFOUND if there is none.
func (db *DB) PostByID(ctx context.Context, id int64) (*magpie.Post, error) {
	p, err := scanPost(db.read.QueryRowContext(ctx, `
		SELECT p.id, p.title, p.body, p.owner_id,
			(SELECT username FROM users u WHERE u.id = p.owner_id),
			p.is_hidden, p.created_at, p.updated_at
		FROM posts p
		WHERE p.id = ?`,
		id,
	))
	if err != nil {
		return nil, storeError("post by id", err, nil)
	}
	return &p, nil
}

// UpdatePost applies upd and returns the post as it now is, in one
// statement so that no other write comes between. ENOTFOUND if there is
// none.
func (db *DB) UpdatePost(ctx context.Context, id int64, upd magpie.PostUpdate) (*magpie.Post, error) {
	// A NULL argument (a nil field) leaves the column as it is.
	p, err := scanPost(db.write.QueryRowContext(ctx, `
		UPDATE posts SET
			title = coalesce(?, title),
			body = coalesce(?, body),
			is_hidden = coalesce(?, is_hidden),
			updated_at = ?
		WHERE id = ?
		RETURNING id, title, body, owner_id,
			(SELECT username FROM users WHERE users.id = owner_id),
			is_hidden, created_at, updated_at`,
		upd.Title, upd.Body, upd.IsHidden, micros(upd.UpdatedAt), id,
	))
	if err != nil {
		return nil, storeError("update post", err, nil)
	}
	return &p, nil
}

// DeletePost removes the post. ENOTFOUND if there is none.
func (db *DB) DeletePost(ctx context.Context, id int64) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete post: %w", err)
	}
	return notFoundUnlessOne("delete post", res)
}

// Every list is newest first and pages by keyset: a page starts strictly
// after the (created_at, id) of the cursor, so each query is a range of
// one index walked in list order and a page costs its own rows, however
// deep. The list's table is the only one in FROM (usernames come from a
// scalar subquery) so that the planner, with or without ANALYZE
// statistics, has no join order to get wrong. TestQueryPlans checks the
// plans.

// ListPosts returns the posts that are not hidden.
func (db *DB) ListPosts(ctx context.Context, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return db.listPosts(ctx, "list posts", listPostsSQL, at, id, limit)
}

// listPostsSQL walks index posts_public (partial: is_hidden = 0).
const listPostsSQL = `
	SELECT p.id, p.title, p.body, p.owner_id,
		(SELECT username FROM users u WHERE u.id = p.owner_id),
		p.is_hidden, p.created_at, p.updated_at
	FROM posts p
	WHERE p.is_hidden = 0 AND (p.created_at, p.id) < (?, ?)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?`

// ListPostsByOwner returns all of one user's posts, hidden ones too.
func (db *DB) ListPostsByOwner(ctx context.Context, ownerID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return db.listPosts(ctx, "list posts by owner", listPostsByOwnerSQL, ownerID, at, id, limit)
}

// listPostsByOwnerSQL walks index posts_owner.
const listPostsByOwnerSQL = `
	SELECT p.id, p.title, p.body, p.owner_id,
		(SELECT username FROM users u WHERE u.id = p.owner_id),
		p.is_hidden, p.created_at, p.updated_at
	FROM posts p
	WHERE p.owner_id = ? AND (p.created_at, p.id) < (?, ?)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?`

// ListFeed returns the posts that are not hidden of the users that userID
// follows.
func (db *DB) ListFeed(ctx context.Context, userID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return db.listPosts(ctx, "list feed", listFeedSQL, userID, at, id, limit)
}

// listFeedSQL: the index of UNIQUE (follower_id, following_id) lists the
// followed users; for each, a range of index posts_feed (partial:
// is_hidden = 0) gives their posts after the cursor, newest first. Those
// ranges are merged by a sort, so a page of the feed costs the followed
// users' posts after the cursor, not just the page.
const listFeedSQL = `
	SELECT p.id, p.title, p.body, p.owner_id,
		(SELECT username FROM users u WHERE u.id = p.owner_id),
		p.is_hidden, p.created_at, p.updated_at
	FROM posts p
	WHERE p.is_hidden = 0
		AND p.owner_id IN (SELECT following_id FROM follows WHERE follower_id = ?)
		AND (p.created_at, p.id) < (?, ?)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?`

func (db *DB) listPosts(ctx context.Context, op, query string, args ...any) ([]magpie.Post, error) {
	return queryList(ctx, db, op, scanPost, query, args...)
}
