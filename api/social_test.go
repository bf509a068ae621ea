package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/magpie-sns/magpie"
)

// allRows is a page that holds every row a test writes.
var allRows = magpie.Page{Limit: 1000}

// pathOf is the path of a post.
func pathOf(p post) string { return fmt.Sprintf("/blog/post/%d/", p.ID) }

// postCounts is what every post says about its likes and comments.
type postCounts struct {
	LikeCount    int64 `json:"like_count"`
	CommentCount int64 `json:"comment_count"`
	Liked        bool  `json:"liked"`
}

// counts reads a post's counts as the client sees them.
func (c *client) counts(p post) postCounts {
	c.e.t.Helper()
	var pc postCounts
	c.get(pathOf(p)).wantStatus(http.StatusOK).decode(&pc)
	return pc
}

// names lists the values of one string field of a JSON array, over every
// page of the list.
func names(t *testing.T, c *client, path, field string) []string {
	t.Helper()
	var out []string
	for next := path; next != ""; {
		res := c.get(next).wantStatus(http.StatusOK)
		var rows []map[string]any
		res.decode(&rows)
		for _, r := range rows {
			out = append(out, fmt.Sprint(r[field]))
		}
		next = res.next()
	}
	return out
}

// inParallel runs f(i) for i in [0, n) at once and waits for them all.
func inParallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

