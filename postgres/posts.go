package postgres

import (
	"context"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/magpie-sns/magpie"
)

// postColumns are the columns scanPost reads, of posts p joined with its
// owner, users u, for the viewer whose id is the query's parameter $1.
// Whether the viewer likes the post is a probe of likes_post_user_key per
// row: a scalar subquery with a LIMIT, which the planner cannot turn into
// a hash of every like of the viewer, as it may an EXISTS.
const postColumns = `p.id, p.title, p.body, p.owner_id, u.username, u.is_active, p.is_hidden,
	p.created_at, p.updated_at, p.like_count, p.comment_count,
	COALESCE((SELECT true FROM likes l WHERE l.post_id = p.id AND l.user_id = $1 LIMIT 1), false)`

func scanPost(row pgx.Row) (magpie.Post, error) {
	var p magpie.Post
	err := row.Scan(&p.ID, &p.Title, &p.Body, &p.OwnerID, &p.OwnerUsername, &p.OwnerActive, &p.IsHidden,
		&p.CreatedAt, &p.UpdatedAt, &p.LikeCount, &p.CommentCount, &p.Liked)
	p.CreatedAt = p.CreatedAt.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, err
}

// CreatePost inserts p and sets p.ID and p.OwnerUsername. ErrNotFound if
// the owner does not exist.
func (db *DB) CreatePost(ctx context.Context, p *magpie.Post) error {
	return db.CreatePosts(ctx, []*magpie.Post{p})
}

// CreatePosts inserts every post, setting its ID and OwnerUsername, in one
// transaction: if one fails, none is stored. ErrNotFound if an owner does
// not exist.
// Each post is fanned out to its author's followers in the same
// transaction, sent with it in one round trip; some of their timelines
// are trimmed after it.
func (db *DB) CreatePosts(ctx context.Context, posts []*magpie.Post) error {
	// The authors whose posts went into timelines, whose followers'
	// timelines then need trimming: not those of a heavy author, which
	// went into none.
	var fannedOut map[int64]bool
	err := db.inPipeline(ctx, "create posts", func(b *pgx.Batch) {
		fannedOut = map[int64]bool{}
		for _, p := range posts {
			// The foreign key, not a lookup beforehand, decides a
			// missing owner.
			p.OwnerActive = true
			b.Queue(insertPostSQL, p.Title, p.Body, p.OwnerID, p.IsHidden, p.CreatedAt, p.UpdatedAt).
				QueryRow(func(row pgx.Row) error { return row.Scan(&p.ID, &p.OwnerUsername) })
			b.Queue(fanOutNewPostSQL).Exec(func(tag pgconn.CommandTag) error {
				fannedOut[p.OwnerID] = fannedOut[p.OwnerID] || tag.RowsAffected() > 0
				return nil
			})
		}
	})
	if err != nil {
		return err
	}
	for authorID, wrote := range fannedOut {
		if wrote {
			db.trimAfterFanOut(ctx, authorID)
		}
	}
	return nil
}

const insertPostSQL = `
	INSERT INTO posts AS p (title, body, owner_id, is_hidden, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6)
	RETURNING p.id, (SELECT u.username FROM users u WHERE u.id = p.owner_id)`

// PostByID returns the post. ErrNotFound if there is none.
func (db *DB) PostByID(ctx context.Context, viewerID, id int64) (*magpie.Post, error) {
	// posts_pkey, then users_pkey.
	p, err := scanPost(db.pool.QueryRow(ctx, `
		SELECT `+postColumns+`
		FROM posts p
		JOIN users u ON u.id = p.owner_id
		WHERE p.id = $2`,
		viewerID, id,
	))
	if err != nil {
		return nil, storeError("post by id", err)
	}
	return &p, nil
}

