package storetest

import (
	"slices"
	"testing"

	"github.com/magpie-sns/magpie"
)

var paginationTests = []storeTest{
	{"ListPosts", testPagePosts},
	{"ListPostsByOwner", testPagePostsByOwner},
	{"ListFeed", testPageFeed},
	{"ListFollowing", testPageFollowing},
	{"ListFollowers", testPageFollowers},
	{"ListUsers", testPageUsers},
	{"InsertBeforeCursor", testPageInsertBeforeCursor},
}

const pageSize = 2

// walk reads a whole list page by page, each page starting after the
// cursor of the last row of the one before, until a page comes back empty.
// Every page but the last non-empty one must be full.
func walk[T any](t *testing.T, list func(magpie.Page) ([]T, error), cursor func(T) magpie.Cursor) []T {
	t.Helper()
	return walkBy(t, pageSize, list, cursor)
}

// walkBy is walk with pages of size rows.
func walkBy[T any](t *testing.T, size int, list func(magpie.Page) ([]T, error), cursor func(T) magpie.Cursor) []T {
	t.Helper()
	var rows []T
	page := magpie.Page{Limit: size}
	short := false
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatalf("paging did not end after %d pages; is Page.After ignored?", i)
		}
		got, err := list(page)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(got) > size {
			t.Fatalf("page %d has %d rows, limit is %d", i, len(got), size)
		}
		if len(got) == 0 {
			return rows
		}
		if short {
			t.Fatalf("page %d follows a short page", i)
		}
		short = len(got) < size
		rows = append(rows, got...)
		c := cursor(got[len(got)-1])
		page.After = &c
	}
}

func postCursor(p magpie.Post) magpie.Cursor {
	return magpie.Cursor{Time: p.CreatedAt, ID: p.ID}
}

func entryCursor(e magpie.UserEntry) magpie.Cursor {
	return magpie.Cursor{Time: e.CreatedAt, ID: e.ID}
}

func userCursor(u magpie.ListedUser) magpie.Cursor {
	return magpie.Cursor{ID: u.ID}
}

// pagePosts makes posts of many owners with many ties in CreatedAt, some
// hidden, inserted out of time order; viewer follows all owners but the
// last.
func pagePosts(t *testing.T, s magpie.Store) (viewer *magpie.User, owners []*magpie.User, posts []magpie.Post) {
	viewer = createUser(t, s, "viewer")
	for _, name := range []string{"o0", "o1", "o2"} {
		owners = append(owners, createUser(t, s, name))
	}
	createFollow(t, s, viewer, owners[0], at(0))
	createFollow(t, s, viewer, owners[1], at(0))
	secs := []int{5, 3, 3, 3, 7, 1, 3, 5, 0, 7, 3, 3, 5, 2, 3, 3, 9}
	for i, sec := range secs {
		posts = append(posts, createPost(t, s, owners[i%3], "p", at(sec), i%5 == 1))
	}
	return viewer, owners, posts
}

func testPagePosts(t *testing.T, s magpie.Store) {
	_, _, posts := pagePosts(t, s)
	got := walk(t, func(p magpie.Page) ([]magpie.Post, error) { return s.ListPosts(t.Context(), 0, nil, p) }, postCursor)
	checkPosts(t, "ListPosts walked", got, sortedPosts(posts, func(p magpie.Post) bool { return !p.IsHidden }))
}

func testPagePostsByOwner(t *testing.T, s magpie.Store) {
	_, owners, posts := pagePosts(t, s)
	for _, o := range owners {
		got := walk(t, func(p magpie.Page) ([]magpie.Post, error) {
			return s.ListPostsByOwner(t.Context(), 0, o.ID, true, p)
		}, postCursor)
		want := sortedPosts(posts, func(p magpie.Post) bool { return p.OwnerID == o.ID })
		checkPosts(t, "ListPostsByOwner("+o.Username+") walked", got, want)
	}
}

func testPageFeed(t *testing.T, s magpie.Store) {
	viewer, owners, posts := pagePosts(t, s)
	got := walk(t, func(p magpie.Page) ([]magpie.Post, error) {
		return s.ListFeed(t.Context(), viewer.ID, p)
	}, postCursor)
	want := sortedPosts(posts, func(p magpie.Post) bool {
		return !p.IsHidden && (p.OwnerID == owners[0].ID || p.OwnerID == owners[1].ID)
	})
	checkPosts(t, "ListFeed walked", got, want)
}

func testPageFollowing(t *testing.T, s magpie.Store) {
	hub, want, _ := makeFollows(t, s)
	got := walk(t, func(p magpie.Page) ([]magpie.UserEntry, error) {
		return s.ListFollowing(t.Context(), hub.ID, p)
	}, entryCursor)
	checkEntries(t, "ListFollowing walked", got, want)
}

func testPageFollowers(t *testing.T, s magpie.Store) {
	hub, _, want := makeFollows(t, s)
	got := walk(t, func(p magpie.Page) ([]magpie.UserEntry, error) {
		return s.ListFollowers(t.Context(), hub.ID, p)
	}, entryCursor)
	checkEntries(t, "ListFollowers walked", got, want)
}

func testPageUsers(t *testing.T, s magpie.Store) {
	hub, following, _ := makeFollows(t, s)
	var want []magpie.ListedUser
	for _, name := range []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6"} {
		u, err := s.UserByUsername(t.Context(), name)
		if err != nil {
			t.Fatalf("UserByUsername: %v", err)
		}
		followed := slices.ContainsFunc(following, func(e magpie.UserEntry) bool { return e.UserID == u.ID })
		want = append(want, magpie.ListedUser{ID: u.ID, Username: name, IsFollowing: followed})
	}
	byID(want)
	got := walk(t, func(p magpie.Page) ([]magpie.ListedUser, error) {
		return s.ListUsers(t.Context(), hub.ID, nil, p)
	}, userCursor)
	checkListedUsers(t, "ListUsers walked", got, want)
}

// Keyset pages do not shift when rows arrive ahead of the cursor, as
// offset pages would.
func testPageInsertBeforeCursor(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	_, owners, posts := pagePosts(t, s)
	want := sortedPosts(posts, func(p magpie.Post) bool { return !p.IsHidden })

	first, err := s.ListPosts(ctx, 0, nil, magpie.Page{Limit: pageSize})
	if err != nil {
		t.Fatalf("ListPosts: %v", err)
	}
	checkPosts(t, "first page", first, want[:pageSize])
	cursor := postCursor(first[len(first)-1])

	newest := createPost(t, s, owners[2], "newest", at(100), false)
	for range 3 {
		createPost(t, s, owners[0], "newer", at(50), false)
	}
	tie := createPost(t, s, owners[1], "tie", cursor.Time, false)

	rest := walk(t, func(p magpie.Page) ([]magpie.Post, error) {
		if p.After == nil {
			p.After = &cursor
		}
		return s.ListPosts(ctx, 0, nil, p)
	}, postCursor)
	wantRest := want[pageSize:]
	// A post with the cursor's time belongs after the cursor only if its id
	// is smaller; stores usually hand out growing ids, but need not.
	if tie.ID < cursor.ID {
		wantRest = sortedPosts(append(slices.Clone(wantRest), tie), func(magpie.Post) bool { return true })
	}
	checkPosts(t, "pages after the cursor", rest, wantRest)
	if slices.Contains(postIDs(rest), newest.ID) {
		t.Errorf("a post newer than the cursor showed up after it")
	}
}
