package service_test

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
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
	"github.com/magpie-sns/magpie/synth"
)

const loadPassword = "load-password"

// feeds reads every user's whole feed through the service, as titles
// and times: what a client would see.
func feeds(t *testing.T, svc *service.Service, users int64) []string {
	t.Helper()
	var all []string
	for id := int64(1); id <= users; id++ {
		caller := &magpie.User{ID: id, IsActive: true}
		page := magpie.Page{Limit: 50}
		for {
			list, err := svc.Feed(t.Context(), caller, page)
			if err != nil {
				t.Fatalf("Feed(user%d): %v", id, err)
			}
			for _, p := range list.Items {
				all = append(all, fmt.Sprintf("user%d: %d %s %s", id, p.OwnerID, p.CreatedAt.Format("2006-01-02T15:04:05.000000"), p.Title))
			}
			if list.Next == nil {
				break
			}
			page.After = list.Next
		}
	}
	return all
}

// A load cut off between two transactions goes on where it stopped when
// run again, and ends with the data of a load never cut off; the
// password is every user's.
func TestLoadResumes(t *testing.T) {
	defer service.SetLoadRowsPerTx(40)()
	spec := synth.Spec{Users: 30, PostsPerUser: 5, FollowsPerUser: 3, Skew: true}

	whole, _ := newService(t)
	if err := whole.Load(t.Context(), &spec, loadPassword, func(service.LoadStep) {}); err != nil {
		t.Fatal(err)
	}

	svc, _ := newService(t)
	ctx, cancel := context.WithCancel(t.Context())
	var steps int
	err := svc.Load(ctx, &spec, loadPassword, func(s service.LoadStep) {
		if s.Phase == "posts and follows" {
			if steps++; steps == 2 {
				cancel()
			}
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the load cut off returned %v", err)
	}
	var resumed []service.LoadStep
	if err := svc.Load(t.Context(), &spec, loadPassword, func(s service.LoadStep) { resumed = append(resumed, s) }); err != nil {
		t.Fatal(err)
	}
	// 40 rows a transaction: 5 users each; two of them were written.
	if i := slices.IndexFunc(resumed, func(s service.LoadStep) bool { return s.Phase == "posts and follows" }); i < 0 || resumed[i].Done != 15 {
		t.Errorf("the second load's steps: %+v, want posts and follows from user 11 on, first done 15", resumed)
	}
	if got, want := feeds(t, svc, spec.Users), feeds(t, whole, spec.Users); !slices.Equal(got, want) {
		t.Errorf("the resumed load's feeds differ from a whole load's:\n got %d entries\nwant %d", len(got), len(want))
	}
	if _, err := svc.LogIn(t.Context(), service.Credentials{Username: "user17", Password: loadPassword}); err != nil {
		t.Errorf("logging in as a loaded user: %v", err)
	}
	// Once more: a finished load has nothing left but to finish again.
	if err := svc.Load(t.Context(), &spec, loadPassword, func(service.LoadStep) {}); err != nil {
		t.Errorf("a third load: %v", err)
	}
}

// Load refuses what it cannot make into the data set.
func TestLoadRefuses(t *testing.T) {
	ctx := t.Context()
	noop := func(service.LoadStep) {}
	spec := synth.Spec{Users: 10, PostsPerUser: 2, FollowsPerUser: 2}

	svc, _ := newService(t)
	for _, tc := range []struct {
		spec     synth.Spec
		password string
		want     string
	}{
		{synth.Spec{Users: 0}, loadPassword, "at least 1 user"},
		{synth.Spec{Users: 3, FollowsPerUser: 3}, loadPassword, "cannot each follow"},
		{spec, "short", "password"},
	} {
		if err := svc.Load(ctx, &tc.spec, tc.password, noop); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%+v, %q) = %v, want an error saying %q", tc.spec, tc.password, err, tc.want)
		}
	}

	// A database with other users in it.
	mustUser(t, svc, "alice", false)
	if err := svc.Load(ctx, &spec, loadPassword, noop); err == nil || !strings.Contains(err.Error(), "other data") {
		t.Errorf("a load into a database with alice in it: %v", err)
	}

	// A smaller data set than the one loaded.
	loaded, _ := newService(t)
	if err := loaded.Load(ctx, &spec, loadPassword, noop); err != nil {
		t.Fatal(err)
	}
	smaller := spec
	smaller.Users = 5
	if err := loaded.Load(ctx, &smaller, loadPassword, noop); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a load of 5 users into 10: %v", err)
	}
}

