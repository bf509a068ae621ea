package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/magpie-sns/magpie"
)

// LoadProgress reports how far a load got.
func (db *DB) LoadProgress(ctx context.Context) (magpie.LoadProgress, error) {
	var p magpie.LoadProgress
	// The primary key of users, posts_owner and the follows' UNIQUE
	// index: each max is one index probe.
	err := db.reader().QueryRowContext(ctx, `
		SELECT COALESCE((SELECT max(id) FROM users), 0),
			max(COALESCE((SELECT max(owner_id) FROM posts), 0), COALESCE((SELECT max(follower_id) FROM follows), 0))`,
	).Scan(&p.Users, &p.UsersWithPosts)
	if err != nil {
		return p, storeError("load progress", err)
	}
	return p, nil
}

// LoadUsers inserts users in one transaction.
func (db *DB) LoadUsers(ctx context.Context, users []magpie.User, passwordHash string) error {
	return db.inTx(ctx, "load users", func(tx querier) error {
		for i := range users {
			u := &users[i]
			key, err := magpie.UsernameKey(u.Username)
			if err != nil {
				return fmt.Errorf("%w: username %q", magpie.ErrConstraint, u.Username)
			}
			_, err = tx.ExecContext(ctx, `
				INSERT INTO users (id, username, name_key, password_hash, is_superuser, date_joined, display_name, bio)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				u.ID, u.Username, key, passwordHash, u.IsSuperuser, micros(u.DateJoined), u.DisplayName, u.Bio)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// LoadPostsAndFollows inserts posts and follows in one transaction,
// without the secondary indexes and triggers of their tables, which
// FinishLoad puts back.
func (db *DB) LoadPostsAndFollows(ctx context.Context, posts []magpie.Post, follows []magpie.Follow) error {
	return db.inTx(ctx, "load posts and follows", func(tx querier) error {
		if err := loadCache(ctx, tx); err != nil {
			return err
		}
		if err := stashSchema(ctx, tx, "posts", "follows"); err != nil {
			return err
		}
		err := insertRows(ctx, tx, `INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at) VALUES `,
			len(posts), func(i int) []any {
				p := &posts[i]
				return []any{p.Title, p.Body, p.OwnerID, p.IsHidden, micros(p.CreatedAt), micros(p.UpdatedAt)}
			})
		if err != nil {
			return err
		}
		return insertRows(ctx, tx, `INSERT INTO follows (follower_id, following_id, created_at) VALUES `,
			len(follows), func(i int) []any {
				f := &follows[i]
				return []any{f.FollowerID, f.FollowingID, micros(f.CreatedAt)}
			})
	})
}

// rowsPerInsert is how many rows insertRows writes a statement: the
// search index flushes what it has gathered at the end of each statement
// that adds to it.
const rowsPerInsert = 100

// insertRows runs insert (ending in VALUES) for n rows, rowsPerInsert a
// statement; row returns the values of the ith.
func insertRows(ctx context.Context, tx querier, insert string, n int, row func(i int) []any) error {
	var args []any
	for first := 0; first < n; first += rowsPerInsert {
		args = args[:0]
		for i := first; i < min(first+rowsPerInsert, n); i++ {
			args = append(args, row(i)...)
		}
		width := len(args) / (min(first+rowsPerInsert, n) - first)
		tuple := "(" + strings.Repeat("?, ", width-1) + "?)"
		values := strings.Repeat(tuple+", ", len(args)/width-1) + tuple
		if _, err := tx.ExecContext(ctx, insert+values, args...); err != nil {
			return err
		}
	}
	return nil
}

// loadCache gives the writer's connection a page cache of 256 MiB: with
// the default 2 MiB, a transaction of a load writes most pages to the WAL
// several times before it commits. A load is run by `magpie seed`, whose
// process ends with it.
func loadCache(ctx context.Context, tx querier) error {
	_, err := tx.ExecContext(ctx, `PRAGMA cache_size = -262144`)
	return err
}

// stashSchema moves the definitions of the indexes and triggers of
// tables into load_stash and drops them: a row costs several times less
// to insert without them, and an index costs less to build whole than
// row by row. SQLite cannot turn a trigger off. What is stashed stays
// stashed across a load cut off, till unstashSchema.
func stashSchema(ctx context.Context, tx querier, tables ...string) error {
	// The indexes of UNIQUE constraints have no sql: they stay.
	const stashable = `type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`
	list, err := json.Marshal(tables)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS load_stash (name TEXT PRIMARY KEY, type TEXT NOT NULL, ddl TEXT NOT NULL)`)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO load_stash (name, type, ddl) SELECT name, type, sql FROM sqlite_schema WHERE `+stashable, list)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT 'DROP ' || upper(type) || ' ' || name FROM sqlite_schema WHERE `+stashable, list)
	if err != nil {
		return err
	}
	drops, err := collect[string](rows)
	if err != nil {
		return err
	}
	for _, drop := range drops {
		if _, err := tx.ExecContext(ctx, drop); err != nil {
			return err
		}
	}
	return nil
}

// unstashSchema creates again what stashSchema dropped, indexes first, and
// rebuilds the search index of the posts if its triggers were stashed.
func unstashSchema(ctx context.Context, tx querier) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'load_stash')`).Scan(&exists); err != nil || !exists {
		return err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT ddl FROM load_stash ORDER BY type = 'trigger', name`)
	if err != nil {
		return err
	}
	ddls, err := collect[string](rows)
	if err != nil {
		return err
	}
	var rebuild bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM load_stash WHERE name = 'posts_fts_insert')`).Scan(&rebuild); err != nil {
		return err
	}
	if rebuild {
		ddls = append(ddls, `INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')`)
	}
	for _, ddl := range append(ddls, `DROP TABLE load_stash`) {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
	}
	return nil
}