// UpdatePost applies upd and returns the post as it now is. ErrNotFound if
// there is none.
func (db *DB) UpdatePost(ctx context.Context, viewerID, id int64, upd magpie.PostUpdate) (*magpie.Post, error) {
	var p magpie.Post
	err := db.inTx(ctx, "update post", func(tx querier) error {
		// posts_pkey; one statement, so no other writer slips in between
		// a read and the write. A NULL parameter keeps the column as it is.
		var err error
		p, err = scanPost(tx.QueryRow(ctx, `
			UPDATE posts p SET
				title = COALESCE($3, p.title),
				body = COALESCE($4, p.body),
				is_hidden = COALESCE($5, p.is_hidden),
				updated_at = $6
			FROM users u
			WHERE p.id = $2 AND u.id = p.owner_id
			RETURNING `+postColumns,
			viewerID, id, upd.Title, upd.Body, upd.IsHidden, upd.UpdatedAt,
		))
		switch {
		case err != nil || upd.IsHidden == nil:
			return err
		case p.IsHidden:
			return unfanOut(ctx, tx, id)
		default:
			return fanOut(ctx, tx, id)
		}
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// DeletePost removes the post; its likes and comments go by cascade.
// ErrNotFound if there is none.
func (db *DB) DeletePost(ctx context.Context, id int64) error {
	// posts_pkey.
	tag, err := db.pool.Exec(ctx, `DELETE FROM posts WHERE id = $1`, id)
	if err == nil {
		err = oneRowAffected(tag)
	}
	if err != nil {
		return storeError("delete post", err)
	}
	return nil
}

// Every list is newest first and pages by keyset: a page starts strictly
// after the (created_at, id) of the cursor, so each query reads a range of
// one index in list order and a page costs its own rows, however deep.
// TestQueryPlans checks the plans.

// ListPosts returns the posts that are not hidden; with search, those
// whose title or body has every word of it, by id descending.
func (db *DB) ListPosts(ctx context.Context, viewerID int64, search []string, page magpie.Page) ([]magpie.Post, error) {
	if len(search) > 0 {
		before := int64(math.MaxInt64)
		if page.After != nil {
			before = page.After.ID
		}
		// Either posts_search_idx finds the matches, which are sorted, or,
		// for words so common that a page of them comes soon, posts_pkey
		// is read backwards from the cursor: the planner weighs the two
		// by the words' frequency.
		return queryList(ctx, db.pool, page, "search posts", scanPost, `
			SELECT `+postColumns+`
			FROM posts p
			JOIN users u ON u.id = p.owner_id
			WHERE p.search @@ to_tsquery('simple', $2) AND NOT p.is_hidden AND p.id < $3 AND u.is_active
			ORDER BY p.id DESC
			LIMIT $4`,
			viewerID, tsQuery(search, false), before, page.Limit)
	}
	at, id, limit := keyset(page)
	// posts_visible_created_idx, read from the cursor on; users_pkey per row.
	return queryList(ctx, db.pool, page, "list posts", scanPost, `
		SELECT `+postColumns+`
		FROM posts p
		JOIN users u ON u.id = p.owner_id
		WHERE NOT p.is_hidden AND (p.created_at, p.id) < ($2, $3) AND u.is_active
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $4`,
		viewerID, at, id, limit)
}

// ListPostsByOwner returns one user's posts, hidden ones too if
// withHidden.
func (db *DB) ListPostsByOwner(ctx context.Context, viewerID, ownerID int64, withHidden bool, page magpie.Page) ([]magpie.Post, error) {
	at, id, limit := keyset(page)
	// posts_owner_created_idx, read from the cursor on.
	return queryList(ctx, db.pool, page, "list posts by owner", scanPost, `
		SELECT `+postColumns+`
		FROM posts p
		JOIN users u ON u.id = p.owner_id
		WHERE p.owner_id = $2 AND ($3 OR NOT p.is_hidden) AND (p.created_at, p.id) < ($4, $5)
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $6`,
		viewerID, ownerID, withHidden, at, id, limit)
}
