// Package ratelimit counts what clients do, so that the server can refuse
// what is too much. It counts with the generic cell rate algorithm (GCRA):
// per key, one timestamp, the theoretical arrival time of the next event,
// which a store keeps and every instance of Magpie shares (Redis or
// PostgreSQL), or which a single instance keeps in memory.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Rate allows Limit events per Period, in bursts of up to Limit.
type Rate struct {
	Limit  int
	Period time.Duration
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Limit, r.Period) }

// interval is the time one event uses up: the bucket refills one event
// per interval.
func (r Rate) interval() time.Duration { return r.Period / time.Duration(r.Limit) }

// Result is what a limiter decided about one event.
type Result struct {
	Allowed    bool
	Limit      int
	Remaining  int           // events allowed right after this one
	RetryAfter time.Duration // if not allowed: when one will be
	ResetAfter time.Duration // when the bucket is full again
}

// Limiter counts events by key. A Limiter is safe for concurrent use.
type Limiter interface {
	// Allow counts one event of key, if rate allows it now.
	Allow(ctx context.Context, key string, rate Rate) (Result, error)
	// Peek reports whether rate would allow an event of key now,
	// without counting one: for checks before work whose failure alone
	// counts, such as verifying a password.
	Peek(ctx context.Context, key string, rate Rate) (Result, error)
}

// gcra decides an event at now for a key whose stored theoretical arrival
// time is tat (zero if none): the result, and the tat to store if the
// event is counted. The Redis script and the PostgreSQL function compute
// the same.
func gcra(tat, now time.Time, rate Rate) (Result, time.Time) {
	interval := rate.interval()
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(interval)
	diff := now.Sub(newTAT.Add(-rate.Period)) // how long ago the event became allowed
	res := Result{Limit: rate.Limit}
	if diff < 0 {
		res.RetryAfter = -diff
		res.ResetAfter = tat.Sub(now)
		return res, tat
	}
	res.Allowed = true
	res.Remaining = int(diff / interval)
	res.ResetAfter = newTAT.Sub(now)
	return res, newTAT
}

// Policy is the rates Magpie enforces; a zero Rate means no limit.
type Policy struct {
	Requests        Rate // every request, per client address
	Login           Rate // POST /auth/token/, per client address
	Signup          Rate // POST /auth/signup/, per client address
	BasicFailures   Rate // failed HTTP Basic logins, per client address
	AccountFailures Rate // failed password checks, per account
}

// DefaultPolicy: sign-in attempts as Mastodon limits them (25 per address
// per 5 minutes), sign-ups as it does (5 per 30 minutes), ten wrong
// passwords per account per 15 minutes, and 1,200 requests a minute per
// address for everything else.
var DefaultPolicy = Policy{
	Requests:        Rate{1200, time.Minute},
	Login:           Rate{25, 5 * time.Minute},
	Signup:          Rate{5, 30 * time.Minute},
	BasicFailures:   Rate{25, 5 * time.Minute},
	AccountFailures: Rate{10, 15 * time.Minute},
}

// policyNames are the names ParsePolicy knows, for each rate of a Policy.
var policyNames = map[string]func(*Policy) *Rate{
	"requests":         func(p *Policy) *Rate { return &p.Requests },
	"login":            func(p *Policy) *Rate { return &p.Login },
	"signup":           func(p *Policy) *Rate { return &p.Signup },
	"basic-failures":   func(p *Policy) *Rate { return &p.BasicFailures },
	"account-failures": func(p *Policy) *Rate { return &p.AccountFailures },
}

// ParsePolicy reads a policy: "off" for none, "" for DefaultPolicy, or
// comma-separated NAME=LIMIT/PERIOD items (login=10/5m) that change those
// rates of DefaultPolicy; NAME=0 turns one off. The names are requests,
// login, signup, basic-failures and account-failures.
func ParsePolicy(s string) (Policy, bool, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return Policy{}, false, nil
	}
	p := DefaultPolicy
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		field, known := policyNames[strings.TrimSpace(name)]
		if !ok || !known {
			return Policy{}, false, fmt.Errorf("rate limit %q: want NAME=LIMIT/PERIOD with NAME one of requests, login, signup, basic-failures, account-failures", item)
		}
		rate, err := parseRate(strings.TrimSpace(value))
		if err != nil {
			return Policy{}, false, fmt.Errorf("rate limit %q: %w", item, err)
		}
		*field(&p) = rate
	}
	return p, true, nil
}

func parseRate(s string) (Rate, error) {
	if s == "0" {
		return Rate{}, nil
	}
	limit, period, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(limit)
	if !ok || err != nil || n < 1 || n > math.MaxInt32 {
		return Rate{}, fmt.Errorf("want LIMIT/PERIOD such as 25/5m, or 0 for none")
	}
	d, err := time.ParseDuration(period)
	if err != nil || d < time.Second || d/time.Duration(n) <= 0 {
		return Rate{}, fmt.Errorf("want a period of a second or more, such as 5m")
	}
	return Rate{Limit: n, Period: d}, nil
}

// On reports whether r limits anything.
func (r Rate) On() bool { return r.Limit > 0 }
