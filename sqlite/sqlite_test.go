package sqlite_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
	"github.com/magpie-sns/magpie/storetest"
)

// openFile opens a migrated database in a fresh file, closed at cleanup.
func openFile(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), sqlitetest.NewFile(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) magpie.Store { return openFile(t) })
}

// BenchmarkStore measures the token check and every list, on a database
// file as the server uses.
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(tb testing.TB) magpie.Store { return openFile(tb) })
}

// The in-memory database keeps the whole contract too; it lives as long
// as its one connection.
func TestStoreMemory(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) magpie.Store {
		db, err := sqlite.Open(t.Context(), ":memory:")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		return db
	})
}

func TestMigrate(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "magpie.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if pending, err := db.Pending(ctx); err != nil || !pending {
		t.Errorf("Pending on a new database = %v, %v; want true, nil", pending, err)
	}
	for i := range 2 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	if pending, err := db.Pending(ctx); err != nil || pending {
		t.Errorf("Pending after Migrate = %v, %v; want false, nil", pending, err)
	}
	u := &magpie.User{Username: "alice", DateJoined: time.Date(2026, 11, 26, 5, 7, 55, 78465000, time.UTC)}
	if err := db.CreateUser(ctx, u, "hash"); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Reopened, the file keeps its data and its migrations.
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer db.Close()
	if pending, err := db.Pending(ctx); err != nil || pending {
		t.Errorf("Pending after reopen = %v, %v; want false, nil", pending, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate after reopen: %v", err)
	}
	if _, err := db.UserByUsername(ctx, "alice"); err != nil {
		t.Errorf("UserByUsername after reopen: %v", err)
	}
}

func TestMemory(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if pending, err := db.Pending(ctx); err != nil || !pending {
		t.Errorf("Pending = %v, %v; want true, nil", pending, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if pending, err := db.Pending(ctx); err != nil || pending {
		t.Errorf("Pending after Migrate = %v, %v; want false, nil", pending, err)
	}
	u := &magpie.User{Username: "alice", DateJoined: time.Unix(0, 0).UTC()}
	if err := db.CreateUser(ctx, u, "hash"); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}

	// Two in-memory databases are two databases.
	other, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer other.Close()
	if err := other.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	_, err = other.UserByUsername(ctx, "alice")
	if !magpie.IsKind(err, magpie.ENOTFOUND) {
		t.Errorf("UserByUsername in another :memory: = %v, want ENOTFOUND", err)
	}
}

// Every connection of a file reads it through a memory map (the feed on
// a large database depends on it), the writer keeps the WAL bounded, and
// readers cannot write.
func TestConnectionSettings(t *testing.T) {
	db := openFile(t)
	for _, tc := range []struct{ pragma, reader, writer string }{ // "": any
		{"mmap_size", "2147418112", "2147418112"},
		{"journal_mode", "wal", "wal"},
		{"journal_size_limit", "", "67108864"},
		{"query_only", "1", "0"},
	} {
		reader, writer, err := db.Pragma(t.Context(), tc.pragma)
		if err != nil || tc.reader != "" && reader != tc.reader || writer != tc.writer {
			t.Errorf("PRAGMA %s: reader %q, writer %q (%v); want %q and %q", tc.pragma, reader, writer, err, tc.reader, tc.writer)
		}
	}
}

func TestOpenBadPath(t *testing.T) {
	if _, err := sqlite.Open(t.Context(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	missing := filepath.Join(t.TempDir(), "missing", "dir")
	if _, err := sqlite.Open(t.Context(), filepath.Join(missing, "magpie.db")); err == nil {
		t.Error("Open in a missing directory succeeded")
	} else if !strings.Contains(err.Error(), "directory "+missing+" does not exist") {
		t.Errorf("Open in a missing directory: %v, want it to name the directory", err)
	}
	if os.Geteuid() != 0 { // root may write anywhere
		readOnly := t.TempDir()
		if err := os.Chmod(readOnly, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlite.Open(t.Context(), filepath.Join(readOnly, "magpie.db")); err == nil || !strings.Contains(err.Error(), "is not writable") {
			t.Errorf("Open in a read-only directory: %v, want it to say so", err)
		}
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, []byte("this is not a database, not even a small one, honestly"), 0o644); err != nil {
		t.Fatal(err)
	}
	if db, err := sqlite.Open(t.Context(), junk); err == nil {
		db.Close()
		t.Error("Open of a file that is not a database succeeded")
	}
}

// A path is a file name, not a URI: characters that mean something in a
// URI name a file all the same.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%20e&_pragma=x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "magpie 1.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not at the path given: %v", err)
	}
}

func TestOpenRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	db, err := sqlite.Open(t.Context(), "magpie.db")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "magpie.db")); err != nil {
		t.Errorf("database file not in the working directory: %v", err)
	}
}

