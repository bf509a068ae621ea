package storetest

import (
	"testing"

	"github.com/magpie-sns/magpie"
)

var feedTests = []storeTest{
	{"ListFeed", testListFeed},
	{"FollowingNobody", testFeedFollowingNobody},
}

var followTests = []storeTest{
	{"CreateSetsID", testCreateFollow},
	{"Duplicate", testFollowDuplicate},
	{"Self", testFollowSelf},
	{"UnknownUser", testFollowUnknownUser},
	{"Delete", testDeleteFollow},
	{"DeleteNotFound", testDeleteFollowNotFound},
	{"ListFollowing", testListFollowing},
	{"ListFollowers", testListFollowers},
}

// The feed is the visible posts of the users one follows: not one's own,
// not hidden ones, not those of followers one does not follow back, not
// those of users one stopped following.
func testListFeed(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	me := createUser(t, s, "me")
	f1 := createUser(t, s, "f1")
	f2 := createUser(t, s, "f2")
	ex := createUser(t, s, "ex")
	fan := createUser(t, s, "fan")
	stranger := createUser(t, s, "stranger")
	createFollow(t, s, me, f1, at(0))
	createFollow(t, s, me, ex, at(0))
	createFollow(t, s, me, f2, at(1))
	createFollow(t, s, fan, me, at(1))
	createFollow(t, s, f1, f2, at(1))
	if err := s.DeleteFollow(ctx, me.ID, ex.ID); err != nil {
		t.Fatalf("DeleteFollow: %v", err)
	}

	var posts []magpie.Post
	for i, u := range []*magpie.User{me, f1, f2, ex, fan, stranger, f1, f2, f1, f2, me} {
		posts = append(posts, createPost(t, s, u, "p", at(i%4), false))
	}
	posts = append(posts,
		createPost(t, s, f1, "hidden", at(9), true),
		createPost(t, s, f2, "hidden", at(2), true))

	got, err := s.ListFeed(ctx, me.ID, all)
	if err != nil {
		t.Fatalf("ListFeed: %v", err)
	}
	want := sortedPosts(posts, func(p magpie.Post) bool {
		return !p.IsHidden && (p.OwnerID == f1.ID || p.OwnerID == f2.ID)
	})
	if len(want) != 6 {
		t.Fatalf("test expects 6 feed posts, has %d", len(want))
	}
	checkPosts(t, "ListFeed(me)", got, want)

	got, err = s.ListFeed(ctx, me.ID, magpie.Page{Limit: 4})
	if err != nil {
		t.Fatalf("ListFeed: %v", err)
	}
	checkPosts(t, "ListFeed(me, limit 4)", got, want[:4])
}

func testFeedFollowingNobody(t *testing.T, s magpie.Store) {
	loner := createUser(t, s, "loner")
	fan := createUser(t, s, "fan")
	createFollow(t, s, fan, loner, at(0))
	createPost(t, s, loner, "mine", at(0), false)
	createPost(t, s, fan, "theirs", at(0), false)
	got, err := s.ListFeed(t.Context(), loner.ID, all)
	if err != nil {
		t.Fatalf("ListFeed: %v", err)
	}
	checkPosts(t, "ListFeed(loner)", got, nil)
}

func testCreateFollow(t *testing.T, s magpie.Store) {
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	f1 := createFollow(t, s, a, b, at(0))
	f2 := createFollow(t, s, b, a, at(0)) // the reverse is another follow
	if f1.ID == 0 || f2.ID == 0 || f1.ID == f2.ID {
		t.Errorf("ids = %d, %d; want two different non-zero ids", f1.ID, f2.ID)
	}
}

func testFollowDuplicate(t *testing.T, s magpie.Store) {
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	createFollow(t, s, a, b, at(0))
	f := &magpie.Follow{FollowerID: a.ID, FollowingID: b.ID, CreatedAt: at(1)}
	wantKind(t, "CreateFollow(duplicate)", s.CreateFollow(t.Context(), f), magpie.ECONFLICT)

	got, err := s.ListFollowing(t.Context(), a.ID, all)
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	if len(got) != 1 || !sameTime(got[0].CreatedAt, at(0)) {
		t.Errorf("ListFollowing after duplicate = %+v, want the first follow only", got)
	}
}

func testFollowSelf(t *testing.T, s magpie.Store) {
	a := createUser(t, s, "a")
	f := &magpie.Follow{FollowerID: a.ID, FollowingID: a.ID, CreatedAt: at(0)}
	wantKind(t, "CreateFollow(self)", s.CreateFollow(t.Context(), f), magpie.EINVALID)
}

