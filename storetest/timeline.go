package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/magpie-sns/magpie"
)

// The home feed's rules, whatever the store keeps to serve it fast
// (materialised timelines, a floor below which it reads posts, heavy
// authors merged as it is read): each is checked by reading whole feeds
// page by page, across those seams.
var timelineTests = []storeTest{
	{"LongFeedAcrossTheFloor", testLongFeed},
	{"HiddenNeverShown", testFeedHidden},
	{"UnfollowAtOnce", testFeedUnfollow},
	{"DeleteAtOnce", testFeedDelete},
	{"FollowBackfills", testFeedFollowBackfills},
	{"HeavyAuthorMerged", testFeedHeavyAuthor},
	{"DeactivatedAuthor", testFeedDeactivated},
	{"StableWhilePostsArrive", testFeedStable},
	{"ConcurrentFollowsAndPosts", testFeedConcurrentFollows},
}

// feedOf reads a user's whole feed, seven posts a page.
func feedOf(t *testing.T, s magpie.Store, u *magpie.User) []magpie.Post {
	t.Helper()
	return walkBy(t, 7, func(p magpie.Page) ([]magpie.Post, error) { return s.ListFeed(t.Context(), u.ID, p) }, postCursor)
}

// createPosts writes n posts of owner, the ith at second start+i, in one
// batch, and returns them.
func createPosts(t *testing.T, s magpie.Store, owner *magpie.User, start, n int) []magpie.Post {
	t.Helper()
	batch := make([]*magpie.Post, n)
	for i := range batch {
		batch[i] = &magpie.Post{Title: fmt.Sprint("p", start+i), Body: "b", OwnerID: owner.ID,
			CreatedAt: at(start + i), UpdatedAt: at(start + i)}
	}
	if err := s.CreatePosts(t.Context(), batch); err != nil {
		t.Fatalf("CreatePosts: %v", err)
	}
	out := make([]magpie.Post, n)
	for i, p := range batch {
		out[i] = *p
	}
	return out
}

func checkFeed(t *testing.T, what string, got, want []magpie.Post) {
	t.Helper()
	want = sortedPosts(want, func(magpie.Post) bool { return true })
	if !slices.Equal(postIDs(got), postIDs(want)) {
		t.Errorf("%s: the feed has %d posts %v,\nwant %d %v", what, len(got), postIDs(got), len(want), postIDs(want))
	}
}

// A follow of an author with more posts than a timeline keeps, then more
// posts: the feed is whole, newest first, from the timeline down through
// the floor into the posts below it.
func testLongFeed(t *testing.T, s magpie.Store) {
	reader, author, other := createUser(t, s, "reader"), createUser(t, s, "author"), createUser(t, s, "other")
	old := createPosts(t, s, author, 0, magpie.TimelineLength+50)
	createFollow(t, s, reader, author, at(0))
	createFollow(t, s, reader, other, at(0))
	interleaved := createPosts(t, s, other, 100, 120)
	newer := createPosts(t, s, author, 10_000, 30)
	checkFeed(t, "reader", feedOf(t, s, reader), slices.Concat(old, interleaved, newer))
}

// Hidden posts are in no one else's feed; showing one puts it where its
// time says, hiding it again takes it out.
func testFeedHidden(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	reader, author := createUser(t, s, "reader"), createUser(t, s, "author")
	createFollow(t, s, reader, author, at(0))
	before := createPost(t, s, author, "before", at(1), false)
	hidden := createPost(t, s, author, "hidden", at(2), true)
	after := createPost(t, s, author, "after", at(3), false)
	checkFeed(t, "with a hidden post", feedOf(t, s, reader), []magpie.Post{before, after})

	if _, err := s.UpdatePost(ctx, author.ID, hidden.ID, magpie.PostUpdate{IsHidden: ptr(false), UpdatedAt: at(4)}); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "once shown", feedOf(t, s, reader), []magpie.Post{before, hidden, after})
	if _, err := s.UpdatePost(ctx, author.ID, before.ID, magpie.PostUpdate{IsHidden: ptr(true), UpdatedAt: at(5)}); err != nil {
		t.Fatal(err)
	}
	// Editing what else a post has keeps it where it is.
	if _, err := s.UpdatePost(ctx, author.ID, after.ID, magpie.PostUpdate{Title: ptr("edited"), UpdatedAt: at(6)}); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "once the first is hidden", feedOf(t, s, reader), []magpie.Post{hidden, after})
}

// An unfollow takes the author's posts out of the feed at once, those
// below the floor too; a new follow brings them back.
func testFeedUnfollow(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	reader, gone, stays := createUser(t, s, "reader"), createUser(t, s, "gone"), createUser(t, s, "stays")
	createFollow(t, s, reader, gone, at(0))
	createFollow(t, s, reader, stays, at(0))
	goneOld := createPosts(t, s, gone, 0, magpie.TimelineLength+10)
	kept := createPosts(t, s, stays, 5, 20)
	goneNew := createPosts(t, s, gone, 1000, 5)
	if err := s.DeleteFollow(ctx, reader.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "after the unfollow", feedOf(t, s, reader), kept)
	createFollow(t, s, reader, gone, at(2000))
	checkFeed(t, "after following again", feedOf(t, s, reader), slices.Concat(goneOld, kept, goneNew))
}

