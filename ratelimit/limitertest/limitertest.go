// Package limitertest is the contract every ratelimit.Limiter keeps,
// written once and run against each store of counts.
package limitertest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-sns/magpie/ratelimit"
)

// Run runs the contract. newLimiter returns a limiter whose counts are
// fresh; keys are made unique per test as well, so a shared store works.
func Run(t *testing.T, newLimiter func(t *testing.T) ratelimit.Limiter) {
	tests := []struct {
		name string
		run  func(t *testing.T, l ratelimit.Limiter, key string)
	}{
		{"BurstThenRefused", testBurst},
		{"PeekCountsNothing", testPeek},
		{"KeysAreSeparate", testKeys},
		{"Refills", testRefill},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newLimiter(t), fmt.Sprintf("test:%s:%d", t.Name(), time.Now().UnixNano()))
		})
	}
}

func allow(t *testing.T, l ratelimit.Limiter, key string, rate ratelimit.Rate) ratelimit.Result {
	t.Helper()
	res, err := l.Allow(t.Context(), key, rate)
	if err != nil {
		t.Fatalf("Allow(%s): %v", key, err)
	}
	return res
}

// A bucket of Limit events allows Limit at once, each leaving one fewer,
// then refuses, saying when to retry.
func testBurst(t *testing.T, l ratelimit.Limiter, key string) {
	rate := ratelimit.Rate{Limit: 5, Period: time.Hour}
	for i := range rate.Limit {
		res := allow(t, l, key, rate)
		if !res.Allowed || res.Remaining != rate.Limit-1-i || res.Limit != rate.Limit {
			t.Fatalf("event %d: %+v, want allowed with %d remaining", i+1, res, rate.Limit-1-i)
		}
	}
	res := allow(t, l, key, rate)
	if res.Allowed || res.Remaining != 0 {
		t.Fatalf("event %d: %+v, want refused", rate.Limit+1, res)
	}
	// One event comes back every Period/Limit = 12 minutes.
	if res.RetryAfter <= 11*time.Minute || res.RetryAfter > 12*time.Minute+time.Second {
		t.Errorf("RetryAfter %v, want about 12m", res.RetryAfter)
	}
	if res.ResetAfter <= 59*time.Minute || res.ResetAfter > time.Hour+time.Second {
		t.Errorf("ResetAfter %v, want about 1h", res.ResetAfter)
	}
}

func testPeek(t *testing.T, l ratelimit.Limiter, key string) {
	rate := ratelimit.Rate{Limit: 2, Period: time.Hour}
	for range 5 {
		res, err := l.Peek(t.Context(), key, rate)
		if err != nil || !res.Allowed {
			t.Fatalf("Peek of a fresh key: %+v, %v", res, err)
		}
	}
	allow(t, l, key, rate)
	allow(t, l, key, rate)
	res, err := l.Peek(t.Context(), key, rate)
	if err != nil || res.Allowed || res.RetryAfter <= 0 {
		t.Fatalf("Peek of a spent key: %+v, %v; want refused with a RetryAfter", res, err)
	}
}

func testKeys(t *testing.T, l ratelimit.Limiter, key string) {
	rate := ratelimit.Rate{Limit: 1, Period: time.Hour}
	allow(t, l, key+":a", rate)
	if res := allow(t, l, key+":a", rate); res.Allowed {
		t.Fatal("a spent key allowed another event")
	}
	if res := allow(t, l, key+":b", rate); !res.Allowed {
		t.Fatal("another key is refused")
	}
}

// The bucket refills with time: one event per Period/Limit.
func testRefill(t *testing.T, l ratelimit.Limiter, key string) {
	rate := ratelimit.Rate{Limit: 2, Period: 2 * time.Second}
	allow(t, l, key, rate)
	allow(t, l, key, rate)
	if res := allow(t, l, key, rate); res.Allowed {
		t.Fatal("a spent key allowed another event")
	}
	time.Sleep(1100 * time.Millisecond)
	if res := allow(t, l, key, rate); !res.Allowed {
		t.Fatalf("after one interval: %+v, want allowed", res)
	}
}

// Racing events are counted exactly: the store decides atomically.
func testConcurrent(t *testing.T, l ratelimit.Limiter, key string) {
	rate := ratelimit.Rate{Limit: 20, Period: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			res, err := l.Allow(t.Context(), key, rate)
			if err != nil {
				t.Error(err)
				return
			}
			if res.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != int64(rate.Limit) {
		t.Errorf("%d of 50 racing events allowed, want %d", n, rate.Limit)
	}
}
