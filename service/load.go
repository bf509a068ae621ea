package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/synth"
)

// LoadStep is how far a Load has got: Done of Total in its Phase.
type LoadStep struct {
	Phase       string // "users", "posts and follows", "derived data"
	Done, Total int64
	Step        string // in "derived data": what is being derived
}

// loadWriters is how many transactions of posts and follows a Load
// writes at once.
const loadWriters = 2

// loadRowsPerTx is about how many posts and follows one transaction of a
// Load writes: large enough that commits cost little, small enough that
// a load cut off loses little.
var loadRowsPerTx = 100_000

// Load writes the data set that spec describes into a store that is
// empty, or that holds a Load of the same spec that was cut off, which it
// finishes; spec.End is set from the store's first user, or the clock. It
// writes in transactions of whole users (users first, then their posts
// and follows), each post checked by the rules of CreatePost, then
// derives the counters and timelines, so the store is as if every row had
// been written one by one. report is called after each transaction.
func (s *Service) Load(ctx context.Context, spec *synth.Spec, password string, report func(LoadStep)) error {
	loader, ok := s.store.(magpie.Loader)
	if !ok {
		return errors.New("load: this store cannot load in bulk")
	}
	if err := spec.Validate(); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if fe := (NewUser{Username: synth.Username(spec.Users), Password: password}).Validate(); len(fe) > 0 {
		return fe.Err()
	}
	progress, err := loader.LoadProgress(ctx)
	if err != nil {
		return err
	}
	if spec.End, err = s.loadEnd(ctx, progress, spec.Users); err != nil {
		return err
	}
	hash, err := s.passwords.Hash(ctx, password)
	if err != nil {
		return passwordError(err)
	}

	const usersPerTx = 10_000
	for first := progress.Users + 1; first <= spec.Users; first += usersPerTx {
		last := min(first+usersPerTx-1, spec.Users)
		users := make([]magpie.User, 0, last-first+1)
		for id := first; id <= last; id++ {
			users = append(users, magpie.User{ID: id, Username: synth.Username(id), DateJoined: spec.End})
		}
		if err := loader.LoadUsers(ctx, users, hash); err != nil {
			return err
		}
		report(LoadStep{Phase: "users", Done: last, Total: spec.Users})
	}

	// Each transaction holds whole users, so the highest user with rows
	// ends the last one that committed: go on after it.
	perTx := max(1, int64(loadRowsPerTx/max(1, spec.PostsPerUser+spec.FollowsPerUser)))
	start := int64(1)
	if progress.UsersWithPosts > 0 {
		start = ((progress.UsersWithPosts-1)/perTx+1)*perTx + 1
	}
	type batch struct {
		last    int64
		posts   []magpie.Post
		follows []magpie.Follow
		err     error
	}
	// The next batch is made while the last one is written.
	batches := make(chan batch, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		// The generator has stopped when Load returns.
		cancel()
		for range batches {
		}
	}()
	go func() {
		defer close(batches)
		for first := start; first <= spec.Users; first += perTx {
			b := batch{last: min(first+perTx-1, spec.Users)}
			for id := first; id <= b.last && b.err == nil; id++ {
				posts := spec.Posts(id)
				for _, p := range posts {
					if b.err = (NewPost{Title: p.Title, Body: p.Body}).Validate().Err(); b.err != nil {
						break
					}
				}
				b.posts = append(b.posts, posts...)
				b.follows = append(b.follows, spec.Follows(id)...)
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	// loadWriters transactions are written at once (on PostgreSQL a COPY
	// keeps a core busy computing its posts' search vectors), but each
	// commits only after the one before it, so the highest user with rows
	// still ends an unbroken run of committed transactions. The first is
	// written alone: it is the one that stashes the schema.
	writers, wctx := errgroup.WithContext(ctx)
	writers.SetLimit(loadWriters)
	committed := make(chan struct{})
	close(committed)
	for b := range batches {
		if b.err != nil {
			cancel()
			_ = writers.Wait()
			return b.err
		}
		if wctx.Err() != nil {
			break
		}
		previous, done := committed, make(chan struct{})
		committed = done
		writers.Go(func() error {
			err := loader.LoadPostsAndFollows(wctx, b.posts, b.follows, func(ctx context.Context) error {
				select {
				case <-previous:
				case <-ctx.Done():
				}
				return ctx.Err()
			})
			if err != nil {
				return err
			}
			// Before done: the reports come in order too.
			report(LoadStep{Phase: "posts and follows", Done: b.last, Total: spec.Users})
			close(done)
			return nil
		})
		if b.last <= start+perTx-1 {
			select {
			case <-done:
			case <-wctx.Done():
			}
		}
	}
	if err := writers.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	report(LoadStep{Phase: "derived data", Total: 1})
	step := func(name string) { report(LoadStep{Phase: "derived data", Total: 1, Step: name}) }
	if err := loader.FinishLoad(ctx, spec.TimelinesSince(), step); err != nil {
		return err
	}
	report(LoadStep{Phase: "derived data", Done: 1, Total: 1})
	return nil
}

// loadEnd is the End of a load: the time user1 joined, if a load began
// before, so that a load cut off goes on with the same data; else now.
// A store that holds anything else is refused.
func (s *Service) loadEnd(ctx context.Context, progress magpie.LoadProgress, users int64) (t time.Time, err error) {
	if progress.Users == 0 {
		return s.now(), nil
	}
	if progress.Users > users {
		return t, fmt.Errorf("load: the database holds %d users, more than the %d of the data set", progress.Users, users)
	}
	var first *magpie.User
	for _, id := range []int64{progress.Users, 1} {
		u, err := s.store.UserByID(ctx, id)
		if errors.Is(err, magpie.ErrNotFound) || err == nil && u.Username != synth.Username(id) {
			return t, errors.New("load: the database holds other data than a load of this data set; load into an empty one")
		}
		if err != nil {
			return t, err
		}
		first = u
	}
	return first.DateJoined, nil
}
