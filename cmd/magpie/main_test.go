package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/internal/syncbuf"
	"github.com/magpie-sns/magpie/postgres/postgrestest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

func TestParseDatabaseURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    databaseTarget
		wantErr string // a part of the error; "" for none
	}{
		{"SQLiteRelative", "sqlite://magpie.db", databaseTarget{"sqlite", "magpie.db"}, ""},
		{"SQLiteRelativeDir", "sqlite://data/magpie.db", databaseTarget{"sqlite", "data/magpie.db"}, ""},
		{"SQLiteAbsolute", "sqlite:///var/lib/magpie/magpie.db", databaseTarget{"sqlite", "/var/lib/magpie/magpie.db"}, ""},
		{"SQLiteMemory", "sqlite://:memory:", databaseTarget{"sqlite", ":memory:"}, ""},
		{"Postgres", "postgres://magpie:s3cret@db:5432/magpie?sslmode=disable",
			databaseTarget{"postgres", "postgres://magpie:s3cret@db:5432/magpie?sslmode=disable"}, ""},
		{"PostgreSQL", "postgresql://localhost/magpie", databaseTarget{"postgres", "postgresql://localhost/magpie"}, ""},
		{"SQLiteNoPath", "sqlite://", databaseTarget{}, "has no path"},
		{"Empty", "", databaseTarget{}, "sqlite://PATH"},
		{"NoScheme", "magpie.db", databaseTarget{}, "sqlite://PATH"},
		{"SchemeWithoutSlashes", "sqlite:magpie.db", databaseTarget{}, "postgres://"},
		{"OtherScheme", "mysql://root@localhost/magpie", databaseTarget{}, `unsupported database URL scheme "mysql"`},
		{"BadPostgresURL", "postgres://magpie:s3cret@db:port/magpie", databaseTarget{}, "not a valid postgres:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDatabaseURL(tt.url)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parseDatabaseURL(%q): %v", tt.url, err)
				}
				if got != tt.want {
					t.Errorf("parseDatabaseURL(%q) = %+v, want %+v", tt.url, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseDatabaseURL(%q) = %+v, want an error", tt.url, got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	stdout, _, err := runMagpie(t, t.Context(), "", "version")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(stdout) == "" {
		t.Error("version printed nothing")
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		stdout, _, err := runMagpie(t, t.Context(), "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, cmd := range []string{"serve", "migrate", "createuser", "seed", "healthcheck", "version"} {
			if !strings.Contains(stdout, cmd) {
				t.Errorf("%v: usage does not list %s:\n%s", args, cmd, stdout)
			}
		}
	}

	stdout, _, err := runMagpie(t, t.Context(), "", "help", "serve")
	if err != nil || !strings.Contains(stdout, "-addr") {
		t.Errorf("help serve: err %v, output:\n%s", err, stdout)
	}
	_, stderr, err := runMagpie(t, t.Context(), "", "seed", "-h")
	if err != nil || !strings.Contains(stderr, "-users") {
		t.Errorf("seed -h: err %v, stderr:\n%s", err, stderr)
	}

	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"serve", "--no-such-flag"},
		{"serve", "--log-format", "xml"},
		{"serve", "--trusted-proxies", "nginx"},
		{"serve", "--drain-delay", "-1s"},
		{"serve", "extra"},
		{"createuser"},
		{"seed", "--users", "0"},
		{"seed", "--follows", "3"},
		{"seed", "--skew"},
		{"seed", "--bulk", "--users", "3", "--follows", "3"},
	} {
		_, _, err := runMagpie(t, t.Context(), "", args...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: got error %v, want a usage error", args, err)
		}
	}
}

