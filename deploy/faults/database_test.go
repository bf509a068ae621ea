//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/magpie-sns/magpie/postgres/postgrestest"
)

// load sends, from workers goroutines until ctx ends, a post and a read of
// the post list each in turn, and records every answer by phase.
type load struct {
	mu      sync.Mutex
	phase   string
	replies map[string][]reply
	posted  []int64 // the ids of the posts acknowledged with 201
}

func runLoad(ctx context.Context, url, authz string, workers int) (*load, *sync.WaitGroup) {
	l := &load{phase: "before", replies: map[string][]reply{}}
	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				// A reply counts in the phase its request was sent in:
				// one sent while the database stalled may come back after.
				phase := l.currentPhase()
				var r reply
				if i%2 == 0 {
					r = call(ctx, client, "POST", url+"/blog/post/", authz, nil, map[string]string{"title": fmt.Sprintf("w%d-%d", w, i), "body": "load"})
				} else {
					r = call(ctx, client, "GET", url+"/blog/post/", authz, nil, nil)
				}
				if ctx.Err() != nil {
					return
				}
				l.record(phase, r)
				if r.status == 0 || r.status >= 500 {
					time.Sleep(20 * time.Millisecond) // as a client backing off
				}
			}
		})
	}
	return l, &wg
}

func (l *load) currentPhase() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.phase
}

func (l *load) record(phase string, r reply) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.replies[phase] = append(l.replies[phase], r)
	if r.status == http.StatusCreated {
		var p struct{ ID int64 }
		if json.Unmarshal(r.body, &p) == nil {
			l.posted = append(l.posted, p.ID)
		}
	}
}

func (l *load) setPhase(phase string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.phase = phase
}

// summary counts a phase's answers by status and gives their slowest.
func (l *load) summary(phase string) (map[int]int, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	counts := map[int]int{}
	var slowest time.Duration
	for _, r := range l.replies[phase] {
		counts[r.status]++
		slowest = max(slowest, r.took)
	}
	return counts, slowest
}

// checkStored fails unless every acknowledged post is in the database,
// once.
func checkStored(t *testing.T, dbURL string, posted []int64) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(), `SELECT id FROM posts WHERE id = ANY($1)`, posted)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(stored)
	want := slices.Clone(posted)
	slices.Sort(want)
	if !slices.Equal(stored, slices.Compact(want)) || len(want) != len(slices.Compact(slices.Clone(want))) {
		t.Errorf("%d posts acknowledged, %d of them in the database", len(posted), len(stored))
	}
	t.Logf("posts acknowledged %d, all in the database", len(posted))
}

// viaProxy is the URL of a fresh database, reached through p.
func viaProxy(t *testing.T, dbURL, proxyAddr string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = proxyAddr
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	return u.String()
}

// An unreachable database: fast 503s with Retry-After, /ready/ fails,
// and when it is back, everything works again without a restart;
// nothing acknowledged is lost.
func TestDatabaseUnreachable(t *testing.T) {
	admin := os.Getenv(postgrestest.EnvURL)
	if admin == "" {
		t.Skip(postgrestest.EnvURL + " not set")
	}
	adminURL, _ := url.Parse(admin)
	dbURL := postgrestest.NewDatabase(t)
	p := newProxy(t, adminURL.Host)
	s := startServe(t, nil, "--database", viaProxy(t, dbURL, p.addr), "--rate-limit", "off", "--metrics-addr", "",
		"--request-timeout", "3s")
	authz := signup(t, s.url, "writer")

	ctx, stop := context.WithCancel(t.Context())
	l, wg := runLoad(ctx, s.url, authz, 4)
	time.Sleep(2 * time.Second)

	l.setPhase("down")
	p.cut()
	time.Sleep(time.Second)
	s.waitStatus("/ready/", http.StatusServiceUnavailable, 5*time.Second)
	time.Sleep(3 * time.Second)

	l.setPhase("recovering")
	p.restore(t)
	s.waitStatus("/ready/", http.StatusOK, 10*time.Second)
	l.setPhase("after")
	time.Sleep(2 * time.Second)
	stop()
	wg.Wait()

	for _, phase := range []string{"before", "down", "recovering", "after"} {
		counts, slowest := l.summary(phase)
		t.Logf("%-10s statuses %v, slowest %v", phase, counts, slowest.Round(time.Millisecond))
		for status, n := range counts {
			if status == 0 || status >= 500 && status != http.StatusServiceUnavailable {
				t.Errorf("%s: %d answers with status %d", phase, n, status)
			}
		}
	}
	down, slowest := l.summary("down")
	if down[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 while the database was down")
	}
	if slowest > 2*time.Second {
		t.Errorf("the slowest answer while the database was down took %v, want fast 503s", slowest)
	}
	after, _ := l.summary("after")
	if after[http.StatusCreated] == 0 || after[http.StatusOK] == 0 || len(after) != 2 {
		t.Errorf("after the database came back: %v, want only 200 and 201", after)
	}
	checkStored(t, dbURL, l.posted)
}

// A database that stops answering, connections open: 503 at the request
// deadline, not a hang; when it answers again, so does Magpie.
func TestDatabaseStalls(t *testing.T) {
	admin := os.Getenv(postgrestest.EnvURL)
	if admin == "" {
		t.Skip(postgrestest.EnvURL + " not set")
	}
	adminURL, _ := url.Parse(admin)
	dbURL := postgrestest.NewDatabase(t)
	p := newProxy(t, adminURL.Host)
	const deadline = 2 * time.Second
	s := startServe(t, nil, "--database", viaProxy(t, dbURL, p.addr), "--rate-limit", "off", "--metrics-addr", "",
		"--request-timeout", deadline.String())
	authz := signup(t, s.url, "writer")

	ctx, stop := context.WithCancel(t.Context())
	l, wg := runLoad(ctx, s.url, authz, 4)
	time.Sleep(2 * time.Second)
	l.setPhase("stalled")
	p.stall()
	time.Sleep(6 * time.Second)
	l.setPhase("resumed")
	p.resume()
	s.waitStatus("/ready/", http.StatusOK, 10*time.Second)
	l.setPhase("after")
	time.Sleep(2 * time.Second)
	stop()
	wg.Wait()

	for _, phase := range []string{"before", "stalled", "resumed", "after"} {
		counts, slowest := l.summary(phase)
		t.Logf("%-8s statuses %v, slowest %v", phase, counts, slowest.Round(time.Millisecond))
		for status, n := range counts {
			if status == 0 || status >= 500 && status != http.StatusServiceUnavailable {
				t.Errorf("%s: %d answers with status %d", phase, n, status)
			}
		}
	}
	stalled, slowest := l.summary("stalled")
	if stalled[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 while the database was stalled")
	}
	if slowest > deadline+time.Second {
		t.Errorf("the slowest answer while stalled took %v, want about the %v deadline", slowest, deadline)
	}
	after, _ := l.summary("after")
	if after[http.StatusCreated] == 0 || len(after) != 2 {
		t.Errorf("after the stall: %v, want only 200 and 201", after)
	}
	checkStored(t, dbURL, l.posted)
}
