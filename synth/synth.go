// Package synth describes synthetic social networks for benchmarks: who
// exists, what each writes and whom each follows, generated the same way
// every time from a Spec, one user at a time, so that a load cut off
// part-way can go on where it stopped.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/magpie-sns/magpie"
)

// Window is how far back the posts of a data set go from its End.
const Window = 365 * 24 * time.Hour

// hiddenOneIn is how rare a hidden post is.
const hiddenOneIn = 50

// Spec is a data set: Users users, user1…userN with ids 1…N, each with
// PostsPerUser posts dated over the Window before End and
// FollowsPerUser follows of users picked at random. With Skew, a few
// users follow thousands (readers) and a few are followed by tens of
// thousands (stars), as on real networks.
type Spec struct {
	Users          int64
	PostsPerUser   int
	FollowsPerUser int
	Skew           bool
	End            time.Time
}

// Readers are the users that follow many with Skew: user1 follows 5,000
// (or everyone, in a smaller set), user2 2,000, user3 1,000.
var Readers = []int{5000, 2000, 1000}

// Stars are the users followed by many with Skew, after the readers:
// user4 by about 50,000 (or everyone), user5 by 20,000, user6 by 10,000.
var Stars = []int{50_000, 20_000, 10_000}

// Validate says what is wrong with the spec, if anything.
func (s Spec) Validate() error {
	switch {
	case s.Users < 1:
		return fmt.Errorf("a data set needs at least 1 user, not %d", s.Users)
	case s.PostsPerUser < 0 || s.FollowsPerUser < 0:
		return fmt.Errorf("posts and follows per user must not be negative")
	case int64(s.FollowsPerUser) >= s.Users && s.FollowsPerUser > 0:
		return fmt.Errorf("%d users cannot each follow %d others", s.Users, s.FollowsPerUser)
	}
	return nil
}

// Username is the name of user id.
func Username(id int64) string { return fmt.Sprintf("user%d", id) }

// rng is user id's own random source, the same on every run.
func rng(id int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(id), stream))
}

// Posts returns user id's posts, ids unset, oldest first.
func (s Spec) Posts(id int64) []magpie.Post {
	r := rng(id, 1)
	posts := make([]magpie.Post, s.PostsPerUser)
	for i := range posts {
		at := s.End.Add(-time.Duration(r.Int64N(int64(Window)))).Truncate(time.Microsecond)
		posts[i] = magpie.Post{
			Title: sentence(r, 3, 8), Body: sentence(r, 10, 50), OwnerID: id,
			IsHidden: r.IntN(hiddenOneIn) == 0, CreatedAt: at, UpdatedAt: at,
		}
	}
	return posts
}

// Follows returns whom user id follows: FollowsPerUser distinct others
// at random, of which, with Skew, the stars it is a fan of; a reader
// follows its own number of users instead.
func (s Spec) Follows(id int64) []magpie.Follow {
	r := rng(id, 2)
	n := s.FollowsPerUser
	var picked []int64
	if s.Skew {
		if i := int(id - 1); i < len(Readers) {
			n = max(n, min(Readers[i], int(s.Users-1)))
		}
		for i, fans := range Stars {
			star := int64(len(Readers) + i + 1)
			if star != id && star <= s.Users && r.Float64()*float64(s.Users-1) < float64(fans) {
				picked = append(picked, star)
			}
		}
	}
	seen := make(map[int64]bool, n)
	for _, p := range picked {
		seen[p] = true
	}
	for len(picked) < n {
		other := 1 + r.Int64N(s.Users)
		if other != id && !seen[other] {
			seen[other] = true
			picked = append(picked, other)
		}
	}
	follows := make([]magpie.Follow, len(picked))
	for i, other := range picked {
		follows[i] = magpie.Follow{FollowerID: id, FollowingID: other,
			CreatedAt: s.End.Add(-time.Duration(r.Int64N(int64(Window)))).Truncate(time.Microsecond)}
	}
	return follows
}

// TimelinesSince is where a loader should start the timelines it builds
// for an ordinary user to have about a quarter of magpie.TimelineLength
// entries (the posts are spread evenly over the Window): pages past those
// are read from the posts, and new posts fill the timelines up. A whole
// timeline for everyone would make the timelines as large as the posts,
// and the load far longer.
func (s Spec) TimelinesSince() time.Time {
	perFeed := float64(s.FollowsPerUser) * float64(s.PostsPerUser)
	fraction := 1.0
	if perFeed > 0 {
		fraction = min(1, float64(magpie.TimelineLength)/4/perFeed)
	}
	return s.End.Add(-time.Duration(fraction * float64(Window)))
}

var words = strings.Fields(`the a of and to in is it you that he was for on are with as I his they be at one
	have this from or had by hot word but what some we can out other were all there when up use your how said an each
	she which do their time if will way about many then them write would like so these her long make thing see him two
	has look more day could go come did number sound no most people my over know water than call first who may down side
	been now find magpie coffee morning train garden river music photo city walk rain today weekend book friend`)

// sentence is between lo and hi words.
func sentence(r *rand.Rand, lo, hi int) string {
	n := lo + r.IntN(hi-lo+1)
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}
