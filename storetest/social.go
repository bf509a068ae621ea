package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
)

var profileTests = []storeTest{
	{"Counts", testProfileCounts},
	{"Update", testUpdateProfile},
	{"SetPassword", testSetPassword},
	{"Deactivate", testDeactivate},
	{"DeleteUser", testDeleteUser},
}

var likeTests = []storeTest{
	{"LikeAndUnlike", testLikes},
	{"Errors", testLikeErrors},
	{"ListPage", testPageLikes},
	{"Concurrent", testConcurrentLikes},
}

var commentTests = []storeTest{
	{"CRUD", testComments},
	{"ListPage", testPageComments},
	{"GoWithThePost", testCommentsGoWithThePost},
}

var searchTests = []storeTest{
	{"Users", testSearchUsers},
	{"Posts", testSearchPosts},
	{"PostsPage", testPageSearchPosts},
}

func profile(t *testing.T, s magpie.Store, viewer *magpie.User, name string) *magpie.Profile {
	t.Helper()
	p, err := s.Profile(t.Context(), viewer.ID, name)
	if err != nil {
		t.Fatalf("Profile(%s): %v", name, err)
	}
	return p
}

// The counts follow every write, hidden posts and cascades included.
func testProfileCounts(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	carol := createUser(t, s, "carol")
	p1 := createPost(t, s, alice, "one", at(1), false)
	createPost(t, s, alice, "two", at(2), false)
	hidden := createPost(t, s, alice, "hidden", at(3), true)
	createFollow(t, s, bob, alice, at(1))
	createFollow(t, s, carol, alice, at(2))
	createFollow(t, s, alice, bob, at(3))

	p := profile(t, s, bob, "alice")
	if p.ID != alice.ID || p.PostsCount != 2 || p.FollowersCount != 2 || p.FollowingCount != 1 || !p.IsFollowing || !p.FollowsYou {
		t.Errorf("alice as bob sees her: %+v", p)
	}
	if p := profile(t, s, carol, "alice"); !p.IsFollowing || p.FollowsYou {
		t.Errorf("alice as carol sees her: IsFollowing %v FollowsYou %v", p.IsFollowing, p.FollowsYou)
	}
	if _, err := s.UpdatePost(ctx, 0, hidden.ID, magpie.PostUpdate{IsHidden: ptr(false), UpdatedAt: at(4)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdatePost(ctx, 0, p1.ID, magpie.PostUpdate{IsHidden: ptr(true), UpdatedAt: at(4)}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePost(ctx, hidden.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteFollow(ctx, carol.ID, alice.ID); err != nil {
		t.Fatal(err)
	}
	if p := profile(t, s, bob, "alice"); p.PostsCount != 1 || p.FollowersCount != 1 {
		t.Errorf("after hiding, showing, deleting and an unfollow: %d posts, %d followers; want 1, 1", p.PostsCount, p.FollowersCount)
	}
	if p := profile(t, s, alice, "bob"); p.FollowersCount != 1 || p.FollowingCount != 1 || p.PostsCount != 0 {
		t.Errorf("bob's counts: %+v", p)
	}
	_, err := s.Profile(ctx, bob.ID, "nobody")
	wantKind(t, "Profile(nobody)", err, magpie.ENOTFOUND)
}

func testUpdateProfile(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	u, err := s.UpdateProfile(ctx, alice.ID, magpie.ProfileUpdate{DisplayName: ptr("Alice A."), Bio: ptr("Hello.\nBirds.")})
	if err != nil || u.DisplayName != "Alice A." || u.Bio != "Hello.\nBirds." || u.Username != "alice" {
		t.Fatalf("UpdateProfile: %+v, %v", u, err)
	}
	u, err = s.UpdateProfile(ctx, alice.ID, magpie.ProfileUpdate{Bio: ptr("")})
	if err != nil || u.DisplayName != "Alice A." || u.Bio != "" {
		t.Fatalf("UpdateProfile(bio only): %+v, %v", u, err)
	}
	if p := profile(t, s, alice, "alice"); p.DisplayName != "Alice A." {
		t.Errorf("profile display name %q", p.DisplayName)
	}
	_, err = s.UpdateProfile(ctx, alice.ID+1000, magpie.ProfileUpdate{Bio: ptr("x")})
	wantKind(t, "UpdateProfile(missing)", err, magpie.ENOTFOUND)
}

// A new password keeps the one token asked for and revokes the others.
func testSetPassword(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	keep := createToken(t, s, alice, "keep", at(3600))
	other := createToken(t, s, alice, "other", at(3600))
	bobs := createToken(t, s, bob, "bob", at(3600))
	if err := s.SetPassword(ctx, alice.ID, "new hash", keep.Hash); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := s.UserCredentials(ctx, "alice"); err != nil || hash != "new hash" {
		t.Errorf("hash %q, %v", hash, err)
	}
	for _, c := range []struct {
		tok  *magpie.Token
		live bool
	}{{keep, true}, {other, false}, {bobs, true}} {
		_, err := s.UserByToken(ctx, c.tok.Hash, t0)
		if (err == nil) != c.live {
			t.Errorf("token of user %d: %v, want live %v", c.tok.UserID, err, c.live)
		}
	}
	if err := s.SetPassword(ctx, alice.ID, "newer hash", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, keep.Hash, t0); err == nil {
		t.Error("SetPassword(keep nil) left a token")
	}
	wantKind(t, "SetPassword(missing)", s.SetPassword(ctx, bob.ID+1000, "h", nil), magpie.ENOTFOUND)
}

// A deactivated user's tokens go, and its posts leave every list and feed
// until it is active again.
func testDeactivate(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	tok := createToken(t, s, alice, "a", at(3600))
	post := createPost(t, s, alice, "mine", at(1), false)
	createPost(t, s, bob, "bob's", at(2), false)
	createFollow(t, s, bob, alice, at(1))
	lists := func() (posts, feed, users int) {
		t.Helper()
		p, err1 := s.ListPosts(ctx, bob.ID, nil, all)
		f, err2 := s.ListFeed(ctx, bob.ID, all)
		u, err3 := s.ListUsers(ctx, bob.ID, nil, all)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		return len(p), len(f), len(u)
	}
	if err := s.SetActive(ctx, alice.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByToken(ctx, tok.Hash, t0); err == nil {
		t.Error("a deactivated user's token still works")
	}
	if p, f, u := lists(); p != 1 || f != 0 || u != 0 {
		t.Errorf("while alice is deactivated bob sees %d posts, %d in his feed, %d users; want 1, 0, 0", p, f, u)
	}
	if got, err := s.PostByID(ctx, bob.ID, post.ID); err != nil || got.OwnerActive {
		t.Errorf("PostByID of a deactivated owner's post: %+v, %v; want OwnerActive false", got, err)
	}
	if u, err := s.UserByUsername(ctx, "alice"); err != nil || u.IsActive {
		t.Errorf("UserByUsername: %+v, %v; want IsActive false", u, err)
	}
	if err := s.SetActive(ctx, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	if p, f, u := lists(); p != 2 || f != 1 || u != 1 {
		t.Errorf("once alice is active again bob sees %d posts, %d in his feed, %d users; want 2, 1, 1", p, f, u)
	}
	wantKind(t, "SetActive(missing)", s.SetActive(ctx, bob.ID+1000, false), magpie.ENOTFOUND)
}

// Deleting a user deletes everything it owns, in one go, and fixes the
// counts of everyone else; its name is free again.
func testDeleteUser(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	gone := createUser(t, s, "gone")
	bob := createUser(t, s, "bob")
	mine := createPost(t, s, gone, "mine", at(1), false)
	bobs := createPost(t, s, bob, "bob's", at(2), false)
	createFollow(t, s, gone, bob, at(1))
	createFollow(t, s, bob, gone, at(1))
	createToken(t, s, gone, "t", at(3600))
	like(t, s, gone, bobs, at(3))
	like(t, s, bob, mine, at(3))
	comment(t, s, gone, bobs, "hi", at(4))
	comment(t, s, bob, mine, "hi", at(4))

	if err := s.DeleteUser(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "DeleteUser again", s.DeleteUser(ctx, gone.ID), magpie.ENOTFOUND)
	if _, err := s.PostByID(ctx, bob.ID, mine.ID); !errors.Is(err, magpie.ErrNotFound) {
		t.Errorf("the deleted user's post: %v", err)
	}
	p := profile(t, s, bob, "bob")
	if p.FollowersCount != 0 || p.FollowingCount != 0 || p.PostsCount != 1 {
		t.Errorf("bob's counts after: %+v", p)
	}
	post, err := s.PostByID(ctx, bob.ID, bobs.ID)
	if err != nil || post.LikeCount != 0 || post.CommentCount != 0 {
		t.Errorf("bob's post after: %+v, %v; want no likes or comments", post, err)
	}
	if c, err := s.ListComments(ctx, bobs.ID, all); err != nil || len(c) != 0 {
		t.Errorf("comments after: %+v, %v", c, err)
	}
	createUser(t, s, "gone") // the name is free
}

func like(t *testing.T, s magpie.Store, u *magpie.User, p magpie.Post, created time.Time) *magpie.Like {
	t.Helper()
	l := &magpie.Like{PostID: p.ID, UserID: u.ID, CreatedAt: created}
	if err := s.CreateLike(t.Context(), l); err != nil {
		t.Fatalf("CreateLike: %v", err)
	}
	return l
}

func comment(t *testing.T, s magpie.Store, u *magpie.User, p magpie.Post, body string, created time.Time) *magpie.Comment {
	t.Helper()
	c := &magpie.Comment{PostID: p.ID, AuthorID: u.ID, Body: body, CreatedAt: created, UpdatedAt: created}
	if err := s.CreateComment(t.Context(), c); err != nil {
		t.Fatalf("CreateComment: %v", err)
	}
	return c
}

func testLikes(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	carol := createUser(t, s, "carol")
	p := createPost(t, s, alice, "liked", at(1), false)
	other := createPost(t, s, alice, "other", at(2), false)
	lb := like(t, s, bob, p, at(3))
	lc := like(t, s, carol, p, at(4))
	if lb.ID == 0 || lc.ID == 0 || lb.ID == lc.ID {
		t.Errorf("like ids %d, %d", lb.ID, lc.ID)
	}
	got, err := s.PostByID(ctx, bob.ID, p.ID)
	if err != nil || got.LikeCount != 2 || !got.Liked {
		t.Fatalf("as bob: %+v, %v; want 2 likes, liked", got, err)
	}
	if got, _ := s.PostByID(ctx, alice.ID, p.ID); got.Liked {
		t.Error("alice's view says she likes it")
	}
	feed, err := s.ListPosts(ctx, carol.ID, nil, all)
	if err != nil || len(feed) != 2 || feed[0].ID != other.ID || feed[0].Liked || !feed[1].Liked || feed[1].LikeCount != 2 {
		t.Fatalf("ListPosts as carol: %+v, %v", feed, err)
	}
	entries, err := s.ListLikes(ctx, p.ID, all)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, "ListLikes", entries, []magpie.UserEntry{
		{ID: lc.ID, UserID: carol.ID, Username: "carol", CreatedAt: at(4)},
		{ID: lb.ID, UserID: bob.ID, Username: "bob", CreatedAt: at(3)},
	})
	if err := s.DeleteLike(ctx, p.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PostByID(ctx, bob.ID, p.ID); got.LikeCount != 1 || got.Liked {
		t.Errorf("after bob's unlike: %+v", got)
	}
	wantKind(t, "DeleteLike again", s.DeleteLike(ctx, p.ID, bob.ID), magpie.ENOTFOUND)
	if err := s.DeletePost(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if entries, err := s.ListLikes(ctx, p.ID, all); err != nil || len(entries) != 0 {
		t.Errorf("likes of a deleted post: %+v, %v", entries, err)
	}
}

func testLikeErrors(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "p", at(1), false)
	like(t, s, alice, p, at(2))
	for _, c := range []struct {
		name string
		l    *magpie.Like
		want error
	}{
		{"twice", &magpie.Like{PostID: p.ID, UserID: alice.ID, CreatedAt: at(3)}, magpie.ErrAlreadyLiked},
		{"missing post", &magpie.Like{PostID: p.ID + 1000, UserID: alice.ID, CreatedAt: at(3)}, magpie.ErrNotFound},
		{"missing user", &magpie.Like{PostID: p.ID, UserID: alice.ID + 1000, CreatedAt: at(3)}, magpie.ErrNotFound},
	} {
		if err := s.CreateLike(ctx, c.l); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func testPageLikes(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "p", at(1), false)
	var want []magpie.UserEntry
	for i := range 7 {
		u := createUser(t, s, fmt.Sprint("fan", i))
		l := like(t, s, u, p, at(i/3)) // ties in time
		want = append(want, magpie.UserEntry{ID: l.ID, UserID: u.ID, Username: u.Username, CreatedAt: l.CreatedAt})
	}
	got := walk(t, func(page magpie.Page) ([]magpie.UserEntry, error) { return s.ListLikes(t.Context(), p.ID, page) }, entryCursor)
	checkEntries(t, "ListLikes pages", got, sortedEntries(want))
}

// Racing likes: one user's give one like, fifty users' give fifty.
func testConcurrentLikes(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "popular", at(1), false)
	ok, conflict := race(t, 50, func(i int) error {
		return s.CreateLike(ctx, &magpie.Like{PostID: p.ID, UserID: alice.ID, CreatedAt: at(i)})
	})
	if ok != 1 || conflict != 49 {
		t.Errorf("one user: %d likes and %d conflicts, want 1 and 49", ok, conflict)
	}
	var users []*magpie.User
	for i := range 50 {
		users = append(users, createUser(t, s, fmt.Sprint("u", i)))
	}
	ok, _ = race(t, 50, func(i int) error {
		return s.CreateLike(ctx, &magpie.Like{PostID: p.ID, UserID: users[i].ID, CreatedAt: at(i)})
	})
	got, err := s.PostByID(ctx, 0, p.ID)
	if ok != 50 || err != nil || got.LikeCount != 51 {
		t.Errorf("fifty users: %d likes made, like_count %d (%v); want 50 and 51", ok, got.LikeCount, err)
	}
}

func testComments(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	p := createPost(t, s, alice, "p", at(1), false)
	c1 := comment(t, s, bob, p, "first", at(2))
	c2 := comment(t, s, alice, p, "second", at(3))
	if c1.AuthorUsername != "bob" || c1.ID == 0 || c2.ID == c1.ID {
		t.Errorf("comments %+v %+v", c1, c2)
	}
	got, err := s.ListComments(ctx, p.ID, all)
	if err != nil || len(got) != 2 || got[0].ID != c1.ID || got[1].ID != c2.ID || got[0].Body != "first" || !sameTime(got[0].CreatedAt, at(2)) {
		t.Fatalf("ListComments: %+v, %v", got, err)
	}
	if post, _ := s.PostByID(ctx, 0, p.ID); post.CommentCount != 2 {
		t.Errorf("comment_count %d, want 2", post.CommentCount)
	}
	edited, err := s.UpdateComment(ctx, c1.ID, "first, edited", at(5))
	if err != nil || edited.Body != "first, edited" || !sameTime(edited.UpdatedAt, at(5)) || !sameTime(edited.CreatedAt, at(2)) || edited.AuthorUsername != "bob" {
		t.Errorf("UpdateComment: %+v, %v", edited, err)
	}
	byID, err := s.CommentByID(ctx, c1.ID)
	if err != nil || byID.Body != "first, edited" || byID.PostID != p.ID {
		t.Errorf("CommentByID: %+v, %v", byID, err)
	}
	if err := s.DeleteComment(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	if post, _ := s.PostByID(ctx, 0, p.ID); post.CommentCount != 1 {
		t.Errorf("comment_count %d after a delete, want 1", post.CommentCount)
	}
	wantKind(t, "DeleteComment again", s.DeleteComment(ctx, c1.ID), magpie.ENOTFOUND)
	_, err = s.UpdateComment(ctx, c1.ID, "x", at(6))
	wantKind(t, "UpdateComment(deleted)", err, magpie.ENOTFOUND)
	_, err = s.CommentByID(ctx, c1.ID)
	wantKind(t, "CommentByID(deleted)", err, magpie.ENOTFOUND)
	err = s.CreateComment(ctx, &magpie.Comment{PostID: p.ID + 1000, AuthorID: bob.ID, Body: "x", CreatedAt: at(7), UpdatedAt: at(7)})
	wantKind(t, "CreateComment(missing post)", err, magpie.ENOTFOUND)
}

func testPageComments(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "p", at(1), false)
	var want []int64
	for i := range 7 {
		want = append(want, comment(t, s, alice, p, fmt.Sprint("c", i), at(i/3)).ID)
	}
	got := walk(t, func(page magpie.Page) ([]magpie.Comment, error) { return s.ListComments(t.Context(), p.ID, page) },
		func(c magpie.Comment) magpie.Cursor { return magpie.Cursor{Time: c.CreatedAt, ID: c.ID} })
	var ids []int64
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("comments over pages: %v, want %v (oldest first)", ids, want)
	}
}

func testCommentsGoWithThePost(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	p := createPost(t, s, alice, "p", at(1), false)
	c := comment(t, s, alice, p, "c", at(2))
	if err := s.DeletePost(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.CommentByID(ctx, c.ID)
	wantKind(t, "a comment of a deleted post", err, magpie.ENOTFOUND)
}

func listedNames(us []magpie.ListedUser) []string {
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
	}
	return names
}

// A user matches when a word of its username or display name starts with
// each word searched for, case aside.
func testSearchUsers(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	viewer := createUser(t, s, "viewer")
	for _, u := range []struct{ name, display string }{
		{"alice", "Alice Liddell"}, {"alicia", ""}, {"bob", "Robert Alison"}, {"malice", ""}, {"carol", "Carol"},
		{"dave.smith", "Jürgen Müller"},
	} {
		created := createUser(t, s, u.name)
		if _, err := s.UpdateProfile(ctx, created.ID, magpie.ProfileUpdate{DisplayName: ptr(u.display)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		words []string
		want  []string
	}{
		{[]string{"ali"}, []string{"alice", "alicia", "bob"}},
		{[]string{"alice"}, []string{"alice"}},
		{[]string{"ALI"}, []string{"alice", "alicia", "bob"}},
		{[]string{"ali", "lid"}, []string{"alice"}},
		{[]string{"robert"}, []string{"bob"}},
		{[]string{"view"}, nil},
		{[]string{"zebra"}, nil},
		// Punctuation parts words, and diacritics are part of them, on
		// both engines.
		{[]string{"smith"}, []string{"dave.smith"}},
		{[]string{"müll"}, []string{"dave.smith"}},
		{[]string{"mull"}, nil},
		{[]string{`"`, "*", "OR"}, nil},
	} {
		got, err := s.ListUsers(ctx, viewer.ID, c.words, all)
		if err != nil {
			t.Fatalf("ListUsers(%q): %v", c.words, err)
		}
		if names := listedNames(got); !slices.Equal(names, c.want) {
			t.Errorf("ListUsers(%q) = %v, want %v", c.words, names, c.want)
		}
	}
	page, err := s.ListUsers(ctx, viewer.ID, []string{"ali"}, magpie.Page{Limit: 2})
	if err != nil || len(page) != 2 {
		t.Fatalf("first page: %v, %v", listedNames(page), err)
	}
	rest, err := s.ListUsers(ctx, viewer.ID, []string{"ali"}, magpie.Page{Limit: 2, After: &magpie.Cursor{ID: page[1].ID}})
	if err != nil || !slices.Equal(listedNames(rest), []string{"bob"}) {
		t.Errorf("second page: %v, %v", listedNames(rest), err)
	}
}

// A post matches when its title or body has every word searched for, case
// aside; hidden posts never do.
func testSearchPosts(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	mk := func(u *magpie.User, title, body string, hidden bool) magpie.Post {
		p := magpie.Post{Title: title, Body: body, OwnerID: u.ID, IsHidden: hidden, CreatedAt: at(0), UpdatedAt: at(0)}
		if err := s.CreatePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	coffee := mk(alice, "Morning coffee", "Strong and black.", false)
	both := mk(bob, "Tea or coffee?", "Tea, then COFFEE.", false)
	mk(alice, "Secret coffee", "hidden", true)
	tea := mk(bob, "Green tea", "Nothing else.", false)
	web := mk(bob, "Links", "See example.com/tea-room, नमस्ते!", false)
	edited := mk(alice, "Draft", "words", false)
	if _, err := s.UpdatePost(ctx, 0, edited.ID, magpie.PostUpdate{Body: ptr("now about coffee"), UpdatedAt: at(1)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		words []string
		want  []int64
	}{
		{[]string{"coffee"}, []int64{edited.ID, both.ID, coffee.ID}},
		{[]string{"tea"}, []int64{web.ID, tea.ID, both.ID}},
		{[]string{"example", "room"}, []int64{web.ID}},
		{[]string{"नमस्ते"}, []int64{web.ID}},
		{[]string{"coffee", "tea"}, []int64{both.ID}},
		{[]string{"black"}, []int64{coffee.ID}},
		{[]string{"secret"}, nil},
		{[]string{"words"}, nil},
		{[]string{"coff"}, nil},
		{[]string{`"`, "NEAR"}, nil},
	} {
		got, err := s.ListPosts(ctx, alice.ID, c.words, all)
		if err != nil {
			t.Fatalf("ListPosts(%q): %v", c.words, err)
		}
		if ids := postIDs(got); !slices.Equal(ids, c.want) {
			t.Errorf("ListPosts(%q) = %v, want %v", c.words, ids, c.want)
		}
	}
}

func testPageSearchPosts(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	var want []int64
	for i := range 7 {
		want = append([]int64{createPost(t, s, alice, fmt.Sprint("bird ", i), at(i%2), false).ID}, want...)
	}
	createPost(t, s, alice, "no", at(3), false)
	got := walk(t, func(page magpie.Page) ([]magpie.Post, error) {
		return s.ListPosts(t.Context(), alice.ID, []string{"bird"}, page)
	}, func(p magpie.Post) magpie.Cursor { return magpie.Cursor{ID: p.ID} })
	if ids := postIDs(got); !slices.Equal(ids, want) {
		t.Errorf("search over pages: %v, want %v (newest id first)", ids, want)
	}
}
