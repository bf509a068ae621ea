package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie"
)

var paginationTests = []apiTest{
	{"PagesWalkEveryRowOnce", func(t *testing.T, e *env) {
		alice := e.user("alice")
		var want []string
		for i := range 7 {
			p := alice.newPost(fmt.Sprint("post ", i), false)
			want = append([]string{p.Title}, want...)
		}
		var got []string
		next := "/blog/post/?limit=3"
		pages := 0
		for next != "" {
			res := alice.get(next)
			got = append(got, titles(t, res)...)
			next = res.next()
			if next != "" && !strings.HasPrefix(next, e.url+"/blog/post/?") {
				t.Fatalf("next link %q is not an absolute URL of the same list", next)
			}
			pages++
			if pages == 1 {
				// Rows written while paging do not shift later pages.
				alice.newPost("late", false)
			}
		}
		if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%d pages: %v, want %v", pages, got, want)
		}
	}},
	{"EveryListIsPaginated", func(t *testing.T, e *env) {
		alice := e.user("alice")
		others := []*client{e.user("bob"), e.user("carol"), e.user("dave")}
		for _, o := range others {
			alice.follow(o)
			o.follow(alice)
			o.newPost("by "+o.name, false)
			alice.newPost("by alice", false)
		}
		for path, want := range map[string]int{"/users/": 3, "/blog/post/": 6, "/blog/post/my_post/": 3, "/blog/post/following_post/": 3, "/follow/follower/": 3, "/follow/following/": 3} {
			var total int
			next := path + "?limit=2"
			for next != "" {
				res := alice.get(next).wantStatus(http.StatusOK)
				var rows []map[string]any
				res.decode(&rows)
				total += len(rows)
				next = res.next()
			}
			if total != want {
				t.Errorf("%s: %d rows over all pages, want %d", path, total, want)
			}
		}
		if res := alice.get("/users/"); res.header.Get("Link") != "" {
			t.Error("Link header on the last page")
		}
	}},
	{"BadPageParameters", func(t *testing.T, e *env) {
		alice := e.user("alice")
		for query, want := range map[string]string{
			"limit=0":       `{"limit": ["Ensure this value is between 1 and 100."]}`,
			"limit=101":     `{"limit": ["Ensure this value is between 1 and 100."]}`,
			"limit=ten":     `{"limit": ["A valid integer is required."]}`,
			"cursor=***":    `{"cursor": ["Invalid cursor."]}`,
			"cursor=bm9wZQ": `{"cursor": ["Invalid cursor."]}`,
		} {
			alice.get("/blog/post/?"+query).wantError(http.StatusBadRequest, want)
		}
		alice.get("/blog/post/?limit=100").wantStatus(http.StatusOK)
	}},
}

