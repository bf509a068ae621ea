// Package sqlite is the magpie.Store on SQLite, through the pure-Go driver
// modernc.org/sqlite, so the binary needs no cgo.
//
// SQLite lets one connection write at a time. Rather than have concurrent
// requests fail with "database is locked", writes queue in Go for a pool
// of one writer connection, while reads run in parallel on a separate
// read-only pool; in WAL mode readers and the writer do not block each
// other.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/magpie-sns/magpie"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Connection settings, applied by the driver to every connection it opens.
// busy_timeout comes first so that switching to WAL waits for a lock held
// by another process instead of failing.
const (
	// mmap_size lets a connection read the first 2 GiB of the file (the
	// most SQLite maps) from memory shared with the page cache instead of
	// copying each page in with a system call: on the 10M-post data set
	// the feed served 1.37 times as many requests (docs/performance.md).
	// The mapped pages count in the process's RSS.
	commonParams = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=mmap_size(2147418112)"
	// journal_size_limit truncates the WAL file back to 64 MiB after a
	// checkpoint, so that a burst of writes does not leave it at its
	// high-water size.
	writerParams = commonParams + "&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(67108864)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	readerParams = commonParams + "&_pragma=query_only(1)"
)

// DB is a Magpie database in one SQLite file. It implements magpie.Store
// and is safe for concurrent use.
type DB struct {
	write      *sql.DB // every write; one connection, so writes queue in Go
	read       *sql.DB // every read outside a write; the same as write for ":memory:"
	writeStmts *stmtCache
	readStmts  *stmtCache // the same as writeStmts for ":memory:"
}

var _ magpie.Store = (*DB)(nil)

// Open opens the database file at path, creating it if needed, or a
// private in-memory database if path is ":memory:". It does not migrate.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: open: empty path")
	}
	db := &DB{}
	if path == ":memory:" {
		// Each connection to :memory: is a database of its own, so there
		// must be exactly one, kept open for the life of the DB.
		conn, err := openPool(ctx, "file::memory:?"+writerParams, 1)
		if err != nil {
			return nil, err
		}
		db.write, db.read = conn, conn
		db.writeStmts = &stmtCache{pool: conn}
		db.readStmts = db.writeStmts
	} else {
		// The writer goes first: it turns the file to WAL mode, which the
		// query-only readers could not do.
		uri, err := fileURI(path)
		if err != nil {
			return nil, err
		}
		w, err := openPool(ctx, uri+"?"+writerParams, 1)
		if err != nil {
			return nil, explainOpenError(path, err)
		}
		r, err := openPool(ctx, uri+"?"+readerParams, max(4, runtime.NumCPU()))
		if err != nil {
			w.Close()
			return nil, err
		}
		db.write, db.read = w, r
		db.writeStmts, db.readStmts = &stmtCache{pool: w}, &stmtCache{pool: r}
	}
	return db, nil
}

// explainOpenError adds to err, from SQLite's terse "unable to open
// database file", what is wrong with the file's directory, if anything.
func explainOpenError(path string, err error) error {
	dir := filepath.Dir(path)
	if abs, aerr := filepath.Abs(dir); aerr == nil {
		dir = abs
	}
	info, serr := os.Stat(dir)
	switch {
	case errors.Is(serr, fs.ErrNotExist):
		return fmt.Errorf("%w: directory %s does not exist", err, dir)
	case serr != nil:
		return fmt.Errorf("%w: directory %s: %w", err, dir, serr)
	case !info.IsDir():
		return fmt.Errorf("%w: %s is not a directory", err, dir)
	}
	// SQLite makes the -wal and -shm files beside the database: the
	// directory must be writable even when the file is.
	probe, perr := os.CreateTemp(dir, ".magpie-write-test-*")
	if perr != nil {
		return fmt.Errorf("%w: directory %s is not writable by this user", err, dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	return err
}

// fileURI names the file at path in a "file:" URI, which the driver needs
// to carry its parameters. The path is made absolute, so that it cannot
// be read as an authority, and the characters a URI path cannot hold
// as they are are escaped; SQLite decodes them.
func fileURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlite: open: %w", err)
	}
	return "file:" + uriEscaper.Replace(filepath.ToSlash(abs)), nil
}

var uriEscaper = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// openPool opens a pool of at most n connections and checks that the
// first one opens, so a bad path or a file that is not a database fails
// here rather than on the first query.
func openPool(ctx context.Context, dsn string, n int) (*sql.DB, error) {
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return pool, nil
}

// Migrate applies the migrations that have not been applied yet.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Pending reports whether some migrations have not been applied yet.
func (db *DB) Pending(ctx context.Context) (bool, error) {
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("sqlite: pending migrations: %w", err)
	}
	return pending, nil
}