func testFollowUnknownUser(t *testing.T, s magpie.Store) {
	a := createUser(t, s, "a")
	missing := a.ID + 1000
	f := &magpie.Follow{FollowerID: missing, FollowingID: a.ID, CreatedAt: at(0)}
	wantKind(t, "CreateFollow(unknown follower)", s.CreateFollow(t.Context(), f), magpie.ENOTFOUND)
	f = &magpie.Follow{FollowerID: a.ID, FollowingID: missing, CreatedAt: at(0)}
	wantKind(t, "CreateFollow(unknown following)", s.CreateFollow(t.Context(), f), magpie.ENOTFOUND)
}

func testDeleteFollow(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	createFollow(t, s, a, b, at(0))
	createFollow(t, s, b, a, at(0))

	if err := s.DeleteFollow(ctx, a.ID, b.ID); err != nil {
		t.Fatalf("DeleteFollow: %v", err)
	}
	got, err := s.ListFollowing(ctx, a.ID, all)
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	checkEntries(t, "ListFollowing(a) after unfollow", got, nil)
	// The reverse follow stays.
	got, err = s.ListFollowing(ctx, b.ID, all)
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	if len(got) != 1 || got[0].UserID != a.ID {
		t.Errorf("ListFollowing(b) = %+v, want a", got)
	}

	again := createFollow(t, s, a, b, at(5))
	got, err = s.ListFollowing(ctx, a.ID, all)
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	checkEntries(t, "ListFollowing(a) after follow again", got, []magpie.UserEntry{
		{ID: again.ID, UserID: b.ID, Username: "b", CreatedAt: at(5)},
	})
}

func testDeleteFollowNotFound(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	wantKind(t, "DeleteFollow(never followed)", s.DeleteFollow(ctx, a.ID, b.ID), magpie.ENOTFOUND)
	createFollow(t, s, a, b, at(0))
	// Follows have a direction.
	wantKind(t, "DeleteFollow(reverse)", s.DeleteFollow(ctx, b.ID, a.ID), magpie.ENOTFOUND)
	if err := s.DeleteFollow(ctx, a.ID, b.ID); err != nil {
		t.Fatalf("DeleteFollow: %v", err)
	}
	wantKind(t, "DeleteFollow(twice)", s.DeleteFollow(ctx, a.ID, b.ID), magpie.ENOTFOUND)
	wantKind(t, "DeleteFollow(unknown users)", s.DeleteFollow(ctx, a.ID+1000, b.ID+1000), magpie.ENOTFOUND)
}

// makeFollows builds follows around hub in both directions, out of time
// order and with ties, plus follows between others that hub's lists must
// not show. It returns hub's following and followers lists in order.
func makeFollows(t *testing.T, s magpie.Store) (hub *magpie.User, following, followers []magpie.UserEntry) {
	hub = createUser(t, s, "hub")
	var users []*magpie.User
	for _, name := range []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6"} {
		users = append(users, createUser(t, s, name))
	}
	entry := func(f *magpie.Follow, other *magpie.User) magpie.UserEntry {
		return magpie.UserEntry{ID: f.ID, UserID: other.ID, Username: other.Username, CreatedAt: f.CreatedAt}
	}
	for i, sec := range []int{2, 1, 2, 2, 0, 1} {
		u := users[i]
		following = append(following, entry(createFollow(t, s, hub, u, at(sec)), u))
	}
	for i, sec := range []int{1, 1, 1, 0, 3, 3, 1} {
		u := users[i]
		followers = append(followers, entry(createFollow(t, s, u, hub, at(sec)), u))
	}
	createFollow(t, s, users[0], users[1], at(2))
	createFollow(t, s, users[2], users[0], at(2))
	return hub, sortedEntries(following), sortedEntries(followers)
}

func testListFollowing(t *testing.T, s magpie.Store) {
	hub, want, _ := makeFollows(t, s)
	got, err := s.ListFollowing(t.Context(), hub.ID, all)
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	checkEntries(t, "ListFollowing(hub)", got, want)

	got, err = s.ListFollowing(t.Context(), hub.ID, magpie.Page{Limit: 4})
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	checkEntries(t, "ListFollowing(hub, limit 4)", got, want[:4])
}

func testListFollowers(t *testing.T, s magpie.Store) {
	hub, _, want := makeFollows(t, s)
	got, err := s.ListFollowers(t.Context(), hub.ID, all)
	if err != nil {
		t.Fatalf("ListFollowers: %v", err)
	}
	checkEntries(t, "ListFollowers(hub)", got, want)

	got, err = s.ListFollowers(t.Context(), hub.ID, magpie.Page{Limit: 4})
	if err != nil {
		t.Fatalf("ListFollowers: %v", err)
	}
	checkEntries(t, "ListFollowers(hub, limit 4)", got, want[:4])

	lonely := createUser(t, s, "lonely")
	got, err = s.ListFollowers(t.Context(), lonely.ID, all)
	if err != nil {
		t.Fatalf("ListFollowers: %v", err)
	}
	checkEntries(t, "ListFollowers(lonely)", got, nil)
}