var profileTests = []apiTest{
	{"Profile", func(t *testing.T, e *env) {
		alice, bob, carol := e.user("alice"), e.user("bob"), e.user("carol")
		bob.patch("/users/me/", obj{"display_name": "Robert", "bio": "Tea, mostly."}).wantStatus(http.StatusOK)
		bob.newPost("one", false)
		bob.newPost("two", false)
		secret := bob.newPost("secret", true)
		alice.follow(bob)
		carol.follow(bob)
		bob.follow(alice)
		joined := bob.get("/users/me/").object()["date_joined"]
		want := func(following, followsYou bool) string {
			return fmt.Sprintf(`{"id": %d, "username": "bob", "display_name": "Robert", "bio": "Tea, mostly.",
				"date_joined": %q, "is_active": true, "posts_count": 2, "followers_count": 2, "following_count": 1,
				"is_following": %t, "follows_you": %t}`, bob.id, joined, following, followsYou)
		}
		alice.get("/users/bob/").wantBody(want(true, true))
		carol.get("/users/bob/").wantBody(want(true, false))
		// Case and width variants name the same account.
		carol.get("/users/BOB/").wantBody(want(true, false))
		carol.get("/users/ｂｏｂ/").wantBody(want(true, false))

		// The counts follow every change.
		bob.patch(pathOf(secret), obj{"is_hidden": false}).wantStatus(http.StatusOK)
		carol.delete("/follow/unfollow/bob/").wantStatus(http.StatusNoContent)
		bob.delete("/follow/unfollow/alice/").wantStatus(http.StatusNoContent)
		p := carol.get("/users/bob/").object()
		if p["posts_count"] != 3.0 || p["followers_count"] != 1.0 || p["following_count"] != 0.0 || p["is_following"] != false {
			t.Errorf("after changes: %v", p)
		}
		bob.delete(pathOf(secret)).wantStatus(http.StatusNoContent)
		bob.newPost("hidden again", true)
		if p := carol.get("/users/bob/").object(); p["posts_count"] != 2.0 {
			t.Errorf("posts_count %v, want 2", p["posts_count"])
		}

		notFound := `{"detail": "User not found."}`
		alice.get("/users/nobody/").wantError(http.StatusNotFound, notFound)
		alice.get("/users/a%00b/").wantError(http.StatusNotFound, notFound)
		alice.get("/users/nobody/posts/").wantError(http.StatusNotFound, notFound)
	}},
	{"EditProfile", func(t *testing.T, e *env) {
		alice := e.user("alice")
		res := alice.patch("/users/me/", obj{"display_name": "Ali\u202Ece\u0007", "bio": "Jose\u0301\r\nline two\u2066"})
		res.wantBody(fmt.Sprintf(`{"id": %d, "username": "alice", "is_superuser": false, "date_joined": "2026-11-26T05:00:01.000000Z",
			"display_name": "Alice", "bio": "José\nline two"}`, alice.id))
		// What is not given stays; an empty string clears.
		alice.patch("/users/me/", form{"bio": {"From a form."}}).wantStatus(http.StatusOK)
		me := alice.get("/users/me/").object()
		if me["display_name"] != "Alice" || me["bio"] != "From a form." {
			t.Errorf("after a bio-only change: %v", me)
		}
		alice.patch("/users/me/", obj{"display_name": ""}).wantStatus(http.StatusOK)
		if me := alice.get("/users/me/").object(); me["display_name"] != "" || me["bio"] != "From a form." {
			t.Errorf("after clearing the display name: %v", me)
		}
		// Others see the change in lists.
		alice.patch("/users/me/", obj{"display_name": "Alice L."}).wantStatus(http.StatusOK)
		if got := names(t, e.user("bob"), "/users/", "display_name"); !slices.Equal(got, []string{"Alice L."}) {
			t.Errorf("the user list shows %q", got)
		}

		for name, tt := range map[string]struct {
			body any
			want string
		}{
			"long display name": {obj{"display_name": strings.Repeat("é", 51)}, `{"display_name": ["Ensure this field has no more than 50 characters."]}`},
			"long bio":          {obj{"bio": strings.Repeat("b", 501)}, `{"bio": ["Ensure this field has no more than 500 characters."]}`},
			"null display name": {obj{"display_name": nil}, `{"display_name": ["This field may not be null."]}`},
			"list bio":          {obj{"bio": []string{"x"}}, `{"bio": ["Not a valid string."]}`},
			"NUL":               {obj{"display_name": "a\x00b"}, `{"display_name": ["Null characters are not allowed."]}`},
			"a list":            {jsonText(`[]`), `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
		} {
			alice.patch("/users/me/", tt.body).named(name).wantError(http.StatusBadRequest, tt.want)
		}
		// The limits are in characters once cleaned, not bytes.
		alice.patch("/users/me/", obj{"display_name": strings.Repeat("é", 50) + "\u202E", "bio": strings.Repeat("ü", 500)}).wantStatus(http.StatusOK)
		if me := alice.get("/users/me/").object(); me["display_name"] != strings.Repeat("é", 50) {
			t.Errorf("display name %q", me["display_name"])
		}
	}},
	{"UserPosts", func(t *testing.T, e *env) {
		alice, bob, root := e.user("alice"), e.user("bob"), e.superuser("root")
		bob.newPost("first", false)
		bob.newPost("hidden", true)
		bob.newPost("third", false)
		alice.newPost("not bob's", false)
		if got := names(t, alice, "/users/bob/posts/?limit=1", "title"); !slices.Equal(got, []string{"third", "first"}) {
			t.Errorf("alice sees %q", got)
		}
		for _, c := range []*client{bob, root} {
			if got := names(t, c, "/users/bob/posts/?limit=2", "title"); !slices.Equal(got, []string{"third", "hidden", "first"}) {
				t.Errorf("%s sees %q", c.name, got)
			}
		}
		alice.get("/users/bob/posts/?limit=0").wantStatus(http.StatusBadRequest)
	}},
	{"CountsUnderConcurrency", func(t *testing.T, e *env) {
		bob := e.user("bob")
		p := bob.newPost("popular", false)
		fans := make([]*client, 20)
		for i := range fans {
			fans[i] = e.user(fmt.Sprint("fan", i))
		}
		inParallel(len(fans), func(i int) {
			if res := fans[i].post("/follow/", obj{"username": "bob"}); res.status != http.StatusCreated {
				t.Errorf("follow: %d %s", res.status, res.body)
			}
			if res := fans[i].post(pathOf(p)+"comments/", obj{"body": "hi"}); res.status != http.StatusCreated {
				t.Errorf("comment: %d %s", res.status, res.body)
			}
		})
		if prof := bob.get("/users/bob/").object(); prof["followers_count"] != 20.0 {
			t.Errorf("followers_count %v, want 20", prof["followers_count"])
		}
		if got := bob.counts(p); got.CommentCount != 20 {
			t.Errorf("comment_count %d, want 20", got.CommentCount)
		}
		inParallel(len(fans), func(i int) {
			if res := fans[i].delete("/follow/unfollow/bob/"); res.status != http.StatusNoContent {
				t.Errorf("unfollow: %d %s", res.status, res.body)
			}
		})
		if prof := bob.get("/users/bob/").object(); prof["followers_count"] != 0.0 {
			t.Errorf("followers_count %v, want 0", prof["followers_count"])
		}
	}},
}

var likeTests = []apiTest{
	{"Likes", func(t *testing.T, e *env) {
		alice, bob, carol := e.user("alice"), e.user("bob"), e.user("carol")
		p := alice.newPost("likeable", false)
		like := pathOf(p) + "like/"

		res := bob.post(like, nil).wantStatus(http.StatusCreated)
		var got struct {
			post
			postCounts
		}
		res.decode(&got)
		if got.ID != p.ID || got.LikeCount != 1 || !got.Liked {
			t.Fatalf("first like: %s", res.body)
		}
		// Liking again changes nothing and is not an error.
		bob.post(like, nil).wantStatus(http.StatusOK).decode(&got)
		if got.LikeCount != 1 || !got.Liked {
			t.Fatalf("second like: %+v", got)
		}
		carol.post(like, nil).wantStatus(http.StatusCreated)
		if c := alice.counts(p); c != (postCounts{LikeCount: 2}) {
			t.Errorf("alice sees %+v", c)
		}
		// Every list says whether the caller likes each post.
		var listed []postCounts
		bob.get("/blog/post/").wantStatus(http.StatusOK).decode(&listed)
		if len(listed) != 1 || listed[0] != (postCounts{LikeCount: 2, Liked: true}) {
			t.Errorf("bob's list: %+v", listed)
		}

		// Who likes it, most recent first.
		var likes []struct {
			ID        int64  `json:"id"`
			User      int64  `json:"user"`
			Username  string `json:"username"`
			CreatedAt string `json:"created_at"`
		}
		alice.get(pathOf(p) + "likes/").wantStatus(http.StatusOK).decode(&likes)
		if len(likes) != 2 || likes[0].Username != "carol" || likes[0].User != carol.id || likes[1].Username != "bob" || likes[0].CreatedAt <= likes[1].CreatedAt {
			t.Errorf("likes: %+v", likes)
		}
		if got := names(t, alice, pathOf(p)+"likes/?limit=1", "username"); !slices.Equal(got, []string{"carol", "bob"}) {
			t.Errorf("likes over pages: %q", got)
		}

		// Unliking is idempotent too.
		bob.delete(like).wantStatus(http.StatusOK).decode(&got)
		if got.LikeCount != 1 || got.Liked {
			t.Fatalf("unlike: %+v", got)
		}
		bob.delete(like).wantStatus(http.StatusOK).decode(&got)
		if got.LikeCount != 1 || got.Liked {
			t.Fatalf("second unlike: %+v", got)
		}
		if got := names(t, alice, pathOf(p)+"likes/", "username"); !slices.Equal(got, []string{"carol"}) {
			t.Errorf("likes after bob's unlike: %q", got)
		}
	}},
	{"LikesOfWhatYouCannotSee", func(t *testing.T, e *env) {
		alice, bob, root := e.user("alice"), e.user("bob"), e.superuser("root")
		hidden := alice.newPost("hidden", true)
		for _, req := range []struct{ method, path string }{
			{"POST", pathOf(hidden) + "like/"}, {"DELETE", pathOf(hidden) + "like/"}, {"GET", pathOf(hidden) + "likes/"},
			{"POST", "/blog/post/999/like/"}, {"GET", "/blog/post/999/likes/"}, {"POST", "/blog/post/x/like/"},
			{"GET", "/blog/post/99999999999999999999/likes/"},
		} {
			bob.do(req.method, req.path, nil).wantError(http.StatusNotFound, `{"detail": "Not found."}`)
		}
		// Those who can see it can like it.
		alice.post(pathOf(hidden)+"like/", nil).wantStatus(http.StatusCreated)
		root.post(pathOf(hidden)+"like/", nil).wantStatus(http.StatusCreated)
		if got := names(t, alice, pathOf(hidden)+"likes/", "username"); !slices.Equal(got, []string{"root", "alice"}) {
			t.Errorf("likes of the hidden post: %q", got)
		}
	}},
	{"ConcurrentLikes", func(t *testing.T, e *env) {
		alice := e.user("alice")
		p := alice.newPost("popular", false)
		like := pathOf(p) + "like/"
		bob := e.user("bob")
		statuses := make([]int, 50)
		inParallel(50, func(i int) { statuses[i] = bob.post(like, nil).status })
		slices.Sort(statuses)
		if statuses[0] != http.StatusOK || statuses[48] != http.StatusOK || statuses[49] != http.StatusCreated {
			t.Errorf("50 likes by one user: statuses %v, want one 201 and 49 200", statuses)
		}
		if c := alice.counts(p); c.LikeCount != 1 {
			t.Errorf("like_count %d after 50 likes by one user, want 1", c.LikeCount)
		}

		fans := make([]*client, 50)
		for i := range fans {
			fans[i] = e.user(fmt.Sprint("fan", i))
		}
		inParallel(50, func(i int) {
			if res := fans[i].post(like, nil); res.status != http.StatusCreated {
				t.Errorf("like: %d %s", res.status, res.body)
			}
		})
		if c := alice.counts(p); c.LikeCount != 51 {
			t.Errorf("like_count %d after 50 more users, want 51", c.LikeCount)
		}
		if got := names(t, alice, pathOf(p)+"likes/?limit=100", "username"); len(got) != 51 {
			t.Errorf("%d likes listed, want 51", len(got))
		}
		inParallel(50, func(i int) {
			if res := fans[i].delete(like); res.status != http.StatusOK {
				t.Errorf("unlike: %d %s", res.status, res.body)
			}
		})
		if c := alice.counts(p); c.LikeCount != 1 {
			t.Errorf("like_count %d after 50 unlikes, want 1", c.LikeCount)
		}
	}},
}

// comment is a comment as the API shows it.
type comment struct {
	ID             int64  `json:"id"`
	Post           int64  `json:"post"`
	Author         int64  `json:"author"`
	AuthorUsername string `json:"author_username"`
	Body           string `json:"body"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

// comment writes a comment on p and returns it.
func (c *client) comment(p post, body string) comment {
	c.e.t.Helper()
	var out comment
	c.post(pathOf(p)+"comments/", obj{"body": body}).wantStatus(http.StatusCreated).decode(&out)
	return out
}

func commentPath(c comment) string { return fmt.Sprintf("/blog/post/%d/comments/%d/", c.Post, c.ID) }

var commentTests = []apiTest{
	{"Comments", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		p := alice.newPost("talk", false)
		res := bob.post(pathOf(p)+"comments/", obj{"body": "First!"}).wantStatus(http.StatusCreated)
		c := res.object()
		res.wantBody(fmt.Sprintf(`{"id": %v, "post": %d, "author": %d, "author_username": "bob", "body": "First!", "created_at": %q, "updated_at": %q}`,
			c["id"], p.ID, bob.id, c["created_at"], c["created_at"]))
		if loc := res.header.Get("Location"); loc != fmt.Sprintf("/blog/post/%d/comments/%v/", p.ID, c["id"]) {
			t.Errorf("Location %q", loc)
		}
		alice.post(pathOf(p)+"comments/", form{"body": {"from a form"}}).wantStatus(http.StatusCreated)
		bob.post(pathOf(p)+"comments/", multipartForm{"body": "from multipart"}).wantStatus(http.StatusCreated)
		if got := names(t, alice, pathOf(p)+"comments/?limit=2", "body"); !slices.Equal(got, []string{"First!", "from a form", "from multipart"}) {
			t.Errorf("comments, oldest first: %q", got)
		}
		if got := alice.counts(p); got.CommentCount != 3 {
			t.Errorf("comment_count %d, want 3", got.CommentCount)
		}

		for name, tt := range map[string]struct {
			body any
			want string
		}{
			"nothing":  {obj{}, `{"body": ["This field is required."]}`},
			"blank":    {obj{"body": " \n "}, `{"body": ["This field may not be blank."]}`},
			"too long": {obj{"body": strings.Repeat("x", 2001)}, `{"body": ["Ensure this field has no more than 2000 characters."]}`},
			"null":     {obj{"body": nil}, `{"body": ["This field may not be null."]}`},
			"NUL":      {obj{"body": "a\x00b"}, `{"body": ["Null characters are not allowed."]}`},
			"a list":   {jsonText(`[1]`), `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
		} {
			bob.post(pathOf(p)+"comments/", tt.body).named(name).wantError(http.StatusBadRequest, tt.want)
		}
		bob.post(pathOf(p)+"comments/", obj{"body": strings.Repeat("é", 2000)}).wantStatus(http.StatusCreated)
		bob.post("/blog/post/999/comments/", obj{"body": "into the void"}).wantError(http.StatusNotFound, `{"detail": "Not found."}`)
	}},
	{"EditAndDeleteComments", func(t *testing.T, e *env) {
		alice, bob, carol, root := e.user("alice"), e.user("bob"), e.user("carol"), e.superuser("root")
		p := alice.newPost("talk", false)
		c := bob.comment(p, "original")
		forbidden := `{"detail": "You do not have permission to perform this action."}`
		notFound := `{"detail": "Not found."}`

		// Only its author edits it: not the post's owner, not a superuser.
		for _, other := range []*client{carol, alice, root} {
			other.patch(commentPath(c), obj{"body": "changed"}).named(other.name).wantError(http.StatusForbidden, forbidden)
		}
		// 404, then 403, then 400.
		carol.patch(commentPath(c), obj{"body": ""}).wantError(http.StatusForbidden, forbidden)
		bob.patch(commentPath(c), obj{"body": ""}).wantError(http.StatusBadRequest, `{"body": ["This field may not be blank."]}`)
		var edited comment
		bob.patch(commentPath(c), obj{"body": "edited"}).wantStatus(http.StatusOK).decode(&edited)
		if edited.Body != "edited" || edited.CreatedAt != c.CreatedAt || edited.UpdatedAt <= c.UpdatedAt || edited.ID != c.ID {
			t.Errorf("edited %+v, was %+v", edited, c)
		}

		// A comment is named by its post too.
		other := alice.newPost("other", false)
		bob.patch(fmt.Sprintf("/blog/post/%d/comments/%d/", other.ID, c.ID), obj{"body": "x"}).wantError(http.StatusNotFound, notFound)
		bob.delete(fmt.Sprintf("/blog/post/%d/comments/%d/", other.ID, c.ID)).wantError(http.StatusNotFound, notFound)
		bob.delete(fmt.Sprintf("/blog/post/%d/comments/999/", p.ID)).wantError(http.StatusNotFound, notFound)
		bob.delete(fmt.Sprintf("/blog/post/%d/comments/x/", p.ID)).wantError(http.StatusNotFound, notFound)
		e.anon().delete(commentPath(c)).wantStatus(http.StatusUnauthorized)

		// Deleted by its author, the post's owner or a superuser; by no one
		// else.
		carol.delete(commentPath(c)).wantError(http.StatusForbidden, forbidden)
		alice.delete(commentPath(c)).wantStatus(http.StatusNoContent)
		alice.delete(commentPath(c)).wantError(http.StatusNotFound, notFound)
		byRoot, byBob := bob.comment(p, "for root"), bob.comment(p, "for bob")
		root.delete(commentPath(byRoot)).wantStatus(http.StatusNoContent)
		bob.delete(commentPath(byBob)).wantStatus(http.StatusNoContent)
		// The owner of the post cannot delete comments on other posts.
		onCarols := bob.comment(carol.newPost("carol's", false), "hi")
		alice.delete(commentPath(onCarols)).wantError(http.StatusForbidden, forbidden)
		if got := alice.counts(p); got.CommentCount != 0 {
			t.Errorf("comment_count %d after deleting every comment", got.CommentCount)
		}
	}},
	{"CommentsOnHiddenPosts", func(t *testing.T, e *env) {
		alice, bob, root := e.user("alice"), e.user("bob"), e.superuser("root")
		p := alice.newPost("draft", true)
		c := alice.comment(p, "note to self")
		notFound := `{"detail": "Not found."}`
		bob.get(pathOf(p)+"comments/").wantError(http.StatusNotFound, notFound)
		bob.post(pathOf(p)+"comments/", obj{"body": "sneaky"}).wantError(http.StatusNotFound, notFound)
		bob.delete(commentPath(c)).wantError(http.StatusNotFound, notFound)
		if got := names(t, root, pathOf(p)+"comments/", "body"); !slices.Equal(got, []string{"note to self"}) {
			t.Errorf("root sees %q", got)
		}
		alice.patch(pathOf(p), obj{"is_hidden": false}).wantStatus(http.StatusOK)
		if got := names(t, bob, pathOf(p)+"comments/", "body"); !slices.Equal(got, []string{"note to self"}) {
			t.Errorf("bob sees %q once the post is public", got)
		}
	}},
	{"DeletingAPostDeletesItsLikesAndComments", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		p := alice.newPost("doomed", false)
		bob.post(pathOf(p)+"like/", nil).wantStatus(http.StatusCreated)
		bob.comment(p, "nice")
		alice.delete(pathOf(p)).wantStatus(http.StatusNoContent)
		bob.get(pathOf(p) + "likes/").wantStatus(http.StatusNotFound)
		bob.get(pathOf(p) + "comments/").wantStatus(http.StatusNotFound)
		for what, list := range map[string]func() (int, error){
			"likes": func() (int, error) {
				l, err := e.store.ListLikes(t.Context(), p.ID, allRows)
				return len(l), err
			},
			"comments": func() (int, error) {
				l, err := e.store.ListComments(t.Context(), p.ID, allRows)
				return len(l), err
			},
		} {
			if n, err := list(); n != 0 || err != nil {
				t.Errorf("%d %s left in the database (%v)", n, what, err)
			}
		}
	}},
}

var searchTests = []apiTest{
	{"SearchUsers", func(t *testing.T, e *env) {
		viewer := e.user("viewer")
		users := map[string]*client{}
		for _, u := range []struct{ name, display string }{
			{"alice", "Alice Liddell"}, {"alicia", ""}, {"bob", "Robert Alison"}, {"carol", "Carol"}, {"dave.smith", ""},
		} {
			users[u.name] = e.user(u.name)
			users[u.name].patch("/users/me/", obj{"display_name": u.display}).wantStatus(http.StatusOK)
		}
		for search, want := range map[string][]string{
			"ali":            {"alice", "alicia", "bob"},
			"ALI":            {"alice", "alicia", "bob"},
			"Ali lid":        {"alice"},
			"  ali,  LIDD! ": {"alice"},
			"rob":            {"bob"},
			"smith":          {"dave.smith"},
			"viewer":         nil, // never the caller
			"zebra":          nil,
			`"ali" OR *`:     nil, // no query syntax: OR is a word
			"":               {"alice", "alicia", "bob", "carol", "dave.smith"},
		} {
			path := "/users/?limit=2&search=" + url.QueryEscape(search)
			if got := names(t, viewer, path, "username"); !slices.Equal(got, want) {
				t.Errorf("search %q: %q, want %q", search, got, want)
			}
		}
		if got := names(t, users["alice"], "/users/?search=ali", "username"); !slices.Equal(got, []string{"alicia", "bob"}) {
			t.Errorf("alice's search: %q", got)
		}
		var listed []map[string]any
		viewer.get("/users/?search=robert").wantStatus(http.StatusOK).decode(&listed)
		if len(listed) != 1 || listed[0]["display_name"] != "Robert Alison" || listed[0]["is_following"] != false {
			t.Errorf("listed %v", listed)
		}
		for search, want := range map[string]string{
			"!!!":                    `{"search": ["Enter a word to search for."]}`,
			strings.Repeat("a", 201): `{"search": ["Ensure this field has no more than 200 characters."]}`,
			strings.Repeat("a ", 11): `{"search": ["Ensure the search has no more than 10 words."]}`,
			"a\x00b":                 `{"search": ["Null characters are not allowed."]}`,
		} {
			viewer.get("/users/?search="+url.QueryEscape(search)).named(search).wantError(http.StatusBadRequest, want)
		}
	}},
	{"SearchPosts", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		alice.newPost("Morning coffee", false)
		bob.newPost("Tea or coffee?", false)
		alice.newPost("Secret coffee", true)
		bob.newPost("Green tea", false)
		bob.post("/blog/post/", obj{"title": "Links", "body": "See example.com/tea-room"}).wantStatus(http.StatusCreated)
		for search, want := range map[string][]string{
			"coffee":       {"Tea or coffee?", "Morning coffee"},
			"COFFEE tea":   {"Tea or coffee?"},
			"tea":          {"Links", "Green tea", "Tea or coffee?"},
			"example room": {"Links"},
			"secret":       nil, // hidden posts never match, not even for their owner
			"coff":         nil, // whole words
			"body":         {"Green tea", "Tea or coffee?", "Morning coffee"},
			"":             {"Links", "Green tea", "Tea or coffee?", "Morning coffee"},
		} {
			for _, c := range []*client{alice, bob} {
				path := "/blog/post/?limit=1&search=" + url.QueryEscape(search)
				if got := names(t, c, path, "title"); !slices.Equal(got, want) {
					t.Errorf("%s searches %q: %q, want %q", c.name, search, got, want)
				}
			}
		}
		alice.get("/blog/post/?search=%21").wantError(http.StatusBadRequest, `{"search": ["Enter a word to search for."]}`)
		alice.get("/blog/post/?search=tea&limit=0").wantStatus(http.StatusBadRequest)
	}},
}

var accountTests = []apiTest{
	{"ChangePassword", func(t *testing.T, e *env) {
		alice := e.user("alice")
		second := e.login("alice", "alice-password")
		const path = "/users/me/password/"
		for name, tt := range map[string]struct {
			body any
			want string
		}{
			"wrong current": {obj{"current_password": "nope-nope-nope", "new_password": "battery-staple-9"}, `{"current_password": ["The password is not right."]}`},
			"weak new":      {obj{"current_password": "alice-password", "new_password": "password"}, `{"new_password": ["This password is too common."]}`},
			"nothing":       {obj{}, `{"current_password": ["This field is required."], "new_password": ["This field is required."]}`},
		} {
			alice.post(path, tt.body).named(name).wantError(http.StatusBadRequest, tt.want)
		}
		second.get("/users/me/").wantStatus(http.StatusOK) // nothing changed yet

		alice.post(path, obj{"current_password": "alice-password", "new_password": "battery-staple-9"}).wantStatus(http.StatusNoContent)
		alice.get("/users/me/").wantStatus(http.StatusOK) // the calling token keeps working
		second.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
		e.anon().post("/auth/token/", obj{"username": "alice", "password": "alice-password"}).wantStatus(http.StatusUnauthorized)
		e.login("alice", "battery-staple-9").get("/users/me/").wantStatus(http.StatusOK)
		(&client{e: e, authz: basic("alice", "battery-staple-9")}).get("/users/me/").wantStatus(http.StatusOK)
		e.anon().post(path, obj{}).wantStatus(http.StatusUnauthorized)
	}},
	{"DeleteAccount", func(t *testing.T, e *env) {
		alice, bob := e.user("alice"), e.user("bob")
		ap := alice.newPost("alice's", false)
		bp := bob.newPost("bob's", false)
		bob.post(pathOf(ap)+"like/", nil).wantStatus(http.StatusCreated)
		bob.comment(ap, "from bob")
		alice.comment(bp, "on bob's post")
		alice.post(pathOf(bp)+"like/", nil).wantStatus(http.StatusCreated)
		alice.follow(bob)
		bob.follow(alice)

		bob.do("DELETE", "/users/me/", obj{}).wantError(http.StatusBadRequest, `{"password": ["This field is required."]}`)
		bob.do("DELETE", "/users/me/", obj{"password": "wrong-password"}).wantError(http.StatusBadRequest, `{"password": ["The password is not right."]}`)
		bob.get("/users/me/").wantStatus(http.StatusOK)

		bob.do("DELETE", "/users/me/", obj{"password": "bob-password"}).wantStatus(http.StatusNoContent)
		bob.get("/users/me/").wantStatus(http.StatusUnauthorized)
		alice.get("/users/bob/").wantError(http.StatusNotFound, `{"detail": "User not found."}`)
		alice.get(pathOf(bp)).wantStatus(http.StatusNotFound)
		if c := alice.counts(ap); c != (postCounts{}) {
			t.Errorf("alice's post after bob left: %+v", c)
		}
		if prof := alice.get("/users/alice/").object(); prof["followers_count"] != 0.0 || prof["following_count"] != 0.0 {
			t.Errorf("alice's profile after bob left: %v", prof)
		}
		alice.get("/follow/follower/").wantBody(`[]`)
		alice.get("/follow/following/").wantBody(`[]`)
		if got := names(t, alice, pathOf(ap)+"comments/", "body"); got != nil {
			t.Errorf("bob's comments stay: %q", got)
		}

		// The name is free again, for a new account that has nothing.
		newBob := e.user("bob")
		if newBob.id == bob.id {
			t.Errorf("the new bob has the old id %d", bob.id)
		}
		if prof := alice.get("/users/bob/").object(); prof["posts_count"] != 0.0 || prof["followers_count"] != 0.0 || prof["is_following"] != false {
			t.Errorf("the new bob: %v", prof)
		}
	}},
	{"Deactivation", func(t *testing.T, e *env) {
		alice, bob, root := e.user("alice"), e.user("bob"), e.superuser("root")
		p := bob.newPost("by bob", false)
		alice.follow(bob)
		bobBasic := &client{e: e, authz: basic("bob", "bob-password")}
		forbidden := `{"detail": "You do not have permission to perform this action."}`

		alice.post("/users/bob/deactivate/", nil).wantError(http.StatusForbidden, forbidden)
		e.anon().post("/users/bob/deactivate/", nil).wantStatus(http.StatusUnauthorized)
		root.post("/users/nobody/deactivate/", nil).wantError(http.StatusNotFound, `{"detail": "User not found."}`)
		root.post("/users/root/deactivate/", nil).wantError(http.StatusBadRequest, `{"detail": "You cannot deactivate or reactivate your own account."}`)

		root.post("/users/BOB/deactivate/", nil).wantStatus(http.StatusNoContent)
		root.post("/users/bob/deactivate/", nil).wantStatus(http.StatusNoContent) // no change
		bob.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid token."}`)
		bobBasic.get("/users/me/").wantError(http.StatusUnauthorized, `{"detail": "Invalid username/password."}`)
		e.anon().post("/auth/token/", obj{"username": "bob", "password": "bob-password"}).wantError(http.StatusUnauthorized, `{"detail": "Invalid username/password."}`)

		// Gone for everyone else: profile, posts, lists, searches, feed.
		alice.get("/users/bob/").wantStatus(http.StatusNotFound)
		alice.get("/users/bob/posts/").wantStatus(http.StatusNotFound)
		alice.get(pathOf(p)).wantStatus(http.StatusNotFound)
		alice.post(pathOf(p)+"like/", nil).wantStatus(http.StatusNotFound)
		for _, path := range []string{"/users/", "/users/?search=bob", "/blog/post/", "/blog/post/?search=bob", "/blog/post/following_post/"} {
			if res := alice.get(path).wantStatus(http.StatusOK); strings.Contains(string(res.body), "bob") {
				t.Errorf("%s: %s", path, res.body)
			}
		}
		// Superusers still see them.
		if prof := root.get("/users/bob/").object(); prof["is_active"] != false {
			t.Errorf("root sees %v", prof)
		}
		root.get(pathOf(p)).wantStatus(http.StatusOK)

		root.post("/users/bob/activate/", nil).wantStatus(http.StatusNoContent)
		bob.get("/users/me/").wantStatus(http.StatusUnauthorized) // its tokens were revoked
		bobBasic.get("/users/me/").wantStatus(http.StatusOK)
		e.login("bob", "bob-password").get("/users/me/").wantStatus(http.StatusOK)
		if got := titles(t, alice.get("/blog/post/following_post/")); !slices.Equal(got, []string{"by bob"}) {
			t.Errorf("alice's feed after reactivation: %q", got)
		}
		if prof := alice.get("/users/bob/").object(); prof["is_active"] != true || prof["posts_count"] != 1.0 {
			t.Errorf("after reactivation: %v", prof)
		}
	}},
}