// provider returns a goose provider that migrates through the writer.
func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, fsys, goose.WithGoMigrations(goMigrations...))
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	return p, nil
}

// Ping reports whether both pools can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// PoolStats describes the writer's pool and the readers'.
func (db *DB) PoolStats() []magpie.PoolStats {
	stats := []magpie.PoolStats{poolStats("sqlite-write", db.write.Stats())}
	if db.read != db.write {
		stats = append(stats, poolStats("sqlite-read", db.read.Stats()))
	}
	return stats
}

func poolStats(name string, s sql.DBStats) magpie.PoolStats {
	return magpie.PoolStats{Name: name, MaxOpen: s.MaxOpenConnections, Open: s.OpenConnections, InUse: s.InUse,
		WaitCount: s.WaitCount, WaitDuration: s.WaitDuration}
}

// Close closes the database. The readers close first so that the writer,
// closing last, checkpoints the WAL into the main file.
func (db *DB) Close() error {
	var err error
	if db.read != db.write {
		err = errors.Join(db.readStmts.close(), db.read.Close())
	}
	return errors.Join(err, db.writeStmts.close(), db.write.Close())
}

// inTx runs fn in a transaction on the writer and commits it if fn
// returns nil; otherwise, or if ctx ends, it rolls it back. Public write
// methods open one and compose the tx-scoped helpers of their file, so that
// what they write together succeeds or fails together. The writer is one
// connection and BEGIN IMMEDIATE takes the write lock at once, so
// transactions queue rather than fail with "database is locked".
func (db *DB) inTx(ctx context.Context, op string, fn func(tx querier) error) error {
	return inTxOn(ctx, db.writeStmts, nil, op, fn)
}

// inReadTx runs fn in a read transaction on a reader: its reads see one
// snapshot of the database.
func (db *DB) inReadTx(ctx context.Context, op string, fn func(tx querier) error) error {
	return inTxOn(ctx, db.readStmts, &sql.TxOptions{ReadOnly: true}, op, fn)
}

func inTxOn(ctx context.Context, stmts *stmtCache, opts *sql.TxOptions, op string, fn func(tx querier) error) error {
	tx, err := stmts.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlite: %s: begin: %w", op, err)
	}
	q := querier{stmts: stmts, tx: tx, own: map[string]*sql.Stmt{}}
	// The connection is free again once the transaction ends: prepare for
	// the next ones the statements this one had to prepare for itself.
	defer func() { stmts.prepareAll(ctx, q.own) }()
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	if err := fn(q); err != nil {
		return storeError(op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: commit: %w", op, err)
	}
	return nil
}

// reader is what the reads outside a write query: the reader pool.
func (db *DB) reader() querier {
	return querier{stmts: db.readStmts}
}

// querier runs the statements of the helpers on a pool, or in a write
// transaction, each prepared once per connection and then kept: SQLite
// takes longer to parse a short query than to run it.
type querier struct {
	stmts *stmtCache
	tx    *sql.Tx              // nil outside a transaction
	own   map[string]*sql.Stmt // in a transaction: those it prepared itself
}

func (q querier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	stmt, err := q.stmt(ctx, query) //nolint:sqlclosecheck // kept for reuse; closed with the store or the transaction
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(ctx, args...)
}

func (q querier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, err := q.stmt(ctx, query) //nolint:sqlclosecheck // kept for reuse; closed with the store or the transaction
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(ctx, args...)
}

func (q querier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	stmt, err := q.stmt(ctx, query) //nolint:sqlclosecheck // kept for reuse; closed with the store or the transaction
	if err != nil {
		// A *sql.Row cannot be made with an error: run the query
		// unprepared, which fails the same way, for Scan to report.
		if q.tx != nil {
			return q.tx.QueryRowContext(ctx, query, args...)
		}
		return q.stmts.pool.QueryRowContext(ctx, query, args...)
	}
	return stmt.QueryRowContext(ctx, args...)
}

// stmt returns the prepared statement of query, for the transaction if
// there is one. A statement not prepared yet is prepared for this
// transaction alone: preparing it for the pool needs a connection, and
// the writer's only one is this transaction's until it ends.
func (q querier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if q.tx == nil {
		return q.stmts.prepare(ctx, query)
	}
	if stmt := q.stmts.get(query); stmt != nil {
		return q.tx.StmtContext(ctx, stmt), nil
	}
	if stmt, ok := q.own[query]; ok {
		return stmt, nil
	}
	stmt, err := q.tx.PrepareContext(ctx, query)
	if err == nil {
		q.own[query] = stmt
	}
	return stmt, err
}

