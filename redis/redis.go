// Package redis keeps Magpie's rate-limit counts in Redis, where every
// instance behind a load balancer shares them.
package redis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/magpie-sns/magpie/ratelimit"
)

// keyPrefix keeps Magpie's keys apart from others in a shared Redis.
const keyPrefix = "magpie:ratelimit:"

// gcraScript is ratelimit's algorithm run inside Redis: one round trip,
// atomic, with Redis's clock, so instances whose clocks differ agree.
//
//go:embed gcra.lua
var gcraScript string

// Limiter is a ratelimit.Limiter on Redis. It is safe for concurrent use.
type Limiter struct {
	client *goredis.Client
	script *goredis.Script
}

var _ ratelimit.Limiter = (*Limiter)(nil)

// Open connects to the Redis at url (redis://[:password@]host:port/db, or
// rediss:// for TLS) and pings it, so that a wrong URL fails here. Its
// errors never contain the URL's password.
func Open(ctx context.Context, url string) (*Limiter, error) {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		return nil, errors.New("redis: open: the URL is not a valid redis:// or rediss:// URL")
	}
	// A Redis that stops answering must not hold a request up: the
	// caller's deadline bounds each call too.
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 2*time.Second, time.Second, time.Second
	client := goredis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis: open %s: %w", opts.Addr, err)
	}
	return &Limiter{client: client, script: goredis.NewScript(gcraScript)}, nil
}

// Close closes the connections.
func (l *Limiter) Close() error { return l.client.Close() }

// Allow counts one event of key, if rate allows it now.
func (l *Limiter) Allow(ctx context.Context, key string, rate ratelimit.Rate) (ratelimit.Result, error) {
	return l.run(ctx, key, rate, 1)
}

// Peek reports whether rate would allow an event of key now.
func (l *Limiter) Peek(ctx context.Context, key string, rate ratelimit.Rate) (ratelimit.Result, error) {
	return l.run(ctx, key, rate, 0)
}

func (l *Limiter) run(ctx context.Context, key string, rate ratelimit.Rate, count int) (ratelimit.Result, error) {
	v, err := l.script.Run(ctx, l.client, []string{keyPrefix + key}, rate.Period.Microseconds(), rate.Limit, count).Int64Slice()
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("redis: rate limit: %w", err)
	}
	if len(v) != 4 {
		return ratelimit.Result{}, fmt.Errorf("redis: rate limit: the script returned %d values, want 4", len(v))
	}
	return ratelimit.Result{
		Allowed:    v[0] == 1,
		Limit:      rate.Limit,
		Remaining:  int(v[1]),
		RetryAfter: time.Duration(v[2]) * time.Microsecond,
		ResetAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}
