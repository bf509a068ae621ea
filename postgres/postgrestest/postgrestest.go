// Package postgrestest gives each test a throwaway PostgreSQL database.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the URL of an admin
// connection (one allowed to create databases), for example
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "MAGPIE_TEST_POSTGRES_URL"

// NewDatabase creates an empty database named magpie_test_<random hex>,
// drops it when the test ends, and returns its URL: the admin URL with the
// database name replaced. It does not migrate. It skips the test if
// MAGPIE_TEST_POSTGRES_URL is not set.
func NewDatabase(t testing.TB) string {
	t.Helper()
	adminURL := os.Getenv(EnvURL)
	if adminURL == "" {
		t.Skip(EnvURL + " not set")
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		// Not %v of err: url.Error repeats the URL, password included.
		t.Fatalf("postgrestest: %s is not a valid URL", EnvURL)
	}

	b := make([]byte, 8)
	rand.Read(b)
	name := "magpie_test_" + hex.EncodeToString(b)

	// The name is ours and made of [a-z0-9_], so quoting it is enough.
	admin(t, adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	t.Cleanup(func() {
		// WITH (FORCE) ends connections a test left open, such as a pool
		// whose Close is registered after this cleanup.
		admin(t, adminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})

	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// admin runs one statement on a fresh connection to the admin database.
// CREATE and DROP DATABASE cannot run in a transaction, so no pool or
// transaction is involved. It uses its own context because a test's
// context is already canceled when cleanups run.
func admin(t testing.TB, adminURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("postgrestest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("postgrestest: %s: %v", sql, err)
	}
}
