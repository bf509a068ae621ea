package sqlite

import (
	"context"
	"math"

	"github.com/magpie-sns/magpie"
)

// postColumns are the columns scanPost reads, of posts p, for the viewer
// whose id is the query's parameter ?1. The owner's name and state come
// from scalar subqueries rather than a join, so that posts is the only
// table in FROM and the planner, with or without ANALYZE statistics, has
// no join order to get wrong.
const postColumns = `p.id, p.title, p.body, p.owner_id,
	(SELECT username FROM users u WHERE u.id = p.owner_id),
	(SELECT is_active FROM users u WHERE u.id = p.owner_id),
	p.is_hidden, p.created_at, p.updated_at, p.like_count, p.comment_count,
	EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = ?1)`

func scanPost(s scanner) (magpie.Post, error) {
	var p magpie.Post
	err := s.Scan(&p.ID, &p.Title, &p.Body, &p.OwnerID, &p.OwnerUsername, &p.OwnerActive, &p.IsHidden,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, &p.LikeCount, &p.CommentCount, &p.Liked)
	return p, err
}

// ownerActive is the condition that the owner of post p is active.
const ownerActive = `(SELECT is_active FROM users u WHERE u.id = p.owner_id) = 1`

// CreatePost inserts p and sets p.ID and p.OwnerUsername. ErrNotFound if
// the owner does not exist.
func (db *DB) CreatePost(ctx context.Context, p *magpie.Post) error {
	return db.CreatePosts(ctx, []*magpie.Post{p})
}

// CreatePosts inserts every post, setting its ID and OwnerUsername, in one
// transaction: if one fails, none is stored. ErrNotFound if an owner does
// not exist. Each post is fanned out to its author's followers in the same
// transaction.
func (db *DB) CreatePosts(ctx context.Context, posts []*magpie.Post) error {
	return db.inTx(ctx, "create posts", func(tx querier) error {
		for _, p := range posts {
			if err := createPost(ctx, tx, p); err != nil {
				return err
			}
			if err := fanOut(ctx, tx, p.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

func createPost(ctx context.Context, tx querier, p *magpie.Post) error {
	// The foreign key, not a lookup beforehand, decides a missing owner.
	p.OwnerActive = true
	return tx.QueryRowContext(ctx, `
		INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		RETURNING id, (SELECT username FROM users u WHERE u.id = owner_id)`,
		p.Title, p.Body, p.OwnerID, p.IsHidden, micros(p.CreatedAt), micros(p.UpdatedAt),
	).Scan(&p.ID, &p.OwnerUsername)
}

// PostByID returns the post. ErrNotFound if there is none.
func (db *DB) PostByID(ctx context.Context, viewerID, id int64) (*magpie.Post, error) {
	p, err := postByID(ctx, db.reader(), viewerID, id)
	if err != nil {
		return nil, storeError("post by id", err)
	}
	return p, nil
}

func postByID(ctx context.Context, q querier, viewerID, id int64) (*magpie.Post, error) {
	p, err := scanPost(q.QueryRowContext(ctx, `
		SELECT `+postColumns+`
		FROM posts p
		WHERE p.id = ?2`,
		viewerID, id,
	))
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdatePost applies upd and returns the post as it now is, read in the
// same transaction, so that no other write comes between. ErrNotFound if
// there is none.
func (db *DB) UpdatePost(ctx context.Context, viewerID, id int64, upd magpie.PostUpdate) (*magpie.Post, error) {
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
		if err == nil {
			err = oneRowAffected(res)
		}
		if err != nil {
			return err
		}
		if p, err = postByID(ctx, tx, viewerID, id); err != nil || upd.IsHidden == nil {
			return err
		}
		if p.IsHidden {
			return unfanOut(ctx, tx, id)
		}
		return fanOut(ctx, tx, id)
	})
	return p, err
}

// DeletePost removes the post; its likes and comments go by cascade.
// ErrNotFound if there is none.
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

// ListPosts returns the posts that are not hidden; with search, those
// whose title or body has every word of it, by id descending.
func (db *DB) ListPosts(ctx context.Context, viewerID int64, search []string, page magpie.Page) ([]magpie.Post, error) {
	if len(search) > 0 {
		before := int64(math.MaxInt64)
		if page.After != nil {
			before = page.After.ID
		}
		return queryList(ctx, db.reader(), page, "search posts", scanPost, searchPostsSQL,
			viewerID, ftsQuery(search, false), before, page.Limit)
	}
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list posts", scanPost, listPostsSQL, viewerID, at, id, limit)
}

// listPostsSQL walks index posts_public (partial: is_hidden = 0).
const listPostsSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.is_hidden = 0 AND (p.created_at, p.id) < (?2, ?3) AND ` + ownerActive + `
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?4`

// searchPostsSQL reads the matches of posts_fts by rowid descending from
// the cursor on, each joined to its post by the rowid: a common word
// stops at the page, a rare one reads only its matches.
const searchPostsSQL = `
	SELECT ` + postColumns + `
	FROM posts_fts s
	JOIN posts p ON p.id = s.rowid
	WHERE posts_fts MATCH ?2 AND s.rowid < ?3 AND p.is_hidden = 0 AND ` + ownerActive + `
	ORDER BY s.rowid DESC
	LIMIT ?4`

// ListPostsByOwner returns one user's posts, hidden ones too if
// withHidden.
func (db *DB) ListPostsByOwner(ctx context.Context, viewerID, ownerID int64, withHidden bool, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	return queryList(ctx, db.reader(), page, "list posts by owner", scanPost, listPostsByOwnerSQL,
		viewerID, ownerID, withHidden, at, id, limit)
}

// listPostsByOwnerSQL walks index posts_owner.
const listPostsByOwnerSQL = `
	SELECT ` + postColumns + `
	FROM posts p
	WHERE p.owner_id = ?2 AND (?3 OR p.is_hidden = 0) AND (p.created_at, p.id) < (?4, ?5)
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT ?6`
