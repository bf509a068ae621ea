package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/synth"
)

// seedProgressEvery is how many users pass between progress lines, printed
// only when there are more users than that.
const seedProgressEvery = 1000

// seedWorkers is how many users' posts and follows are written at once.
const seedWorkers = 8

func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	env := &envFlags{getenv: getenv}
	fs := newFlagSet("seed", "seed [--users N] [--posts N] [--password PASSWORD] [--bulk [--follows N] [--skew]] [--database URL]", stderr)
	nUsers := fs.Int("users", 5, "how many demo users, user1…userN")
	nPosts := fs.Int("posts", 3, "how many posts each new user writes")
	password := fs.String("password", "magpie-demo", "the password of every new user")
	bulk := fs.Bool("bulk", false, "load a synthetic data set for benchmarks, fast, into an empty database (or finish one cut off)")
	nFollows := fs.Int("follows", 10, "with --bulk: how many users each user follows, picked at random")
	skew := fs.Bool("skew", false, "with --bulk: user1…user3 follow 5,000, 2,000 and 1,000; user4…user6 are followed by about 50,000, 20,000 and 10,000")
	dbURL := databaseFlag(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("seed: unexpected argument %q", fs.Arg(0))
	}
	if *bulk {
		spec := &synth.Spec{Users: int64(*nUsers), PostsPerUser: *nPosts, FollowsPerUser: *nFollows, Skew: *skew}
		if err := spec.Validate(); err != nil {
			return usageErrorf("seed: %v", err)
		}
		return bulkSeed(ctx, spec, *password, *dbURL, stdout, stderr)
	}
	var bulkOnly []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "follows" || f.Name == "skew" {
			bulkOnly = append(bulkOnly, "--"+f.Name)
		}
	})
	if len(bulkOnly) > 0 {
		return usageErrorf("seed: %s only with --bulk", strings.Join(bulkOnly, " and "))
	}
	if *nUsers < 1 {
		return usageErrorf("seed: --users must be at least 1, not %d", *nUsers)
	}
	if *nPosts < 0 {
		return usageErrorf("seed: --posts must not be negative, not %d", *nPosts)
	}
	names := make([]string, *nUsers)
	for i := range names {
		names[i] = fmt.Sprintf("user%d", i+1)
		if fe := (service.NewUser{Username: names[i], Password: *password}).Validate(); len(fe) > 0 {
			return invalidInput("seed", fe)
		}
	}

	db, err := openMigrated(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	svc := service.New(service.Config{Store: db, Passwords: &hashOnce{Passwords: auth.NewPasswords(auth.DefaultParams)}})
	var progressMu sync.Mutex
	progress := func(what string, done int) {
		if len(names) > seedProgressEvery && (done%seedProgressEvery == 0 || done == len(names)) {
			progressMu.Lock()
			defer progressMu.Unlock()
			fmt.Fprintf(stderr, "seed: %s %d/%d\n", what, done, len(names))
		}
	}

	// Users one at a time, so that on a fresh database userK has id K.
	users := make([]*magpie.User, len(names))
	isNew := make([]bool, len(names))
	var created, existing []string
	for i, name := range names {
		u, err := svc.CreateUser(ctx, service.NewUser{Username: name, Password: *password})
		switch {
		case err == nil:
			created = append(created, name)
			isNew[i] = true
		case errors.Is(err, magpie.ErrUsernameTaken):
			// Seeded before (or created by hand): leave it and its posts.
			existing = append(existing, name)
			if u, err = svc.User(ctx, name); err != nil {
				return fmt.Errorf("seed: find existing user %s: %w", name, err)
			}
		default:
			return fmt.Errorf("seed: create user %s: %w", name, err)
		}
		users[i] = u
		progress("users", i+1)
	}

	// Then the posts of each new user, all in one transaction, liked by
	// the two users before it, who follow it, the newest commented on by
	// the one just before; and the follows of every user: each follows the
	// next two, in a ring. On PostgreSQL every write waits for its own
	// commit, so several users go at once; SQLite queues its writes anyway.
	var posts, likes, comments, follows, oldFollows, done atomic.Int64
	err = forEach(ctx, len(users), seedWorkers, func(ctx context.Context, i int) error {
		if isNew[i] && *nPosts > 0 {
			batch := make([]service.NewPost, *nPosts)
			for j := range batch {
				batch[j].Title, batch[j].Body = demoPost(i, j)
			}
			written, err := svc.CreatePosts(ctx, users[i], batch)
			if err != nil {
				return fmt.Errorf("seed: create posts of %s: %w", names[i], err)
			}
			posts.Add(int64(len(written)))
			n, err := demoReactions(ctx, svc, users, i, written)
			if err != nil {
				return fmt.Errorf("seed: likes and comments on the posts of %s: %w", names[i], err)
			}
			likes.Add(int64(n.likes))
			comments.Add(int64(n.comments))
		}
		for _, d := range []int{1, 2} {
			j := (i + d) % len(users)
			if j == i {
				continue
			}
			_, err := svc.Follow(ctx, users[i], service.FollowTarget{ID: users[j].ID})
			switch {
			case err == nil:
				follows.Add(1)
			case magpie.IsKind(err, magpie.ECONFLICT):
				oldFollows.Add(1)
			default:
				return fmt.Errorf("seed: %s follows %s: %w", names[i], names[j], err)
			}
		}
		progress("posts and follows of users", int(done.Add(1)))
		return nil
	})
	if err != nil {
		return err
	}

	if len(created) > 0 {
		fmt.Fprintf(stdout, "created %d users: %s\n", len(created), nameList(created))
		fmt.Fprintf(stdout, "their password: %s\n", *password)
	} else {
		fmt.Fprintln(stdout, "created no users")
	}
	if len(existing) > 0 {
		fmt.Fprintf(stdout, "%d users already existed and keep their old password and posts: %s\n",
			len(existing), nameList(existing))
	}
	fmt.Fprintf(stdout, "created %d posts, %d likes, %d comments and %d follows (%d follows already existed)\n",
		posts.Load(), likes.Load(), comments.Load(), follows.Load(), oldFollows.Load())
	return nil
}

