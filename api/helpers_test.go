package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/api"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/internal/syncbuf"
	"github.com/magpie-sns/magpie/postgres/postgrestest"
	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
)

// cheapPasswords keeps tests fast; argon2id's costs are stored in each hash,
// so production code paths are the same.
var cheapPasswords = auth.NewPasswords(auth.Params{Time: 1, MemoryKiB: 64, Threads: 1})

// engine opens a fresh, migrated store for one test.
type engine struct {
	name string
	open func(t testing.TB) magpie.Store
}

func openSQLite(t testing.TB) magpie.Store {
	db, err := sqlite.Open(t.Context(), sqlitetest.NewFile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openPostgres(t testing.TB) magpie.Store {
	return postgrestest.NewStore(t)
}

// apiTest is a behaviour of the API, run once on each engine by TestAPI.
type apiTest struct {
	name string
	run  func(t *testing.T, e *env)
}

// forEachEngine runs tests on SQLite, and on PostgreSQL when
// MAGPIE_TEST_POSTGRES_URL is set, in parallel: each has its own database.
func forEachEngine(t *testing.T, tests []apiTest) {
	engines := []engine{{"sqlite", openSQLite}, {"postgres", openPostgres}}
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					tt.run(t, newEnv(t, eng.open(t)))
				})
			}
		})
	}
}

// env is a running API server on a fresh database.
type env struct {
	t     *testing.T
	url   string
	store magpie.Store
	svc   *service.Service
	clock *clock
	logs  *syncbuf.Buffer
}

// clock moves one second every time it is read, so every write gets a
// distinct, increasing time.
type clock struct{ unix atomic.Int64 }

func (c *clock) now() time.Time { return time.Unix(c.unix.Add(1), 0).UTC() }

