package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/postgres"
	"github.com/magpie-sns/magpie/postgres/postgrestest"
	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/ratelimit/limitertest"
	"github.com/magpie-sns/magpie/storetest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

// TestStore holds the store to the contract every magpie.Store keeps,
// each subtest in a fresh migrated schema.
func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) magpie.Store {
		return postgrestest.NewStore(t)
	})
}

// BenchmarkStore measures the token check and every list, in a migrated
// schema of its own as TestStore's subtests have.
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(tb testing.TB) magpie.Store { return postgrestest.NewStore(tb) })
}

// open returns a store on a fresh, unmigrated schema.
func open(t *testing.T) *postgres.DB {
	return openURL(t, postgrestest.NewSchema(t))
}

func openURL(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	t.Run("Idempotent", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		for i := range 3 {
			if err := db.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate #%d: %v", i+1, err)
			}
		}
	})

	t.Run("Pending", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		pending, err := db.Pending(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !pending {
			t.Error("fresh database: Pending = false, want true")
		}
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		pending, err = db.Pending(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if pending {
			t.Error("after Migrate: Pending = true, want false")
		}
	})

	// Several instances starting at once on one new database: the
	// advisory lock must make one migrate while the others wait.
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		url := postgrestest.NewSchema(t)
		const n = 2
		dbs := make([]*postgres.DB, n)
		for i := range dbs {
			db, err := postgres.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, db := range dbs {
			wg.Go(func() { errs[i] = db.Migrate(context.Background()) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Migrate #%d: %v", i+1, err)
			}
		}
		for i, db := range dbs {
			if pending, err := db.Pending(t.Context()); err != nil || pending {
				t.Errorf("instance %d: Pending = %v, %v; want false, nil", i+1, pending, err)
			}
		}
	})
}

func TestOpen(t *testing.T) {
	const password = "s3cret-Pa55word"

	// These fail without a server: nothing listens on port 1, and the
	// others do not parse.
	for name, url := range map[string]string{
		"Unreachable": "postgres://magpie:" + password + "@127.0.0.1:1/magpie?sslmode=disable&connect_timeout=5",
		"BadPort":     "postgres://magpie:" + password + "@127.0.0.1:notaport/magpie",
		"BadOption":   "postgresql://magpie:" + password + "@127.0.0.1/magpie?pool_max_conns=zero",
		"BadEscape":   "postgres://magpie:" + password + "%zz@127.0.0.1/magpie",
		"NotPostgres": "mysql://magpie:" + password + "@127.0.0.1/magpie",
	} {
		t.Run(name, func(t *testing.T) {
			db, err := postgres.Open(t.Context(), url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error shows the password: %v", err)
			}
			t.Log(err)
		})
	}

	t.Run("OK", func(t *testing.T) {
		db := open(t)
		if err := db.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

// The database keeps the contract of every rate limiter.
func TestRateLimiter(t *testing.T) {
	t.Parallel()
	limitertest.Run(t, func(t *testing.T) ratelimit.Limiter { return postgrestest.NewStore(t) })
}

func TestDeleteSpentRateLimits(t *testing.T) {
	t.Parallel()
	db := postgrestest.NewStore(t)
	short := ratelimit.Rate{Limit: 1, Period: time.Second}
	long := ratelimit.Rate{Limit: 1, Period: time.Hour}
	for _, key := range []string{"a", "b"} {
		if _, err := db.Allow(t.Context(), key, short); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Allow(t.Context(), "c", long); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	n, err := db.DeleteSpentRateLimits(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("DeleteSpentRateLimits = %d, %v; want 2", n, err)
	}
	if res, err := db.Allow(t.Context(), "c", long); err != nil || res.Allowed {
		t.Errorf("the count of a live key was lost: %+v, %v", res, err)
	}
}

// Two transactions that lock two rows in opposite orders deadlock;
// PostgreSQL rolls one back (rarely both), and the store runs it again:
// both succeed.
func TestDeadlockedTxRunsAgain(t *testing.T) {
	t.Parallel()
	db := postgrestest.NewStore(t)
	var ids [2]int64
	for i, name := range []string{"a", "b"} {
		u := &magpie.User{Username: name, DateJoined: time.Now()}
		if err := db.CreateUser(t.Context(), u, "hash"); err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	var (
		firstLocks sync.WaitGroup
		attempts   atomic.Int32
		wg         sync.WaitGroup
		errs       [2]error
	)
	firstLocks.Add(2)
	for i := range 2 {
		wg.Go(func() {
			first := true
			errs[i] = postgres.InTx(t.Context(), db, func(exec func(string, ...any) error) error {
				attempts.Add(1)
				if err := exec(`UPDATE users SET bio = 'x' WHERE id = $1`, ids[i]); err != nil {
					return err
				}
				if first {
					first = false
					firstLocks.Done()
					firstLocks.Wait()
				}
				return exec(`UPDATE users SET bio = 'y' WHERE id = $1`, ids[1-i])
			})
		})
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || attempts.Load() < 3 {
		t.Errorf("errors %v, %d attempts; want none, and a run again", errs, attempts.Load())
	}
}

// A statement or commit on a connection lost earlier in its transaction
// fails with pgx's "conn closed": the database is unavailable (503), not
// broken (500).
func TestConnClosedIsUnavailable(t *testing.T) {
	err := postgres.StoreError("create posts", fmt.Errorf("commit: %w", pgconn.ErrConnClosed))
	if !errors.Is(err, magpie.ErrUnavailable) {
		t.Errorf("got %v, want ErrUnavailable", err)
	}
	if err := postgres.StoreError("create posts", errors.New("conn busy")); errors.Is(err, magpie.ErrUnavailable) {
		t.Errorf("any error at all is unavailable: %v", err)
	}
}
