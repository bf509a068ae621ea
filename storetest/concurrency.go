package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
)

var concurrencyTests = []storeTest{
	{"SameFollow", testConcurrentFollow},
	{"SameUsername", testConcurrentUsername},
	{"PostsAndReads", testConcurrentPostsAndReads},
}

const racers = 20

// race runs fn in n goroutines released at once and counts the outcomes:
// nil, ECONFLICT, and anything else (reported).
func race(t *testing.T, n int, fn func(i int) error) (ok, conflict int) {
	t.Helper()
	var nOK, nConflict atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			switch err := fn(i); {
			case err == nil:
				nOK.Add(1)
			case magpie.IsKind(err, magpie.ECONFLICT):
				nConflict.Add(1)
			default:
				t.Errorf("goroutine %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(nOK.Load()), int(nConflict.Load())
}

// The unique constraint, not a check before the insert, decides races.
func testConcurrentFollow(t *testing.T, s magpie.Store) {
	a := createUser(t, s, "a")
	b := createUser(t, s, "b")
	ok, conflict := race(t, racers, func(i int) error {
		return s.CreateFollow(t.Context(), &magpie.Follow{FollowerID: a.ID, FollowingID: b.ID, CreatedAt: at(i)})
	})
	if ok != 1 || conflict != racers-1 {
		t.Errorf("%d succeeded and %d conflicted, want 1 and %d", ok, conflict, racers-1)
	}
	got, err := s.ListFollowing(t.Context(), a.ID, all)
	if err != nil {
		t.Fatalf("ListFollowing: %v", err)
	}
	if len(got) != 1 {
		t.Errorf("ListFollowing = %+v, want one follow", got)
	}
}

func testConcurrentUsername(t *testing.T, s magpie.Store) {
	var winner atomic.Int64
	ok, conflict := race(t, racers, func(i int) error {
		u := &magpie.User{Username: "popular", DateJoined: t0}
		err := s.CreateUser(t.Context(), u, fmt.Sprintf("hash%d", i))
		if err == nil {
			winner.Store(u.ID)
		}
		return err
	})
	if ok != 1 || conflict != racers-1 {
		t.Errorf("%d succeeded and %d conflicted, want 1 and %d", ok, conflict, racers-1)
	}
	u, err := s.UserByUsername(t.Context(), "popular")
	if err != nil {
		t.Fatalf("UserByUsername: %v", err)
	}
	if u.ID != winner.Load() {
		t.Errorf("stored user id %d, want the winner's %d", u.ID, winner.Load())
	}
}

// Writers and readers at once must all succeed: a store may make them wait
// but not fail (for SQLite: no "database is locked").
func testConcurrentPostsAndReads(t *testing.T, s magpie.Store) {
	const writers, perWriter = 8, 25
	reader := createUser(t, s, "reader")
	var owners []*magpie.User
	for i := range writers {
		u := createUser(t, s, fmt.Sprintf("w%d", i))
		createFollow(t, s, reader, u, at(0))
		owners = append(owners, u)
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	for g, owner := range owners {
		wg.Go(func() {
			ctx := t.Context()
			<-start
			for i := range perWriter {
				created := t0.Add(time.Duration(i*writers+g) * time.Millisecond)
				p := &magpie.Post{Title: "t", Body: "b", OwnerID: owner.ID, CreatedAt: created, UpdatedAt: created}
				if err := s.CreatePost(ctx, p); err != nil {
					t.Errorf("writer %d: CreatePost: %v", g, err)
					return
				}
				if _, err := s.PostByID(ctx, 0, p.ID); err != nil {
					t.Errorf("writer %d: PostByID: %v", g, err)
					return
				}
				if _, err := s.ListPosts(ctx, 0, nil, magpie.Page{Limit: 10}); err != nil {
					t.Errorf("writer %d: ListPosts: %v", g, err)
					return
				}
				if _, err := s.ListPostsByOwner(ctx, 0, owner.ID, true, magpie.Page{Limit: 10}); err != nil {
					t.Errorf("writer %d: ListPostsByOwner: %v", g, err)
					return
				}
				if _, err := s.ListFeed(ctx, reader.ID, magpie.Page{Limit: 10}); err != nil {
					t.Errorf("writer %d: ListFeed: %v", g, err)
					return
				}
				if i%5 == 0 {
					if _, err := s.UpdatePost(ctx, 0, p.ID, magpie.PostUpdate{Body: ptr("edited"), UpdatedAt: created}); err != nil {
						t.Errorf("writer %d: UpdatePost: %v", g, err)
						return
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}

	got, err := s.ListPosts(t.Context(), 0, nil, all)
	if err != nil {
		t.Fatalf("ListPosts: %v", err)
	}
	if len(got) != writers*perWriter {
		t.Errorf("ListPosts has %d posts, want %d", len(got), writers*perWriter)
	}
	seen := make(map[int64]bool)
	for _, p := range got {
		if seen[p.ID] {
			t.Errorf("post %d listed twice", p.ID)
		}
		seen[p.ID] = true
	}
	feed, err := s.ListFeed(t.Context(), reader.ID, all)
	if err != nil {
		t.Fatalf("ListFeed: %v", err)
	}
	if len(feed) != writers*perWriter {
		t.Errorf("ListFeed has %d posts, want %d", len(feed), writers*perWriter)
	}
	for _, o := range owners {
		mine, err := s.ListPostsByOwner(t.Context(), 0, o.ID, true, all)
		if err != nil {
			t.Fatalf("ListPostsByOwner: %v", err)
		}
		if len(mine) != perWriter {
			t.Errorf("ListPostsByOwner(%s) has %d posts, want %d", o.Username, len(mine), perWriter)
		}
	}
}