// A deleted post leaves every feed at once.
func testFeedDelete(t *testing.T, s magpie.Store) {
	a, b, author := createUser(t, s, "a"), createUser(t, s, "b"), createUser(t, s, "author")
	createFollow(t, s, a, author, at(0))
	createFollow(t, s, b, author, at(0))
	posts := createPosts(t, s, author, 0, 5)
	if err := s.DeletePost(t.Context(), posts[2].ID); err != nil {
		t.Fatal(err)
	}
	rest := slices.Delete(slices.Clone(posts), 2, 3)
	checkFeed(t, "a", feedOf(t, s, a), rest)
	checkFeed(t, "b", feedOf(t, s, b), rest)
}

// A follow brings the author's earlier posts into the feed, among those
// already there.
func testFeedFollowBackfills(t *testing.T, s magpie.Store) {
	reader, first, second := createUser(t, s, "reader"), createUser(t, s, "first"), createUser(t, s, "second")
	createFollow(t, s, reader, first, at(0))
	a := createPosts(t, s, first, 0, 10)
	b := createPosts(t, s, second, 3, 10)
	createFollow(t, s, reader, second, at(100))
	checkFeed(t, "after the follow", feedOf(t, s, reader), slices.Concat(a, b))
}

// An author with more followers than FanOutLimit is read into the feeds
// as they are read, interleaved with the rest; its hidden posts stay out,
// and so do its posts for those who unfollow it.
func testFeedHeavyAuthor(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	star, reader, friend := createUser(t, s, "star"), createUser(t, s, "reader"), createUser(t, s, "friend")
	createFollow(t, s, reader, star, at(0))
	createFollow(t, s, reader, friend, at(0))
	for i := range magpie.FanOutLimit {
		fan := createUser(t, s, fmt.Sprint("fan", i))
		createFollow(t, s, fan, star, at(0))
	}
	starPosts := createPosts(t, s, star, 0, 30)
	friendPosts := createPosts(t, s, friend, 1, 30)
	createPost(t, s, star, "hidden", at(15), true)
	checkFeed(t, "reader", feedOf(t, s, reader), slices.Concat(starPosts, friendPosts))
	latecomer := createUser(t, s, "latecomer")
	createFollow(t, s, latecomer, star, at(1))
	checkFeed(t, "a new follower", feedOf(t, s, latecomer), starPosts)
	if err := s.DeleteFollow(ctx, reader.ID, star.ID); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "after unfollowing the star", feedOf(t, s, reader), friendPosts)
}

// A deactivated author's posts leave the feed until it is active again.
func testFeedDeactivated(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	reader, sleeper, other := createUser(t, s, "reader"), createUser(t, s, "sleeper"), createUser(t, s, "other")
	createFollow(t, s, reader, sleeper, at(0))
	createFollow(t, s, reader, other, at(0))
	theirs := createPosts(t, s, sleeper, 0, 5)
	others := createPosts(t, s, other, 2, 5)
	if err := s.SetActive(ctx, sleeper.ID, false); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "while deactivated", feedOf(t, s, reader), others)
	if err := s.SetActive(ctx, sleeper.ID, true); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, "once active", feedOf(t, s, reader), slices.Concat(theirs, others))
}

// Posts written while a reader pages do not shift the pages: each post
// older than the first page is read once.
func testFeedStable(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	reader, author := createUser(t, s, "reader"), createUser(t, s, "author")
	createFollow(t, s, reader, author, at(0))
	want := createPosts(t, s, author, 0, magpie.TimelineLength+20)
	var got []magpie.Post
	page := magpie.Page{Limit: 25}
	for i := 0; ; i++ {
		rows, err := s.ListFeed(ctx, reader.ID, page)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		got = append(got, rows...)
		c := postCursor(rows[len(rows)-1])
		page.After = &c
		createPosts(t, s, author, 100_000+10*i, 3) // newer than everything: not in later pages
	}
	checkFeed(t, "paged while posts arrive", got, want)
}

// Follows of an author racing its posts: each follower's feed ends up with
// every post, whichever commits first.
func testFeedConcurrentFollows(t *testing.T, s magpie.Store) {
	author := createUser(t, s, "author")
	readers := make([]*magpie.User, 8)
	for i := range readers {
		readers[i] = createUser(t, s, fmt.Sprint("reader", i))
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		posts []magpie.Post
	)
	wg.Go(func() {
		for i := range 20 {
			p := magpie.Post{Title: "p", Body: "b", OwnerID: author.ID, CreatedAt: at(i), UpdatedAt: at(i)}
			if err := s.CreatePost(t.Context(), &p); err != nil {
				t.Errorf("CreatePost: %v", err)
				return
			}
			mu.Lock()
			posts = append(posts, p)
			mu.Unlock()
		}
	})
	for _, r := range readers {
		wg.Go(func() {
			f := &magpie.Follow{FollowerID: r.ID, FollowingID: author.ID, CreatedAt: at(0)}
			if err := s.CreateFollow(t.Context(), f); err != nil {
				t.Errorf("CreateFollow: %v", err)
			}
		})
	}
	wg.Wait()
	for _, r := range readers {
		checkFeed(t, r.Username, feedOf(t, s, r), posts)
	}
}
