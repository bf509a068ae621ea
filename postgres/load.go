package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie"
)

// LoadProgress reports how far a load got.
func (db *DB) LoadProgress(ctx context.Context) (magpie.LoadProgress, error) {
	var p magpie.LoadProgress
	// users_pkey, posts_owner_created_idx, follows_follower_following_key:
	// each max is one index probe.
	err := db.pool.QueryRow(ctx, `
		SELECT COALESCE((SELECT max(id) FROM users), 0),
			GREATEST(COALESCE((SELECT max(owner_id) FROM posts), 0), COALESCE((SELECT max(follower_id) FROM follows), 0))`,
	).Scan(&p.Users, &p.UsersWithPosts)
	if err != nil {
		return p, storeError("load progress", err)
	}
	return p, nil
}

// LoadUsers copies users in.
func (db *DB) LoadUsers(ctx context.Context, users []magpie.User, passwordHash string) error {
	return db.inTx(ctx, "load users", func(tx querier) error {
		_, err := tx.(pgx.Tx).CopyFrom(ctx, pgx.Identifier{"users"},
			[]string{"id", "username", "name_key", "password_hash", "is_superuser", "date_joined", "display_name", "bio"},
			pgx.CopyFromSlice(len(users), func(i int) ([]any, error) {
				u := &users[i]
				key, err := magpie.UsernameKey(u.Username)
				if err != nil {
					return nil, fmt.Errorf("%w: username %q", magpie.ErrConstraint, u.Username)
				}
				return []any{u.ID, u.Username, key, passwordHash, u.IsSuperuser, u.DateJoined, u.DisplayName, u.Bio}, nil
			}))
		return err
	})
}

// LoadPostsAndFollows copies posts and follows in, without the secondary
// indexes, foreign keys and counting triggers of their tables
// (stashSchema); FinishLoad puts the schema back and counts. Once the
// schema is stashed, a transaction here takes no lock that another
// would wait for, so several copy at once.
func (db *DB) LoadPostsAndFollows(ctx context.Context, posts []magpie.Post, follows []magpie.Follow, ready func(context.Context) error) error {
	return db.inTx(ctx, "load posts and follows", func(tx querier) error {
		if err := stashSchema(ctx, tx, "posts", "follows"); err != nil {
			return err
		}
		_, err := tx.(pgx.Tx).CopyFrom(ctx, pgx.Identifier{"posts"},
			[]string{"title", "body", "owner_id", "is_hidden", "created_at", "updated_at"},
			pgx.CopyFromSlice(len(posts), func(i int) ([]any, error) {
				p := &posts[i]
				return []any{p.Title, p.Body, p.OwnerID, p.IsHidden, p.CreatedAt, p.UpdatedAt}, nil
			}))
		if err != nil {
			return err
		}
		_, err = tx.(pgx.Tx).CopyFrom(ctx, pgx.Identifier{"follows"},
			[]string{"follower_id", "following_id", "created_at"},
			pgx.CopyFromSlice(len(follows), func(i int) ([]any, error) {
				f := &follows[i]
				return []any{f.FollowerID, f.FollowingID, f.CreatedAt}, nil
			}))
		if err != nil || ready == nil {
			return err
		}
		return ready(ctx)
	})
}

// stashSchema moves the definitions of the indexes that back no
// constraint, of the foreign keys and of the enabled triggers of tables
// into load_stash, and drops the indexes and keys and disables the
// triggers: a row costs several times less to copy without them (a
// foreign key is a query a row, a counting trigger an update of the
// author), an index costs less to build whole than row by row, and
// checking a foreign key whole is one join. Primary keys and UNIQUE
// constraints stay, so a load cannot write two follows of one pair. What
// is stashed stays stashed across a load cut off, till unstashSchema.
func stashSchema(ctx context.Context, tx querier, tables ...string) error {
	_, err := tx.Exec(ctx, `
		CREATE TABLE IF NOT EXISTS load_stash (kind TEXT NOT NULL, name TEXT NOT NULL, ddl TEXT NOT NULL, PRIMARY KEY (kind, name))`)
	if err != nil {
		return err
	}
	// What is stashed, and the statement that removes it; the names are
	// those of this schema's tables.
	rows, err := tx.Query(ctx, `
		SELECT 'index', i.relname, pg_get_indexdef(x.indexrelid), format('DROP INDEX %s', x.indexrelid::regclass)
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		WHERE x.indrelid = ANY ($1::regclass[])
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
		UNION ALL
		SELECT 'foreign key', conname, format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)),
			format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname)
		FROM pg_constraint
		WHERE contype = 'f' AND conrelid = ANY ($1::regclass[])
		UNION ALL
		SELECT 'trigger', tgname, format('ALTER TABLE %s ENABLE TRIGGER %I', tgrelid::regclass, tgname),
			format('ALTER TABLE %s DISABLE TRIGGER %I', tgrelid::regclass, tgname)
		FROM pg_trigger
		WHERE tgrelid = ANY ($1::regclass[]) AND NOT tgisinternal AND tgenabled <> 'D'`, tables)
	if err != nil {
		return err
	}
	type stashable struct{ Kind, Name, DDL, Remove string }
	stash, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stashable])
	if err != nil {
		return err
	}
	for _, s := range stash {
		if _, err := tx.Exec(ctx, `INSERT INTO load_stash (kind, name, ddl) VALUES ($1, $2, $3)`, s.Kind, s.Name, s.DDL); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.Remove); err != nil {
			return err
		}
	}
	return nil
}

