package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie"
)

var errorTests = []storeTest{
	{"Sentinels", testSentinels},
	{"EmptyPages", testEmptyPages},
}

// What the data turns down comes back as the domain's sentinels, the same
// on every engine, whatever each engine calls its constraints.
func testSentinels(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	createFollow(t, s, a, b, t0)
	_, missingPost := s.PostByID(ctx, 0, 999)
	_, missingUser := s.UserByID(ctx, 999)
	_, updateMissing := s.UpdatePost(ctx, 0, 999, magpie.PostUpdate{UpdatedAt: t0})
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"username taken", s.CreateUser(ctx, &magpie.User{Username: "a", DateJoined: t0}, "h"), magpie.ErrUsernameTaken},
		{"already following", s.CreateFollow(ctx, &magpie.Follow{FollowerID: a.ID, FollowingID: b.ID, CreatedAt: t0}), magpie.ErrAlreadyFollowing},
		{"self follow", s.CreateFollow(ctx, &magpie.Follow{FollowerID: a.ID, FollowingID: a.ID, CreatedAt: t0}), magpie.ErrSelfFollow},
		{"follow a missing user", s.CreateFollow(ctx, &magpie.Follow{FollowerID: a.ID, FollowingID: 999, CreatedAt: t0}), magpie.ErrNotFound},
		{"post of a missing user", s.CreatePost(ctx, &magpie.Post{Title: "t", Body: "b", OwnerID: 999, CreatedAt: t0, UpdatedAt: t0}), magpie.ErrNotFound},
		{"token of a missing user", s.CreateToken(ctx, &magpie.Token{Hash: tokenHash("x"), UserID: 999, CreatedAt: t0, ExpiresAt: t0}, 10), magpie.ErrNotFound},
		{"missing post", missingPost, magpie.ErrNotFound},
		{"missing user", missingUser, magpie.ErrNotFound},
		{"update a missing post", updateMissing, magpie.ErrNotFound},
		{"delete a missing post", s.DeletePost(ctx, 999), magpie.ErrNotFound},
		{"delete a missing follow", s.DeleteFollow(ctx, b.ID, a.ID), magpie.ErrNotFound},
		{"title over the schema's limit", s.CreatePost(ctx, &magpie.Post{Title: strings.Repeat("x", magpie.MaxTitleLen+1), Body: "b", OwnerID: a.ID, CreatedAt: t0, UpdatedAt: t0}), magpie.ErrConstraint},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, c.err, c.want)
		}
	}
}

// A page whose Limit is below 1 asks for no rows, on every list.
func testEmptyPages(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	createFollow(t, s, a, b, t0)
	createFollow(t, s, b, a, t0)
	createPost(t, s, a, "mine", at(1), false)
	createPost(t, s, b, "theirs", at(2), false)
	for _, limit := range []int{0, -1} {
		page := magpie.Page{Limit: limit}
		lists := map[string]func() (int, error){
			"ListUsers":        func() (int, error) { r, err := s.ListUsers(ctx, a.ID, nil, page); return len(r), err },
			"ListPosts":        func() (int, error) { r, err := s.ListPosts(ctx, 0, nil, page); return len(r), err },
			"ListPostsByOwner": func() (int, error) { r, err := s.ListPostsByOwner(ctx, 0, a.ID, true, page); return len(r), err },
			"ListFeed":         func() (int, error) { r, err := s.ListFeed(ctx, a.ID, page); return len(r), err },
			"ListFollowing":    func() (int, error) { r, err := s.ListFollowing(ctx, a.ID, page); return len(r), err },
			"ListFollowers":    func() (int, error) { r, err := s.ListFollowers(ctx, a.ID, page); return len(r), err },
			"ListLikes":        func() (int, error) { r, err := s.ListLikes(ctx, 1, page); return len(r), err },
			"ListComments":     func() (int, error) { r, err := s.ListComments(ctx, 1, page); return len(r), err },
			"SearchUsers":      func() (int, error) { r, err := s.ListUsers(ctx, a.ID, []string{"b"}, page); return len(r), err },
			"SearchPosts":      func() (int, error) { r, err := s.ListPosts(ctx, a.ID, []string{"theirs"}, page); return len(r), err },
		}
		for name, list := range lists {
			if n, err := list(); n != 0 || err != nil {
				t.Errorf("%s(Limit %d) = %d rows, %v; want none and no error", name, limit, n, err)
			}
		}
	}
}
