package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/synth"
)

// A bulk load (magpie.Loader) leaves the store as ordinary writes of the
// same rows would have: the feeds, counters, search and id sequences,
// and every ordinary write after it keeps working.
var loadTests = []storeTest{
	{"LoadIsOrdinaryData", testLoad},
	{"LoadGoesOnWhereItStopped", testLoadResume},
	{"FinishLoadGoesOnWhereItStopped", testFinishLoadResume},
	{"LoadsRunTogether", testLoadsTogether},
}

// loadSpec is small, but has a reader whose timeline is trimmed and
// feeds reaching below their floor.
var loadSpec = synth.Spec{Users: 40, PostsPerUser: 12, FollowsPerUser: 5, Skew: true, End: t0}

func loader(t *testing.T, s magpie.Store) magpie.Loader {
	t.Helper()
	l, ok := s.(magpie.Loader)
	if !ok {
		t.Fatalf("%T is no magpie.Loader", s)
	}
	return l
}

// loadUsers loads the users of spec, as the service does.
func loadUsers(t *testing.T, l magpie.Loader, spec synth.Spec) {
	t.Helper()
	var users []magpie.User
	for id := int64(1); id <= spec.Users; id++ {
		users = append(users, magpie.User{ID: id, Username: synth.Username(id), DateJoined: spec.End})
	}
	if err := l.LoadUsers(t.Context(), users, "hash"); err != nil {
		t.Fatalf("LoadUsers: %v", err)
	}
}

// batch is the posts and follows of users first to last.
func batch(spec synth.Spec, first, last int64) (posts []magpie.Post, follows []magpie.Follow) {
	for id := first; id <= last; id++ {
		posts = append(posts, spec.Posts(id)...)
		follows = append(follows, spec.Follows(id)...)
	}
	return posts, follows
}

// loadPosts loads the posts and follows of users first to last.
func loadPosts(t *testing.T, l magpie.Loader, spec synth.Spec, first, last int64) {
	t.Helper()
	posts, follows := batch(spec, first, last)
	if err := l.LoadPostsAndFollows(t.Context(), posts, follows, nil); err != nil {
		t.Fatalf("LoadPostsAndFollows(%d…%d): %v", first, last, err)
	}
}

// finishLoad runs FinishLoad, which must name the steps it takes.
func finishLoad(t *testing.T, l magpie.Loader, spec synth.Spec) {
	t.Helper()
	var steps []string
	if err := l.FinishLoad(t.Context(), spec.TimelinesSince(), func(name string) { steps = append(steps, name) }); err != nil {
		t.Fatalf("FinishLoad: %v", err)
	}
	for _, want := range []string{"counters", "timelines"} {
		if !slices.Contains(steps, want) {
			t.Errorf("FinishLoad's steps %q, none %q", steps, want)
		}
	}
}

// postKey names a post without its id, which the store assigns.
func postKey(p magpie.Post) string {
	return fmt.Sprintf("%d@%s:%s", p.OwnerID, p.CreatedAt.UTC().Format(time.RFC3339Nano), p.Title)
}

// wantFeeds computes each user's feed from the spec: the visible posts
// of whom they follow, newest first.
func wantFeeds(spec synth.Spec) map[int64][]string {
	feeds := make(map[int64][]string)
	for id := int64(1); id <= spec.Users; id++ {
		var feed []magpie.Post
		for _, f := range spec.Follows(id) {
			for _, p := range spec.Posts(f.FollowingID) {
				if !p.IsHidden {
					feed = append(feed, p)
				}
			}
		}
		// No two posts of the spec share a microsecond.
		slices.SortFunc(feed, func(a, b magpie.Post) int { return b.CreatedAt.Compare(a.CreatedAt) })
		for _, p := range feed {
			feeds[id] = append(feeds[id], postKey(p))
		}
	}
	return feeds
}

// checkLoaded compares every feed and counter with what the spec says.
func checkLoaded(t *testing.T, s magpie.Store, spec synth.Spec) {
	t.Helper()
	followers := make(map[int64]int64)
	for id := int64(1); id <= spec.Users; id++ {
		for _, f := range spec.Follows(id) {
			followers[f.FollowingID]++
		}
	}
	for id, want := range wantFeeds(spec) {
		var got []string
		for _, p := range feedOf(t, s, &magpie.User{ID: id}) {
			got = append(got, postKey(p))
		}
		if !slices.Equal(got, want) {
			t.Errorf("user%d's feed has %d posts, want %d:\n got %v\nwant %v", id, len(got), len(want), got, want)
		}
		u, err := s.Profile(t.Context(), 0, synth.Username(id))
		if err != nil {
			t.Fatalf("Profile(user%d): %v", id, err)
		}
		var posts int64
		for _, p := range spec.Posts(id) {
			if !p.IsHidden {
				posts++
			}
		}
		if u.PostsCount != posts || u.FollowingCount != int64(len(spec.Follows(id))) || u.FollowersCount != followers[id] {
			t.Errorf("user%d counts posts %d, following %d, followers %d; want %d, %d, %d", id,
				u.PostsCount, u.FollowingCount, u.FollowersCount, posts, len(spec.Follows(id)), followers[id])
		}
	}
}

