// Package sqlitetest gives each test a fresh, migrated SQLite database
// file.
package sqlitetest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/magpie-sns/magpie/sqlite"
)

// NewFile returns the path of a migrated database file in the test's
// temporary directory. The file is a copy of one migrated once per test
// binary: copying a hundred kilobytes is much cheaper than running the
// migrations again, above all under the race detector.
func NewFile(t testing.TB) string {
	t.Helper()
	migrated, err := template()
	if err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	path := filepath.Join(t.TempDir(), "magpie.db")
	if err := os.WriteFile(path, migrated, 0o600); err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	return path
}

// template migrates a database once and keeps its bytes. Closing the
// database checkpoints its WAL into the main file, which is then whole.
var template = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "magpie-sqlitetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "magpie.db")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})
