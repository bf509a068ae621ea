package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

var userTests = []apiTest{
	// The original's test 1.
	{"UserListExcludesTheCaller", func(t *testing.T, e *env) {
		alice, bob, carol := e.user("alice"), e.user("bob"), e.user("carol")
		alice.follow(carol)
		var users []struct {
			ID          int64  `json:"id"`
			Username    string `json:"username"`
			IsFollowing bool   `json:"is_following"`
		}
		alice.get("/users/").wantStatus(http.StatusOK).decode(&users)
		if len(users) != 2 || users[0].ID != bob.id || users[0].Username != "bob" || users[0].IsFollowing ||
			users[1].Username != "carol" || !users[1].IsFollowing {
			t.Fatalf("alice sees %+v", users)
		}
		bob.get("/users/").wantBody(fmt.Sprintf(`[{"id": %d, "username": "alice", "display_name": "", "is_following": false}, {"id": %d, "username": "carol", "display_name": "", "is_following": false}]`, alice.id, carol.id))
	}},
	{"Me", func(t *testing.T, e *env) {
		alice := e.user("alice")
		alice.get("/users/me/").wantBody(fmt.Sprintf(`{"id": %d, "username": "alice", "is_superuser": false, "date_joined": "2026-11-26T05:00:01.000000Z", "display_name": "", "bio": ""}`, alice.id))
	}},
}

