//go:build faults

package faults

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A flood of wrong-password logins from one address, sent and abandoned:
// the flood gets 429s and 503s, a legitimate login from elsewhere during
// it is answered in well under a second, and the server stops working
// within a second of the flood's clients leaving. Before rate limits and
// a context-aware password queue, 400 such logins kept the server hashing
// for about 23 s, and a sign-up during them took 17.9 s.
func TestLoginFlood(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, nil, "--database", "sqlite://"+filepath.Join(dir, "m.db"), "--metrics-addr", "",
		"--trusted-proxies", "127.0.0.1")
	signup(t, s.url, "victim")
	signup(t, s.url, "legit")

	const attempts, attackers = 400, 100
	flood := map[string]string{"X-Forwarded-For": "203.0.113.7"}
	var statuses sync.Map
	var wg sync.WaitGroup
	next := atomic.Int64{}
	start := time.Now()
	for range attackers {
		wg.Go(func() {
			// Each attacker gives up on its requests after 0.4 s, as a
			// flood that fires and forgets.
			client := &http.Client{Timeout: 400 * time.Millisecond}
			for next.Add(1) <= attempts {
				r := call(context.Background(), client, "POST", s.url+"/auth/token/", "", flood,
					map[string]string{"username": "victim", "password": "wrong-password"})
				n, _ := statuses.LoadOrStore(r.status, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	r := call(t.Context(), http.DefaultClient, "POST", s.url+"/auth/token/", "", map[string]string{"X-Forwarded-For": "198.51.100.9"},
		map[string]string{"username": "legit", "password": "legit-secret-pw"})
	legit := r.took
	wg.Wait()
	left := time.Now()
	counts := map[int]int64{}
	statuses.Range(func(k, v any) bool { counts[k.(int)] = v.(*atomic.Int64).Load(); return true })
	t.Logf("flood of %d logins in %v: statuses %v (0: the client gave up)", attempts, left.Sub(start).Round(time.Millisecond), counts)
	t.Logf("a legitimate login during it: %d in %v", r.status, legit.Round(time.Millisecond))
	if r.status != http.StatusOK || legit > time.Second {
		t.Errorf("legitimate login during the flood: %d in %v, want 200 within 1 s", r.status, legit)
	}
	if counts[http.StatusTooManyRequests] < attempts/2 {
		t.Errorf("%d of %d flood logins got 429", counts[http.StatusTooManyRequests], attempts)
	}
	for status := range counts {
		if status >= 500 && status != http.StatusServiceUnavailable {
			t.Errorf("%d flood logins got %d", counts[status], status)
		}
	}

	time.Sleep(time.Second)
	busy := s.cpu()
	time.Sleep(2 * time.Second)
	if spent := s.cpu() - busy; spent > 200*time.Millisecond {
		t.Errorf("the server used %v of CPU from 1 s to 3 s after the flood's clients left, want it idle", spent)
	} else {
		t.Logf("CPU used from 1 s to 3 s after the flood's clients left: %v", spent)
	}
}

// A burst of posts on SQLite: the WAL file stays bounded, as every write
// commits with its own COMMIT statement (which lets SQLite checkpoint) and
// journal_size_limit truncates it after a checkpoint.
func TestSQLiteWALStaysBounded(t *testing.T) {
	const writers, walBound = 64, 64 << 20
	burst := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("MAGPIE_WAL_BURST")); err == nil {
		burst = d
	}
	dir := t.TempDir()
	db := "sqlite://" + filepath.Join(dir, "m.db")
	seed := exec.Command(bin, "seed", "--users", fmt.Sprint(writers), "--posts", "0", "--database", db)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	s := startServe(t, nil, "--database", db, "--rate-limit", "off", "--metrics-addr", "", "--log-level", "info")
	tokens := make([]string, writers)
	for i := range tokens {
		tokens[i] = login(t, s.url, fmt.Sprintf("user%d", i+1), "magpie-demo")
	}

	ctx, stop := context.WithTimeout(t.Context(), burst)
	defer stop()
	var posted, failed atomic.Int64
	var wg sync.WaitGroup
	for _, authz := range tokens {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			for i := 0; ctx.Err() == nil; i++ {
				r := call(ctx, client, "POST", s.url+"/blog/post/", authz, nil, map[string]string{"title": fmt.Sprint("p", i), "body": "burst"})
				switch {
				case ctx.Err() != nil:
				case r.status == http.StatusCreated:
					posted.Add(1)
				default:
					failed.Add(1)
				}
			}
		})
	}
	var sizes []int64
	wal := filepath.Join(dir, "m.db-wal")
	for ctx.Err() == nil {
		if info, err := os.Stat(wal); err == nil {
			sizes = append(sizes, info.Size())
		}
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()
	peak := slices.Max(append(sizes, 0))
	main, _ := os.Stat(filepath.Join(dir, "m.db"))
	t.Logf("%d posts in %v by %d writers (%d failed); WAL at most %.1f MiB, database %.1f MiB",
		posted.Load(), burst, writers, failed.Load(), float64(peak)/(1<<20), float64(main.Size())/(1<<20))
	if failed.Load() > 0 {
		t.Errorf("%d posts failed", failed.Load())
	}
	if peak > walBound {
		t.Errorf("the WAL grew to %d bytes, over %d", peak, walBound)
	}
}

// A long mixed load, watched through /metrics: no heap growth from the
// first minutes to the last, and once the load has stopped and its
// connections closed, no more goroutines than before it began. (Under load
// their number follows the requests in flight, not leaks.)
func TestSoak(t *testing.T) {
	length := 2 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("MAGPIE_SOAK")); err == nil {
		length = d
	}
	dir := t.TempDir()
	db := "sqlite://" + filepath.Join(dir, "m.db")
	seed := exec.Command(bin, "seed", "--users", "20", "--database", db)
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	s := startServe(t, nil, "--database", db, "--rate-limit", "off", "--metrics-addr", "127.0.0.1:0", "--log-level", "info")
	if s.metrics == "" {
		t.Fatal("no metrics address in the log")
	}
	tokens := make([]string, 20)
	for i := range tokens {
		tokens[i] = login(t, s.url, fmt.Sprintf("user%d", i+1), "magpie-demo")
	}
	goroutinesBefore := scrape(t, s.metrics, "go_goroutines")["go_goroutines"]
	ctx, stop := context.WithTimeout(t.Context(), length)
	defer stop()
	var requests, failed atomic.Int64
	var wg sync.WaitGroup
	// One connection per worker, kept: a steady load.
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	for w := range 16 {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second, Transport: transport}
			authz := tokens[w%len(tokens)]
			paths := []string{"/blog/post/following_post/", "/blog/post/", "/users/", "/blog/post/my_post/"}
			for i := 0; ctx.Err() == nil; i++ {
				var r reply
				if i%10 == 0 {
					r = call(ctx, client, "POST", s.url+"/blog/post/", authz, nil, map[string]string{"title": "soak", "body": "soak"})
				} else {
					r = call(ctx, client, "GET", s.url+paths[i%len(paths)], authz, nil, nil)
				}
				if ctx.Err() != nil {
					return
				}
				requests.Add(1)
				if r.status >= 400 || r.status == 0 {
					failed.Add(1)
				}
				time.Sleep(2 * time.Millisecond) // a steady load, not a flood
			}
		})
	}
	var heaps []float64
	for ctx.Err() == nil {
		heaps = append(heaps, scrape(t, s.metrics, "go_memstats_heap_inuse_bytes")["go_memstats_heap_inuse_bytes"])
		select {
		case <-ctx.Done():
		case <-time.After(length / 12):
		}
	}
	wg.Wait()
	transport.CloseIdleConnections()
	if len(heaps) < 6 {
		t.Fatalf("only %d samples", len(heaps))
	}
	median := func(xs []float64) float64 {
		xs = slices.Clone(xs)
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	// The first sample is taken before the load has warmed up.
	hEarly, hLate := median(heaps[1:4]), median(heaps[len(heaps)-3:])
	// The server's side of the closed connections ends shortly after.
	var goroutinesAfter float64
	for range 50 {
		if goroutinesAfter = scrape(t, s.metrics, "go_goroutines")["go_goroutines"]; goroutinesAfter <= goroutinesBefore {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d requests in %v (%d failed); goroutines idle before %.0f, after %.0f; heap in use %.1f → %.1f MiB",
		requests.Load(), length, failed.Load(), goroutinesBefore, goroutinesAfter, hEarly/(1<<20), hLate/(1<<20))
	if failed.Load() > 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if goroutinesAfter > goroutinesBefore+2 {
		t.Errorf("goroutines: %.0f when idle before the load, %.0f once it had ended", goroutinesBefore, goroutinesAfter)
	}
	if hLate > 1.5*hEarly+8<<20 {
		t.Errorf("heap in use grew from %.1f to %.1f MiB", hEarly/(1<<20), hLate/(1<<20))
	}
}