func testLoad(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	l := loader(t, s)
	if long := wantFeeds(loadSpec)[1]; len(long) <= magpie.TimelineLength {
		t.Fatalf("the reader's feed has %d posts: too few to trim its timeline", len(long))
	}
	loadUsers(t, l, loadSpec)
	loadPosts(t, l, loadSpec, 1, 25)
	loadPosts(t, l, loadSpec, 26, loadSpec.Users)
	finishLoad(t, l, loadSpec)
	checkLoaded(t, s, loadSpec)
	// Again: nothing changes, the counts of likes and comments made
	// meanwhile neither.
	liked := feedOf(t, s, &magpie.User{ID: 1})[0]
	fan := &magpie.User{ID: 2}
	if err := s.CreateLike(ctx, &magpie.Like{PostID: liked.ID, UserID: fan.ID, CreatedAt: loadSpec.End}); err != nil {
		t.Fatal(err)
	}
	comment(t, s, fan, liked, "nice", loadSpec.End)
	finishLoad(t, l, loadSpec)
	checkLoaded(t, s, loadSpec)
	if p, err := s.PostByID(ctx, 0, liked.ID); err != nil {
		t.Fatal(err)
	} else if p.LikeCount != 1 || p.CommentCount != 1 {
		t.Errorf("after FinishLoad again, the post liked and commented counts %d likes and %d comments, want 1 and 1", p.LikeCount, p.CommentCount)
	}
	if t.Failed() {
		return
	}

	// Ordinary writes go on: new ids past the loaded ones, a new post in
	// its author's followers' feeds and counted, search finding it.
	newcomer := createUser(t, s, "newcomer")
	if newcomer.ID != loadSpec.Users+1 {
		t.Errorf("the user after the load has id %d, want %d", newcomer.ID, loadSpec.Users+1)
	}
	author, err := s.Profile(ctx, 0, synth.Username(7))
	if err != nil {
		t.Fatal(err)
	}
	createFollow(t, s, newcomer, &author.User, at(1))
	post := createPost(t, s, &author.User, "zeppelin sighting", loadSpec.End.Add(time.Hour), false)
	if feed := feedOf(t, s, newcomer); len(feed) == 0 || feed[0].ID != post.ID {
		t.Errorf("the newcomer's feed does not begin with the new post %d: %v", post.ID, postIDs(feed))
	}
	for _, f := range loadSpec.Follows(1) {
		if f.FollowingID == author.ID {
			if feed := feedOf(t, s, &magpie.User{ID: 1}); len(feed) == 0 || feed[0].ID != post.ID {
				t.Errorf("user1's feed does not begin with the new post %d", post.ID)
			}
		}
	}
	if after, _ := s.Profile(ctx, 0, author.Username); after.PostsCount != author.PostsCount+1 || after.FollowersCount != author.FollowersCount+1 {
		t.Errorf("after a post and a follow, user7 counts %d posts and %d followers, want %d and %d",
			after.PostsCount, after.FollowersCount, author.PostsCount+1, author.FollowersCount+1)
	}
	found, err := s.ListPosts(ctx, newcomer.ID, []string{"zeppelin"}, magpie.Page{Limit: 10})
	if err != nil || len(found) != 1 || found[0].ID != post.ID {
		t.Errorf("searching the new post: %v, %v", postIDs(found), err)
	}
	loadedWord := loadSpec.Posts(2)[0]
	var visible int
	for id := int64(1); id <= loadSpec.Users; id++ {
		for _, p := range loadSpec.Posts(id) {
			if !p.IsHidden && p.Title == loadedWord.Title && p.Body == loadedWord.Body {
				visible++
			}
		}
	}
	if visible == 0 {
		t.Fatal("user2's first post is hidden; pick another")
	}
	if found, err := s.ListPosts(ctx, newcomer.ID, searchWords(loadedWord), magpie.Page{Limit: 100}); err != nil || len(found) < visible {
		t.Errorf("searching the words of a loaded post found %d posts, want at least %d (%v)", len(found), visible, err)
	}
}

// searchWords are the words of a post's title: every one is in the post.
func searchWords(p magpie.Post) []string {
	var words []string
	for w := range strings.FieldsSeq(p.Title) {
		words = append(words, w)
	}
	return words
}

