package api

// Fuzz targets for what a client controls byte by byte: request bodies and
// their Content-Type, cursors, path parameters and the Authorization
// header. Run one with
//
//	go test -run '^$' -fuzz '^FuzzReadInputJSON$' -fuzztime 30s ./api/
//
// Each target's seed corpus is its f.Add calls and the files under
// testdata/fuzz/<FuzzName>/, which plain `go test` runs too; a failing input
// the fuzzer finds is written there and fails `go test` until it is fixed.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/internal/syncbuf"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
)

// Request bodies.

const (
	ctypeJSON = "application/json"
	ctypeForm = "application/x-www-form-urlencoded"
	// fuzzBoundary is the boundary of FuzzReadInputMultipart's bodies.
	fuzzBoundary = "MagpieFuzzBoundary"
)

// hostileBodies are the bodies protocol_test.go's NoInputCausesA5xx sends,
// for every body target.
var hostileBodies = []string{
	``, ` `, `{}`, `null`, `"s"`, `[]`, `{"title": 1e400}`, "\xff\xfe", "\x00", "{\"title\": \"\x00\"}",
	`{"title": true, "body": [], "is_hidden": 7, "following": -1, "username": {}, "password": 5}`,
	`{"title": "t", "body": "b", "following": 9223372036854775807, "username": "a\u0000b", "password": "p\u0000assword"}`,
	"title=%FF&body=%00&following=1e3&username=%FF", "garbage", "%%%=&&",
}

