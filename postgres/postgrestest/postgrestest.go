// Package postgrestest gives each test a PostgreSQL database of its own:
// an empty database, or a migrated schema with nothing in it.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/magpie-sns/magpie/postgres"
)

// EnvURL names the environment variable holding the URL of an admin
// connection (one allowed to create databases), for example
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "MAGPIE_TEST_POSTGRES_URL"

// NewDatabase creates an empty database named magpie_test_<random hex>,
// drops it when the test ends, and returns its URL: the admin URL with the
// database name replaced. It skips the test if MAGPIE_TEST_POSTGRES_URL is
// not set.
func NewDatabase(t testing.TB) string {
	t.Helper()
	adminURL := adminURL(t)
	name := randomName("magpie_test_")
	if err := admin(adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	t.Cleanup(func() {
		// WITH (FORCE) ends connections a test left open, such as a pool
		// whose Close is registered after this cleanup.
		if err := admin(adminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("postgrestest: %v", err)
		}
	})
	return databaseURL(adminURL, name, "")
}

// NewSchema returns the URL of a new, empty schema, for tests of
// migration itself, as NewDatabase does but much cheaper: PostgreSQL makes
// and drops whole databases one at a time, each drop with a checkpoint of
// the whole server. The schema is dropped when the test ends. A package
// that calls it runs its tests through Main.
func NewSchema(t testing.TB) string {
	t.Helper()
	adminURL := adminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := schemas.open(ctx, adminURL); err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	name := randomName("magpie_test_")
	if _, err := schemas.conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := schemas.conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("postgrestest: %v", err)
		}
	})
	return databaseURL(adminURL, schemas.database, name)
}

// NewMigrated returns the URL of a migrated, empty schema that is the
// test's alone until it ends: a URL whose connections find tables in that
// schema only (search_path), so that for the test it is a fresh migrated
// database. It skips the test if MAGPIE_TEST_POSTGRES_URL is not set. A
// package that calls it runs its tests through Main.
//
// Making a database per test costs PostgreSQL about 0.3 s, one at a time,
// and migrating one as much CPU again. So the schemas live in one database
// per test binary, each is migrated once, and when a test ends its tables
// are emptied (their sequences restarted, so ids start at 1 again) and the
// schema goes to the next test.
func NewMigrated(t testing.TB) string {
	t.Helper()
	return takeSchema(t).url
}

// NewStore returns a store on a schema as NewMigrated gives, for the
// test's use until it ends. The store and its connections go with the
// schema to the next test: a new connection costs PostgreSQL tens of
// milliseconds of CPU, more than most tests. The test must not close it;
// if it does (to see the database fail), the next test gets a new one.
func NewStore(t testing.TB) *postgres.DB {
	t.Helper()
	s := takeSchema(t)
	if s.db == nil || s.db.Ping(t.Context()) != nil {
		if s.db != nil {
			s.db.Close()
		}
		db, err := postgres.Open(t.Context(), s.url)
		if err != nil {
			t.Fatalf("postgrestest: %v", err)
		}
		s.db = db
	}
	return s.db
}

// takeSchema reserves a schema for the test and gives it back, emptied,
// when the test ends.
func takeSchema(t testing.TB) *schema {
	t.Helper()
	adminURL := adminURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := schemas.take(ctx, adminURL)
	if err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	t.Cleanup(func() {
		// Cleanups run last registered first: the test is done with the
		// schema by now.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := schemas.give(ctx, s); err != nil {
			t.Errorf("postgrestest: %v", err)
		}
	})
	return s
}

// Main runs a package's tests, then drops the database of the schemas of
// NewSchema and NewMigrated, if there is one. Call it from TestMain. Tests that use
// PostgreSQL mostly wait for it, so unless -parallel says otherwise, Main
// runs more parallel tests at once than there are CPUs (the default).
func Main(m *testing.M) {
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		if err := flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0)))); err != nil {
			panic(err) // the testing package has no -test.parallel: a Go we do not know
		}
	}
	code := m.Run()
	if err := schemas.close(); err != nil {
		fmt.Fprintf(os.Stderr, "postgrestest: %v\n", err)
	}
	os.Exit(code)
}

// schema is a migrated schema of the shared database.
type schema struct {
	name string
	url  string
	db   *postgres.DB // a store on it that NewStore keeps, or nil
}