// A load cut off after some of its transactions reports how far it got,
// and going on from there gives the same data as a load never cut off.
func testLoadResume(t *testing.T, s magpie.Store) {
	l := loader(t, s)
	progress := func() magpie.LoadProgress {
		t.Helper()
		p, err := l.LoadProgress(t.Context())
		if err != nil {
			t.Fatalf("LoadProgress: %v", err)
		}
		return p
	}
	if p := progress(); p != (magpie.LoadProgress{}) {
		t.Errorf("an empty store's progress is %+v", p)
	}
	loadUsers(t, l, loadSpec)
	if p := progress(); p != (magpie.LoadProgress{Users: loadSpec.Users}) {
		t.Errorf("after the users, progress is %+v", p)
	}
	loadPosts(t, l, loadSpec, 1, 10)
	if p := progress(); p != (magpie.LoadProgress{Users: loadSpec.Users, UsersWithPosts: 10}) {
		t.Errorf("after users 1…10's posts, progress is %+v", p)
	}
	// A transaction that fails writes nothing: here, one with a follow
	// twice.
	bad := append(loadSpec.Follows(11), loadSpec.Follows(11)[0])
	if err := l.LoadPostsAndFollows(t.Context(), loadSpec.Posts(11), bad, nil); err == nil {
		t.Error("a load with one follow twice succeeded")
	}
	// And one whose ready fails.
	notReady := errors.New("not ready")
	posts, follows := batch(loadSpec, 11, 20)
	if err := l.LoadPostsAndFollows(t.Context(), posts, follows, func(context.Context) error { return notReady }); !errors.Is(err, notReady) {
		t.Errorf("a load whose ready failed: %v, want %v", err, notReady)
	}
	if p := progress(); p.UsersWithPosts != 10 {
		t.Errorf("after failed transactions, progress is %+v", p)
	}
	loadPosts(t, l, loadSpec, 11, loadSpec.Users)
	finishLoad(t, l, loadSpec)
	checkLoaded(t, s, loadSpec)
}

// FinishLoad cut off at any of its steps, then run again, derives the same
// data as when it runs through.
func testFinishLoadResume(t *testing.T, s magpie.Store) {
	l := loader(t, s)
	loadUsers(t, l, loadSpec)
	loadPosts(t, l, loadSpec, 1, loadSpec.Users)
	var cuts []string
	for cut := 1; ; cut++ {
		if cut > 100 {
			t.Fatalf("FinishLoad still not done after 100 cut-offs, at %q", cuts)
		}
		ctx, cancel := context.WithCancel(t.Context())
		var steps int
		err := l.FinishLoad(ctx, loadSpec.TimelinesSince(), func(name string) {
			if steps++; steps == cut {
				cuts = append(cuts, name)
				cancel()
			}
		})
		cancel()
		if steps < cut {
			if err != nil {
				t.Fatalf("FinishLoad, not cut off: %v", err)
			}
			break
		}
		if err == nil {
			t.Errorf("FinishLoad cut off at %q succeeded", cuts[len(cuts)-1])
		}
	}
	t.Logf("cut off at %q", cuts)
	checkLoaded(t, s, loadSpec)
}

// After the first, two loads of posts and follows run at once: neither
// waits for a lock the other holds. The first, holding whatever it
// holds, waits in its ready for the second's ready, which a lock between
// them would keep from coming.
func testLoadsTogether(t *testing.T, s magpie.Store) {
	l := loader(t, s)
	loadUsers(t, l, loadSpec)
	loadPosts(t, l, loadSpec, 1, 10)
	firstWaits, secondReady := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var first, second error
	wg.Go(func() {
		posts, follows := batch(loadSpec, 11, 25)
		first = l.LoadPostsAndFollows(t.Context(), posts, follows, func(ctx context.Context) error {
			close(firstWaits)
			select {
			case <-secondReady:
				return nil
			case <-time.After(5 * time.Second):
				return errors.New("the other load was not ready within 5 s")
			}
		})
	})
	select {
	case <-firstWaits:
	case <-time.After(10 * time.Second):
		t.Fatal("the first load did not reach its ready")
	}
	wg.Go(func() {
		posts, follows := batch(loadSpec, 26, loadSpec.Users)
		second = l.LoadPostsAndFollows(t.Context(), posts, follows, func(context.Context) error {
			close(secondReady)
			return nil
		})
	})
	wg.Wait()
	if first != nil || second != nil {
		t.Fatalf("loads at once: %v; %v", first, second)
	}
	finishLoad(t, l, loadSpec)
	checkLoaded(t, s, loadSpec)
}
