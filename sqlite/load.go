package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
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
// FinishLoad puts back. With one writer, waiting for ready before the
// transaction begins is what keeps the order.
func (db *DB) LoadPostsAndFollows(ctx context.Context, posts []magpie.Post, follows []magpie.Follow, ready func(context.Context) error) error {
	if ready != nil {
		if err := ready(ctx); err != nil {
			return err
		}
	}
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

// loadCache gives the writer's connection a page cache of 1 GiB, taken
// only as it is used: with the default 2 MiB, a transaction of a load
// writes most pages to the WAL several times before it commits, and an
// index of tens of millions of rows is sorted in temporary files rather
// than in memory. The sorter may use a helper thread a CPU. A load is run
// by `magpie seed`, whose process ends with it.
func loadCache(ctx context.Context, tx querier) error {
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -1048576; PRAGMA threads = %d`, runtime.NumCPU()))
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

// unstashSchema creates again what stashSchema dropped, indexes first,
// one a transaction (with its row of load_stash), so that no transaction
// outgrows the page cache and a cut-off loses at most one; with the
// trigger that indexes new posts for search, it rebuilds the search index.
func (db *DB) unstashSchema(ctx context.Context, step func(string)) error {
	for done := false; !done; {
		err := db.inTx(ctx, "unstash schema", func(tx querier) error {
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'load_stash')`).Scan(&exists); err != nil || !exists {
				done = true
				return err
			}
			var name, kind, ddl string
			err := tx.QueryRowContext(ctx, `SELECT name, type, ddl FROM load_stash ORDER BY type = 'trigger', name LIMIT 1`).Scan(&name, &kind, &ddl)
			if errors.Is(err, sql.ErrNoRows) {
				done = true
				_, err = tx.ExecContext(ctx, `DROP TABLE load_stash`)
				return err
			}
			if err != nil {
				return err
			}
			step(kind + " " + name)
			if err := loadCache(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return err
			}
			if name == "posts_fts_insert" {
				step("search index")
				if _, err := tx.ExecContext(ctx, `INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')`); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM load_stash WHERE name = ?`, name)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// FinishLoad derives what ordinary writes would have kept, a step a
// transaction: one transaction for all of it outgrew the page cache at
// ten million posts, and spilled gigabytes into the WAL. Each step may be
// run again. Then it refreshes the planner's statistics.
func (db *DB) FinishLoad(ctx context.Context, since time.Time, step func(name string)) error {
	if step == nil {
		step = func(string) {}
	}
	if err := db.unstashSchema(ctx, step); err != nil {
		return err
	}
	sinceAt := micros(since)
	step("counters")
	err := db.inTx(ctx, "finish load: counters", func(tx querier) error {
		return execAll(ctx, tx, []statement{
			{`UPDATE users SET
				posts_count = (SELECT count(*) FROM posts p WHERE p.owner_id = users.id AND p.is_hidden = 0),
				followers_count = (SELECT count(*) FROM follows f WHERE f.following_id = users.id),
				following_count = (SELECT count(*) FROM follows f WHERE f.follower_id = users.id)`, nil},
			{`UPDATE users SET fanout = followers_count <= ?`, []any{magpie.FanOutLimit}},
			// A load writes no likes or comments, whose triggers are never
			// stashed: only the posts that have some can be miscounted.
			{`UPDATE posts SET
				like_count = (SELECT count(*) FROM likes l WHERE l.post_id = posts.id),
				comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = posts.id)
			WHERE id IN (SELECT post_id FROM likes UNION SELECT post_id FROM comments)`, nil},
		})
	})
	if err != nil {
		return err
	}
	step("timelines")
	err = db.inTx(ctx, "finish load: timelines", func(tx querier) error {
		if err := loadCache(ctx, tx); err != nil {
			return err
		}
		// Without the index of timelines by post, built whole after; one
		// follower after another (follows_follower, posts_feed), so the
		// rows come in the order of the timeline's key, or nearly.
		if err := stashSchema(ctx, tx, "timelines"); err != nil {
			return err
		}
		return execAll(ctx, tx, []statement{
			{`DELETE FROM timelines`, nil},
			{`DELETE FROM timeline_floors`, nil},
			{`INSERT INTO timelines (user_id, created_at, post_id, author_id)
			SELECT f.follower_id, p.created_at, p.id, p.owner_id
			FROM follows f
			CROSS JOIN users a ON a.id = f.following_id AND a.fanout = 1
			CROSS JOIN posts p ON p.owner_id = f.following_id AND p.is_hidden = 0 AND p.created_at >= ?
			ORDER BY f.follower_id`, []any{sinceAt}},
			{`INSERT INTO timeline_floors (user_id, created_at, post_id) SELECT id, ?, 0 FROM users`, []any{sinceAt}},
		})
	})
	if err != nil {
		return err
	}
	if err := db.unstashSchema(ctx, step); err != nil {
		return err
	}
	step("trimming timelines")
	err = db.inTx(ctx, "finish load: trim", func(tx querier) error {
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
	// A sample of each index is enough for the planner's choices; the
	// search index's tables are read by rowid only, and scanning them
	// took 26 s of the 43 s of a whole ANALYZE at ten million posts.
	step("statistics")
	if _, err := db.writeStmts.pool.ExecContext(ctx, `PRAGMA analysis_limit = 1000;
		ANALYZE users; ANALYZE posts; ANALYZE follows; ANALYZE timelines; ANALYZE timeline_floors; ANALYZE likes; ANALYZE comments`); err != nil {
		return fmt.Errorf("sqlite: analyze: %w", err)
	}
	return nil
}

// statement is one SQL statement and its arguments.
type statement struct {
	sql  string
	args []any
}

// execAll runs stmts in order, stopping at the first error.
func execAll(ctx context.Context, tx querier, stmts []statement) error {
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	return nil
}