// unstashSchema creates again what stashSchema removed, indexes first
// (foreign keys are checked through them), with memory enough to sort an
// index of tens of millions of rows.
func unstashSchema(ctx context.Context, tx querier, step func(string)) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('load_stash') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT kind, name, ddl FROM load_stash ORDER BY kind <> 'index', kind, name`)
	if err != nil {
		return err
	}
	type stashed struct{ Kind, Name, DDL string }
	stash, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stashed])
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '1GB'`); err != nil {
		return err
	}
	for _, s := range stash {
		step(s.Kind + " " + s.Name)
		if _, err := tx.Exec(ctx, s.DDL); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `DROP TABLE load_stash`)
	return err
}

// FinishLoad derives, in one transaction, what ordinary writes would
// have kept, then vacuums and refreshes the statistics (autovacuum may be
// off).
func (db *DB) FinishLoad(ctx context.Context, since time.Time, step func(name string)) error {
	if step == nil {
		step = func(string) {}
	}
	err := db.inTx(ctx, "finish load", func(tx querier) error {
		// The timelines are written without their index by post and
		// their foreign keys, which are put back with the rest.
		if err := stashSchema(ctx, tx, "timelines"); err != nil {
			return err
		}
		for _, stmt := range []struct {
			step string
			sql  string
			args []any
		}{
			{"counters", `UPDATE users u SET
				posts_count = COALESCE(p.n, 0), followers_count = COALESCE(fr.n, 0), following_count = COALESCE(fg.n, 0),
				fanout = COALESCE(fr.n, 0) <= ` + strconv.Itoa(magpie.FanOutLimit) + `
			FROM users u2
			LEFT JOIN (SELECT owner_id, count(*) AS n FROM posts WHERE NOT is_hidden GROUP BY owner_id) p ON p.owner_id = u2.id
			LEFT JOIN (SELECT following_id, count(*) AS n FROM follows GROUP BY following_id) fr ON fr.following_id = u2.id
			LEFT JOIN (SELECT follower_id, count(*) AS n FROM follows GROUP BY follower_id) fg ON fg.follower_id = u2.id
			WHERE u.id = u2.id`, nil},
			// A load writes no likes or comments, whose triggers are never
			// stashed: only the posts that have some can be miscounted.
			{"", `UPDATE posts p SET
				like_count = (SELECT count(*) FROM likes l WHERE l.post_id = p.id),
				comment_count = (SELECT count(*) FROM comments c WHERE c.post_id = p.id)
			WHERE p.id IN (SELECT post_id FROM likes UNION SELECT post_id FROM comments)`, nil},
			{"timelines", `TRUNCATE timelines, timeline_floors`, nil},
			{"", `INSERT INTO timelines (user_id, created_at, post_id, author_id)
			SELECT f.follower_id, p.created_at, p.id, p.owner_id
			FROM posts p
			JOIN users a ON a.id = p.owner_id AND a.fanout
			JOIN follows f ON f.following_id = p.owner_id
			WHERE NOT p.is_hidden AND p.created_at >= $1
			ORDER BY 1, 2, 3`, []any{since}},
			{"", `INSERT INTO timeline_floors (user_id, created_at, post_id) SELECT id, $1, 0 FROM users`, []any{since}},
		} {
			if stmt.step != "" {
				step(stmt.step)
			}
			if _, err := tx.Exec(ctx, stmt.sql, stmt.args...); err != nil {
				return err
			}
		}
		step("trimming timelines")
		if err := trim(ctx, tx, `SELECT user_id FROM timelines GROUP BY user_id HAVING count(*) > $1`, magpie.TimelineLength); err != nil {
			return err
		}
		if err := unstashSchema(ctx, tx, step); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			SELECT setval(pg_get_serial_sequence(t, 'id'), GREATEST(m, 1), m > 0)
			FROM (VALUES
				('users', COALESCE((SELECT max(id) FROM users), 0)), ('posts', COALESCE((SELECT max(id) FROM posts), 0)),
				('follows', COALESCE((SELECT max(id) FROM follows), 0))) AS s (t, m)`)
		return err
	})
	if err != nil {
		return err
	}
	// VACUUM too, whether or not autovacuum is on: the recounts left a
	// dead version of every user, which the partial index of heavy users
	// would walk through, and index-only scans of the posts need their
	// pages marked all-visible. The tables of this schema, not the whole
	// database's.
	step("vacuum and statistics")
	if _, err := db.pool.Exec(ctx, `VACUUM (ANALYZE) users, posts, follows, timelines, timeline_floors, likes, comments`); err != nil {
		return storeError("vacuum", err)
	}
	return nil
}
