package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

var authTests = []apiTest{
	{"SignupCreatesUser", func(t *testing.T, e *env) {
		res := e.anon().post("/auth/signup/", obj{"username": "alice", "password": "correct-horse"}).wantStatus(http.StatusCreated)
		u := res.object()
		if u["username"] != "alice" || u["is_superuser"] != false || u["id"] == nil || u["date_joined"] != "2026-11-26T05:00:01.000000Z" {
			t.Fatalf("signup body %v", u)
		}
		if _, ok := u["password"]; ok {
			t.Fatal("signup response shows the password")
		}
	}},
	{"SignupAcceptsFormAndMultipart", func(t *testing.T, e *env) {
		e.anon().post("/auth/signup/", form{"username": {"bob"}, "password": {"correct-horse"}}).wantStatus(http.StatusCreated)
		e.anon().post("/auth/signup/", multipartForm{"username": "carol", "password": "correct-horse"}).wantStatus(http.StatusCreated)
		e.anon().post("/auth/token/", form{"username": {"carol"}, "password": {"correct-horse"}}).wantStatus(http.StatusOK)
	}},
	{"SignupRejects", func(t *testing.T, e *env) {
		e.anon().post("/auth/signup/", obj{"username": "taken", "password": "correct-horse"}).wantStatus(http.StatusCreated)
		tests := []struct {
			name string
			body any
			want string
		}{
			{"taken username", obj{"username": "taken", "password": "correct-horse"}, `{"username": ["A user with that username already exists."]}`},
			{"nothing", obj{}, `{"username": ["This field is required."], "password": ["This field is required."]}`},
			{"empty body", nil, `{"username": ["This field is required."], "password": ["This field is required."]}`},
			{"blank username", obj{"username": "", "password": "correct-horse"}, `{"username": ["This field may not be blank."]}`},
			{"bad characters", obj{"username": "a b", "password": "correct-horse"}, `{"username": ["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}`},
			{"too long", obj{"username": strings.Repeat("a", 151), "password": "correct-horse"}, `{"username": ["Ensure this field has no more than 150 characters."]}`},
			{"short password", obj{"username": "dave", "password": "x1y2z3"}, `{"password": ["This password is too short. It must contain at least 8 characters.", "This password is too common."]}`},
			{"numeric password", obj{"username": "dave", "password": "1234567890"}, `{"password": ["This password is too common.", "This password is entirely numeric."]}`},
			{"password is username", obj{"username": "davedave", "password": "DaveDave"}, `{"password": ["This password is too common.", "The password is too similar to the username."]}`},
			// The original's validators refused these too (issue 8).
			{"common password", obj{"username": "erin", "password": "password"}, `{"password": ["This password is too common."]}`},
			{"common keyboard row", obj{"username": "erin", "password": "qwertyuiop"}, `{"password": ["This password is too common."]}`},
			{"a letter from the username", obj{"username": "magpieuser", "password": "magpieusers"}, `{"password": ["The password is too similar to the username."]}`},
			{"null username", obj{"username": nil, "password": "correct-horse"}, `{"username": ["This field may not be null."]}`},
			{"list username", obj{"username": []int{1}, "password": "correct-horse"}, `{"username": ["Not a valid string."]}`},
			{"NUL in username", obj{"username": "da\x00ve", "password": "correct-horse"}, `{"username": ["Null characters are not allowed."]}`},
		}
		for _, tt := range tests {
			e.anon().post("/auth/signup/", tt.body).named(tt.name).wantError(http.StatusBadRequest, tt.want)
		}
	}},
	{"UsernamesAreComparedAsRFC8265Says", func(t *testing.T, e *env) {
		e.anon().post("/auth/signup/", obj{"username": "Erin", "password": "correct-horse"}).wantStatus(http.StatusCreated)
		const taken = `{"username": ["A user with that username already exists."]}`
		const scripts = `{"username": ["Enter a valid username. It may not mix letters of different scripts."]}`
		for _, name := range []string{"erin", "ERIN", "ｅｒｉｎ", "Ｅｒｉｎ"} {
			e.anon().post("/auth/signup/", obj{"username": name, "password": "correct-horse"}).named(name).wantError(http.StatusBadRequest, taken)
		}
		// Cyrillic е (U+0435) among Latin letters.
		e.anon().post("/auth/signup/", obj{"username": "\u0435rin", "password": "correct-horse"}).wantError(http.StatusBadRequest, scripts)
		e.anon().post("/auth/signup/", obj{"username": "me", "password": "correct-horse"}).wantError(http.StatusBadRequest, `{"username": ["This username is reserved."]}`)
		// Any variant logs in to the one account, whose name stays as
		// it was written.
		for _, name := range []string{"Erin", "erin", "ｅｒｉｎ"} {
			tok := e.anon().post("/auth/token/", obj{"username": name, "password": "correct-horse"}).named(name).wantStatus(http.StatusOK).object()
			me := (&client{e: e, authz: "Bearer " + tok["token"].(string)}).get("/users/me/").wantStatus(http.StatusOK).object()
			if me["username"] != "Erin" {
				t.Errorf("logged in as %q: %v", name, me)
			}
		}
		(&client{e: e, authz: basic("ERIN", "correct-horse")}).get("/users/me/").wantStatus(http.StatusOK)
		// A script of its own is fine.
		e.anon().post("/auth/signup/", obj{"username": "Эрин", "password": "correct-horse"}).wantStatus(http.StatusCreated)
	}},
	{"TokenLogin", func(t *testing.T, e *env) {
		alice := e.user("alice")
		res := e.anon().post("/auth/token/", obj{"username": "alice", "password": "alice-password"}).wantStatus(http.StatusOK)
		body := res.object()
		if body["token_type"] != "Bearer" || len(body["token"].(string)) < 43 {
			t.Fatalf("token body %v", body)
		}
		expires, err := time.Parse(time.RFC3339Nano, body["expires_at"].(string))
		if err != nil || expires.Before(time.Date(2026, 11, 26, 5, 59, 0, 0, time.UTC)) {
			t.Fatalf("expires_at %v (%v), want about an hour after login", body["expires_at"], err)
		}
		if res.header.Get("Cache-Control") != "no-store" {
			t.Error("token response may be cached")
		}
		alice.get("/users/me/").wantStatus(http.StatusOK)
		viaToken := &client{e: e, authz: "Token " + body["token"].(string)}
		me := viaToken.get("/users/me/").wantStatus(http.StatusOK).object()
		if me["username"] != "alice" {
			t.Fatalf("me = %v", me)
		}
	}},
	{"TokenLoginRejects", func(t *testing.T, e *env) {
		e.user("alice")
		tests := []struct {
			name   string
			body   any
			status int
			want   string
		}{
			{"wrong password", obj{"username": "alice", "password": "wrong-password"}, 401, `{"detail": "Invalid username/password."}`},
			{"unknown user", obj{"username": "nobody", "password": "alice-password"}, 401, `{"detail": "Invalid username/password."}`},
			{"missing password", obj{"username": "alice"}, 400, `{"password": ["This field is required."]}`},
		}
		for _, tt := range tests {
			e.anon().post("/auth/token/", tt.body).named(tt.name).wantError(tt.status, tt.want)
		}
	}},
	{"LogoutRevokesTheToken", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.post("/auth/logout/", nil).wantStatus(http.StatusNoContent)
		alice.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
	}},
	{"LogoutRevokesOnEveryInstance", func(t *testing.T, e *env) {
		alice := e.user("alice")
		other := newEnv(t, e.store) // a second instance on the same database
		onOther := &client{e: other, authz: alice.authz}
		onOther.get("/users/me/").wantStatus(http.StatusOK)
		onOther.post("/auth/logout/", nil).wantStatus(http.StatusNoContent)
		alice.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
	}},
	{"TokensExpire", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.get("/users/me/").wantStatus(http.StatusOK)
		e.clock.Advance(time.Hour)
		alice.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
	}},
	{"BasicAuth", func(t *testing.T, e *env) {
		e.user("alice")
		c := &client{e: e, authz: basic("alice", "alice-password")}
		for range 3 { // later requests are served from the verified cache
			if me := c.get("/users/me/").wantStatus(http.StatusOK).object(); me["username"] != "alice" {
				t.Fatalf("me = %v", me)
			}
		}
		// HTTP Basic has no token to log out.
		c.post("/auth/logout/", nil).wantError(http.StatusBadRequest, `{"detail": "Only a login token can be logged out; HTTP Basic has no session to end."}`)
		bad := &client{e: e, authz: basic("alice", "wrong-password")}
		bad.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid username/password."}`)
		garbled := &client{e: e, authz: "Basic !!!"}
		garbled.get("/users/me/").wantStatus(http.StatusUnauthorized)
	}},
	{"EveryPrivateRouteNeedsCredentials", func(t *testing.T, e *env) {
		private := privateOperations(t)
		if len(private) < 30 || !slices.Contains(private, "GET /users/me/") || !slices.Contains(private, "DELETE /blog/post/7/comments/12/") {
			t.Fatalf("private operations of the document: %q", private)
		}
		for _, route := range private {
			method, path, _ := strings.Cut(route, " ")
			res := e.anon().do(method, path, nil)
			res.wantError(http.StatusUnauthorized, `{"detail": "Authentication credentials were not provided."}`)
			if got := res.header.Values("WWW-Authenticate"); len(got) != 2 || !strings.HasPrefix(got[0], "Bearer") || !strings.HasPrefix(got[1], "Basic realm=") {
				t.Errorf("%s: WWW-Authenticate %q", route, got)
			}
		}
		for _, h := range []string{"Bearer", "Bearer ", "Token a b", "Bearer not-a-real-token"} {
			c := &client{e: e, authz: h}
			c.get("/users/me/").wantStatus(http.StatusUnauthorized)
		}
	}},
	{"SecretsNeverReachTheLog", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.get("/users/me/")
		(&client{e: e, authz: basic("alice", "alice-password")}).get("/users/")
		e.anon().post("/auth/token/", obj{"username": "alice", "password": "wrong-password"})
		logs := e.logs.String()
		if !strings.Contains(logs, "/users/me/") {
			t.Fatalf("requests were not logged: %s", logs)
		}
		for _, secret := range []string{"alice-password", "wrong-password", alice.token, alice.authz} {
			if strings.Contains(logs, secret) {
				t.Fatalf("log contains secret %q:\n%s", secret, logs)
			}
		}
	}},
}
