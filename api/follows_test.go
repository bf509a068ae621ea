package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

var followTests = []apiTest{
	// The original's test 3.
	{"FollowThenUnfollow", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		res := alice.post("/follow/", obj{"following": bob.id}).wantStatus(http.StatusCreated)
		f := res.object()
		res.wantBody(fmt.Sprintf(`{"id": %v, "created_at": %q, "follower": %d, "following": %d}`, f["id"], f["created_at"], alice.id, bob.id))
		alice.delete("/follow/unfollow/bob/").wantStatus(http.StatusNoContent)
		alice.delete("/follow/unfollow/bob/").wantError(http.StatusNotFound, `{"detail": "You are not following this user."}`)
		// POST, as the spec says, and by username.
		alice.post("/follow/", obj{"username": "bob"}).wantStatus(http.StatusCreated)
		alice.post("/follow/unfollow/bob/", nil).wantStatus(http.StatusNoContent)
		// Form data, as the original's own tests send.
		alice.post("/follow/", form{"following": {fmt.Sprint(bob.id)}}).wantStatus(http.StatusCreated)
	}},
	{"FollowRejects", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		alice.follow(bob)
		tests := []struct {
			name   string
			body   any
			status int
			want   string
		}{
			{"already following", obj{"following": bob.id}, 409, `{"detail": "Already following."}`},
			{"already following by name", obj{"username": "bob"}, 409, `{"detail": "Already following."}`},
			{"unknown id", obj{"following": 424242}, 404, `{"detail": "User not found."}`},
			{"unknown name", obj{"username": "nobody"}, 404, `{"detail": "User not found."}`},
			{"yourself", obj{"following": alice.id}, 400, `{"following": ["You cannot follow yourself."]}`},
			{"yourself by name", obj{"username": "alice"}, 400, `{"username": ["You cannot follow yourself."]}`},
			{"missing", obj{}, 400, `{"following": ["This field is required."]}`},
			{"not an integer", obj{"following": "abc"}, 400, `{"following": ["A valid integer is required."]}`},
			{"a float", obj{"following": 1.5}, 400, `{"following": ["A valid integer is required."]}`},
			{"too big", jsonText(`{"following": 99999999999999999999999}`), 400, `{"following": ["A valid integer is required."]}`},
			{"null", obj{"following": nil}, 400, `{"following": ["This field may not be null."]}`},
		}
		for _, tt := range tests {
			alice.post("/follow/", tt.body).named(tt.name).wantError(tt.status, tt.want)
		}
		alice.delete("/follow/unfollow/nobody/").wantError(http.StatusNotFound, `{"detail": "User not found."}`)
	}},
	{"FollowLists", func(t *testing.T, e *env) {
		alice, bob, carol := e.user("alice"), e.user("bob"), e.user("carol")
		alice.follow(bob)
		alice.follow(carol)
		carol.follow(alice)
		var following []map[string]any
		alice.get("/follow/follower/").wantStatus(http.StatusOK).decode(&following)
		if len(following) != 2 || following[0]["following"] != "carol" || following[1]["following"] != "bob" ||
			following[0]["id"] == nil || following[0]["created_at"] == nil || len(following[0]) != 3 {
			t.Fatalf("alice follows %v", following)
		}
		var followers []map[string]any
		alice.get("/follow/following/").wantStatus(http.StatusOK).decode(&followers)
		if len(followers) != 1 || followers[0]["follower"] != "carol" || len(followers[0]) != 3 {
			t.Fatalf("alice's followers %v", followers)
		}
		bob.get("/follow/follower/").wantBody(`[]`)
	}},
}