var protocolTests = []apiTest{
	{"BothSlashFormsWithoutRedirect", func(t *testing.T, e *env) {
		alice := e.user("alice")
		p := alice.post("/blog/post", obj{"title": "no slash", "body": "b"}).wantStatus(http.StatusCreated).object()
		alice.get(fmt.Sprintf("/blog/post/%v", p["id"])).wantStatus(http.StatusOK)
		e.anon().get("/health").wantStatus(http.StatusOK)
	}},
	{"UnknownPathsAreJSON404", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.get("/nope/").wantError(http.StatusNotFound, `{"detail": "Not found."}`)
		e.anon().get("/blog/post/1/extra/").wantError(http.StatusNotFound, `{"detail": "Not found."}`)
	}},
	{"WrongMethodIs405WithAllow", func(t *testing.T, e *env) {
		alice := e.user("alice")
		res := alice.do("DELETE", "/blog/post/", nil)
		res.wantError(http.StatusMethodNotAllowed, `{"detail": "Method \"DELETE\" not allowed."}`)
		if allow := res.header.Get("Allow"); allow != "GET, HEAD, OPTIONS, POST" {
			t.Errorf("Allow %q", allow)
		}
		res = alice.do("OPTIONS", "/follow/unfollow/bob/", nil).wantStatus(http.StatusNoContent)
		if allow := res.header.Get("Allow"); allow != "DELETE, OPTIONS, POST" {
			t.Errorf("Allow %q", allow)
		}
	}},
	{"HeadWorksWhereGetDoes", func(t *testing.T, e *env) {
		alice := e.user("alice")
		res := alice.do("HEAD", "/users/", nil).wantStatus(http.StatusOK)
		if len(res.body) != 0 || res.header.Get("Content-Type") != "application/json" {
			t.Fatalf("HEAD: %q %v", res.body, res.header)
		}
	}},
	{"MediaTypes", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.post("/blog/post/", rawBody{"text/plain", "hello"}).
			wantError(http.StatusUnsupportedMediaType, `{"detail": "Unsupported media type \"text/plain\" in request."}`)
		res := alice.post("/blog/post/", jsonText(`{"title": "x",`)).wantStatus(http.StatusBadRequest)
		if d := res.object()["detail"].(string); !strings.HasPrefix(d, "JSON parse error - ") {
			t.Errorf("detail %q", d)
		}
		alice.post("/blog/post/", jsonText(`{"title": "a", "body": "b"} {}`)).wantStatus(http.StatusBadRequest)
		alice.post("/blog/post/", rawBody{"application/json; charset=utf-8", `{"title": "a", "body": "b"}`}).wantStatus(http.StatusCreated)
		huge := `{"title": "a", "body": "` + strings.Repeat("x", 1<<20) + `"}`
		alice.post("/blog/post/", jsonText(huge)).wantStatus(http.StatusRequestEntityTooLarge)
		alice.post("/blog/post/", obj{"title": "a", "body": strings.Repeat("x", magpie.MaxBodyLen+1)}).
			wantError(http.StatusBadRequest, `{"body": ["Ensure this field has no more than 100000 characters."]}`)
	}},
	{"HeadersOnEveryResponse", func(t *testing.T, e *env) {
		for _, res := range []*response{e.anon().get("/health/"), e.anon().get("/users/"), e.anon().get("/missing/")} {
			for h, want := range map[string]string{
				"Content-Type":           "application/json",
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "same-origin",
			} {
				if got := res.header.Get(h); got != want {
					t.Errorf("%s: %s = %q, want %q", res.req, h, got, want)
				}
			}
			if res.header.Get("X-Request-Id") == "" {
				t.Errorf("%s: no X-Request-Id", res.req)
			}
		}
		res := e.anon().do("GET", "/health/", nil, "X-Request-Id", "abc-123")
		if got := res.header.Get("X-Request-Id"); got != "abc-123" {
			t.Errorf("X-Request-Id %q, want the client's", got)
		}
	}},
	{"HealthReadyVersion", func(t *testing.T, e *env) {
		e.anon().get("/health/").wantBody(`{"status": "OK"}`)
		e.anon().get("/ready/").wantBody(`{"status": "OK"}`)
		e.anon().get("/version/").wantBody(`{"version": "v1.2.3-test"}`)
		e.store.Close()
		e.anon().get("/ready/").wantError(http.StatusServiceUnavailable, `{"status": "unavailable"}`)
		e.anon().get("/health/").wantStatus(http.StatusOK)
	}},
	{"NoInputCausesA5xx", func(t *testing.T, e *env) {
		alice := e.user("alice")
		bob := e.user("bob")
		p := bob.newPost("target", false)
		c := bob.comment(p, "a comment")
		paths := []string{"/auth/signup/", "/auth/token/", "/auth/logout/", "/users/", "/users/me/", "/blog/post/",
			"/users/me/password/", "/users/bob/", "/users/%00/", "/users/bob/posts/", "/users/bob/deactivate/", "/users/bob/activate/",
			"/users/?search=%00", "/blog/post/?search=%FF", pathOf(p) + "like/", pathOf(p) + "likes/", pathOf(p) + "comments/", commentPath(c),
			fmt.Sprintf("/blog/post/%d/comments/-1/", p.ID),
			fmt.Sprintf("/blog/post/%d/", p.ID), "/blog/post/my_post/", "/blog/post/following_post/",
			"/follow/", "/follow/unfollow/bob/", "/follow/unfollow/%00/", "/follow/follower/", "/follow/following/",
			"/health/", "/ready/", "/version/", "/api/schema/", "/api/docs/"}
		bodies := []any{nil, obj{}, jsonText(`null`), jsonText(`"s"`), jsonText(`{"title": 1e400}`), jsonText("\xff\xfe"),
			obj{"title": true, "body": []int{}, "is_hidden": 7, "following": -1, "username": obj{}, "password": 5},
			obj{"title": "t", "body": "b", "following": 9223372036854775807, "username": "a\x00b", "password": "p\x00assword"},
			form{"title": {"\xff"}, "body": {"\x00"}, "following": {"1e3"}, "username": {"\xff"}},
			rawBody{"multipart/form-data", "garbage"}, rawBody{"application/x-www-form-urlencoded", "%%%=&&"}}
		for _, path := range paths {
			for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
				for _, body := range bodies {
					if res := alice.do(method, path, body); res.status >= 500 {
						t.Errorf("%s %s %v: %d %s", method, path, body, res.status, res.body)
					}
				}
			}
		}
		if logs := e.logs.String(); strings.Contains(logs, "level=ERROR") {
			t.Errorf("errors logged:\n%s", logs)
		}
	}},
}
