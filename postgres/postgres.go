// Package postgres implements magpie.Store on PostgreSQL with pgx.
//
// Every query is plain SQL written beside the Go that scans it. Races are
// decided by the schema's constraints, whose violations storeError turns
// into the magpie sentinels.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	neturl "net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/magpie-sns/magpie"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// defaultConnectTimeout bounds each connection attempt when the URL sets
// no connect_timeout, so that an unreachable host fails Open instead of
// hanging it.
const defaultConnectTimeout = 10 * time.Second

// DB is a PostgreSQL database holding Magpie's data. It implements
// magpie.Store and is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool
}

var _ magpie.Store = (*DB)(nil)

// Open connects to the database at url (postgres:// or postgresql://) and
// pings it, so that a wrong URL fails here. Pool settings such as
// pool_max_conns may be given in the URL as pgxpool accepts them. Open does
// not migrate; see Migrate. Its errors never contain the URL's password.
func Open(ctx context.Context, url string) (*DB, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, errors.New("postgres: open: the database URL must start with postgres:// or postgresql://")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, openError(url, err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	// A statement pgx prepares and caches, PostgreSQL may plan once for
	// all parameters from average statistics: a plan fit for a user with
	// ten posts (sort them all) would then serve a user with a hundred
	// thousand. So statements are not prepared (their descriptions are
	// cached) and each execution is planned for its own parameters, but
	// for the few hottest ones whose plan is the same for any parameters
	// (see prepared). The URL may still set the mode.
	if u, err := neturl.Parse(url); err == nil && !u.Query().Has("default_query_exec_mode") {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, openError(url, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, openError(url, err)
	}
	return &DB{pool: pool}, nil
}

// prepared, given as a query's first argument, prepares it and caches it
// on each connection, so that PostgreSQL may plan it once for all
// parameters (plan_cache_mode auto): for the queries of every request,
// the token check and a page of a timeline, planning each execution cost
// more than running it (about 1.5 ms against 0.8 ms for the timeline), and
// their plans read the same indexes whatever the parameters (the query
// plan tests check both plans of each list).
const prepared = pgx.QueryExecModeCacheStatement

// openError wraps an error of Open. pgx already redacts passwords in the
// errors it formats; this also masks the URL's password wherever it still
// shows, since pgx's redaction of malformed URLs is best effort.
func openError(url string, err error) error {
	msg := err.Error()
	if u, perr := neturl.Parse(url); perr == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
		if pw := u.Query().Get("password"); pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	if msg != err.Error() {
		return errors.New("postgres: open: " + msg)
	}
	return fmt.Errorf("postgres: open: %w", err)
}

// Migrate applies the pending migrations. A PostgreSQL advisory lock held
// for the whole run lets several instances starting at once call it
// safely: one migrates, the others wait and then find nothing to do.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Pending reports whether some migrations have not been applied yet. It
// takes no lock, so it does not wait for a Migrate running elsewhere. On a
// new database it creates goose's empty version table.
func (db *DB) Pending(ctx context.Context) (bool, error) {
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	defer p.Close()
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: check pending migrations: %w", err)
	}
	return pending, nil
}

// provider returns a goose provider over the pool. A new one per call,
// because a provider remembers a failed version-table check for good.
// Closing it closes only its *sql.DB, not the pool.
func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithSessionLocker(migrationLock{}),
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(goMigrations...),
	)
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, nil
}

// migrationLockTimeout bounds the wait for another instance's migration.
const migrationLockTimeout = 5 * time.Minute

// migrationLock is the session lock goose holds while it migrates: a
// PostgreSQL advisory lock, waited for rather than polled, so that
// instances waiting on another's migration start the moment it ends. Its
// key is derived from the schema the migrations run in: two schemas of one
// database migrate independently, as their tables are independent.
type migrationLock struct{}

const migrationLockKey = `hashtextextended('magpie migrations in ' || current_schema(), 0)`

func (migrationLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, migrationLockTimeout)
	defer cancel()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+migrationLockKey+`)`); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	return nil
}

func (migrationLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+migrationLockKey+`)`); err != nil {
		return fmt.Errorf("release the migration lock: %w", err)
	}
	return nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// PoolStats describes the pool.
func (db *DB) PoolStats() []magpie.PoolStats {
	s := db.pool.Stat()
	return []magpie.PoolStats{{Name: "postgres", MaxOpen: int(s.MaxConns()), Open: int(s.TotalConns()),
		InUse: int(s.AcquiredConns()), WaitCount: s.EmptyAcquireCount(), WaitDuration: s.EmptyAcquireWaitTime()}}
}

// Close closes every connection of the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// inTx runs fn in a transaction and commits it if fn returns nil;
// otherwise, or if ctx ends, it rolls it back. A write of several
// statements opens one and composes the tx-scoped helpers of its file, so
// that what it writes together succeeds or fails together. A write of one
// statement runs as it is: PostgreSQL makes it a transaction of its own.
//
// A transaction PostgreSQL broke off as a deadlock's victim wrote nothing,
// and is run again, up to txAttempts times: writes that lock timelines and
// users' counters in orders of their own (a follow's backfill, a post's
// fan-out, a trim) can deadlock, rarely, under concurrent writes.
func (db *DB) inTx(ctx context.Context, op string, fn func(tx querier) error) error {
	return retryTx(ctx, op, func() error {
		return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return fn(tx) })
	})
}

