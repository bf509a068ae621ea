package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/server"
)

// The answers to abuse and faults, at the HTTP boundary.
var hardeningTests = []apiTest{
	{"UncleanPathsAreJSON404", func(t *testing.T, e *env) {
		alice := e.user("alice")
		for _, path := range []string{"//health/", "/users//", "/blog/./post/", "/blog/post/../post/", "/./users/"} {
			res := alice.get(path)
			res.wantError(http.StatusNotFound, `{"detail": "Not found."}`)
			if res.header.Get("Location") != "" {
				t.Errorf("%s: redirects to %q", path, res.header.Get("Location"))
			}
		}
	}},
	{"InvalidUTF8InJSONIsRefused", func(t *testing.T, e *env) {
		alice := e.user("alice")
		res := alice.post("/blog/post/", jsonText("{\"title\": \"a\xffb\", \"body\": \"x\"}")).wantStatus(http.StatusBadRequest)
		if d := res.object()["detail"]; d != "JSON parse error - the body is not valid UTF-8" {
			t.Errorf("detail %q", d)
		}
		if got := titles(t, alice.get("/blog/post/my_post/")); len(got) != 0 {
			t.Errorf("a post was stored: %v", got)
		}
	}},
	{"CursorTimesOutOfRange", func(t *testing.T, e *env) {
		alice := e.user("alice")
		// Far before 4713 BC, which PostgreSQL refused with a 500; the
		// smallest int64; after year 9999; before 1970.
		for _, cursor := range []string{"LTIxMDg2NjgwMzIwMDAwMDAwMS4x", "LTkyMjMzNzIwMzY4NTQ3NzU4MDguMQ", "MjUzNDAyMzAwODAwMDAwMDAxLjE", "LTEuMQ"} {
			for _, path := range []string{"/blog/post/", "/blog/post/my_post/", "/blog/post/following_post/", "/follow/follower/", "/follow/following/"} {
				alice.get(path+"?cursor="+cursor).wantError(http.StatusBadRequest, `{"cursor": ["Invalid cursor."]}`)
			}
		}
	}},
	{"LinksNeverComeFromTheHostHeader", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.newPost("one", false)
		alice.newPost("two", false)
		res := alice.do("GET", "/blog/post/?limit=1", nil, "Host", "evil.example")
		if next := res.next(); !strings.HasPrefix(next, e.url+"/blog/post/?") {
			t.Errorf("next %q, want it on the public URL %s", next, e.url)
		}
	}},
	{"LogOutEverywhere", func(t *testing.T, e *env) {
		alice := e.user("alice")
		again := e.login("alice", "alice-password")
		bob := e.user("bob")
		alice.post("/auth/logout/all/", nil).wantStatus(http.StatusNoContent)
		alice.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
		again.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
		bob.get("/users/me/").wantStatus(http.StatusOK)
		e.anon().post("/auth/logout/all/", nil).wantStatus(http.StatusUnauthorized)
	}},
}

func TestHardening(t *testing.T) {
	forEachEngine(t, hardeningTests)
}

// Links without a public URL: relative, or on the host a trusted proxy
// says the client asked for.
func TestLinksWithoutAPublicURL(t *testing.T) {
	t.Parallel()
	trusted, err := server.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, openSQLite(t), envOptions{noPublic: true, server: server.Config{TrustedProxies: trusted}})
	alice := e.user("alice")
	alice.newPost("one", false)
	alice.newPost("two", false)
	if next := alice.do("GET", "/blog/post/?limit=1", nil, "Host", "evil.example").next(); !strings.HasPrefix(next, "/blog/post/?") {
		t.Errorf("next %q, want a relative URL", next)
	}
	next := alice.do("GET", "/blog/post/?limit=1", nil, "X-Forwarded-Host", "api.example.org", "X-Forwarded-Proto", "https").next()
	if !strings.HasPrefix(next, "https://api.example.org/blog/post/?") {
		t.Errorf("next %q, want it on the forwarded host", next)
	}
}

