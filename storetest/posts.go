package storetest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/magpie-sns/magpie"
)

var postTests = []storeTest{
	{"CreateSetsID", testCreatePost},
	{"UnknownOwner", testCreatePostUnknownOwner},
	{"BatchAllOrNone", testCreatePostsAllOrNone},
	{"RoundTrip", testPostRoundTrip},
	{"NotFound", testPostNotFound},
	{"UnicodeTitles", testPostUnicodeTitles},
	{"Update", testUpdatePost},
	{"UpdateNothing", testUpdatePostNothing},
	{"UpdateNotFound", testUpdatePostNotFound},
	{"Delete", testDeletePost},
	{"ListPosts", testListPosts},
	{"ListPostsByOwner", testListPostsByOwner},
}

func testCreatePost(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	p1 := createPost(t, s, alice, "one", at(0), false)
	p2 := createPost(t, s, alice, "two", at(0), false)
	if p1.ID == 0 || p2.ID == 0 || p1.ID == p2.ID {
		t.Errorf("ids = %d, %d; want two different non-zero ids", p1.ID, p2.ID)
	}
	if p1.OwnerUsername != "alice" {
		t.Errorf("OwnerUsername = %q, want alice", p1.OwnerUsername)
	}
}

func testCreatePostUnknownOwner(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	p := &magpie.Post{Title: "t", Body: "b", OwnerID: alice.ID + 1000, CreatedAt: t0, UpdatedAt: t0}
	wantKind(t, "CreatePost(unknown owner)", s.CreatePost(t.Context(), p), magpie.ENOTFOUND)
}

// testCreatePostsAllOrNone: a batch whose last post cannot be stored
// stores none of it, in no one's posts and no one's feed.
func testCreatePostsAllOrNone(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice, bob := createUser(t, s, "alice"), createUser(t, s, "bob")
	createFollow(t, s, bob, alice, t0)
	batch := []*magpie.Post{
		{Title: "one", Body: "b", OwnerID: alice.ID, CreatedAt: at(1), UpdatedAt: at(1)},
		{Title: "two", Body: "b", OwnerID: alice.ID, CreatedAt: at(2), UpdatedAt: at(2)},
		{Title: "lost", Body: "b", OwnerID: alice.ID + 1000, CreatedAt: at(3), UpdatedAt: at(3)},
	}
	wantKind(t, "CreatePosts(a post of an unknown owner last)", s.CreatePosts(ctx, batch), magpie.ENOTFOUND)
	mine, err := s.ListPostsByOwner(ctx, alice.ID, alice.ID, true, all)
	if err != nil {
		t.Fatal(err)
	}
	checkPosts(t, "alice's posts", mine, nil)
	checkFeed(t, "bob's feed", feedOf(t, s, bob), nil)

	// The next batch is whole, and the failed one left nothing behind.
	batch = batch[:2]
	if err := s.CreatePosts(ctx, batch); err != nil {
		t.Fatalf("CreatePosts: %v", err)
	}
	checkFeed(t, "bob's feed", feedOf(t, s, bob), []magpie.Post{*batch[0], *batch[1]})
}

func testPostRoundTrip(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	want := magpie.Post{
		Title:     "Hello",
		Body:      "line one\nline two\ttab \"quoted\" 'single' \\ %_",
		OwnerID:   alice.ID,
		IsHidden:  true,
		CreatedAt: at(0),
		UpdatedAt: at(90).Add(123456000), // microseconds that differ from CreatedAt's
	}
	if err := s.CreatePost(ctx, &want); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	if want.OwnerUsername != "alice" {
		t.Errorf("CreatePost OwnerUsername = %q, want alice", want.OwnerUsername)
	}
	got, err := s.PostByID(ctx, 0, want.ID)
	if err != nil {
		t.Fatalf("PostByID: %v", err)
	}
	checkPost(t, "PostByID", *got, want)
}

func testPostNotFound(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "one", at(0), false)
	_, err := s.PostByID(t.Context(), 0, p.ID+1000)
	wantKind(t, "PostByID(missing)", err, magpie.ENOTFOUND)
}

// Titles are limited to 100 characters, not bytes: a title of 100
// two-byte or four-byte characters fits.
func testPostUnicodeTitles(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	titles := []string{
		strings.Repeat("é", 100),
		strings.Repeat("😀", 100),
		strings.Repeat("a", 99) + "🐦",
		strings.Repeat("日本", 50),
	}
	for _, title := range titles {
		if n := utf8.RuneCountInString(title); n != magpie.MaxTitleLen {
			t.Fatalf("test title has %d runes, want %d", n, magpie.MaxTitleLen)
		}
		p := createPost(t, s, alice, title, at(0), false)
		got, err := s.PostByID(ctx, 0, p.ID)
		if err != nil {
			t.Fatalf("PostByID: %v", err)
		}
		checkPost(t, "PostByID", *got, p)
	}

	// UpdatePost holds to the same limit.
	p := createPost(t, s, alice, "short", at(0), false)
	got, err := s.UpdatePost(ctx, 0, p.ID, magpie.PostUpdate{Title: ptr(titles[1]), UpdatedAt: at(1)})
	if err != nil {
		t.Fatalf("UpdatePost(100 emoji): %v", err)
	}
	if got.Title != titles[1] {
		t.Errorf("UpdatePost title = %q, want 100 emoji", got.Title)
	}
}