// FinishLoad derives, in one transaction, what ordinary writes would
// have kept, then refreshes the planner's statistics.
func (db *DB) FinishLoad(ctx context.Context, since time.Time) error {
	err := db.inTx(ctx, "finish load", func(tx querier) error {
		if err := loadCache(ctx, tx); err != nil {
			return err
		}
		if err := unstashSchema(ctx, tx); err != nil {
			return err
		}
		sinceAt := micros(since)
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE users SET
				posts_count = (SELECT count(*) FROM posts p WHERE p.owner_id = users.id AND p.is_hidden = 0),
				followers_count = (SELECT count(*) FROM follows f WHERE f.following_id = users.id),
				following_count = (SELECT count(*) FROM follows f WHERE f.follower_id = users.id)`, nil},
			{`UPDATE users SET fanout = followers_count <= ?`, []any{magpie.FanOutLimit}},
			{`UPDATE posts SET
				like_count = (SELECT count(*) FROM likes l WHERE l.post_id = posts.id),
				comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = posts.id)
			WHERE like_count <> (SELECT count(*) FROM likes l WHERE l.post_id = posts.id)
				OR comment_count <> (SELECT count(*) FROM comments c WHERE c.post_id = posts.id)`, nil},
			{`DELETE FROM timelines`, nil},
			{`DELETE FROM timeline_floors`, nil},
		} {
			if _, err := tx.ExecContext(ctx, stmt.sql, stmt.args...); err != nil {
				return err
			}
		}
		// Without the index of timelines by post, built whole after; one
		// follower after another (follows_follower, posts_feed), so the
		// rows come in the order of the timeline's key, or nearly.
		if err := stashSchema(ctx, tx, "timelines"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO timelines (user_id, created_at, post_id, author_id)
			SELECT f.follower_id, p.created_at, p.id, p.owner_id
			FROM follows f
			CROSS JOIN users a ON a.id = f.following_id AND a.fanout = 1
			CROSS JOIN posts p ON p.owner_id = f.following_id AND p.is_hidden = 0 AND p.created_at >= ?
			ORDER BY f.follower_id`, sinceAt)
		if err != nil {
			return err
		}
		if err := unstashSchema(ctx, tx); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO timeline_floors (user_id, created_at, post_id) SELECT id, ?, 0 FROM users`, sinceAt)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT user_id FROM timelines GROUP BY user_id HAVING count(*) > ?`, magpie.TimelineLength)
		if err != nil {
			return err
		}
		long, err := collect[int64](rows)
		if err != nil {
			return err
		}
		for _, id := range long {
			if err := trim(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// A sample of each index is enough for the planner's choices.
	if _, err := db.writeStmts.pool.ExecContext(ctx, `PRAGMA analysis_limit = 1000; ANALYZE`); err != nil {
		return fmt.Errorf("sqlite: analyze: %w", err)
	}
	return nil
}
