package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
)

// The data set of Benchmark: benchUsers users, each writing benchRounds
// posts but the star, who writes starPosts posts a round; each follows
// benchFollows others and the star; the hub follows hubFollows users; the
// popular post has benchReactions likes and as many comments.
const (
	benchUsers     = 200
	benchRounds    = 50
	starPosts      = 5
	benchFollows   = 20
	hubFollows     = 150
	benchReactions = 120
	benchLimit     = 20 // the rows of a page, as the API's default
)

// Benchmark measures the store's hot paths: the token check of every
// authenticated request, and each list of the Store interface on its first
// page and on a page far down. open must return an empty, migrated store,
// as for Run; Benchmark calls it once, and writes its data set through the
// Store's methods before any sub-benchmark is timed. Every iteration runs
// the real query and fails unless it returns a full page.
func Benchmark(b *testing.B, open func(tb testing.TB) magpie.Store) {
	s := open(b)
	start := time.Now()
	d := writeBenchData(b, s)
	b.Logf("data set written in %v", time.Since(start).Round(time.Millisecond))

	b.Run("UserByToken", func(b *testing.B) {
		b.ReportAllocs()
		ctx := b.Context()
		for b.Loop() {
			u, err := s.UserByToken(ctx, d.token, d.now)
			if err != nil {
				b.Fatal(err)
			}
			if u.ID != d.hub.ID {
				b.Fatalf("UserByToken = user %d, want %d", u.ID, d.hub.ID)
			}
		}
	})
	benchList(b, "ListUsers", 8, func(ctx context.Context, p magpie.Page) ([]magpie.ListedUser, error) {
		return s.ListUsers(ctx, d.hub.ID, nil, p)
	}, userCursor)
	benchList(b, "SearchUsers", 8, func(ctx context.Context, p magpie.Page) ([]magpie.ListedUser, error) {
		return s.ListUsers(ctx, d.hub.ID, []string{"bench"}, p)
	}, userCursor)
	benchList(b, "ListPosts", 10, func(ctx context.Context, p magpie.Page) ([]magpie.Post, error) {
		return s.ListPosts(ctx, d.hub.ID, nil, p)
	}, postCursor)
	benchList(b, "SearchPosts", 10, func(ctx context.Context, p magpie.Page) ([]magpie.Post, error) {
		return s.ListPosts(ctx, d.hub.ID, []string{"magpie"}, p)
	}, func(p magpie.Post) magpie.Cursor { return magpie.Cursor{ID: p.ID} })
	benchList(b, "ListPostsByOwner", 10, func(ctx context.Context, p magpie.Page) ([]magpie.Post, error) {
		return s.ListPostsByOwner(ctx, d.hub.ID, d.star.ID, false, p)
	}, postCursor)
	// The first page is read from the hub's timeline; 25 pages (500
	// posts) down is well past its TimelineLength entries and the few
	// dozen more a timeline holds between trims, so that page is read from
	// the posts themselves.
	benchList(b, "ListFeed", 25, func(ctx context.Context, p magpie.Page) ([]magpie.Post, error) {
		return s.ListFeed(ctx, d.hub.ID, p)
	}, postCursor)
	benchList(b, "ListFollowing", 5, func(ctx context.Context, p magpie.Page) ([]magpie.UserEntry, error) {
		return s.ListFollowing(ctx, d.hub.ID, p)
	}, entryCursor)
	benchList(b, "ListFollowers", 8, func(ctx context.Context, p magpie.Page) ([]magpie.UserEntry, error) {
		return s.ListFollowers(ctx, d.star.ID, p)
	}, entryCursor)
	benchList(b, "ListLikes", 4, func(ctx context.Context, p magpie.Page) ([]magpie.UserEntry, error) {
		return s.ListLikes(ctx, d.popular, p)
	}, entryCursor)
	benchList(b, "ListComments", 4, func(ctx context.Context, p magpie.Page) ([]magpie.Comment, error) {
		return s.ListComments(ctx, d.popular, p)
	}, func(c magpie.Comment) magpie.Cursor { return magpie.Cursor{Time: c.CreatedAt, ID: c.ID} })
}

// benchList runs two sub-benchmarks of a list: its first page, and the
// page after the first deep ones, whose cursor it finds by walking them.
func benchList[T any](b *testing.B, name string, deep int, list func(context.Context, magpie.Page) ([]T, error), cursor func(T) magpie.Cursor) {
	b.Run(name, func(b *testing.B) {
		far := magpie.Page{Limit: benchLimit}
		for i := range deep {
			rows := listPage(b, name, list, far)
			if len(rows) != benchLimit {
				b.Fatalf("%s: page %d has %d rows, want %d: the data set is too small", name, i+1, len(rows), benchLimit)
			}
			c := cursor(rows[len(rows)-1])
			far.After = &c
		}
		for _, p := range []struct {
			name string
			page magpie.Page
		}{
			{"page1", magpie.Page{Limit: benchLimit}},
			{fmt.Sprintf("page%d", deep+1), far},
		} {
			b.Run(p.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if rows := listPage(b, name, list, p.page); len(rows) != benchLimit {
						b.Fatalf("%s: %d rows, want %d", name, len(rows), benchLimit)
					}
				}
			})
		}
	})
}