// Advance moves the clock forward by d.
func (c *clock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

func newEnv(t *testing.T, store magpie.Store) *env {
	return newEnvWith(t, store, envOptions{})
}

// envOptions change what newEnvWith builds; the zero value is newEnv's.
type envOptions struct {
	server    server.Config // its Logger is set by newEnvWith
	limiter   ratelimit.Limiter
	policy    ratelimit.Policy
	noPublic  bool // no public URL: links come from trusted proxies, or are relative
	passwords service.Passwords
}

func newEnvWith(t *testing.T, store magpie.Store, opts envOptions) *env {
	e := &env{t: t, store: store, clock: &clock{}, logs: &syncbuf.Buffer{}}
	e.clock.unix.Store(time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC).Unix())
	if opts.passwords == nil {
		opts.passwords = cheapPasswords
	}
	e.svc = service.New(service.Config{
		Store:     store,
		Passwords: opts.passwords,
		TokenTTL:  time.Hour,
		Now:       e.clock.now,
		Limiter:   opts.limiter,
		Policy:    opts.policy,
	})
	logger := slog.New(server.LogHandler(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	cfg := opts.server
	cfg.Logger = logger
	srv := server.New(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e.url = ts.URL
	var public *url.URL
	if !opts.noPublic {
		public, _ = url.Parse(ts.URL)
	}
	srv.Mount("/", api.New(api.Config{Service: e.svc, Logger: logger, Version: "v1.2.3-test", PublicURL: public}))
	return e
}

// anon is a client without credentials.
func (e *env) anon() *client { return &client{e: e} }

// user signs up a user whose password is name+"-password" and returns a
// client logged in with a bearer token.
func (e *env) user(name string) *client {
	e.t.Helper()
	c := e.anon()
	res := c.post("/auth/signup/", obj{"username": name, "password": name + "-password"})
	res.wantStatus(http.StatusCreated)
	var u struct{ ID int64 }
	res.decode(&u)
	logged := e.login(name, name+"-password")
	logged.id = u.ID
	return logged
}

// login returns a client logged in with a new bearer token.
func (e *env) login(name, password string) *client {
	e.t.Helper()
	res := e.anon().post("/auth/token/", obj{"username": name, "password": password})
	res.wantStatus(http.StatusOK)
	var tok struct{ Token string }
	res.decode(&tok)
	return &client{e: e, name: name, authz: "Bearer " + tok.Token, token: tok.Token}
}

// superuser creates a superuser through the service, as
// `magpie createuser --superuser` does, and logs in with Basic auth.
func (e *env) superuser(name string) *client {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.t.Context(), service.NewUser{Username: name, Password: name + "-password", Superuser: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{e: e, id: u.ID, name: name, authz: basic(name, name+"-password")}
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

type client struct {
	e     *env
	id    int64
	name  string
	authz string // Authorization header
	token string
}

// obj is a JSON object body.
type obj = map[string]any

// rawBody is a body sent as is with its content type.
type rawBody struct {
	contentType string
	data        string
}

func jsonText(s string) rawBody { return rawBody{"application/json", s} }

// form is sent URL-encoded; multipartForm as multipart/form-data.
type form = url.Values
type multipartForm map[string]string

func (c *client) get(path string) *response            { return c.do("GET", path, nil) }
func (c *client) post(path string, body any) *response { return c.do("POST", path, body) }
func (c *client) put(path string, body any) *response  { return c.do("PUT", path, body) }
func (c *client) patch(path string, body any) *response {
	return c.do("PATCH", path, body)
}
func (c *client) delete(path string) *response { return c.do("DELETE", path, nil) }

func (c *client) do(method, path string, body any, headers ...string) *response {
	c.e.t.Helper()
	var (
		r     io.Reader
		ctype string
	)
	switch b := body.(type) {
	case nil:
	case rawBody:
		r, ctype = strings.NewReader(b.data), b.contentType
	case form:
		r, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case multipartForm:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range b {
			if err := mw.WriteField(k, v); err != nil {
				c.e.t.Fatal(err)
			}
		}
		if err := mw.Close(); err != nil {
			c.e.t.Fatal(err)
		}
		r, ctype = &buf, mw.FormDataContentType()
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		r, ctype = bytes.NewReader(data), "application/json"
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = c.e.url + path
	}
	req, err := http.NewRequestWithContext(c.e.t.Context(), method, target, r)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.authz != "" {
		req.Header.Set("Authorization", c.authz)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1] // net/http sends req.Host, not a Host header
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	// Redirects are failures here: the API answers every path directly.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	out := &response{t: c.e.t, req: method + " " + path, status: res.StatusCode, header: res.Header, body: data}
	out.checkDocumented(req)
	return out
}

type response struct {
	t      *testing.T
	req    string
	status int
	header http.Header
	body   []byte
}

func (r *response) wantStatus(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d; body %s", r.req, r.status, status, r.body)
	}
	return r
}

// decode reads the JSON body into v, failing on a non-JSON response.
func (r *response) decode(v any) {
	r.t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		r.t.Fatalf("%s: Content-Type %q, want application/json", r.req, ct)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: body %s: %v", r.req, r.body, err)
	}
}

// wantBody checks the body is the JSON value given, compared as JSON.
func (r *response) wantBody(want string) {
	r.t.Helper()
	var got, exp any
	r.decode(&got)
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		r.t.Fatalf("bad expected JSON %s: %v", want, err)
	}
	g, _ := json.Marshal(got)
	x, _ := json.Marshal(exp)
	if !bytes.Equal(g, x) {
		r.t.Fatalf("%s: body %s, want %s", r.req, g, x)
	}
}

// wantError checks status and body together.
func (r *response) wantError(status int, body string) {
	r.t.Helper()
	r.wantStatus(status)
	r.wantBody(body)
}

// object decodes a JSON object body.
func (r *response) object() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.decode(&m)
	return m
}

// next returns the URL of the next page from the Link header, or "".
func (r *response) next() string {
	link := r.header.Get("Link")
	if link == "" {
		return ""
	}
	start, end := strings.Index(link, "<"), strings.Index(link, ">")
	if start < 0 || end < start || !strings.Contains(link, `rel="next"`) {
		r.t.Fatalf("%s: malformed Link header %q", r.req, link)
	}
	return link[start+1 : end]
}

type post struct {
	ID            int64  `json:"id"`
	Title         string `json:"title"`
	Body          string `json:"body"`
	Owner         int64  `json:"owner"`
	OwnerUsername string `json:"owner_username"`
	IsHidden      bool   `json:"is_hidden"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

// newPost creates a post and returns it.
func (c *client) newPost(title string, hidden bool) post {
	c.e.t.Helper()
	var p post
	c.post("/blog/post/", obj{"title": title, "body": "body of " + title, "is_hidden": hidden}).
		wantStatus(http.StatusCreated).decode(&p)
	return p
}

func (c *client) follow(other *client) {
	c.e.t.Helper()
	c.post("/follow/", obj{"following": other.id}).wantStatus(http.StatusCreated)
}

// titles lists the titles of a JSON array of posts.
func titles(t *testing.T, r *response) []string {
	t.Helper()
	r.wantStatus(http.StatusOK)
	var ps []post
	r.decode(&ps)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Title
	}
	return out
}

// named puts a test case's name in front of the request in failures.
func (r *response) named(name string) *response {
	r.req = name + ": " + r.req
	return r
}