// reactions counts what demoReactions wrote.
type reactions struct{ likes, comments int }

// demoReactions has the two users before user i like its new posts, and
// the one just before comment on the newest.
func demoReactions(ctx context.Context, svc *service.Service, users []*magpie.User, i int, posts []*magpie.Post) (reactions, error) {
	var n reactions
	if len(posts) == 0 {
		return n, nil
	}
	for _, d := range []int{1, 2} {
		fan := users[(i-d+len(users))%len(users)]
		if fan.ID == users[i].ID {
			continue
		}
		for _, p := range posts {
			if _, created, err := svc.Like(ctx, fan, p.ID); err != nil {
				return n, err
			} else if created {
				n.likes++
			}
		}
		if d == 1 {
			r := rand.New(rand.NewPCG(uint64(i), uint64(len(posts))))
			if _, err := svc.Comment(ctx, fan, posts[len(posts)-1].ID, pick(r, demoComments)); err != nil {
				return n, err
			}
			n.comments++
		}
	}
	return n, nil
}

// hashOnce hashes each distinct password once: every seeded user has the
// same password, and argon2id per user would take minutes for a
// benchmark-sized data set. Each user still gets a real, valid hash.
type hashOnce struct {
	*auth.Passwords
	mu     sync.Mutex
	hashes map[string]string
}

func (h *hashOnce) Hash(ctx context.Context, password string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hash, ok := h.hashes[password]; ok {
		return hash, nil
	}
	hash, err := h.Passwords.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	if h.hashes == nil {
		h.hashes = map[string]string{}
	}
	h.hashes[password] = hash
	return hash, nil
}

// forEach calls fn(ctx, i) for every i in [0, n), at most workers at a
// time. It stops at the first error and returns it.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

// nameList joins names, eliding the middle of a long list.
func nameList(names []string) string {
	const head, tail = 5, 2
	if len(names) <= head+tail+1 {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:head], ", ") + ", …, " + strings.Join(names[len(names)-tail:], ", ")
}

// Words of the demo posts.
var (
	demoAdjectives = []string{
		"quiet", "early", "rainy", "golden", "small", "late", "long", "busy",
		"slow", "bright", "cold", "lazy", "windy", "honest", "old", "green",
	}
	demoThings = []string{
		"mornings", "gardens", "trains", "coffee", "bread", "rivers", "markets",
		"bicycles", "libraries", "kitchens", "maps", "letters", "birds",
		"bridges", "tomatoes", "notebooks", "radios", "recipes",
	}
	demoPlaces = []string{
		"the harbour", "the old market", "the park", "my kitchen", "the station",
		"the hills", "the library", "the corner café", "the allotment",
		"the seaside", "my balcony", "the night bus",
	}
	demoTitles = []func(r *rand.Rand) string{
		func(r *rand.Rand) string { return capitalize(pick(r, demoAdjectives) + " " + pick(r, demoThings)) },
		func(r *rand.Rand) string { return "Notes on " + pick(r, demoThings) },
		func(r *rand.Rand) string { return "The " + pick(r, demoAdjectives) + " walk to " + pick(r, demoPlaces) },
		func(r *rand.Rand) string { return "What I learned about " + pick(r, demoThings) },
		func(r *rand.Rand) string {
			return capitalize(pick(r, demoThings)) + " at " + pick(r, demoPlaces)
		},
		func(r *rand.Rand) string {
			return "In praise of " + pick(r, demoAdjectives) + " " + pick(r, demoThings)
		},
	}
	demoComments = []string{
		"Lovely, thank you for this.", "I know exactly what you mean.", "Same here!",
		"This made my day.", "Tell me more next time.", "Now I want to go there too.",
	}
	demoSentences = []func(r *rand.Rand) string{
		func(r *rand.Rand) string {
			return "Spent the " + pick(r, demoAdjectives) + " afternoon at " + pick(r, demoPlaces) + " thinking about " + pick(r, demoThings) + "."
		},
		func(r *rand.Rand) string {
			return "I never expected " + pick(r, demoThings) + " to feel so " + pick(r, demoAdjectives) + "."
		},
		func(r *rand.Rand) string {
			return "Someone at " + pick(r, demoPlaces) + " told me a story about " + pick(r, demoThings) + "."
		},
		func(r *rand.Rand) string {
			return "Tomorrow I want to try again, maybe with " + pick(r, demoThings) + "."
		},
		func(r *rand.Rand) string {
			return "The " + pick(r, demoAdjectives) + " light made everything look new."
		},
		func(r *rand.Rand) string {
			return "If you know anything about " + pick(r, demoThings) + ", tell me."
		},
		func(r *rand.Rand) string {
			return "Nothing beats " + pick(r, demoAdjectives) + " " + pick(r, demoThings) + " from " + pick(r, demoPlaces) + "."
		},
	}
)

// demoPost returns the title and body of post j of user i: the same every
// run, different from user to user.
func demoPost(i, j int) (title, body string) {
	r := rand.New(rand.NewPCG(uint64(i), uint64(j)))
	title = pick(r, demoTitles)(r)
	sentences := make([]string, 2+r.IntN(3))
	for k := range sentences {
		sentences[k] = pick(r, demoSentences)(r)
	}
	return title, strings.Join(sentences, " ")
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
