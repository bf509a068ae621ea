package postgres

import (
	"context"
	"time"

	"github.com/magpie-sns/magpie/ratelimit"
)

// The database is also a ratelimit.Limiter, so that instances on one
// PostgreSQL share their counts without anything else to run. Each event
// is one call of the rate_limit function: one round trip.
var _ ratelimit.Limiter = (*DB)(nil)

// Allow counts one event of key, if rate allows it now.
func (db *DB) Allow(ctx context.Context, key string, rate ratelimit.Rate) (ratelimit.Result, error) {
	return db.rateLimit(ctx, key, rate, true)
}

// Peek reports whether rate would allow an event of key now.
func (db *DB) Peek(ctx context.Context, key string, rate ratelimit.Rate) (ratelimit.Result, error) {
	return db.rateLimit(ctx, key, rate, false)
}

func (db *DB) rateLimit(ctx context.Context, key string, rate ratelimit.Rate, count bool) (ratelimit.Result, error) {
	res := ratelimit.Result{Limit: rate.Limit}
	var retryAfter, resetAfter int64
	err := db.pool.QueryRow(ctx, `SELECT * FROM rate_limit($1, $2, $3, $4)`,
		key, rate.Period.Microseconds(), rate.Limit, count,
	).Scan(&res.Allowed, &res.Remaining, &retryAfter, &resetAfter)
	if err != nil {
		return ratelimit.Result{}, storeError("rate limit", err)
	}
	res.RetryAfter = time.Duration(retryAfter) * time.Microsecond
	res.ResetAfter = time.Duration(resetAfter) * time.Microsecond
	return res, nil
}

// DeleteSpentRateLimits removes the counts of keys whose buckets are full
// again, which are the same as no count: rate_limits keeps only the keys
// of the last few minutes. It returns how many.
func (db *DB) DeleteSpentRateLimits(ctx context.Context) (int64, error) {
	tag, err := db.pool.Exec(ctx, `
		DELETE FROM rate_limits
		WHERE tat < floor(extract(epoch FROM clock_timestamp()) * 1000000)`)
	if err != nil {
		return 0, storeError("delete spent rate limits", err)
	}
	return tag.RowsAffected(), nil
}