func testUpdatePost(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	want := createPost(t, s, alice, "old title", at(0), false)
	other := createPost(t, s, alice, "other", at(0), false)

	got, err := s.UpdatePost(ctx, 0, want.ID, magpie.PostUpdate{Title: ptr("new title"), UpdatedAt: at(10)})
	if err != nil {
		t.Fatalf("UpdatePost(title): %v", err)
	}
	want.Title, want.UpdatedAt = "new title", at(10)
	checkPost(t, "UpdatePost(title)", *got, want)

	got, err = s.UpdatePost(ctx, 0, want.ID, magpie.PostUpdate{Body: ptr("new body"), IsHidden: ptr(true), UpdatedAt: at(20)})
	if err != nil {
		t.Fatalf("UpdatePost(body, hidden): %v", err)
	}
	want.Body, want.IsHidden, want.UpdatedAt = "new body", true, at(20)
	checkPost(t, "UpdatePost(body, hidden)", *got, want)

	got, err = s.UpdatePost(ctx, 0, want.ID, magpie.PostUpdate{
		Title: ptr("t3"), Body: ptr("b3"), IsHidden: ptr(false), UpdatedAt: at(30),
	})
	if err != nil {
		t.Fatalf("UpdatePost(all): %v", err)
	}
	want.Title, want.Body, want.IsHidden, want.UpdatedAt = "t3", "b3", false, at(30)
	checkPost(t, "UpdatePost(all)", *got, want)

	stored, err := s.PostByID(ctx, 0, want.ID)
	if err != nil {
		t.Fatalf("PostByID: %v", err)
	}
	checkPost(t, "PostByID after updates", *stored, want)

	// Other posts are untouched.
	stored, err = s.PostByID(ctx, 0, other.ID)
	if err != nil {
		t.Fatalf("PostByID(other): %v", err)
	}
	checkPost(t, "PostByID(other)", *stored, other)
}

// An update with no fields still records when it happened.
func testUpdatePostNothing(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	want := createPost(t, s, alice, "title", at(0), true)
	got, err := s.UpdatePost(t.Context(), 0, want.ID, magpie.PostUpdate{UpdatedAt: at(5)})
	if err != nil {
		t.Fatalf("UpdatePost: %v", err)
	}
	want.UpdatedAt = at(5)
	checkPost(t, "UpdatePost(nothing)", *got, want)
}

func testUpdatePostNotFound(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "title", at(0), false)
	_, err := s.UpdatePost(t.Context(), 0, p.ID+1000, magpie.PostUpdate{Title: ptr("x"), UpdatedAt: at(1)})
	wantKind(t, "UpdatePost(missing)", err, magpie.ENOTFOUND)
}

func testDeletePost(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	gone := createPost(t, s, alice, "gone", at(0), false)
	kept := createPost(t, s, alice, "kept", at(0), false)

	if err := s.DeletePost(ctx, gone.ID); err != nil {
		t.Fatalf("DeletePost: %v", err)
	}
	_, err := s.PostByID(ctx, 0, gone.ID)
	wantKind(t, "PostByID(deleted)", err, magpie.ENOTFOUND)
	wantKind(t, "DeletePost(deleted)", s.DeletePost(ctx, gone.ID), magpie.ENOTFOUND)
	wantKind(t, "DeletePost(missing)", s.DeletePost(ctx, kept.ID+1000), magpie.ENOTFOUND)
	if _, err := s.PostByID(ctx, 0, kept.ID); err != nil {
		t.Errorf("PostByID(kept): %v", err)
	}
	got, err := s.ListPosts(ctx, 0, nil, all)
	if err != nil {
		t.Fatalf("ListPosts: %v", err)
	}
	checkPosts(t, "ListPosts", got, []magpie.Post{kept})
}

// makePosts creates posts of two users out of time order, so that id
// order and time order differ, with ties in CreatedAt and some hidden.
func makePosts(t *testing.T, s magpie.Store) (alice, bob *magpie.User, posts []magpie.Post) {
	alice = createUser(t, s, "alice")
	bob = createUser(t, s, "bob")
	for _, p := range []struct {
		owner  *magpie.User
		sec    int
		hidden bool
	}{
		{alice, 30, false},
		{bob, 10, false},
		{alice, 20, false},
		{bob, 20, false},
		{alice, 20, true},
		{alice, 10, false},
		{bob, 40, true},
		{bob, 20, false},
		{alice, 0, false},
	} {
		posts = append(posts, createPost(t, s, p.owner, "post", at(p.sec), p.hidden))
	}
	return alice, bob, posts
}

func testListPosts(t *testing.T, s magpie.Store) {
	_, _, posts := makePosts(t, s)
	got, err := s.ListPosts(t.Context(), 0, nil, all)
	if err != nil {
		t.Fatalf("ListPosts: %v", err)
	}
	want := sortedPosts(posts, func(p magpie.Post) bool { return !p.IsHidden })
	checkPosts(t, "ListPosts", got, want)

	got, err = s.ListPosts(t.Context(), 0, nil, magpie.Page{Limit: 3})
	if err != nil {
		t.Fatalf("ListPosts: %v", err)
	}
	checkPosts(t, "ListPosts(limit 3)", got, want[:3])
}

func testListPostsByOwner(t *testing.T, s magpie.Store) {
	alice, bob, posts := makePosts(t, s)
	carol := createUser(t, s, "carol")
	for _, u := range []*magpie.User{alice, bob} {
		got, err := s.ListPostsByOwner(t.Context(), 0, u.ID, true, all)
		if err != nil {
			t.Fatalf("ListPostsByOwner: %v", err)
		}
		want := sortedPosts(posts, func(p magpie.Post) bool { return p.OwnerID == u.ID })
		checkPosts(t, "ListPostsByOwner("+u.Username+")", got, want)
	}
	got, err := s.ListPostsByOwner(t.Context(), 0, carol.ID, true, all)
	if err != nil {
		t.Fatalf("ListPostsByOwner: %v", err)
	}
	checkPosts(t, "ListPostsByOwner(carol)", got, nil)
}