func listPage[T any](b *testing.B, name string, list func(context.Context, magpie.Page) ([]T, error), page magpie.Page) []T {
	rows, err := list(b.Context(), page)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return rows
}

// benchData is what the benchmarks read.
type benchData struct {
	hub     *magpie.User // follows hubFollows users; holds token
	star    *magpie.User // followed by everyone; writes the most
	popular int64        // the post with the likes and comments
	token   []byte       // the hash of the hub's token
	now     time.Time    // after the data set, before the token expires
}

// writeBenchData writes the data set, in time order as a running server
// would: the users, their follows, the posts round by round (one
// CreatePosts each), then likes and comments on the star's newest post.
func writeBenchData(tb testing.TB, s magpie.Store) benchData {
	ctx := tb.Context()
	clock := t0
	tick := func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}

	users := make([]*magpie.User, benchUsers)
	for i := range users {
		u := &magpie.User{
			Username:    fmt.Sprintf("user%03d", i),
			DisplayName: fmt.Sprintf("Bench User %d", i),
			DateJoined:  tick(),
		}
		if err := s.CreateUser(ctx, u, "hash"); err != nil {
			tb.Fatalf("CreateUser: %v", err)
		}
		users[i] = u
	}
	hub, star := users[0], users[1]
	for i := 1; i < benchUsers; i++ {
		// The next benchFollows users after i, among users 1 and up,
		// and the star.
		var follows []int
		for k := 1; k <= benchFollows; k++ {
			follows = append(follows, 1+(i-1+k)%(benchUsers-1))
		}
		if i != 1 && !slices.Contains(follows, 1) {
			follows = append(follows, 1)
		}
		for _, j := range follows {
			createFollow(tb, s, users[i], users[j], tick())
		}
	}
	for j := 1; j <= hubFollows; j++ {
		createFollow(tb, s, hub, users[j], tick())
	}

	var popular *magpie.Post
	for round := range benchRounds {
		var batch []*magpie.Post
		for i, u := range users {
			n := 1
			if u == star {
				n = starPosts
			}
			for range n {
				created := tick()
				batch = append(batch, &magpie.Post{
					Title:     benchTitle(round, i, len(batch)),
					Body:      benchBody(round + i + len(batch)),
					OwnerID:   u.ID,
					IsHidden:  (7*i+round)%25 == 0,
					CreatedAt: created,
					UpdatedAt: created,
				})
				if u == star && !batch[len(batch)-1].IsHidden {
					popular = batch[len(batch)-1]
				}
			}
		}
		if err := s.CreatePosts(ctx, batch); err != nil {
			tb.Fatalf("CreatePosts: %v", err)
		}
	}

	for _, u := range users[2 : 2+benchReactions] {
		if err := s.CreateLike(ctx, &magpie.Like{PostID: popular.ID, UserID: u.ID, CreatedAt: tick()}); err != nil {
			tb.Fatalf("CreateLike: %v", err)
		}
		c := &magpie.Comment{PostID: popular.ID, AuthorID: u.ID, Body: "Well put, " + star.DisplayName + ". " + benchBody(int(u.ID))[:120]}
		c.CreatedAt = tick()
		c.UpdatedAt = c.CreatedAt
		if err := s.CreateComment(ctx, c); err != nil {
			tb.Fatalf("CreateComment: %v", err)
		}
	}

	secret := "bench-token"
	tok := &magpie.Token{Hash: tokenHash(secret), UserID: hub.ID, CreatedAt: tick(), ExpiresAt: clock.Add(24 * time.Hour)}
	if err := s.CreateToken(ctx, tok, 10); err != nil {
		tb.Fatalf("CreateToken: %v", err)
	}
	return benchData{hub: hub, star: star, popular: popular.ID, token: tok.Hash, now: tick()}
}

// benchTitle is a post's title; one post in five has the word "magpie".
func benchTitle(round, user, n int) string {
	if (round+user+n)%5 == 0 {
		return fmt.Sprintf("A magpie on the fence, day %d", round)
	}
	return fmt.Sprintf("Notes from the garden, day %d, part %d", round, n%7)
}

var benchWords = strings.Fields(`the morning light came through the kitchen window while the kettle
	boiled and somewhere past the hedge a blackbird tried the same four notes again and again
	until the neighbour's dog gave up barking at it we planted beans along the south wall
	this year and the tomatoes are late but the courgettes have gone quite mad there is
	more of them than anyone could eat so take some if you pass by`)

// benchBody is a post body of 60 words, about 300 bytes, that differs
// with seed.
func benchBody(seed int) string {
	var sb strings.Builder
	for k := range 60 {
		if k > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(benchWords[(seed*7+k)%len(benchWords)])
	}
	sb.WriteByte('.')
	return sb.String()
}