func FuzzReadInputJSON(f *testing.F) {
	for _, s := range hostileBodies {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"title": "t", "body": "b", "is_hidden": true}`,
		`{"title": "t", "body": "b", "is_hidden": "yes"}`,
		`{"following": 9223372036854775808}`,
		`{"following": "  42 "}`,
		`{"following": 1.5, "is_hidden": 1}`,
		`{"a": 1} {"b": 2}`,
		`{"a": 1}]`,
		`{"a": 1, "a": "2"}`,
		"\ufeff{}",
		"{\"title\": \"\xff\"}",
		strings.Repeat("[", 10001),
		`{"x": ` + strings.Repeat("[", 10001) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := fuzzReadInput(t, ctypeJSON, body)
		checkReadInput(t, in, err, body)
		if len(body) <= maxBodyBytes && utf8.Valid(body) && json.Valid(body) && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) && err != nil {
			t.Fatalf("a JSON object %q: %v", body, err)
		}
	})
}

func FuzzReadInputForm(f *testing.F) {
	for _, s := range hostileBodies {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		"title=t&body=b&is_hidden=on",
		"following=+42+&is_hidden=0",
		"title=a&title=b",
		"title=a;body=b",
		"=&=&title",
		"title=%zz",
		"a%00b=c%FFd",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := fuzzReadInput(t, ctypeForm, body)
		checkReadInput(t, in, err, body)
		if len(body) > maxBodyBytes || len(bytes.TrimSpace(body)) == 0 {
			return
		}
		// What net/url makes of the body is what a handler reads.
		want, perr := url.ParseQuery(string(body))
		if (perr == nil) != (err == nil) {
			t.Fatalf("body %q: readInput says %v, url.ParseQuery says %v", body, err, perr)
		}
		if err == nil {
			checkFirstValues(t, in, want)
		}
	})
}

func FuzzReadInputMultipart(f *testing.F) {
	for _, s := range hostileBodies {
		f.Add([]byte(s))
	}
	f.Add(multipartBody(f, map[string]string{"title": "t", "body": "b", "is_hidden": "true"}))
	f.Add(multipartBody(f, map[string]string{"title": "\xff", "body": "\x00", "following": "1e3"}))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\ncontent\r\n--" + fuzzBoundary + "--\r\n"))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nno closing delimiter"))
	f.Add([]byte("--" + fuzzBoundary + "--\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := fuzzReadInput(t, "multipart/form-data; boundary="+fuzzBoundary, body)
		checkReadInput(t, in, err, body)
		if len(body) > maxBodyBytes || len(bytes.TrimSpace(body)) == 0 {
			return
		}
		// What mime/multipart makes of the body is what a handler reads.
		form, perr := multipart.NewReader(bytes.NewReader(body), fuzzBoundary).ReadForm(maxBodyBytes)
		if (perr == nil) != (err == nil) {
			t.Fatalf("body %q: readInput says %v, multipart says %v", body, err, perr)
		}
		if err == nil {
			checkFirstValues(t, in, form.Value)
			_ = form.RemoveAll()
		}
	})
}

func FuzzReadInputContentType(f *testing.F) {
	jsonBody := []byte(`{"title": "t"}`)
	formBody := []byte("title=t")
	mpBody := multipartBody(f, map[string]string{"title": "t"})
	for _, seed := range []struct {
		ctype string
		body  []byte
	}{
		{"", jsonBody},
		{";", jsonBody},
		{ctypeJSON, jsonBody},
		{"application/json; charset=utf-8", jsonBody},
		{"APPLICATION/JSON", jsonBody},
		{"application/json; charset", jsonBody},
		{"application/json;;", jsonBody},
		{"application/vnd.api+json", jsonBody},
		{"text/plain", jsonBody},
		{"text/plain", []byte(" \r\n\t")},
		{ctypeForm, formBody},
		{ctypeForm + "; charset=latin1", formBody},
		{"multipart/form-data", mpBody},
		{"multipart/form-data; boundary=", mpBody},
		{"multipart/form-data; boundary=" + fuzzBoundary, mpBody},
		{"Multipart/Form-Data; Boundary=" + fuzzBoundary, mpBody},
		{`multipart/form-data; boundary="` + fuzzBoundary + `"`, mpBody},
		{"multipart/form-data; boundary=other", mpBody},
		{"multipart/form-data; boundary=" + fuzzBoundary + "; boundary=x", mpBody},
		{`multipart/form-data; boundary="a b"`, []byte("--a b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n--a b--\r\n")},
		{"multipart/mixed; boundary=" + fuzzBoundary, mpBody},
		{"multipart/form-data; boundary=" + fuzzBoundary, []byte("garbage")},
	} {
		f.Add(seed.ctype, seed.body, false)
	}
	f.Add(ctypeJSON, jsonBody, true)
	f.Add("text/plain", []byte{}, true)
	f.Fuzz(func(t *testing.T, ctype string, body []byte, oversize bool) {
		if oversize && len(body) <= maxBodyBytes {
			// Padded with what TrimSpace removes, so that only the size can
			// be wrong with it.
			body = append(bytes.Clone(body), bytes.Repeat([]byte(" "), maxBodyBytes+1-len(body))...)
		}
		in, err := fuzzReadInput(t, ctype, body)
		checkReadInput(t, in, err, body)
		if len(body) > maxBodyBytes {
			return // checkReadInput wants a 413
		}
		if len(bytes.TrimSpace(body)) == 0 {
			if err != nil || len(in.fields) != 0 {
				t.Fatalf("an empty body with Content-Type %q: %v, fields %v", ctype, err, in.fields)
			}
			return
		}
		parsed, _, perr := mime.ParseMediaType(ctype)
		supported := func(mt string) bool { return mt == ctypeJSON || mt == ctypeForm || mt == "multipart/form-data" }
		var he *httpError
		refused := errors.As(err, &he) && he.status == http.StatusUnsupportedMediaType
		switch {
		case perr == nil && supported(parsed) && refused:
			t.Fatalf("Content-Type %q (media type %q) refused as unsupported", ctype, parsed)
		case (perr != nil || !supported(parsed)) && !supported(ctype) && !refused:
			t.Fatalf("Content-Type %q: got %v, want a 415", ctype, err)
		}
	})
}

// fuzzReadInput runs readInput on a POST of body with the Content-Type
// given, if any.
func fuzzReadInput(t *testing.T, ctype string, body []byte) (*input, error) {
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", bytes.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return readInput(httptest.NewRecorder(), r)
}

// multipartBody is a multipart/form-data body with fuzzBoundary.
func multipartBody(tb testing.TB, fields map[string]string) []byte {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary(fuzzBoundary); err != nil {
		tb.Fatal(err)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if err := mw.WriteField(k, fields[k]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// checkFirstValues checks that a form body's fields are its first values.
func checkFirstValues(t *testing.T, in *input, want map[string][]string) {
	t.Helper()
	n := 0
	for k, vs := range want {
		if len(vs) == 0 {
			continue
		}
		n++
		if got, ok := in.fields[k].(string); !ok || got != vs[0] {
			t.Fatalf("field %q: got %#v, want %q", k, in.fields[k], vs[0])
		}
	}
	if len(in.fields) != n {
		t.Fatalf("fields %v, want the first of %v", in.fields, want)
	}
}

// checkReadInput checks what readInput returned for body: a 413 for a body
// over the limit; otherwise either an error the client is to blame for
// (a 4xx, with words) or an input whose getters and check report only
// such errors.
func checkReadInput(t *testing.T, in *input, err error, body []byte) {
	t.Helper()
	if len(body) > maxBodyBytes {
		var he *httpError
		if !errors.As(err, &he) || he.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("a body of %d bytes: %v, want a 413", len(body), err)
		}
	}
	if err != nil {
		var (
			he *httpError
			me *magpie.Error
		)
		switch {
		case errors.As(err, &he):
			if he.status < 400 || he.status > 499 || he.detail == "" {
				t.Fatalf("body %q: http error %d %q, want a 4xx with words", body, he.status, he.detail)
			}
		case errors.As(err, &me):
			if len(me.Fields) == 0 && me.Message == "" {
				t.Fatalf("body %q: %v has no words", body, err)
			}
		default:
			t.Fatalf("body %q: %T %v, want an *httpError or a *magpie.Error", body, err, err)
		}
		wantClientError(t, err)
		return
	}
	if in == nil || in.fields == nil || len(in.errs) != 0 {
		t.Fatalf("body %q: no error, but input %#v", body, in)
	}
	checkGetters(t, in)
}

// wantClientError checks that writeError answers err with a 4xx and a JSON
// body, as a handler returning it would.
func wantClientError(t *testing.T, err error) {
	t.Helper()
	a := &API{log: slog.New(slog.DiscardHandler)}
	rec := httptest.NewRecorder()
	a.writeError(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", nil), err)
	if rec.Code < 400 || rec.Code > 499 {
		t.Fatalf("%v is written as a %d, want a 4xx", err, rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" || !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%v is written as %q %q, want JSON", err, ct, rec.Body)
	}
}

// checkGetters calls every getter on the fields the handlers read and on
// every field of the body, then check, as a handler does.
func checkGetters(t *testing.T, in *input) {
	t.Helper()
	names := []string{"title", "body", "is_hidden", "following", "username", "password", "owner"}
	for _, k := range slices.Sorted(maps.Keys(in.fields)) {
		if len(names) == 64 {
			break
		}
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	// A getter that fails adds one message to its field, unless the field
	// is absent and optional; one that succeeds adds none.
	wantErrs := func(getter, field string, required, ok bool, before int) {
		t.Helper()
		_, present := in.fields[field]
		want := before
		if !ok && (present || required) {
			want++
		}
		if got := len(in.errs[field]); got != want {
			t.Fatalf("%s(%q, required %v) on %#v: ok %v and %d messages %q, want %d", getter, field, required, in.fields[field], ok, got, in.errs[field], want)
		}
		for _, msg := range in.errs[field] {
			if msg == "" {
				t.Fatalf("%s(%q): an empty message", getter, field)
			}
		}
	}
	for _, name := range names {
		v := in.fields[name]
		for _, required := range []bool{false, true} {
			before := len(in.errs[name])
			s, ok := in.string(name, required)
			wantErrs("string", name, required, ok, before)
			if ok {
				switch v := v.(type) {
				case string:
					if s != v {
						t.Fatalf("string(%q) = %q, want %q", name, s, v)
					}
				case json.Number:
					if s != v.String() {
						t.Fatalf("string(%q) = %q, want %q", name, s, v)
					}
				default:
					t.Fatalf("string(%q) took %#v", name, v)
				}
			}
			before = len(in.errs[name])
			n, ok := in.int(name, required)
			wantErrs("int", name, required, ok, before)
			if ok {
				text, isText := v.(string)
				if num, isNum := v.(json.Number); isNum {
					text, isText = num.String(), true
				}
				if want, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); !isText || err != nil || n != want {
					t.Fatalf("int(%q) = %d from %#v", name, n, v)
				}
			}
		}
		before := len(in.errs[name])
		b, ok := in.bool(name)
		wantErrs("bool", name, false, ok, before)
		if ok {
			if vb, isBool := v.(bool); isBool && vb != b {
				t.Fatalf("bool(%q) = %v from %v", name, b, v)
			}
			if _, isBool := v.(bool); !isBool {
				if _, isText := v.(string); !isText && v != json.Number("0") && v != json.Number("1") {
					t.Fatalf("bool(%q) took %#v", name, v)
				}
			}
		}
	}
	if err := in.check(nil); (err == nil) != (len(in.errs) == 0) {
		t.Fatalf("check(nil) = %v with field errors %v", err, in.errs)
	}
	if err := in.errs.Err(); err != nil {
		wantClientError(t, err)
	}

	// What a handler does: the request's errors, then the service's about
	// the values, each field reported once.
	fresh := &input{fields: in.fields, errs: magpie.FieldErrors{}}
	edit := readPostFields(fresh, true)
	before := map[string][]string{}
	for k, msgs := range fresh.errs {
		before[k] = slices.Clone(msgs)
	}
	found := edit.Validate()
	found.Add("service_only", "A message from the service.")
	err := fresh.check(found)
	if err == nil {
		t.Fatalf("check(%v) = nil", found)
	}
	wantClientError(t, err)
	for field, msgs := range found {
		want := msgs
		if b, ok := before[field]; ok {
			want = b
		}
		if !slices.Equal(fresh.errs[field], want) {
			t.Fatalf("after check, field %q has %q, want %q", field, fresh.errs[field], want)
		}
	}
}

// Cursors.

func FuzzCursorRoundTrip(f *testing.F) {
	f.Add(int64(0), int64(0), false)
	f.Add(int64(1), int64(0), true)
	f.Add(int64(42), time.Date(2026, 11, 26, 5, 0, 0, 123456000, time.UTC).UnixMicro(), true)
	f.Add(int64(9223372036854775807), int64(-9223372036854775808), true)
	f.Add(int64(9223372036854775807), int64(9223372036854775807), true)
	f.Add(int64(1), time.Time{}.UnixMicro(), true) // the zero time: an id-only cursor
	f.Add(int64(1), int64(-210866803200000001), true)
	f.Fuzz(func(t *testing.T, id, micros int64, hasTime bool) {
		if id < 0 {
			id = ^id // the stores' ids are never negative
		}
		c := magpie.Cursor{ID: id}
		if hasTime {
			// Row times as the stores keep them: UTC, to the microsecond.
			c.Time = magpie.StoredTime(time.UnixMicro(micros))
		}
		s := encodeCursor(c)
		got, ok := decodeCursor(s)
		// No row has a time before 1970 or after 9999: a cursor with one
		// is refused, as PostgreSQL could not take it.
		if us := c.Time.UnixMicro(); !c.Time.IsZero() && (us < minCursorMicros || us > maxCursorMicros) {
			if ok {
				t.Fatalf("encodeCursor(%+v) = %q, which decodes although its time is out of range", c, s)
			}
			return
		}
		if !ok || got == nil || got.ID != c.ID || !got.Time.Equal(c.Time) || got.Time.IsZero() != c.Time.IsZero() || got.Time.Location() != time.UTC {
			t.Fatalf("encodeCursor(%+v) = %q, which decodes to %+v, %v", c, s, got, ok)
		}
		// A cursor travels in a query string as it is.
		if url.QueryEscape(s) != s {
			t.Fatalf("encodeCursor(%+v) = %q, which a query string escapes", c, s)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{
		"", "MQ", "MA", "LTE", "MTc2NDEzMzIwMDAwMDAwMC40Mg",
		"LTIxMDg2NjgwMzIwMDAwMDAwMS4x", "LTkyMjMzNzIwMzY4NTQ3NzU4MDguMQ",
		"OTIyMzM3MjAzNjg1NDc3NTgwOA", "Lg", "MS4", "LjE", "MS4yLjM", "KzE", "LTA",
		"MQ==", "MQ\n", "M", "!!!", "\xff", "MA.MQ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeCursor(s)
		if !ok {
			if c != nil {
				t.Fatalf("decodeCursor(%q) = %+v, false", s, c)
			}
			return
		}
		if c == nil || c.ID < 0 {
			t.Fatalf("decodeCursor(%q) = %+v, true", s, c)
		}
		if !c.Time.IsZero() && c.Time.Location() != time.UTC {
			t.Fatalf("decodeCursor(%q) = %+v, not in UTC", s, c)
		}
		// Decoded, encoded and decoded again, it is the same position.
		again, ok := decodeCursor(encodeCursor(*c))
		if !ok || again.ID != c.ID || !again.Time.Equal(c.Time) {
			t.Fatalf("decodeCursor(%q) = %+v, which encodes to %q, which decodes to %+v, %v", s, c, encodeCursor(*c), again, ok)
		}
	})
}

// The real handler: path parameters and the Authorization header.

// fuzzServer is the API on a migrated SQLite file, behind the server's
// middleware, built once per fuzz target: alice owns a visible post and a
// hidden one, bob follows alice.
type fuzzServer struct {
	handler    http.Handler
	svc        *service.Service
	logs       *syncbuf.Buffer
	alice, bob *magpie.User
	bobToken   string
	aliceToken string
	posts      []int64 // alice's: visible, hidden
}

// fuzzPassword is every fuzz user's password: their name and this.
const fuzzPassword = "-password"

func newFuzzServer(f *testing.F) *fuzzServer {
	db, err := sqlite.Open(f.Context(), sqlitetest.NewFile(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	fs := &fuzzServer{logs: &syncbuf.Buffer{}}
	fs.svc = service.New(service.Config{
		Store:     db,
		Passwords: auth.NewPasswords(auth.Params{Time: 1, MemoryKiB: 64, Threads: 1}),
		Now:       func() time.Time { return now }, // tokens never expire
	})
	logger := slog.New(server.LogHandler(slog.NewTextHandler(fs.logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	srv := server.New(server.Config{Logger: logger})
	srv.Mount("/", New(Config{Service: fs.svc, Logger: logger, Version: "fuzz"}))
	fs.handler = srv

	ctx := f.Context()
	user := func(name string) (*magpie.User, string) {
		u, err := fs.svc.CreateUser(ctx, service.NewUser{Username: name, Password: name + fuzzPassword})
		if err != nil {
			f.Fatal(err)
		}
		tok, err := fs.svc.LogIn(ctx, service.Credentials{Username: name, Password: name + fuzzPassword})
		if err != nil {
			f.Fatal(err)
		}
		return u, tok.Token
	}
	fs.alice, fs.aliceToken = user("alice")
	fs.bob, fs.bobToken = user("bob")
	for _, hidden := range []bool{false, true} {
		p, err := fs.svc.CreatePost(ctx, fs.alice, service.NewPost{Title: "t", Body: "b", IsHidden: hidden})
		if err != nil {
			f.Fatal(err)
		}
		fs.posts = append(fs.posts, p.ID)
	}
	fs.follow(f, "alice")
	return fs
}

func (fs *fuzzServer) follow(tb testing.TB, name string) {
	tb.Helper()
	if _, err := fs.svc.Follow(tb.Context(), fs.bob, service.FollowTarget{Username: name, ByUsername: true, Field: "username"}); err != nil {
		tb.Fatal(err)
	}
}

// do serves one request in process and checks what every response must
// be: not a 5xx, a JSON body unless there is no body, and nothing logged
// as an error.
func (fs *fuzzServer) do(t *testing.T, method, target, authorization string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), method, target, nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	logged := len(fs.logs.String())
	rec := httptest.NewRecorder()
	fs.handler.ServeHTTP(rec, r)
	logs := fs.logs.String()[logged:]
	req := fmt.Sprintf("%s %s (Authorization %q)", method, target, authorization)
	if rec.Code >= 500 {
		t.Fatalf("%s: %d %s\nlogs:\n%s", req, rec.Code, rec.Body, logs)
	}
	if rec.Code == http.StatusNoContent {
		if rec.Body.Len() != 0 {
			t.Fatalf("%s: 204 with body %q", req, rec.Body)
		}
	} else if ct := rec.Header().Get("Content-Type"); ct != "application/json" || !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s: %d, Content-Type %q, body %q; want JSON", req, rec.Code, ct, rec.Body)
	}
	if strings.Contains(logs, "level=ERROR") {
		t.Fatalf("%s: %d, errors logged:\n%s", req, rec.Code, logs)
	}
	return rec
}

// pathSeeds are path segments for the targets that put one in a path.
var pathSeeds = []string{
	"1", "2", "3", "0", "-1", "+1", "01", " 1", "1 ", "1/", "1/2", "1e3", "0x1", "1_000", "１",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"my_post", "my-post", "following_post", "{id}", "%00", "\x00", "\xff", "%", "?x=1", "#",
	"...", "%2e", ".x", "alice", "ALICE", "bob", "nobody", "alice\x00", " alice", strings.Repeat("a", 151), "ä",
}

func FuzzPostIDPath(f *testing.F) {
	fs := newFuzzServer(f)
	for i, s := range pathSeeds {
		f.Add(s, uint8(i), i%5 != 0)
	}
	methods := []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete}
	f.Fuzz(func(t *testing.T, segment string, method uint8, slash bool) {
		target := "/blog/post/" + url.PathEscape(segment)
		if slash {
			target += "/"
		}
		// Bob owns no post: he may read alice's visible post, and may
		// change none, so the database stays as it was.
		fs.do(t, methods[int(method)%len(methods)], target, "Bearer "+fs.bobToken)
	})
}

func FuzzUnfollowPath(f *testing.F) {
	fs := newFuzzServer(f)
	for i, s := range pathSeeds {
		f.Add(s, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, segment string, del bool) {
		method := http.MethodPost
		if del {
			method = http.MethodDelete
		}
		rec := fs.do(t, method, "/follow/unfollow/"+url.PathEscape(segment)+"/", "Bearer "+fs.bobToken)
		if rec.Code == http.StatusNoContent {
			fs.follow(t, "alice") // bob follows alice again, for the next input
		}
	})
}

func FuzzAuthorization(f *testing.F) {
	fs := newFuzzServer(f)
	// {token} stands for alice's login token, which is new each run.
	for _, s := range []string{
		"", " ", "Bearer", "Bearer ", "Bearer {token}", "bearer {token}", "Token {token}", "TOKEN  {token} ",
		"Bearer {token} x", "Bearer {token}\x00", "Bearer\t{token}", "Bearer x", "Bearer \xff", "Bearer " + strings.Repeat("a", 5000),
		"Basic", "Basic ", "Basic !!!", "Basic YWxpY2U=", "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=", "basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ",
		"Basic YWxpY2U6d3Jvbmc=", "Basic OmFsaWNlLXBhc3N3b3Jk", "Basic AGFsaWNlOng=", "Basic /w==", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+strings.Repeat("p", 2000))),
		"Digest username=alice", "Negotiate", "Bearer{token}", "to\u212Aen {token}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		header = strings.ReplaceAll(header, "{token}", fs.aliceToken)
		rec := fs.do(t, http.MethodGet, "/users/me/", header)
		valid := validCredential(header, fs.aliceToken, "alice", "alice"+fuzzPassword, asciiEqualFold)
		// authenticate lowers the scheme with strings.ToLower, which takes
		// "to\u212Aen" (KELVIN SIGN) for "token": not a token of RFC 9110, but
		// the credentials must still be right. Either answer is let pass.
		if !valid && validCredential(header, fs.aliceToken, "alice", "alice"+fuzzPassword, unicodeEqualFold) {
			return
		}
		switch {
		case valid && rec.Code != http.StatusOK:
			t.Fatalf("Authorization %q: %d %s, want 200", header, rec.Code, rec.Body)
		case valid:
			var me struct{ Username string }
			if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || me.Username != "alice" {
				t.Fatalf("Authorization %q: %s, want alice", header, rec.Body)
			}
		case rec.Code != http.StatusUnauthorized:
			t.Fatalf("Authorization %q: %d %s, want 401", header, rec.Code, rec.Body)
		case len(rec.Header().Values("WWW-Authenticate")) == 0:
			t.Fatalf("Authorization %q: 401 without WWW-Authenticate", header)
		}
	})
}

// validCredential reports whether an Authorization header is one of the
// user's credentials: "Bearer" or "Token" and the token, or "Basic" and
// the base64 of "user:password"; the scheme is compared with fold, and
// space around the credentials is ignored.
func validCredential(header, token, user, password string, fold func(s, scheme string) bool) bool {
	scheme, cred, _ := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case fold(scheme, "bearer"), fold(scheme, "token"):
		return cred == token
	case fold(scheme, "basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		return err == nil && string(raw) == user+":"+password
	}
	return false
}

// unicodeEqualFold compares as authenticate does.
func unicodeEqualFold(s, scheme string) bool { return strings.ToLower(s) == scheme }

// asciiEqualFold compares as RFC 9110 11.1 says: a scheme is an ASCII
// token, case-insensitive.
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range len(s) {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