// inPipeline sends the statements queue puts in a batch in one round trip,
// as one transaction: the extended protocol's implicit one, which commits
// at the batch's end unless a statement failed. Each statement is still a
// statement of its own, seeing what those before it locked and wrote, but
// the write waits on no round trip between them: for a post, one instead
// of four (BEGIN, the post, its fan-out, COMMIT). Every statement of the
// batch is prepared on the connection, planned once for all parameters.
// A deadlock's victim is run again, as by inTx.
func (db *DB) inPipeline(ctx context.Context, op string, queue func(b *pgx.Batch)) error {
	return retryTx(ctx, op, func() error {
		b := &pgx.Batch{}
		queue(b)
		conn, err := db.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		for _, q := range b.QueuedQueries {
			// Named by its SQL, which the batch then finds it by; a
			// statement prepared before is not prepared again.
			if _, err := conn.Conn().Prepare(ctx, q.SQL, q.SQL); err != nil {
				return err
			}
		}
		return conn.SendBatch(ctx, b).Close()
	})
}

// retryTx runs a transaction, run, again while it is a deadlock's victim,
// up to txAttempts times, and gives its error as a store error.
func retryTx(ctx context.Context, op string, run func() error) error {
	for attempt := 1; ; attempt++ {
		err := run()
		if err == nil {
			return nil
		}
		if attempt == txAttempts || !retryable(err) {
			return storeError(op, err)
		}
		// A pause of a few milliseconds, different for each, so that
		// the two do not meet again.
		select {
		case <-time.After(time.Duration(attempt) * time.Duration(1+rand.IntN(10)) * time.Millisecond):
		case <-ctx.Done():
			return storeError(op, ctx.Err())
		}
	}
}

// txAttempts is how many times a transaction that deadlocks is run.
const txAttempts = 4

// retryable reports whether err is a deadlock's or a serialisation
// failure's: the transaction was rolled back whole and may run again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// querier is what the helpers query: the pool, or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// constraintErrors are the sentinels of the schema's constraints, by name.
var constraintErrors = map[string]error{
	"users_username_key":             magpie.ErrUsernameTaken,
	"users_name_key":                 magpie.ErrUsernameTaken,
	"likes_post_user_key":            magpie.ErrAlreadyLiked,
	"follows_follower_following_key": magpie.ErrAlreadyFollowing,
	"follows_not_self":               magpie.ErrSelfFollow,
}

// storeError says what err means to magpie. The database's constraints
// decide races, so their violations are answers: each maps to a sentinel
// by its name (constraintErrors), a missing referenced row or no row at
// all to ErrNotFound. A magpie error passes as it is; anything else is
// wrapped with op for the log.
func storeError(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return magpie.ErrNotFound
	}
	var me *magpie.Error
	if errors.As(err, &me) {
		return err
	}
	if unreachable(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, magpie.ErrUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "23514": // unique_violation, check_violation
			if sentinel, ok := constraintErrors[pgErr.ConstraintName]; ok {
				return sentinel
			}
			return magpie.ErrConstraint
		case "22001": // string_data_right_truncation: a title over VARCHAR(100)
			return magpie.ErrConstraint
		case "23503": // foreign_key_violation: a referenced row is missing
			return magpie.ErrNotFound
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// unreachable reports whether err says the database cannot serve now
// rather than that a statement failed: no connection, a connection lost, a
// server shutting down or starting up, or no answer before the deadline.
// A client that went away (context.Canceled) is not among them.
func unreachable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err) && !errors.Is(err, context.Canceled):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01-57P03: admin shutdown,
		// crash shutdown, cannot connect now (starting or recovering);
		// 53300: too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		// A statement or commit on a connection lost earlier in its
		// transaction.
		errors.Is(err, pgconn.ErrConnClosed):
		return true
	}
	return false
}

// queryList runs a query for one page of a list and collects every row of
// its result. A page that asks for no rows asks nothing of the database.
func queryList[T any](ctx context.Context, q querier, page magpie.Page, op string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	if page.Empty() {
		return nil, nil
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, storeError(op, err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return nil, storeError(op, err)
	}
	return items, nil
}

// oneRowAffected turns a write that touched no row into ErrNotFound.
func oneRowAffected(tag pgconn.CommandTag) error {
	if tag.RowsAffected() == 0 {
		return magpie.ErrNotFound
	}
	return nil
}

// tsQuery is a tsquery that matches rows having every word, each quoted
// as a lexeme, so that nothing in it is read as tsquery's syntax; with
// prefix, a word of the row need only start with it.
func tsQuery(words []string, prefix bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w) + "'")
		if prefix {
			b.WriteString(":*")
		}
	}
	return b.String()
}

// keyset turns a page of a newest-first list into query arguments: the
// (created_at, id) the page starts after, and the limit. Without a cursor
// the time is +infinity, which sorts after every stored time, so one query
// (and one prepared plan) serves every page.
func keyset(p magpie.Page) (at pgtype.Timestamptz, id int64, limit int) {
	if p.After == nil {
		return pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}, 0, p.Limit
	}
	return pgtype.Timestamptz{Time: p.After.Time, Valid: true}, p.After.ID, p.Limit
}