// The migrations keep the data of earlier versions: migration 2 gives the
// tables AUTOINCREMENT ids, keeping every row, id and reference (from then
// on a deleted post's id is never given again), and 4 gives the older
// accounts username keys, the oldest first.
func TestMigrationsKeepData(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 5, 7, 55, 0, time.UTC)
	// As version 1 had them: Alice and alice were two accounts.
	for _, q := range []string{
		`INSERT INTO users (id, username, password_hash, date_joined) VALUES (1, 'alice', 'h', 0), (2, 'bob', 'h', 0), (3, 'Alice', 'h', 0)`,
		`INSERT INTO posts (id, title, body, owner_id, is_hidden, created_at, updated_at) VALUES
			(1, 'p0', 'b', 1, 0, 10, 10), (2, 'p1', 'b', 1, 0, 11, 11), (3, 'p2', 'b', 1, 1, 12, 12), (4, 'p3', 'b', 1, 0, 13, 13)`,
		`DELETE FROM posts WHERE id = 2`,
		`INSERT INTO follows (id, follower_id, following_id, created_at) VALUES (1, 2, 1, 0)`,
		`INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES (x'68', 2, 0, 9999999999999999)`,
	} {
		if err := db.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	got, err := db.ListPostsByOwner(ctx, 0, 1, true, magpie.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != 4 || got[1].ID != 3 || !got[1].IsHidden || got[2].ID != 1 {
		t.Fatalf("posts after the migrations: %+v", got)
	}
	if f, err := db.ListFollowing(ctx, 2, magpie.Page{Limit: 10}); err != nil || len(f) != 1 || f[0].ID != 1 {
		t.Fatalf("follows after the migrations: %+v, %v", f, err)
	}
	if u, err := db.UserByToken(ctx, []byte("h"), at); err != nil || u.ID != 2 {
		t.Fatalf("token after the migrations: %+v, %v", u, err)
	}
	if p, err := db.Profile(ctx, 2, "alice"); err != nil || p.PostsCount != 2 || p.FollowersCount != 1 || !p.IsFollowing {
		t.Fatalf("alice's profile after the migrations: %+v, %v; want 2 posts (one is hidden) and bob as follower", p, err)
	}
	if err := db.CreateFollow(ctx, &magpie.Follow{FollowerID: 2, FollowingID: 2, CreatedAt: at}); !errors.Is(err, magpie.ErrSelfFollow) {
		t.Errorf("self follow after the migrations: %v, want ErrSelfFollow", err)
	}

	// Both older spellings keep their accounts; the key stays with the
	// older, and a new variant is taken.
	for name, id := range map[string]int64{"alice": 1, "Alice": 3, "ALICE": 1, "ａｌｉｃｅ": 1} {
		if u, err := db.UserByUsername(ctx, name); err != nil || u.ID != id {
			t.Errorf("UserByUsername(%q) = %+v, %v; want user %d", name, u, err, id)
		}
	}
	if err := db.CreateUser(ctx, &magpie.User{Username: "ALICE", DateJoined: at}, "h"); !errors.Is(err, magpie.ErrUsernameTaken) {
		t.Errorf("a new ALICE: %v, want ErrUsernameTaken", err)
	}

	// The newest post deleted: its id is not given to the next one.
	if err := db.DeletePost(ctx, 4); err != nil {
		t.Fatal(err)
	}
	p := &magpie.Post{Title: "new", Body: "b", OwnerID: 2, CreatedAt: at, UpdatedAt: at}
	if err := db.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.ID <= 4 {
		t.Errorf("new post got id %d, reusing a deleted post's (4)", p.ID)
	}
	// Deleting a user still cascades: foreign keys are on again.
	if err := db.DeleteUser(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ListPostsByOwner(ctx, 0, 1, true, magpie.Page{Limit: 10}); err != nil || len(got) != 0 {
		t.Errorf("alice's posts after deleting her: %+v, %v", got, err)
	}
}
