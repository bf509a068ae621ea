package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie"
)

// CreatePost inserts p and sets p.ID and p.OwnerUsername. ENOTFOUND if the
// owner does not exist.
func (db *DB) CreatePost(ctx context.Context, p *magpie.Post) error {
	// The foreign key, not a lookup beforehand, decides a missing owner.
	err := db.pool.QueryRow(ctx, `
		INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id, (SELECT u.username FROM users u WHERE u.id = posts.owner_id)`,
		p.Title, p.Body, p.OwnerID, p.IsHidden, p.CreatedAt, p.UpdatedAt,
	).Scan(&p.ID, &p.OwnerUsername)
	if err != nil {
		return formatError("create post", err)
	}
	return nil
}

// PostByID returns the post. ENOTFOUND if there is none.
func (db *DB) PostByID(ctx context.Context, id int64) (*magpie.Post, error) {
	// posts_pkey, then users_pkey.
	row := db.pool.QueryRow(ctx, `
		SELECT p.id, p.title, p.body, p.owner_id, u.username, p.is_hidden, p.created_at, p.updated_at
		FROM posts p
		JOIN users u ON u.id = p.owner_id
		WHERE p.id = $1`, id)
	p, err := scanPost(row)
	if err != nil {
		return nil, formatError("post by id", err)
	}
	return &p, nil
}

// UpdatePost applies upd and returns the post as it now is. ENOTFOUND if
// there is none.
func (db *DB) UpdatePost(ctx context.Context, id int64, upd magpie.PostUpdate) (*magpie.Post, error) {
	// posts_pkey; one statement, so no other writer slips in between a
	// read and the write. A NULL parameter keeps the column as it is.
	row := db.pool.QueryRow(ctx, `
		UPDATE posts p SET
			title = COALESCE($2, p.title),
			body = COALESCE($3, p.body),
			is_hidden = COALESCE($4, p.is_hidden),
			updated_at = $5
		FROM users u
		WHERE p.id = $1 AND u.id = p.owner_id
		RETURNING p.id, p.title, p.body, p.owner_id, u.username, p.is_hidden, p.created_at, p.updated_at`,
		id, upd.Title, upd.Body, upd.IsHidden, upd.UpdatedAt)
	p, err := scanPost(row)
	if err != nil {
		return nil, formatError("update post", err)
	}
	return &p, nil
}

// DeletePost removes the post. ENOTFOUND if there is none.
func (db *DB) DeletePost(ctx context.Context, id int64) error {
	// posts_pkey.
	tag, err := db.pool.Exec(ctx, `DELETE FROM posts WHERE id = $1`, id)
	if err != nil {
		return formatError("delete post", err)
	}
	if tag.RowsAffected() == 0 {
		return errNotFound()
	}
	return nil
}

// ListPosts returns the posts that are not hidden, newest first.
func (db *DB) ListPosts(ctx context.Context, page magpie.Page) ([]magpie.Post, error) {
	at, id := cursor(page.After)
	// posts_visible_created_idx, read from the cursor on; users_pkey per row.
	return queryList(ctx, db, "list posts", collectPost, `
		SELECT p.id, p.title, p.body, p.owner_id, u.username, p.is_hidden, p.created_at, p.updated_at
		FROM posts p
		JOIN users u ON u.id = p.owner_id
		WHERE NOT p.is_hidden AND (p.created_at, p.id) < ($1, $2)
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $3`,
		at, id, max(page.Limit, 0))
}

// ListPostsByOwner returns all of one user's posts, hidden ones too,
// newest first.
func (db *DB) ListPostsByOwner(ctx context.Context, ownerID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id := cursor(page.After)
	// posts_owner_created_idx, read from the cursor on.
	return queryList(ctx, db, "list posts by owner", collectPost, `
		SELECT p.id, p.title, p.body, p.owner_id, u.username, p.is_hidden, p.created_at, p.updated_at
		FROM posts p
		JOIN users u ON u.id = p.owner_id
		WHERE p.owner_id = $1 AND (p.created_at, p.id) < ($2, $3)
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $4`,
		ownerID, at, id, max(page.Limit, 0))
}

// ListFeed returns the posts that are not hidden of the users that userID
// follows, newest first.
func (db *DB) ListFeed(ctx context.Context, userID int64, page magpie.Page) ([]magpie.Post, error) {
	at, id := cursor(page.After)
	// An index on follows leading with follower_id
	// (follows_follower_following_key or follows_follower_created_idx)
	// lists whom userID follows; for each,
	// posts_feed_idx yields at most $4 visible posts after the cursor, so
	// the work is bounded by follows × limit however deep the page, and
	// only the ids of those candidates are sorted. The final $4 are then
	// fetched whole by posts_pkey.
	return queryList(ctx, db, "list feed", collectPost, `
		WITH top AS (
			SELECT c.id, c.created_at
			FROM follows f
			CROSS JOIN LATERAL (
				SELECT p.id, p.created_at
				FROM posts p
				WHERE p.owner_id = f.following_id AND NOT p.is_hidden
					AND (p.created_at, p.id) < ($2, $3)
				ORDER BY p.created_at DESC, p.id DESC
				LIMIT $4
			) c
			WHERE f.follower_id = $1
			ORDER BY c.created_at DESC, c.id DESC
			LIMIT $4
		)
		SELECT p.id, p.title, p.body, p.owner_id, u.username, p.is_hidden, p.created_at, p.updated_at
		FROM top
		JOIN posts p ON p.id = top.id
		JOIN users u ON u.id = p.owner_id
		ORDER BY top.created_at DESC, top.id DESC`,
		userID, at, id, max(page.Limit, 0))
}

// scanPost reads id, title, body, owner_id, username, is_hidden,
// created_at, updated_at.
func scanPost(row pgx.Row) (magpie.Post, error) {
	var p magpie.Post
	err := row.Scan(&p.ID, &p.Title, &p.Body, &p.OwnerID, &p.OwnerUsername, &p.IsHidden, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt = p.CreatedAt.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

func collectPost(row pgx.CollectableRow) (magpie.Post, error) {
	return scanPost(row)
}
