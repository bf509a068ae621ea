package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-sns/magpie/api"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/internal/syncbuf"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
)

// cheapPasswords keeps the logins fast; argon2id's costs are stored in
// each hash, so the server's code paths are the same.
var cheapPasswords = auth.NewPasswords(auth.Params{Time: 1, MemoryKiB: 64, Threads: 1})

// startMagpie runs the Magpie API on a fresh SQLite database with users
// user1…userN, password magpie-demo, each with a post and following the
// next, as `magpie seed` leaves them. It returns the API's base URL.
func startMagpie(t *testing.T, users int) string {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, sqlitetest.NewFile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := service.New(service.Config{Store: db, Passwords: cheapPasswords})
	ids := make([]int64, users)
	for i := range ids {
		u, err := svc.CreateUser(ctx, service.NewUser{Username: fmt.Sprintf("user%d", i+1), Password: "magpie-demo"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreatePost(ctx, u, service.NewPost{Title: "Hello", Body: "A post to read."}); err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	for i := range ids {
		u, err := svc.User(ctx, fmt.Sprintf("user%d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Follow(ctx, u, service.FollowTarget{ID: ids[(i+1)%users]}); err != nil {
			t.Fatal(err)
		}
	}
	srv := server.New(server.Config{})
	srv.Mount("/", api.New(api.Config{Service: svc}))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// bench runs the command with args and returns its JSON report.
func bench(t *testing.T, args ...string) (*report, string) {
	t.Helper()
	var stdout bytes.Buffer
	stderr := new(syncbuf.Buffer)
	if err := run(t.Context(), append(args, "--json"), &stdout, stderr); err != nil {
		t.Fatalf("magpie-bench %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
	}
	return &r, stderr.String()
}

// wantHealthy fails the test if the run had a transport error, a 5xx or
// an answer its operation should not get.
func wantHealthy(t *testing.T, r *report) {
	t.Helper()
	if r.Requests == 0 {
		t.Error("no requests")
	}
	if r.TransportErrors != 0 {
		t.Errorf("%d transport errors: %v", r.TransportErrors, r.ErrorKinds)
	}
	for status, n := range r.Statuses {
		if status >= 500 {
			t.Errorf("%d answers %d", n, status)
		}
	}
	if r.Unexpected != 0 {
		t.Errorf("%d unexpected answers: %v", r.Unexpected, r.Operations)
	}
}

// TestAgainstMagpie runs the default mix against a real Magpie API for
// about a second in each load model.
func TestAgainstMagpie(t *testing.T) {
	url := startMagpie(t, 10)
	pid := strconv.Itoa(os.Getpid()) // the server runs in this process

	t.Run("ClosedLoop", func(t *testing.T) {
		r, stderr := bench(t, "--url", url, "--users", "10", "--concurrency", "4", "--warmup", "200ms", "--duration", "1s", "--pid", pid)
		wantHealthy(t, r)
		if r.Mode != "closed" || r.Concurrency != 4 || r.Users != 10 || r.LoginFailures != 0 {
			t.Errorf("mode %s, concurrency %d, %d users, %d login failures; want closed, 4, 10, 0", r.Mode, r.Concurrency, r.Users, r.LoginFailures)
		}
		if len(r.Operations) != 5 {
			t.Errorf("operations %v, want the five of the default mix", r.Operations)
		}
		if r.Server == nil || r.Server.PID != os.Getpid() || r.Server.PeakKiB < r.Server.RSSKiB || r.Server.RSSKiB <= 0 {
			t.Errorf("server memory %+v", r.Server)
		}
		if !strings.Contains(stderr, "logged in 10 users") {
			t.Errorf("stderr:\n%s", stderr)
		}
	})
	t.Run("OpenLoop", func(t *testing.T) {
		r, _ := bench(t, "--url", url, "--users", "10", "--rate", "100", "--duration", "1s")
		wantHealthy(t, r)
		// 100 requests are due in the second, every one sent or dropped.
		if r.Mode != "open" || r.Requests+r.Dropped != 100 {
			t.Errorf("mode %s, %d requests and %d dropped; want open and 100 in all", r.Mode, r.Requests, r.Dropped)
		}
	})
	t.Run("RequestLimit", func(t *testing.T) {
		r, _ := bench(t, "--url", url, "--users", "10", "--endpoint", "create-post", "--requests", "25", "--duration", "0")
		wantHealthy(t, r)
		if r.Requests != 25 || r.Statuses[http.StatusCreated] != 25 {
			t.Errorf("%d requests, statuses %v; want 25 answered 201", r.Requests, r.Statuses)
		}
	})
	t.Run("SomeUsersMissing", func(t *testing.T) {
		r, stderr := bench(t, "--url", url, "--users", "12", "--endpoint", "feed", "--requests", "10")
		wantHealthy(t, r)
		if r.Users != 10 || r.LoginFailures != 2 {
			t.Errorf("%d users, %d login failures; want 10 and 2", r.Users, r.LoginFailures)
		}
		if !strings.Contains(stderr, "2 of 12 users could not log in") || !strings.Contains(stderr, "user11: 401 Unauthorized") {
			t.Errorf("stderr does not name the failed logins:\n%s", stderr)
		}
	})
	t.Run("ServeBare", func(t *testing.T) {
		ctx, stop := context.WithCancel(t.Context())
		served := make(chan error, 1)
		stderr := new(syncbuf.Buffer)
		go func() { served <- run(ctx, []string{"--url", url, "--serve-bare", "127.0.0.1:0"}, io.Discard, stderr) }()
		var bareURL string
		for range 100 {
			if _, after, ok := strings.Cut(stderr.String(), " on "); ok {
				bareURL, _, _ = strings.Cut(after, " ")
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if bareURL == "" {
			t.Fatalf("the bare server did not start:\n%s", stderr)
		}
		// The page as the real server sends it (whatever the other subtests
		// left in user1's feed), to a bench as to anyone.
		r, _ := bench(t, "--url", bareURL, "--users", "3", "--endpoint", "feed", "--requests", "20")
		wantHealthy(t, r)
		want, got := getFeed(t, url), getFeed(t, bareURL)
		if got != want || !strings.HasPrefix(got, "[") {
			t.Errorf("the bare server's page:\n%s\nthe real one:\n%s", got, want)
		}
		stop()
		if err := <-served; err != nil {
			t.Errorf("the bare server ended with %v", err)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		err := run(t.Context(), []string{"--url", url, "--users", "3", "--password", "wrong-password", "--duration", "1s"}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no user could log in") {
			t.Errorf("got %v, want no user could log in", err)
		}
	})
}

// getFeed returns user1's first page of the feed, decoded.
func getFeed(t *testing.T, base string) string {
	t.Helper()
	login, err := http.Post(base+"/auth/token/", "application/json", strings.NewReader(`{"username": "user1", "password": "magpie-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	err = json.NewDecoder(login.Body).Decode(&tok)
	login.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/blog/post/following_post/", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return string(body)
}

// TestNoRedirects checks that the bench sends to the base URL only: a
// redirect elsewhere is counted as its status, never followed.
func TestNoRedirects(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/token/" {
			w.Header().Set("Link", "<"+other.URL+"/next/>; rel=\"next\"")
			fmt.Fprint(w, `{"token": "t"}`)
			return
		}
		w.Header().Set("Link", "<"+other.URL+"/next/>; rel=\"next\"")
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer target.Close()

	r, _ := bench(t, "--url", target.URL, "--users", "2", "--endpoint", "feed", "--requests", "20")
	if got := elsewhere.Load(); got != 0 {
		t.Errorf("the other server got %d requests", got)
	}
	if r.Statuses[http.StatusFound] != 20 || r.Unexpected != 20 {
		t.Errorf("statuses %v, %d unexpected; want 20 × 302, unexpected", r.Statuses, r.Unexpected)
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--endpoint", "feed", "--mix", "feed=1"}, "not both"},
		{[]string{"--endpoint", "timeline"}, `unknown endpoint "timeline"`},
		{[]string{"--users", "0"}, "--users must be at least 1"},
		{[]string{"--user-format", "alice"}, "must contain %d"},
		{[]string{"--user-format", "user%s"}, "must contain %d"},
		{[]string{"--rate", "100", "--concurrency", "8"}, "--concurrency is for the closed loop"},
		{[]string{"--max-in-flight", "8"}, "--max-in-flight is for the open loop"},
		{[]string{"--duration", "0"}, "a run must end"},
		{[]string{"--url", "ftp://example.org"}, "--url"},
		{[]string{"--url", "127.0.0.1:8000"}, "--url"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--no-such-flag"}, "no-such-flag"},
	}
	for _, tt := range tests {
		err := run(t.Context(), tt.args, io.Discard, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("magpie-bench %s: %v, want a usage error containing %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
	var help bytes.Buffer
	if err := run(t.Context(), []string{"-h"}, io.Discard, &help); err != nil || !strings.Contains(help.String(), "-rate") {
		t.Errorf("-h: %v, help:\n%s", err, help.String())
	}
}
