// Package storetest is the contract every magpie.Store keeps, written once
// and run against each engine. It sees a store only through the
// magpie.Store interface, so the same tests hold SQLite and PostgreSQL to
// the same behaviour.
package storetest

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
)

// Run runs the contract suite. open must return a fresh, empty, migrated
// store; it is called once by every subtest, so subtests share nothing and
// run in parallel. Closing the store (with t.Cleanup) is the opener's job.
func Run(t *testing.T, open func(t *testing.T) magpie.Store) {
	areas := []struct {
		name  string
		tests []storeTest
	}{
		{"Users", userTests},
		{"Tokens", tokenTests},
		{"Posts", postTests},
		{"Feed", feedTests},
		{"Timeline", timelineTests},
		{"Follows", followTests},
		{"Pagination", paginationTests},
		{"Concurrency", concurrencyTests},
		{"Errors", errorTests},
		{"Profiles", profileTests},
		{"Likes", likeTests},
		{"Comments", commentTests},
		{"Search", searchTests},
		{"Load", loadTests},
	}
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			for _, tt := range area.tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					tt.run(t, open(t))
				})
			}
		})
	}
}

type storeTest struct {
	name string
	run  func(t *testing.T, s magpie.Store)
}

// t0 has a microsecond fraction on purpose: stores must keep it exactly.
var t0 = time.Date(2026, 11, 26, 5, 7, 55, 78465000, time.UTC)

// at returns t0 plus sec seconds; equal arguments make equal times, which
// is how tests build ties.
func at(sec int) time.Time {
	return t0.Add(time.Duration(sec) * time.Second)
}

func createUser(t testing.TB, s magpie.Store, username string) *magpie.User {
	t.Helper()
	u := &magpie.User{Username: username, DateJoined: t0}
	if err := s.CreateUser(t.Context(), u, "hash:"+username); err != nil {
		t.Fatalf("CreateUser(%q): %v", username, err)
	}
	return u
}

func createPost(t *testing.T, s magpie.Store, owner *magpie.User, title string, created time.Time, hidden bool) magpie.Post {
	t.Helper()
	p := magpie.Post{
		Title:     title,
		Body:      "body of " + title,
		OwnerID:   owner.ID,
		IsHidden:  hidden,
		CreatedAt: created,
		UpdatedAt: created,
	}
	if err := s.CreatePost(t.Context(), &p); err != nil {
		t.Fatalf("CreatePost(%q): %v", title, err)
	}
	return p
}

func createFollow(t testing.TB, s magpie.Store, follower, following *magpie.User, created time.Time) *magpie.Follow {
	t.Helper()
	f := &magpie.Follow{FollowerID: follower.ID, FollowingID: following.ID, CreatedAt: created}
	if err := s.CreateFollow(t.Context(), f); err != nil {
		t.Fatalf("CreateFollow(%s -> %s): %v", follower.Username, following.Username, err)
	}
	return f
}

func tokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// wantKind fails unless err is a magpie error of the given kind.
func wantKind(t *testing.T, what string, err error, kind string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: err = nil, want kind %q", what, kind)
		return
	}
	if got := magpie.ErrorKind(err); got != kind {
		t.Errorf("%s: err = %v (kind %q), want kind %q", what, err, got, kind)
	}
}

// sameTime reports whether got is want to the microsecond and in UTC.
func sameTime(got, want time.Time) bool {
	return got.Equal(want) && got.Location() == time.UTC
}

func checkUser(t *testing.T, what string, got, want *magpie.User) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: user = nil, want %+v", what, *want)
		return
	}
	if got.ID != want.ID || got.Username != want.Username || got.IsSuperuser != want.IsSuperuser ||
		!sameTime(got.DateJoined, want.DateJoined) {
		t.Errorf("%s: user = %+v (DateJoined in %v), want %+v", what, *got, got.DateJoined.Location(), *want)
	}
}

func checkPost(t *testing.T, what string, got, want magpie.Post) {
	t.Helper()
	if got.ID != want.ID || got.Title != want.Title || got.Body != want.Body ||
		got.OwnerID != want.OwnerID || got.OwnerUsername != want.OwnerUsername ||
		got.IsHidden != want.IsHidden ||
		!sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.UpdatedAt, want.UpdatedAt) {
		t.Errorf("%s:\n got post %+v\nwant post %+v", what, got, want)
	}
}

// checkPosts compares lists of posts: same posts, same order, same fields.
func checkPosts(t *testing.T, what string, got, want []magpie.Post) {
	t.Helper()
	if !slices.Equal(postIDs(got), postIDs(want)) {
		t.Errorf("%s: post ids = %v, want %v", what, postIDs(got), postIDs(want))
		return
	}
	for i := range got {
		checkPost(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i])
	}
}

func postIDs(ps []magpie.Post) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func checkEntries(t *testing.T, what string, got, want []magpie.UserEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries %+v, want %d %+v", what, len(got), got, len(want), want)
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.UserID != w.UserID || g.Username != w.Username || !sameTime(g.CreatedAt, w.CreatedAt) {
			t.Errorf("%s[%d] = %+v, want %+v", what, i, g, w)
		}
	}
}

func checkListedUsers(t *testing.T, what string, got, want []magpie.ListedUser) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

// newestFirst is the order of every post and follow list.
func newestFirst(at1 time.Time, id1 int64, at2 time.Time, id2 int64) int {
	if c := at2.Compare(at1); c != 0 {
		return c
	}
	switch {
	case id1 > id2:
		return -1
	case id1 < id2:
		return 1
	}
	return 0
}

// sortedPosts returns the posts that keep, in list order.
func sortedPosts(ps []magpie.Post, keep func(magpie.Post) bool) []magpie.Post {
	var out []magpie.Post
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b magpie.Post) int { return newestFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out
}

func sortedEntries(es []magpie.UserEntry) []magpie.UserEntry {
	out := slices.Clone(es)
	slices.SortFunc(out, func(a, b magpie.UserEntry) int { return newestFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })
	return out
}

// all asks for a page big enough to hold every row a test makes.
var all = magpie.Page{Limit: 1000}

func ptr[T any](v T) *T { return &v }