func TestEnvDefaults(t *testing.T) {
	t.Parallel()
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "magpie.db")
	env := map[string]string{"MAGPIE_DATABASE_URL": dbURL}
	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"migrate"}, mapEnv(env), strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "migrations applied") {
		t.Errorf("migrate printed %q", stdout.String())
	}

	env["MAGPIE_MIGRATE"] = "maybe"
	err = run(t.Context(), []string{"serve"}, mapEnv(env), strings.NewReader(""), &stdout, &stderr)
	var ue *usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "MAGPIE_MIGRATE") {
		t.Errorf("MAGPIE_MIGRATE=maybe: got error %v, want a usage error naming it", err)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "magpie.db")
	stdout, _, err := runMagpie(t, t.Context(), "", "migrate", "--database", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "migrations applied") {
		t.Errorf("first migrate printed %q", stdout)
	}
	stdout, _, err = runMagpie(t, t.Context(), "", "migrate", "--database", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "up to date") {
		t.Errorf("second migrate printed %q", stdout)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "magpie.db")
	if _, _, err := runMagpie(t, ctx, "", "migrate", "--database", dbURL); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		stdout, _, err := runMagpie(t, ctx, "correct-horse-9\n", "createuser", "alice", "--password-stdin", "--database", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "alice") {
			t.Errorf("createuser printed %q, want it to mention alice", stdout)
		}
	})
	t.Run("ErrTaken", func(t *testing.T) {
		_, _, err := runMagpie(t, ctx, "correct-horse-9\n", "createuser", "alice", "--password-stdin", "--database", dbURL)
		if err == nil || !strings.Contains(err.Error(), "already taken") {
			t.Errorf("got error %v, want one saying alice is taken", err)
		}
	})
	t.Run("ErrWeakPassword", func(t *testing.T) {
		_, _, err := runMagpie(t, ctx, "1234\n", "createuser", "carol", "--password-stdin", "--database", dbURL)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Fatalf("got error %v, want a usage error", err)
		}
		for _, msg := range []string{"too short", "entirely numeric"} {
			if !strings.Contains(err.Error(), msg) {
				t.Errorf("error %q does not say %q", err, msg)
			}
		}
	})
	t.Run("ErrBadUsername", func(t *testing.T) {
		_, _, err := runMagpie(t, ctx, "correct-horse-9\n", "createuser", "no spaces", "--password-stdin", "--database", dbURL)
		if err == nil || !strings.Contains(err.Error(), "Enter a valid username") {
			t.Errorf("got error %v, want the username rule", err)
		}
	})
	t.Run("ErrNotATerminal", func(t *testing.T) {
		_, _, err := runMagpie(t, ctx, "correct-horse-9\n", "createuser", "carol", "--database", dbURL)
		if err == nil || !strings.Contains(err.Error(), "--password-stdin") {
			t.Errorf("got error %v, want advice to use --password-stdin", err)
		}
	})
	t.Run("Superuser", func(t *testing.T) {
		// Flags on both sides of NAME, and a CRLF line ending.
		_, _, err := runMagpie(t, ctx, "correct-horse-9\r\nignored\n",
			"createuser", "--database", dbURL, "bob", "--superuser", "--password-stdin")
		if err != nil {
			t.Fatal(err)
		}
		db := openTestDB(t, dbURL)
		bob, err := db.UserByUsername(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if !bob.IsSuperuser {
			t.Error("bob is not a superuser")
		}
		alice, err := db.UserByUsername(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if alice.IsSuperuser {
			t.Error("alice is a superuser")
		}
		if _, hash, err := db.UserCredentials(ctx, "bob"); err != nil || !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("bob's hash %q, err %v", hash, err)
		}
	})
	t.Run("FreshDatabase", func(t *testing.T) {
		fresh := "sqlite://" + filepath.Join(t.TempDir(), "fresh.db")
		if _, _, err := runMagpie(t, ctx, "correct-horse-9\n", "createuser", "dave", "--password-stdin", "--database", fresh); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSeed(t *testing.T) {
	t.Parallel()
	testSeed(t, "sqlite://"+filepath.Join(t.TempDir(), "magpie.db"))
}

func TestSeedPostgres(t *testing.T) {
	t.Parallel()
	testSeed(t, postgrestest.NewMigrated(t))
}

func testSeed(t *testing.T, dbURL string) {
	ctx := t.Context()
	stdout, _, err := runMagpie(t, ctx, "", "seed", "--database", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "user1") || !strings.Contains(stdout, "magpie-demo") {
		t.Errorf("first seed printed:\n%s", stdout)
	}
	stdout, _, err = runMagpie(t, ctx, "", "seed", "--database", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "already existed") || !strings.Contains(stdout, "created no users") {
		t.Errorf("second seed printed:\n%s", stdout)
	}

	db := openTestDB(t, dbURL)
	const n = 5
	users := make([]*magpie.User, n)
	for i := range users {
		name := fmt.Sprintf("user%d", i+1)
		u, err := db.UserByUsername(ctx, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		users[i] = u
		posts, err := db.ListPostsByOwner(ctx, 0, u.ID, true, magpie.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 3 {
			t.Errorf("%s has %d posts, want 3", name, len(posts))
		}
		for _, p := range posts {
			// Liked by the two users before, who follow this one; the
			// newest commented on by the one just before.
			wantComments := int64(0)
			if p.ID == posts[0].ID {
				wantComments = 1
			}
			if p.Title == "" || p.Body == "" || p.IsHidden || p.LikeCount != 2 || p.CommentCount != wantComments {
				t.Errorf("%s: bad demo post %+v", name, p)
			}
		}
	}
	for i, u := range users {
		following, err := db.ListFollowing(ctx, u.ID, magpie.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range following {
			got = append(got, f.Username)
		}
		slices.Sort(got)
		want := []string{users[(i+1)%n].Username, users[(i+2)%n].Username}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s follows %v, want %v", u.Username, got, want)
		}
	}
}

func TestSeedBulk(t *testing.T) {
	t.Parallel()
	testSeedBulk(t, "sqlite://"+filepath.Join(t.TempDir(), "magpie.db"))
}

func TestSeedBulkPostgres(t *testing.T) {
	t.Parallel()
	testSeedBulk(t, postgrestest.NewMigrated(t))
}

// seed --bulk loads a synthetic set with plain progress lines off a
// terminal; run again, it finds the load finished and finishes it again.
func testSeedBulk(t *testing.T, dbURL string) {
	ctx := t.Context()
	args := []string{"seed", "--bulk", "--users", "40", "--posts", "4", "--follows", "6", "--skew", "--password", "bulk-password", "--database", dbURL}
	for run, phases := range [][]string{{"users 40/40", "posts and follows 40/40", "derived data 1/1"}, {"derived data 1/1"}} {
		stdout, stderr, err := runMagpie(t, ctx, "", args...)
		if err != nil {
			t.Fatal(err)
		}
		var printed []string
		for line := range strings.Lines(stderr) {
			if phase, ok := strings.CutPrefix(line, "seed: "); ok && strings.Contains(phase, "/") {
				printed = append(printed, phase[:strings.LastIndex(phase, " (")])
			}
		}
		if !strings.Contains(stdout, "loaded 40 users (user1…user40, password bulk-password), 4 posts each") ||
			!slices.Equal(printed[len(printed)-len(phases):], phases) || !strings.Contains(strings.Join(printed, "\n"), phases[0]) {
			t.Errorf("seed --bulk, run %d, printed:\n%s\n%s", run+1, stdout, stderr)
		}
	}
	db := openTestDB(t, dbURL)
	// user1 follows everyone with --skew.
	feed, err := db.ListFeed(ctx, 1, magpie.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) < 39*4*9/10 {
		t.Errorf("user1's feed has %d posts, want about %d", len(feed), 39*4)
	}
	if _, _, err := runMagpie(t, ctx, "", "seed", "--bulk", "--users", "30", "--database", dbURL); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a smaller bulk seed into the loaded database: %v", err)
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	testServe(t, "sqlite://"+filepath.Join(t.TempDir(), "magpie.db"))
}

func TestServePostgres(t *testing.T) {
	t.Parallel()
	testServe(t, postgrestest.NewMigrated(t))
}

func testServe(t *testing.T, dbURL string) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := new(syncbuf.Buffer)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--drain-delay", "2s", "--database", dbURL},
			mapEnv(nil), strings.NewReader(""), io.Discard, stderr)
	}()

	addr := waitForListening(t, stderr, done)
	if strings.Contains(stderr.String(), "postgres://") {
		t.Errorf("the log shows the database URL:\n%s", stderr)
	}
	waitForHealth(t, "http://"+addr+"/health/", stderr, done)
	if out, _, err := runMagpie(t, t.Context(), "", "healthcheck", "--url", "http://"+addr+"/ready/"); err != nil || out != "ok\n" {
		t.Errorf("healthcheck of a ready server: %q, %v", out, err)
	}

	// A connection opened before the stop keeps working while draining,
	// but /ready/ fails on it and it closes after the response; new
	// connections are refused.
	keepAlive := &http.Client{}
	get := func(path string) (*http.Response, error) {
		res, err := keepAlive.Get("http://" + addr + path)
		if err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		return res, err
	}
	if _, err := get("/health/"); err != nil {
		t.Fatal(err)
	}
	cancel()
	waitForLog(t, stderr, "msg=draining")
	res, err := get("/ready/")
	if err != nil {
		t.Fatalf("GET /ready/ on an open connection while draining: %v", err)
	}
	if res.StatusCode != http.StatusServiceUnavailable || !res.Close {
		t.Errorf("GET /ready/ while draining: %d, Connection: close %v; want 503 and close", res.StatusCode, res.Close)
	}
	if _, _, err := runMagpie(t, t.Context(), "", "healthcheck", "--url", "http://"+addr+"/ready/"); err == nil {
		t.Error("healthcheck of a draining server succeeded")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after cancel; log:\n%s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not stop within 10s of cancel; log:\n%s", stderr)
	}
	if _, _, err := runMagpie(t, t.Context(), "", "healthcheck", "--url", "http://"+addr+"/ready/"); err == nil {
		t.Error("healthcheck of a stopped server succeeded")
	}
}

// waitForLog waits until the log contains s.
func waitForLog(t *testing.T, log *syncbuf.Buffer, s string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(log.String(), s) {
			return
		}
	}
	t.Fatalf("log has no %q within 10s:\n%s", s, log)
}

func TestReadyURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8000": "http://127.0.0.1:8000/ready/",
		"0.0.0.0:8000":   "http://127.0.0.1:8000/ready/",
		":9000":          "http://127.0.0.1:9000/ready/",
		"[::]:8000":      "http://[::1]:8000/ready/",
		"example:80":     "http://example:80/ready/",
	} {
		if got := readyURL(addr); got != want {
			t.Errorf("readyURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestServeRefusesPendingMigrations(t *testing.T) {
	t.Parallel()
	dbURL := "sqlite://" + filepath.Join(t.TempDir(), "magpie.db")
	_, _, err := runMagpie(t, t.Context(), "", "serve", "--addr", "127.0.0.1:0", "--migrate=false", "--database", dbURL)
	if err == nil || !strings.Contains(err.Error(), "magpie migrate") {
		t.Errorf("got error %v, want one telling to run magpie migrate", err)
	}
}

var listeningRE = regexp.MustCompile(`msg="magpie listening" addr=(\S+)`)

// waitForListening returns the address serve logs that it listens on.
func waitForListening(t *testing.T, log *syncbuf.Buffer, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRE.FindStringSubmatch(log.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned %v before listening; log:\n%s", err, log)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve logged no listening address within 10s; log:\n%s", log)
	return ""
}

// waitForHealth polls url until it answers 200.
func waitForHealth(t *testing.T, url string, log *syncbuf.Buffer, done <-chan error) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned %v while polling %s; log:\n%s", err, url, log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("GET %s: no 200 within 10s, last: %s; log:\n%s", url, last, log)
}

// runMagpie runs the program with args, stdin and an empty environment.
func runMagpie(t *testing.T, ctx context.Context, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(ctx, args, mapEnv(nil), strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func mapEnv(env map[string]string) func(string) string {
	return func(key string) string { return env[key] }
}

// openTestDB opens the database at dbURL for the test's checks.
func openTestDB(t *testing.T, dbURL string) database {
	t.Helper()
	db, _, err := openDatabase(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestHelpHidesPassword(t *testing.T) {
	for _, dbURL := range []string{
		"postgres://magpie:s3cret@db/magpie",
		"postgres://db/magpie?password=s3cret&sslmode=disable",
		"postgres://magpie:s3cret@db:port/magpie",
	} {
		env := map[string]string{"MAGPIE_DATABASE_URL": dbURL}
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), []string{"migrate", "-h"}, mapEnv(env), strings.NewReader(""), &stdout, &stderr)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "-database") {
			t.Errorf("help has no -database:\n%s", stderr.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), "s3cret") {
			t.Errorf("help shows the password of %s:\n%s", dbURL, stderr.String())
		}
	}
}
