package main

import (
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// load is the traffic of a run: operations picked from a mix, each made
// by a random logged-in user.
type load struct {
	client *client
	users  []user // at least two when the mix follows or unfollows
	mix    mix
}

// schedule is how requests are sent: with rate > 0 in an open loop, at
// most maxInFlight outstanding; otherwise in a closed loop of concurrency
// workers.
type schedule struct {
	concurrency int
	rate        float64 // requests a second
	maxInFlight int
}

// run sends requests on s for d (0: no time limit) or until limit requests
// have been sent or scheduled (0: no limit), whichever comes first, and
// until ctx is done. It returns how long it took, from the first send to
// the last answer.
func (l *load) run(ctx context.Context, s schedule, d time.Duration, limit int64, rec *recorder) time.Duration {
	if s.rate > 0 {
		return l.openLoop(ctx, s.rate, s.maxInFlight, d, limit, rec)
	}
	return l.closedLoop(ctx, s.concurrency, d, limit, rec)
}

// closedLoop runs workers that each send a request, wait for its answer,
// and send the next. Latency is timed from the actual send, so a server
// that slows down is sent less: a closed loop measures the throughput at
// a concurrency, and hides latency (coordinated omission); openLoop
// measures latency at a rate.
func (l *load) closedLoop(ctx context.Context, workers int, d time.Duration, limit int64, rec *recorder) time.Duration {
	start := time.Now()
	var sent atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && (d == 0 || time.Since(start) < d) {
				if limit > 0 && sent.Add(1) > limit {
					return
				}
				l.send(ctx, time.Now(), rec)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// openLoop sends rate requests a second on a fixed schedule, each in a
// goroutine of its own, whether or not the earlier ones have been
// answered, and times each from the moment it was due. A server that
// stalls for a second is charged for every request due in that second,
// not for one. At most maxInFlight requests are outstanding: one due
// while that many are is not sent, and is counted as dropped.
//
// The pacer is written here on the standard library rather than taken
// from vegeta (v12.13.0): its Attacker times a request from when a worker
// takes it up, not from when it was due, and once it has MaxWorkers
// workers its pacer waits for a free one and sends late rather than
// dropping, which is the coordinated omission an open loop is for
// avoiding. A due time and a counter are a few lines; vegeta's library
// would bring tdigest, easyjson, dnscache and x/net with it.
func (l *load) openLoop(ctx context.Context, rate float64, maxInFlight int, d time.Duration, limit int64, rec *recorder) time.Duration {
	start := time.Now()
	interval := float64(time.Second) / rate
	var inFlight atomic.Int64
	var wg sync.WaitGroup
	for i := int64(0); limit == 0 || i < limit; i++ {
		offset := time.Duration(float64(i) * interval)
		if d > 0 && offset >= d {
			break
		}
		due := start.Add(offset)
		// A pacer that fell behind sends at once: the schedule is absolute,
		// so it catches up, and the delay counts in the latency.
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		if ctx.Err() != nil {
			break
		}
		if inFlight.Load() >= int64(maxInFlight) {
			rec.drop()
			continue
		}
		inFlight.Add(1)
		wg.Go(func() {
			defer inFlight.Add(-1)
			l.send(ctx, due, rec)
		})
	}
	wg.Wait()
	return time.Since(start)
}

// send makes one request of the mix and records it, timed from start. A
// request cut short because ctx is done (the bench was interrupted) is
// not recorded: it says nothing about the server.
func (l *load) send(ctx context.Context, start time.Time, rec *recorder) {
	res := l.hit(ctx, start)
	if res.err != nil && ctx.Err() != nil {
		return
	}
	rec.add(res)
}

// hit makes one request of the mix and reads its response to the end, so
// that its connection can carry the next.
func (l *load) hit(ctx context.Context, start time.Time) result {
	o := l.mix.pick(rand.IntN(l.mix.total))
	i := rand.IntN(len(l.users))
	var other user
	if o.needsOther() {
		// Anyone but the user: following oneself is a 400.
		j := rand.IntN(len(l.users) - 1)
		if j >= i {
			j++
		}
		other = l.users[j]
	}
	req, err := l.client.opRequest(ctx, o, l.users[i], other)
	if err != nil {
		return result{op: o, err: err}
	}
	res, err := l.client.http.Do(req)
	if err != nil {
		return result{op: o, latency: time.Since(start), err: err}
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		return result{op: o, latency: time.Since(start), err: err}
	}
	return result{op: o, status: res.StatusCode, latency: time.Since(start)}
}
