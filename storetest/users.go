package storetest

import (
	"cmp"
	"slices"
	"testing"

	"github.com/magpie-sns/magpie"
)

var userTests = []storeTest{
	{"CreateSetsID", testCreateUserSetsID},
	{"DuplicateUsername", testCreateUserDuplicate},
	{"UsernameKeys", testUsernameKeys},
	{"RoundTrip", testUserRoundTrip},
	{"NotFound", testUserNotFound},
	{"ListUsers", testListUsers},
	{"ListUsersPage", testListUsersPage},
	{"Ping", testPing},
}

func testCreateUserSetsID(t *testing.T, s magpie.Store) {
	a := createUser(t, s, "alice")
	b := createUser(t, s, "bob")
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID {
		t.Errorf("ids = %d, %d; want two different non-zero ids", a.ID, b.ID)
	}
}

func testCreateUserDuplicate(t *testing.T, s magpie.Store) {
	createUser(t, s, "alice")
	u := &magpie.User{Username: "alice", DateJoined: t0}
	wantKind(t, "CreateUser(duplicate)", s.CreateUser(t.Context(), u, "other"), magpie.ECONFLICT)

	// The loser must not have replaced the first user's credentials.
	_, hash, err := s.UserCredentials(t.Context(), "alice")
	if err != nil || hash != "hash:alice" {
		t.Errorf("UserCredentials(alice) = %q, %v; want the first hash", hash, err)
	}
}

// Usernames compare by their PRECIS key (magpie.UsernameKey): case and
// width variants are one name, which the first account to take it holds.
func testUsernameKeys(t *testing.T, s magpie.Store) {
	upper := createUser(t, s, "Alice")
	for _, variant := range []string{"alice", "ALICE", "ａｌｉｃｅ"} {
		u := &magpie.User{Username: variant, DateJoined: t0}
		wantKind(t, "CreateUser("+variant+")", s.CreateUser(t.Context(), u, "h"), magpie.ECONFLICT)
		got, err := s.UserByUsername(t.Context(), variant)
		if err != nil {
			t.Fatalf("UserByUsername(%s): %v", variant, err)
		}
		checkUser(t, "UserByUsername("+variant+")", got, upper)
	}
	_, err := s.UserByUsername(t.Context(), "alice2")
	wantKind(t, "UserByUsername(alice2)", err, magpie.ENOTFOUND)
}

func testUserRoundTrip(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	want := &magpie.User{Username: "root.admin+1@x", IsSuperuser: true, DateJoined: t0}
	if err := s.CreateUser(ctx, want, "pbkdf2_sha256$1$salt$hash"); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	plain := createUser(t, s, "plain")

	got, err := s.UserByID(ctx, want.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	checkUser(t, "UserByID", got, want)

	got, err = s.UserByUsername(ctx, want.Username)
	if err != nil {
		t.Fatalf("UserByUsername: %v", err)
	}
	checkUser(t, "UserByUsername", got, want)

	got, hash, err := s.UserCredentials(ctx, want.Username)
	if err != nil {
		t.Fatalf("UserCredentials: %v", err)
	}
	checkUser(t, "UserCredentials", got, want)
	if hash != "pbkdf2_sha256$1$salt$hash" {
		t.Errorf("UserCredentials hash = %q, want the one given at creation", hash)
	}

	got, err = s.UserByID(ctx, plain.ID)
	if err != nil {
		t.Fatalf("UserByID(plain): %v", err)
	}
	checkUser(t, "UserByID(plain)", got, plain)
}

func testUserNotFound(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	u := createUser(t, s, "alice")
	_, err := s.UserByID(ctx, u.ID+1000)
	wantKind(t, "UserByID(missing)", err, magpie.ENOTFOUND)
	_, err = s.UserByUsername(ctx, "nobody")
	wantKind(t, "UserByUsername(missing)", err, magpie.ENOTFOUND)
	_, _, err = s.UserCredentials(ctx, "nobody")
	wantKind(t, "UserCredentials(missing)", err, magpie.ENOTFOUND)
}

func testListUsers(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	a := createUser(t, s, "a")
	viewer := createUser(t, s, "viewer")
	c := createUser(t, s, "c")
	d := createUser(t, s, "d")
	createFollow(t, s, viewer, a, at(1))
	createFollow(t, s, viewer, d, at(2))
	createFollow(t, s, c, viewer, at(3)) // following back is not "IsFollowing"

	got, err := s.ListUsers(ctx, viewer.ID, nil, all)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	checkListedUsers(t, "ListUsers(viewer)", got, byID([]magpie.ListedUser{
		{ID: a.ID, Username: "a", IsFollowing: true},
		{ID: c.ID, Username: "c"},
		{ID: d.ID, Username: "d", IsFollowing: true},
	}))

	got, err = s.ListUsers(ctx, c.ID, nil, all)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	checkListedUsers(t, "ListUsers(c)", got, byID([]magpie.ListedUser{
		{ID: a.ID, Username: "a"},
		{ID: viewer.ID, Username: "viewer", IsFollowing: true},
		{ID: d.ID, Username: "d"},
	}))
}

func testListUsersPage(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	viewer := createUser(t, s, "viewer")
	var want []magpie.ListedUser
	for _, name := range []string{"u1", "u2", "u3", "u4", "u5"} {
		u := createUser(t, s, name)
		want = append(want, magpie.ListedUser{ID: u.ID, Username: name})
	}
	byID(want)

	got, err := s.ListUsers(ctx, viewer.ID, nil, magpie.Page{Limit: 2})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	checkListedUsers(t, "first page", got, want[:2])

	got, err = s.ListUsers(ctx, viewer.ID, nil, magpie.Page{Limit: 2, After: &magpie.Cursor{ID: want[1].ID}})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	checkListedUsers(t, "second page", got, want[2:4])

	got, err = s.ListUsers(ctx, viewer.ID, nil, magpie.Page{Limit: 2, After: &magpie.Cursor{ID: want[4].ID}})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	checkListedUsers(t, "after the last", got, nil)
}

// byID sorts users in ListUsers order and returns them.
func byID(us []magpie.ListedUser) []magpie.ListedUser {
	slices.SortFunc(us, func(a, b magpie.ListedUser) int { return cmp.Compare(a.ID, b.ID) })
	return us
}

func testPing(t *testing.T, s magpie.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
