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
// indexes and foreign keys of their tables (stashSchema) and with the
// counting triggers off for the transaction (ALTER TABLE is
// transactional: they are on again whatever happens); FinishLoad puts
// the schema back and counts.
func (db *DB) LoadPostsAndFollows(ctx context.Context, posts []magpie.Post, follows []magpie.Follow) error {
	return db.inTx(ctx, "load posts and follows", func(tx querier) error {
		if err := stashSchema(ctx, tx, "posts", "follows"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			ALTER TABLE posts DISABLE TRIGGER posts_count;
			ALTER TABLE follows DISABLE TRIGGER follows_count`); err != nil {
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
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			ALTER TABLE posts ENABLE TRIGGER posts_count;
			ALTER TABLE follows ENABLE TRIGGER follows_count`)
		return err
	})
}

// stashSchema moves the definitions of the indexes that back no
// constraint and of the foreign keys of tables into load_stash, and drops
// them: a row costs several times less to copy without them (a foreign
// key is a query a row), an index costs less to build whole than row by
// row, and checking a foreign key whole is one join. Primary keys and
// UNIQUE constraints stay, so a load cannot write two follows of one
// pair. What is stashed stays stashed across a load cut off, till
// unstashSchema.
func stashSchema(ctx context.Context, tx querier, tables ...string) error {
	_, err := tx.Exec(ctx, `
		CREATE TABLE IF NOT EXISTS load_stash (name TEXT PRIMARY KEY, is_index BOOLEAN NOT NULL, ddl TEXT NOT NULL)`)
	if err != nil {
		return err
	}
	// Stashed before they are dropped; the names are those of this
	// schema's tables.
	_, err = tx.Exec(ctx, `
		INSERT INTO load_stash (name, is_index, ddl)
			SELECT i.relname, true, pg_get_indexdef(x.indexrelid)
			FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			WHERE x.indrelid = ANY ($1::regclass[])
				AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
		UNION ALL
			SELECT conname, false, format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
			FROM pg_constraint
			WHERE contype = 'f' AND conrelid = ANY ($1::regclass[])`, tables)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `
		SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname)
		FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY ($1::regclass[])
		UNION ALL
		SELECT format('DROP INDEX %s', x.indexrelid::regclass)
		FROM pg_index x
		WHERE x.indrelid = ANY ($1::regclass[])
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`, tables)
	if err != nil {
		return err
	}
	drops, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, drop := range drops {
		if _, err := tx.Exec(ctx, drop); err != nil {
			return err
		}
	}
	return nil
}

// unstashSchema creates again what stashSchema dropped, indexes first
// (foreign keys are checked through them), with memory enough to sort an
// index of tens of millions of rows.
func unstashSchema(ctx context.Context, tx querier) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('load_stash') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT ddl FROM load_stash ORDER BY NOT is_index, name`)
	if err != nil {
		return err
	}
	ddls, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, ddl := range append([]string{`SET LOCAL maintenance_work_mem = '1GB'`}, append(ddls, `DROP TABLE load_stash`)...) {
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return err
		}
	}
	return nil
}

// FinishLoad derives, in one transaction, what ordinary writes would
// have kept, then vacuums and refreshes the statistics (autovacuum may be
// off).
func (db *DB) FinishLoad(ctx context.Context, since time.Time) error {
	err := db.inTx(ctx, "finish load", func(tx querier) error {
		// The timelines are written without their index by post and
		// their foreign keys, which are put back with the rest.
		if err := stashSchema(ctx, tx, "timelines"); err != nil {
			return err
		}
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE users u SET
				posts_count = COALESCE(p.n, 0), followers_count = COALESCE(fr.n, 0), following_count = COALESCE(fg.n, 0),
				fanout = COALESCE(fr.n, 0) <= ` + strconv.Itoa(magpie.FanOutLimit) + `
			FROM users u2
			LEFT JOIN (SELECT owner_id, count(*) AS n FROM posts WHERE NOT is_hidden GROUP BY owner_id) p ON p.owner_id = u2.id
			LEFT JOIN (SELECT following_id, count(*) AS n FROM follows GROUP BY following_id) fr ON fr.following_id = u2.id
			LEFT JOIN (SELECT follower_id, count(*) AS n FROM follows GROUP BY follower_id) fg ON fg.follower_id = u2.id
			WHERE u.id = u2.id`, nil},
			{`UPDATE posts p SET like_count = COALESCE(l.n, 0), comment_count = COALESCE(c.n, 0)
			FROM posts p2
			LEFT JOIN (SELECT post_id, count(*) AS n FROM likes GROUP BY post_id) l ON l.post_id = p2.id
			LEFT JOIN (SELECT post_id, count(*) AS n FROM comments GROUP BY post_id) c ON c.post_id = p2.id
			WHERE p.id = p2.id AND (p.like_count <> COALESCE(l.n, 0) OR p.comment_count <> COALESCE(c.n, 0))`, nil},
			{`TRUNCATE timelines, timeline_floors`, nil},
			{`INSERT INTO timelines (user_id, created_at, post_id, author_id)
			SELECT f.follower_id, p.created_at, p.id, p.owner_id
			FROM posts p
			JOIN users a ON a.id = p.owner_id AND a.fanout
			JOIN follows f ON f.following_id = p.owner_id
			WHERE NOT p.is_hidden AND p.created_at >= $1
			ORDER BY 1, 2, 3`, []any{since}},
			{`INSERT INTO timeline_floors (user_id, created_at, post_id) SELECT id, $1, 0 FROM users`, []any{since}},
		} {
			if _, err := tx.Exec(ctx, stmt.sql, stmt.args...); err != nil {
				return err
			}
		}
		if err := trim(ctx, tx, `SELECT user_id FROM timelines GROUP BY user_id HAVING count(*) > $1`, magpie.TimelineLength); err != nil {
			return err
		}
		if err := unstashSchema(ctx, tx); err != nil {
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
	if _, err := db.pool.Exec(ctx, `VACUUM (ANALYZE) users, posts, follows, timelines, timeline_floors, likes, comments`); err != nil {
		return storeError("vacuum", err)
	}
	return nil
}