var postTests = []apiTest{
	{"CreatePost", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		res := alice.post("/blog/post/", obj{"title": "Hello", "body": "First post", "owner": bob.id}).wantStatus(http.StatusCreated)
		p := res.object()
		want := fmt.Sprintf(`{"id": %v, "title": "Hello", "body": "First post", "owner": %d, "owner_username": "alice", "is_hidden": false, "created_at": %q, "updated_at": %q, "like_count": 0, "comment_count": 0, "liked": false}`,
			p["id"], alice.id, p["created_at"], p["created_at"])
		res.wantBody(want)
		if loc := res.header.Get("Location"); loc != fmt.Sprintf("/blog/post/%v/", p["id"]) {
			t.Errorf("Location %q", loc)
		}
		alice.get(fmt.Sprintf("/blog/post/%v/", p["id"])).wantBody(want)
	}},
	{"CreatePostFromForms", func(t *testing.T, e *env) {
		alice := e.user("alice")
		p := alice.post("/blog/post/", form{"title": {"Form"}, "body": {"from a form"}, "is_hidden": {"on"}}).wantStatus(http.StatusCreated).object()
		if p["title"] != "Form" || p["is_hidden"] != true {
			t.Fatalf("form post %v", p)
		}
		p = alice.post("/blog/post/", multipartForm{"title": "Multipart", "body": "from multipart"}).wantStatus(http.StatusCreated).object()
		if p["title"] != "Multipart" || p["is_hidden"] != false {
			t.Fatalf("multipart post %v", p)
		}
	}},
	{"CreatePostRejects", func(t *testing.T, e *env) {
		alice := e.user("alice")
		tests := []struct {
			name string
			body any
			want string
		}{
			{"no title", obj{"body": "b"}, `{"title": ["This field is required."]}`},
			{"nothing", obj{}, `{"title": ["This field is required."], "body": ["This field is required."]}`},
			{"title too long", obj{"title": strings.Repeat("x", 101), "body": "b"}, `{"title": ["Ensure this field has no more than 100 characters."]}`},
			{"blank title", obj{"title": "  ", "body": "b"}, `{"title": ["This field may not be blank."]}`},
			{"blank body", obj{"title": "t", "body": ""}, `{"body": ["This field may not be blank."]}`},
			{"null body", obj{"title": "t", "body": nil}, `{"body": ["This field may not be null."]}`},
			{"object title", obj{"title": obj{"a": 1}, "body": "b"}, `{"title": ["Not a valid string."]}`},
			{"bad is_hidden", obj{"title": "t", "body": "b", "is_hidden": "maybe"}, `{"is_hidden": ["Must be a valid boolean."]}`},
			{"NUL in body", obj{"title": "t", "body": "a\x00b"}, `{"body": ["Null characters are not allowed."]}`},
			{"a list", jsonText(`[1, 2]`), `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
		}
		for _, tt := range tests {
			alice.post("/blog/post/", tt.body).named(tt.name).wantError(http.StatusBadRequest, tt.want)
		}
		// 100 characters, not bytes: multi-byte titles fit.
		alice.post("/blog/post/", obj{"title": strings.Repeat("é", 100), "body": "b"}).wantStatus(http.StatusCreated)
		alice.post("/blog/post/", obj{"title": strings.Repeat("🐦", 100), "body": "b"}).wantStatus(http.StatusCreated)
	}},
	{"GetPostNotFound", func(t *testing.T, e *env) {
		alice := e.user("alice")
		for _, path := range []string{"/blog/post/999/", "/blog/post/abc/", "/blog/post/-1/", "/blog/post/99999999999999999999999/"} {
			alice.get(path).wantError(http.StatusNotFound, `{"detail": "Not found."}`)
		}
	}},
	// The original's test 2, with 403 where the original said 401.
	{"OnlyTheOwnerEditsOrDeletes", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		p := alice.newPost("Mine", false)
		path := fmt.Sprintf("/blog/post/%d/", p.ID)
		forbidden := `{"detail": "You do not have permission to perform this action."}`
		bob.put(path, obj{"title": "Stolen", "body": "x"}).wantError(http.StatusForbidden, forbidden)
		bob.patch(path, obj{"title": "Stolen"}).wantError(http.StatusForbidden, forbidden)
		bob.delete(path).wantError(http.StatusForbidden, forbidden)
		// Permission comes before validation, as in the original.
		bob.put(path, jsonText("{oops")).wantError(http.StatusForbidden, forbidden)
		if got := alice.get(path).object(); got["title"] != "Mine" {
			t.Fatalf("post changed by another user: %v", got)
		}

		var updated post
		alice.put(path, obj{"title": "Mine, edited", "body": "new body"}).wantStatus(http.StatusOK).decode(&updated)
		if updated.Title != "Mine, edited" || updated.Body != "new body" || updated.CreatedAt != p.CreatedAt || updated.UpdatedAt <= p.UpdatedAt {
			t.Fatalf("after PUT %+v (before %+v)", updated, p)
		}
		alice.delete(path).wantStatus(http.StatusNoContent)
		alice.get(path).wantStatus(http.StatusNotFound)
		alice.delete(path).wantStatus(http.StatusNotFound)
	}},
	{"PutNeedsEveryFieldPatchDoesNot", func(t *testing.T, e *env) {
		alice := e.user("alice")
		p := alice.newPost("Title", false)
		path := fmt.Sprintf("/blog/post/%d/", p.ID)
		alice.put(path, obj{"title": "Only title"}).wantError(http.StatusBadRequest, `{"body": ["This field is required."]}`)
		alice.put(path, jsonText("{oops")).wantStatus(http.StatusBadRequest)
		var patched post
		alice.patch(path, obj{"body": "patched body"}).wantStatus(http.StatusOK).decode(&patched)
		if patched.Title != "Title" || patched.Body != "patched body" {
			t.Fatalf("after PATCH %+v", patched)
		}
		alice.patch(path, obj{"is_hidden": true}).wantStatus(http.StatusOK).decode(&patched)
		if !patched.IsHidden || patched.Body != "patched body" {
			t.Fatalf("after PATCH is_hidden %+v", patched)
		}
		alice.patch(path, obj{"title": ""}).wantError(http.StatusBadRequest, `{"title": ["This field may not be blank."]}`)
		alice.put("/blog/post/424242/", obj{"title": "t", "body": "b"}).wantStatus(http.StatusNotFound)
	}},
	{"SuperuserEditsAndDeletesAnyPost", func(t *testing.T, e *env) {
		alice, admin := e.user("alice"), e.superuser("admin")
		p := alice.newPost("Rude", true)
		path := fmt.Sprintf("/blog/post/%d/", p.ID)
		admin.get(path).wantStatus(http.StatusOK)
		admin.patch(path, obj{"title": "Moderated"}).wantStatus(http.StatusOK)
		admin.delete(path).wantStatus(http.StatusNoContent)
	}},
	{"HiddenPosts", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		bob.follow(alice)
		alice.newPost("Public", false)
		hidden := alice.newPost("Secret", true)
		path := fmt.Sprintf("/blog/post/%d/", hidden.ID)
		bob.get(path).wantError(http.StatusNotFound, `{"detail": "Not found."}`)
		bob.put(path, obj{"title": "x", "body": "y"}).wantStatus(http.StatusNotFound)
		bob.delete(path).wantStatus(http.StatusNotFound)
		alice.get(path).wantStatus(http.StatusOK)
		want := []string{"Public"}
		if got := titles(t, bob.get("/blog/post/")); !slices.Equal(got, want) {
			t.Errorf("public list %v, want %v", got, want)
		}
		if got := titles(t, alice.get("/blog/post/")); !slices.Equal(got, want) {
			t.Errorf("public list for the owner %v, want %v", got, want)
		}
		if got := titles(t, bob.get("/blog/post/following_post/")); !slices.Equal(got, want) {
			t.Errorf("feed %v, want %v", got, want)
		}
		if got := titles(t, alice.get("/blog/post/my_post/")); !slices.Equal(got, []string{"Secret", "Public"}) {
			t.Errorf("my posts %v", got)
		}
	}},
	{"ListsAreNewestFirst", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		alice.newPost("a1", false)
		bob.newPost("b1", false)
		alice.newPost("a2", false)
		if got := titles(t, bob.get("/blog/post/")); !slices.Equal(got, []string{"a2", "b1", "a1"}) {
			t.Errorf("list %v", got)
		}
		for _, path := range []string{"/blog/post/my_post/", "/blog/post/my-post/", "/blog/post/my_post"} {
			if got := titles(t, alice.get(path)); !slices.Equal(got, []string{"a2", "a1"}) {
				t.Errorf("%s: %v", path, got)
			}
		}
	}},
}

var feedTests = []apiTest{
	// The original's test 4.
	{"FeedShowsOnlyFollowedUsersPosts", func(t *testing.T, e *env) {
		alice, bob, carol, dave := e.user("alice"), e.user("bob"), e.user("carol"), e.user("dave")
		alice.follow(bob)
		alice.follow(carol)
		bob.newPost("bob 1", false)
		dave.newPost("dave 1", false)
		carol.newPost("carol 1", false)
		alice.newPost("alice 1", false)
		bob.newPost("bob 2", false)
		want := []string{"bob 2", "carol 1", "bob 1"}
		for _, path := range []string{"/blog/post/following_post/", "/blog/post/following-post/"} {
			if got := titles(t, alice.get(path)); !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", path, got, want)
			}
		}
		alice.delete("/follow/unfollow/bob/").wantStatus(http.StatusNoContent)
		if got := titles(t, alice.get("/blog/post/following_post/")); !slices.Equal(got, []string{"carol 1"}) {
			t.Errorf("after unfollowing bob: %v", got)
		}
		if got := titles(t, dave.get("/blog/post/following_post/")); len(got) != 0 {
			t.Errorf("dave follows nobody but sees %v", got)
		}
	}},
}
