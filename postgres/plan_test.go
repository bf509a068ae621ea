package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/postgres"
	"github.com/magpie-sns/magpie/postgres/postgrestest"
)

// recorder is a pgx tracer that keeps the queries run, so that the test
// explains exactly the SQL and arguments the store sends.
type recorder struct {
	queries []query
}

type query struct {
	sql  string
	args []any
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	args := data.Args
	if len(args) > 0 {
		if _, ok := args[0].(pgx.QueryExecMode); ok {
			args = args[1:]
		}
	}
	r.queries = append(r.queries, query{data.SQL, args})
	return ctx
}

// last is the last query run whose SQL has part.
func (r *recorder) last(part string) (query, bool) {
	for _, q := range slices.Backward(r.queries) {
		if strings.Contains(q.sql, part) {
			return q, true
		}
	}
	return query{}, false
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// The queries of a batch (a pipeline) are recorded too.
func (r *recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (r *recorder) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	r.queries = append(r.queries, query{data.SQL, data.Args})
}

func (r *recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestQueryPlans checks, on a few thousand rows, that every list is served
// by the index its comment names, with neither a sequential scan of posts
// or follows nor a sort of all posts, under both the custom plan of a
// first execution and the generic plan a cached statement may switch to.
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := postgres.Open(ctx, postgrestest.NewMigrated(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pool := postgres.Pool(db)

	// 5,000 users. User 2 is prolific and popular: 20,000 posts, followed
	// by everyone; the others have 4 posts each (every 7th post hidden).
	// User 1 follows 1,000 users; users 3 to 5,000 follow 10 each.
	for _, q := range []string{
		`INSERT INTO users (username, password_hash, date_joined)
			SELECT 'user' || i, 'x', now() FROM generate_series(1, 5000) i`,
		`INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at)
			SELECT 't', 'b', 2, i % 7 = 0, now() - i * interval '1 minute', now()
			FROM generate_series(1, 20000) i`,
		`INSERT INTO posts (title, body, owner_id, is_hidden, created_at, updated_at)
			SELECT 't', 'b', 1 + i % 5000, i % 7 = 0, now() - i * interval '1 minute', now()
			FROM generate_series(1, 20000) i`,
		`INSERT INTO follows (follower_id, following_id, created_at)
			SELECT 1, i, now() - i * interval '1 minute' FROM generate_series(2, 1001) i`,
		`INSERT INTO follows (follower_id, following_id, created_at)
			SELECT u, CASE k WHEN 1 THEN 2 ELSE 1 + (u + k * 7) % 5000 END, now() - k * interval '1 minute'
			FROM generate_series(3, 5000) u, generate_series(1, 10) k
			ON CONFLICT DO NOTHING`,
		// A rare word, on a few posts; every post has the common "b".
		`UPDATE posts SET body = 'b a rare lark' WHERE id % 5000 = 0`,
		`INSERT INTO likes (post_id, user_id, created_at)
			SELECT 1, i, now() - i * interval '1 minute' FROM generate_series(1, 2000) i`,
		`INSERT INTO comments (post_id, author_id, body, created_at, updated_at)
			SELECT 1 + i % 50, i, 'c', now() - i * interval '1 minute', now() FROM generate_series(1, 5000) i`,
		// User 2 is heavy: not fanned out, merged as feeds are read. User
		// 1's timeline holds the rest of its feed; user 3 has a floor
		// above all of its feed, which is then read from posts.
		`UPDATE users SET fanout = false WHERE id = 2`,
		`INSERT INTO timelines (user_id, created_at, post_id, author_id)
			SELECT f.follower_id, p.created_at, p.id, p.owner_id
			FROM follows f JOIN posts p ON p.owner_id = f.following_id AND NOT p.is_hidden
			WHERE f.follower_id = 1 AND f.following_id <> 2`,
		// One in eight of the other users has a timeline too: 20,000
		// entries, which a trim must reach by the timeline's key, not by
		// reading them all.
		`INSERT INTO timelines (user_id, created_at, post_id, author_id)
			SELECT f.follower_id, p.created_at, p.id, p.owner_id
			FROM follows f JOIN posts p ON p.owner_id = f.following_id AND NOT p.is_hidden
			WHERE f.follower_id % 8 = 0 AND f.following_id <> 2`,
		`INSERT INTO timeline_floors (user_id, created_at, post_id) VALUES (3, now(), 0)`,
		`ANALYZE`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	rec := &recorder{}
	cfg := pool.Config()
	cfg.ConnConfig.Tracer = rec
	cfg.MaxConns = 1
	traced, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer traced.Close()
	tdb := postgres.WithPool(traced)

	after := &magpie.Cursor{Time: time.Now().Add(-100 * time.Hour).UTC().Truncate(time.Microsecond), ID: 15000}
	for _, tc := range []struct {
		name  string
		run   func(magpie.Page) error
		index string // the index the plan reads, or either of two: "a|b"; or all of several: "a&b"
		sorts int    // at most: the feed sorts its candidates (at most follows × limit ids)
		sql   string // the query explained is the last one run with this in its SQL; "": the last one run
	}{
		{"ListUsers", func(p magpie.Page) error { _, err := tdb.ListUsers(ctx, 1, nil, p); return err }, "users_pkey", 0, ""},
		{"SearchUsers", func(p magpie.Page) error { _, err := tdb.ListUsers(ctx, 1, []string{"user12"}, p); return err }, "users_search_idx|users_pkey", 1, ""},
		{"ListPosts", func(p magpie.Page) error { _, err := tdb.ListPosts(ctx, 1, nil, p); return err }, "posts_visible_created_idx", 0, ""},
		// A rare word: its few matches found by the GIN index, then
		// sorted; a common one: posts_pkey read backwards until a page of
		// matches is found. Each plan is bounded either way.
		{"SearchPostsRare", func(p magpie.Page) error { _, err := tdb.ListPosts(ctx, 1, []string{"lark"}, p); return err }, "posts_search_idx|posts_pkey", 1, ""},
		{"SearchPostsCommon", func(p magpie.Page) error { _, err := tdb.ListPosts(ctx, 1, []string{"b"}, p); return err }, "posts_search_idx|posts_pkey", 1, ""},
		{"ListPostsByOwner", func(p magpie.Page) error { _, err := tdb.ListPostsByOwner(ctx, 1, 2, true, p); return err }, "posts_owner_created_idx", 0, ""},
		// The timeline, and the heavy user 2 merged in; then a feed read
		// from posts below a floor.
		{"ListFeed", func(p magpie.Page) error { _, err := tdb.ListFeed(ctx, 1, p); return err }, "timelines_pkey&posts_feed_idx&users_heavy_idx", 2, "FROM floor, timelines t"},
		{"ListFeedBelowFloor", func(p magpie.Page) error { _, err := tdb.ListFeed(ctx, 3, p); return err }, "posts_feed_idx", 1, "JOIN users fu"},
		{"ListFollowing", func(p magpie.Page) error { _, err := tdb.ListFollowing(ctx, 1, p); return err }, "follows_follower_created_idx", 0, ""},
		{"ListFollowers", func(p magpie.Page) error { _, err := tdb.ListFollowers(ctx, 2, p); return err }, "follows_following_created_idx", 0, ""},
		{"ListLikes", func(p magpie.Page) error { _, err := tdb.ListLikes(ctx, 1, p); return err }, "likes_post_created_idx", 0, ""},
		{"ListComments", func(p magpie.Page) error { _, err := tdb.ListComments(ctx, 1, p); return err }, "comments_post_created_idx", 0, ""},
		// Writes whose statements are prepared: the fan-out of a post by
		// user 5 into its followers' timelines, and the trim after it,
		// which may sort the entries of one timeline (a few hundred).
		{"FanOut", func(magpie.Page) error {
			return tdb.CreatePost(ctx, &magpie.Post{Title: "t", OwnerID: 5, CreatedAt: time.Now()})
		},
			"follows_following_created_idx&posts_pkey", 0, "JOIN follows f ON f.following_id = p.owner_id"},
		{"TrimAfterFanOut", func(magpie.Page) error {
			return tdb.CreatePost(ctx, &magpie.Post{Title: "t", OwnerID: 5, CreatedAt: time.Now()})
		},
			"follows_following_created_idx&timelines_pkey", 1, "random()"},
	} {
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			for _, page := range []magpie.Page{{Limit: 20}, {After: after, Limit: 20}} {
				name := tc.name + "/" + mode
				if page.After != nil {
					name += "/after"
				}
				t.Run(name, func(t *testing.T) {
					rec.queries = nil
					if err := tc.run(page); err != nil {
						t.Fatal(err)
					}
					q, ok := rec.last(tc.sql)
					if !ok {
						t.Fatalf("no query with %q in its SQL was run", tc.sql)
					}
					plan := explain(t, traced, mode, q.sql, q.args)
					t.Log("\n" + plan)
					for _, index := range strings.Split(tc.index, "&") {
						if !slices.ContainsFunc(strings.Split(index, "|"), func(index string) bool { return strings.Contains(plan, index) }) {
							t.Errorf("plan does not use %s", index)
						}
					}
					// A filter on the post: every like of the viewer read to
					// tell whether they like one post.
					for _, bad := range []string{"Seq Scan on posts", "Seq Scan on follows", "Seq Scan on likes", "Seq Scan on comments",
						"Seq Scan on timelines", "Filter: (post_id = p.id)"} {
						if strings.Contains(plan, bad) {
							t.Errorf("plan has a %s", bad)
						}
					}
					if n := strings.Count(plan, "Sort Key"); n > tc.sorts {
						t.Errorf("plan has %d sorts, want at most %d", n, tc.sorts)
					}
				})
			}
		}
	}
}

// explain returns the plan of sql with args under plan_cache_mode mode.
func explain(t *testing.T, pool *pgxpool.Pool, mode, sql string, args []any) string {
	t.Helper()
	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := conn.Exec(context.Background(), "RESET plan_cache_mode"); err != nil {
			t.Error(err)
		}
	}()
	rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) "+sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