// schemaPool is the database made for this test binary's schemas. It hands
// out migrated schemas, and takes them back emptied.
type schemaPool struct {
	mu       sync.Mutex
	database string        // "" until made
	conn     *pgxpool.Pool // the admin's, to the shared database
	free     []*schema
}

var schemas schemaPool

// open makes the shared database, if it is not made yet.
func (p *schemaPool) open(ctx context.Context, adminURL string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.database != "" {
		return nil
	}
	name := randomName("magpie_test_shared_")
	if err := admin(adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	conn, err := pgxpool.New(ctx, databaseURL(adminURL, name, ""))
	if err != nil {
		return err
	}
	p.database, p.conn = name, conn
	return nil
}

// take returns a free schema, or makes and migrates a new one.
func (p *schemaPool) take(ctx context.Context, adminURL string) (*schema, error) {
	if err := p.open(ctx, adminURL); err != nil {
		return nil, err
	}
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return s, nil
	}
	p.mu.Unlock()

	s := &schema{name: randomName("magpie_test_")}
	s.url = databaseURL(adminURL, p.database, s.name)
	if _, err := p.conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.name}.Sanitize()); err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, s.url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.db = db
	return s, nil
}

// give empties the tables of s and puts it back for the next test. A
// schema that cannot be emptied, say because a test left a transaction
// open, is dropped instead.
func (p *schemaPool) give(ctx context.Context, s *schema) error {
	err := pgx.BeginFunc(ctx, p.conn, func(tx pgx.Tx) error { return empty(ctx, tx, s.name) })
	if err != nil {
		if s.db != nil {
			s.db.Close()
		}
		_, derr := p.conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{s.name}.Sanitize()+" CASCADE")
		return errors.Join(fmt.Errorf("empty schema %s: %w", s.name, err), derr)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, s)
	return nil
}

// empty deletes every row of every table of the schema but goose's, and
// restarts its sequences, so that ids start at 1 again. DELETE rather than
// TRUNCATE: on tables this small it is several times cheaper, as TRUNCATE
// makes new files for every table and index. Foreign keys are not checked
// meanwhile (session_replication_role), so the order does not matter.
func empty(ctx context.Context, tx pgx.Tx, schema string) error {
	for _, q := range []string{"SET LOCAL lock_timeout = '10s'", "SET LOCAL session_replication_role = replica"} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	rows, err := tx.Query(ctx, `
		SELECT format('DELETE FROM %I.%I', schemaname, tablename)
		FROM pg_tables
		WHERE schemaname = $1 AND tablename <> 'goose_db_version'
		UNION ALL
		SELECT format('SELECT setval(%L, %s, false)', format('%I.%I', schemaname, sequencename), start_value)
		FROM pg_sequences
		WHERE schemaname = $1 AND sequencename NOT LIKE 'goose%'`, schema)
	if err != nil {
		return err
	}
	statements, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, q := range statements {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// close drops the shared database, if it was made.
func (p *schemaPool) close() error {
	if p.database == "" {
		return nil
	}
	for _, s := range p.free {
		if s.db != nil {
			s.db.Close()
		}
	}
	p.conn.Close()
	return admin(os.Getenv(EnvURL), "DROP DATABASE IF EXISTS "+pgx.Identifier{p.database}.Sanitize()+" WITH (FORCE)")
}

// adminURL returns MAGPIE_TEST_POSTGRES_URL, or skips the test.
func adminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Skip(EnvURL + " not set")
	}
	if _, err := url.Parse(u); err != nil {
		// Not %v of err: url.Error repeats the URL, password included.
		t.Fatalf("postgrestest: %s is not a valid URL", EnvURL)
	}
	return u
}

// databaseURL is the admin URL with the database name replaced and, if
// schema is not "", the search path set to schema.
func databaseURL(adminURL, name, schema string) string {
	u, _ := url.Parse(adminURL) // checked by adminURL
	u.Path = "/" + name
	u.RawPath = ""
	if schema != "" {
		q := u.Query()
		q.Set("search_path", schema)
		// Test data need not survive a crash of the server: commits
		// need not wait for the disk.
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// randomName is prefix and 16 hex digits: ours, and made of [a-z0-9_], so
// quoting it is enough.
func randomName(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// admin runs one statement on a fresh connection to the database at url.
// CREATE and DROP DATABASE cannot run in a transaction, so no pool or
// transaction is involved. It has its own deadline: a test's context is
// already canceled when cleanups run.
func admin(url, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