// watchedLoader is a store whose loads of posts and follows take a
// while, and which records how many run at once and in which order they
// commit (by their first post's owner).
type watchedLoader struct {
	*sqlite.DB
	mu             sync.Mutex
	running, most  int
	firstRunning   bool
	firstRanBeside bool
	committed      []int64
}

func (l *watchedLoader) LoadPostsAndFollows(ctx context.Context, posts []magpie.Post, follows []magpie.Follow, ready func(context.Context) error) error {
	first := posts[0].OwnerID == 1
	l.mu.Lock()
	l.running++
	l.most = max(l.most, l.running)
	l.firstRunning = l.firstRunning || first
	l.firstRanBeside = l.firstRanBeside || l.firstRunning && l.running > 1
	l.mu.Unlock()
	// Later batches are quicker than earlier ones, so they would commit
	// first if nothing held them back.
	time.Sleep(time.Duration(20-posts[0].OwnerID%20) * time.Millisecond)
	err := l.DB.LoadPostsAndFollows(ctx, posts, follows, func(ctx context.Context) error {
		if err := ready(ctx); err != nil {
			return err
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.committed = append(l.committed, posts[0].OwnerID)
		return nil
	})
	l.mu.Lock()
	l.running--
	l.firstRunning = l.firstRunning && !first
	l.mu.Unlock()
	return err
}

// Load writes two transactions at once but commits them in order, the
// first alone, and ends with the data of one writer.
func TestLoadCommitsInOrder(t *testing.T) {
	defer service.SetLoadRowsPerTx(16)()
	spec := synth.Spec{Users: 40, PostsPerUser: 3, FollowsPerUser: 1}
	whole, _ := newService(t)
	if err := whole.Load(t.Context(), &spec, loadPassword, func(service.LoadStep) {}); err != nil {
		t.Fatal(err)
	}

	db, err := sqlite.Open(t.Context(), sqlitetest.NewFile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	watched := &watchedLoader{DB: db}
	end := spec.End // the same data: the same end
	svc := service.New(service.Config{Store: watched, Passwords: cheapPasswords, Now: func() time.Time { return end }})
	var reported []int64
	if err := svc.Load(t.Context(), &spec, loadPassword, func(s service.LoadStep) {
		if s.Phase == "posts and follows" {
			reported = append(reported, s.Done)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// 16 rows a transaction: 4 users each, 10 transactions.
	want := []int64{1, 5, 9, 13, 17, 21, 25, 29, 33, 37}
	if !slices.Equal(watched.committed, want) {
		t.Errorf("transactions committed in the order of their first users %v, want %v", watched.committed, want)
	}
	if !slices.Equal(reported, []int64{4, 8, 12, 16, 20, 24, 28, 32, 36, 40}) {
		t.Errorf("progress reported %v", reported)
	}
	if watched.most != 2 || watched.firstRanBeside {
		t.Errorf("at most %d loads at once (want 2), the first beside another: %v", watched.most, watched.firstRanBeside)
	}
	if got, want := feeds(t, svc, spec.Users), feeds(t, whole, spec.Users); !slices.Equal(got, want) {
		t.Errorf("the feeds differ from a load's by one writer:\n got %d entries\nwant %d", len(got), len(want))
	}
}