// The limits, with a limiter and a small policy: 429 JSON with
// Retry-After and RateLimit headers.
func TestRateLimits(t *testing.T) {
	t.Parallel()
	policy := ratelimit.Policy{
		Requests:        ratelimit.Rate{Limit: 40, Period: time.Hour},
		Login:           ratelimit.Rate{Limit: 3, Period: time.Hour},
		Signup:          ratelimit.Rate{Limit: 3, Period: time.Hour},
		AccountFailures: ratelimit.Rate{Limit: 10, Period: time.Hour},
	}
	limiter := ratelimit.NewMemory()
	e := newEnvWith(t, openSQLite(t), envOptions{limiter: limiter, policy: policy,
		server: server.Config{Limiter: limiter, Requests: policy.Requests, Unlimited: []string{"/health/"}}})
	e.user("alice") // a sign-up and a login
	e.anon().post("/auth/signup/", obj{"username": "bob", "password": "correct-horse"}).wantStatus(http.StatusCreated)
	e.anon().post("/auth/signup/", obj{"username": "carol", "password": "correct-horse"}).wantStatus(http.StatusCreated)
	res := e.anon().post("/auth/signup/", obj{"username": "dave", "password": "correct-horse"})
	res.wantError(http.StatusTooManyRequests, `{"detail": "Too many sign-ups from your address; try again later."}`)
	wantRetryAfter(t, res)

	for range 2 {
		e.anon().post("/auth/token/", obj{"username": "alice", "password": "wrong-password"}).wantStatus(http.StatusUnauthorized)
	}
	res = e.anon().post("/auth/token/", obj{"username": "alice", "password": "alice-password"})
	res.wantError(http.StatusTooManyRequests, `{"detail": "Too many login attempts from your address; try again later."}`)
	wantRetryAfter(t, res)

	// Every response says where the client stands against the request
	// limit, and the 41st request of the hour is refused; the probes are
	// not counted.
	res = e.anon().get("/version/").wantStatus(http.StatusOK)
	remaining, err := strconv.Atoi(res.header.Get("RateLimit-Remaining"))
	if err != nil || res.header.Get("RateLimit-Limit") != "40" || res.header.Get("RateLimit-Reset") == "" {
		t.Fatalf("RateLimit headers %v", res.header)
	}
	for range remaining {
		e.anon().get("/version/").wantStatus(http.StatusOK)
	}
	res = e.anon().get("/version/")
	res.wantError(http.StatusTooManyRequests, `{"detail": "Too many requests from your address; try again later."}`)
	wantRetryAfter(t, res)
	e.anon().get("/health/").wantStatus(http.StatusOK)
}

func wantRetryAfter(t *testing.T, res *response) {
	t.Helper()
	if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("%s: Retry-After %q, want whole seconds", res.req, res.header.Get("Retry-After"))
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, openSQLite(t), envOptions{server: server.Config{CORSOrigins: []string{"https://app.example.org"}}})
	alice := e.user("alice")
	res := e.anon().do("OPTIONS", "/blog/post/", nil,
		"Origin", "https://app.example.org", "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization, content-type")
	res.wantStatus(http.StatusNoContent)
	for h, want := range map[string]string{
		"Access-Control-Allow-Origin":  "https://app.example.org",
		"Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
		"Access-Control-Allow-Headers": "Authorization, Content-Type, X-Request-Id",
	} {
		if got := res.header.Get(h); got != want {
			t.Errorf("preflight %s = %q, want %q", h, got, want)
		}
	}
	res = alice.do("GET", "/users/me/", nil, "Origin", "https://app.example.org").wantStatus(http.StatusOK)
	expose := res.header.Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Link", "X-Request-Id", "Retry-After", "RateLimit-Remaining"} {
		if !strings.Contains(expose, h) {
			t.Errorf("Access-Control-Expose-Headers %q does not expose %s", expose, h)
		}
	}
	e.anon().do("OPTIONS", "/blog/post/", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST").
		wantError(http.StatusForbidden, `{"detail": "This origin may not call the API."}`)
	res = alice.do("GET", "/users/me/", nil, "Origin", "https://evil.example").wantStatus(http.StatusOK)
	if res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("another origin is allowed to read")
	}
	// A plain OPTIONS, with no preflight, still answers with Allow.
	e.anon().do("OPTIONS", "/blog/post/", nil).wantStatus(http.StatusNoContent)
}

// stalledStore is a store whose post lists wait until their context ends,
// as on a database that stopped answering.
type stalledStore struct{ magpie.Store }

func (stalledStore) ListPosts(ctx context.Context, _ int64, _ []string, _ magpie.Page) ([]magpie.Post, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A stalled database gets a 503 with Retry-After at the request deadline,
// not a hang; a client that goes away is logged as 499.
func TestStalledDatabaseIs503AtTheDeadline(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, stalledStore{openSQLite(t)}, envOptions{server: server.Config{RequestTimeout: 300 * time.Millisecond}})
	alice := e.user("alice")
	start := time.Now()
	res := alice.get("/blog/post/")
	res.wantError(http.StatusServiceUnavailable, `{"detail": "The service is unavailable right now; try again shortly."}`)
	wantRetryAfter(t, res)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the 503 took %v, want about the 300ms deadline", took)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.url+"/blog/post/", nil)
	req.Header.Set("Authorization", alice.authz)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request did not time out")
	}
	for deadline := time.Now().Add(3 * time.Second); !strings.Contains(e.logs.String(), "status=499"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no request logged with status 499:\n%s", e.logs)
		}
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", e.logs)
	}
}
