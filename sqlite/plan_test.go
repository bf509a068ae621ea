package sqlite

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
)

// TestQueryPlans checks that every list walks a range of its index in
// list order: the index is used, no table is scanned whole and, but for
// the merge of one range per followed user of a feed read below its
// timeline's floor, nothing is sorted. It
// checks an empty database and a full one after ANALYZE, whose statistics
// may change the planner's mind.
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	checkPlans(t, db, "empty")

	fill(t, db)
	if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatalf("ANALYZE: %v", err)
	}
	checkPlans(t, db, "analyzed")
}

// fill adds users who post and follow one another, a few of them hidden.
func fill(t *testing.T, db *DB) {
	ctx := t.Context()
	t0 := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	var users []*magpie.User
	for i := range 50 {
		u := &magpie.User{Username: fmt.Sprint("u", i), DateJoined: t0}
		if err := db.CreateUser(ctx, u, "hash"); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		users = append(users, u)
	}
	posts := make([]*magpie.Post, 2000)
	for i := range posts {
		at := t0.Add(time.Duration(i) * time.Second)
		posts[i] = &magpie.Post{Title: "t", Body: "b", OwnerID: users[i%len(users)].ID, IsHidden: i%7 == 0, CreatedAt: at, UpdatedAt: at}
	}
	if err := db.CreatePosts(ctx, posts); err != nil {
		t.Fatalf("CreatePosts: %v", err)
	}
	for i, u := range users {
		for j := 1; j <= i%10; j++ {
			f := &magpie.Follow{FollowerID: u.ID, FollowingID: users[(i+j)%len(users)].ID, CreatedAt: t0}
			if err := db.CreateFollow(ctx, f); err != nil {
				t.Fatalf("CreateFollow: %v", err)
			}
		}
	}
}

func checkPlans(t *testing.T, db *DB, label string) {
	const viewer, owner, limit = int64(1), int64(2), 20
	top := int64(math.MaxInt64) // a page's keyset without a cursor
	bottom := int64(math.MinInt64)
	for _, c := range []struct {
		name   string
		query  string
		args   []any
		want   []string
		sortOK bool
	}{
		{"ListUsers", listUsersSQL, []any{viewer, int64(0), limit},
			[]string{"SEARCH u USING INTEGER PRIMARY KEY (rowid>?)", "USING COVERING INDEX sqlite_autoindex_follows_1"}, false},
		{"SearchUsers", searchUsersSQL, []any{viewer, int64(0), limit, ftsQuery([]string{"u1"}, true)},
			[]string{"SCAN s VIRTUAL TABLE INDEX", "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)"}, false},
		{"ListPosts", listPostsSQL, []any{viewer, top, top, limit},
			[]string{"SEARCH p USING INDEX posts_public (created_at<?)"}, false},
		{"SearchPosts", searchPostsSQL, []any{viewer, ftsQuery([]string{"t"}, false), top, limit},
			[]string{"SCAN s VIRTUAL TABLE INDEX", "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"}, false},
		{"ListPostsByOwner", listPostsByOwnerSQL, []any{viewer, owner, true, top, top, limit},
			[]string{"SEARCH p USING INDEX posts_owner (owner_id=? AND created_at<?)"}, false},
		{"ListTimeline", listTimelineSQL, []any{viewer, top, top, limit, bottom, int64(0)},
			[]string{"SEARCH t USING PRIMARY KEY (user_id=? AND (created_at,post_id)>(?,?) AND (created_at,post_id)<(?,?))",
				"SEARCH p USING INTEGER PRIMARY KEY (rowid=?)", "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)",
				"SEARCH f EXISTS USING COVERING INDEX sqlite_autoindex_follows_1 (follower_id=? AND following_id=?)"}, false},
		// The whole of users_heavy, which holds only the heavy authors.
		{"ListHeavyFollowees", listHeavyFolloweesSQL, []any{viewer},
			[]string{"SCAN h USING INDEX users_heavy", "SEARCH f EXISTS USING COVERING INDEX sqlite_autoindex_follows_1 (follower_id=? AND following_id=?)"}, false},
		{"ListHeavyAuthor", listHeavyAuthorSQL, []any{viewer, top, top, limit, bottom, int64(0), owner},
			[]string{"SEARCH p USING INDEX posts_feed (owner_id=? AND created_at>? AND created_at<?)"}, false},
		{"ListFeedFromPosts", listFeedFromPostsSQL, []any{viewer, top, top, limit},
			[]string{"SEARCH p USING INDEX posts_feed (owner_id=? AND created_at<?)", "SEARCH f USING COVERING INDEX"}, true},
		{"ListFollowing", listFollowingSQL, []any{viewer, top, top, limit},
			[]string{"SEARCH f USING INDEX follows_follower (follower_id=? AND created_at<?)"}, false},
		{"ListFollowers", listFollowersSQL, []any{owner, top, top, limit},
			[]string{"SEARCH f USING INDEX follows_following (following_id=? AND created_at<?)"}, false},
		{"ListLikes", listLikesSQL, []any{int64(7), top, top, limit},
			[]string{"SEARCH l USING INDEX likes_post_created (post_id=? AND created_at<?)"}, false},
		{"ListComments", listCommentsSQL, []any{int64(7), bottom, bottom, limit},
			[]string{"SEARCH c USING INDEX comments_post_created (post_id=? AND created_at>?)"}, false},
	} {
		plan := explain(t, db, c.query, c.args...)
		t.Logf("%s, %s:\n\t%s", label, c.name, strings.Join(plan, "\n\t"))
		all := strings.Join(plan, "\n")
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s, %s: plan does not contain %q", label, c.name, w)
			}
		}
		if strings.Contains(strings.NewReplacer("SCAN s VIRTUAL TABLE", "", "SCAN h USING INDEX users_heavy", "").Replace(all), "SCAN ") {
			t.Errorf("%s, %s: plan scans a whole table or index", label, c.name)
		}
		if !c.sortOK && strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("%s, %s: plan sorts", label, c.name)
		}
	}
}

// explain returns the detail lines of the query's plan. It asks the
// writer, which ran ANALYZE and so surely plans with its statistics.
func explain(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.write.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	return plan
}