// stmtCache keeps the prepared statements of a pool by their SQL. The
// store's SQL is a fixed set of constants, so the cache stays small.
type stmtCache struct {
	pool  *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// prepare returns the statement of query, preparing it if needed. It does
// not hold the lock while it waits for a connection, which a transaction
// looking up its own statements may hold.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if stmt := c.get(query); stmt != nil {
		return stmt, nil
	}
	stmt, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if kept := c.keep(query, stmt); kept != stmt {
		stmt.Close() //nolint:sqlclosecheck // another goroutine prepared it meanwhile
		return kept, nil
	}
	return stmt, nil
}

// keep caches stmt as the statement of query, unless one is cached
// already, and returns the cached one.
func (c *stmtCache) keep(query string, stmt *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.stmts[query]; ok {
		return kept
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = stmt
	return stmt
}

// prepareAll prepares the queries of stmts for later; a failure now will
// show, and be reported, when one is next used.
func (c *stmtCache) prepareAll(ctx context.Context, stmts map[string]*sql.Stmt) {
	for q := range stmts {
		_, _ = c.prepare(ctx, q) //nolint:sqlclosecheck // kept for reuse; closed with the store
	}
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, stmt := range c.stmts {
		errs = append(errs, stmt.Close())
	}
	clear(c.stmts)
	return errors.Join(errs...)
}

// ftsQuery is an FTS5 query that matches rows having every word, each
// quoted, so that nothing in it is read as FTS5's syntax; with prefix, a
// word of the row need only start with it.
func ftsQuery(words []string, prefix bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`"` + strings.ReplaceAll(w, `"`, `""`) + `"`)
		if prefix {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// constraintErrors are the sentinels of the schema's constraints, by what
// SQLite names in its message: the columns of a UNIQUE constraint, the
// name of a CHECK.
var constraintErrors = map[string]error{
	"users.username": magpie.ErrUsernameTaken,
	"follows.follower_id, follows.following_id": magpie.ErrAlreadyFollowing,
	"follows_not_self":                          magpie.ErrSelfFollow,
	"users.name_key":                            magpie.ErrUsernameTaken,
	"likes.post_id, likes.user_id":              magpie.ErrAlreadyLiked,
}

// storeError says what err means to magpie. The database's constraints
// decide races, so their violations are answers: each maps to a sentinel
// (constraintErrors), a missing referenced row or no row at all to
// ErrNotFound. A magpie error passes as it is; anything else is wrapped
// with op for the log.
func storeError(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return magpie.ErrNotFound
	}
	var me *magpie.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return unavailable(op, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			// Another process holds the file past busy_timeout, or the
			// disk is full or failing: nothing this request did wrong.
			return unavailable(op, err)
		}
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_CHECK:
			_, what, _ := strings.Cut(se.Error(), " constraint failed: ")
			what, _, _ = strings.Cut(what, " (")
			if sentinel, ok := constraintErrors[what]; ok {
				return sentinel
			}
			return magpie.ErrConstraint
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return magpie.ErrNotFound
		}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// unavailable wraps err, which says the database cannot serve now, so
// that it reads as magpie.ErrUnavailable.
func unavailable(op string, err error) error {
	return fmt.Errorf("sqlite: %s: %w: %w", op, magpie.ErrUnavailable, err)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// queryList runs a read query for one page of a list and scans every row
// of its result. A page that asks for no rows asks nothing of the database.
func queryList[T any](ctx context.Context, q querier, page magpie.Page, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	if page.Empty() {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, storeError(op, err)
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, storeError(op, err)
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError(op, err)
	}
	return items, nil
}

// collect reads rows of one column.
func collect[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var values []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return values, rows.Err()
}

// oneRowAffected turns a write that touched no row into ErrNotFound.
func oneRowAffected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return magpie.ErrNotFound
	}
	return nil
}

// Times are stored as INTEGER microseconds since the Unix epoch, UTC:
// they sort and compare as numbers, and keep the precision PostgreSQL
// keeps.
func micros(t time.Time) int64 {
	return t.UnixMicro()
}

// timeCol scans an INTEGER microseconds column into a time.Time in UTC.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	us, ok := v.(int64)
	if !ok {
		return fmt.Errorf("sqlite: time column holds %T, want int64", v)
	}
	*c.t = time.UnixMicro(us).UTC()
	return nil
}

// keyset turns a page of a newest-first list into query arguments: the
// (created_at, id) the page starts after, and the limit. With no cursor
// the page starts above every row, so one query, one index range, serves
// the first page and the next ones.
func keyset(p magpie.Page) (at, id int64, limit int) {
	at, id = math.MaxInt64, math.MaxInt64
	if p.After != nil {
		at, id = micros(p.After.Time), p.After.ID
	}
	return at, id, p.Limit
}
