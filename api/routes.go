package api

import (
	"net/http"
	"slices"
	"strings"
)

// route is one operation of the API. Every API path is written with its
// trailing slash, and the form without it is served too; the files of the
// docs page are the only paths without one.
type route struct {
	method  string
	pattern string
	public  bool // served without authentication
	handle  http.HandlerFunc
}

// routeTable is the whole API in one place.
func (s *Server) routeTable() []route {
	return []route{
		{"POST", "/auth/signup/", true, s.signup},
		{"POST", "/auth/token/", true, s.login},
		{"POST", "/auth/logout/", false, s.logout},

		{"GET", "/users/", false, serveList(s, s.otherUsers, userCursor, newListedUserJSON)},
		{"GET", "/users/me/", false, s.me},

		{"GET", "/blog/post/", false, serveList(s, s.publicPosts, postCursor, newPostJSON)},
		{"POST", "/blog/post/", false, s.createPost},
		{"GET", "/blog/post/my_post/", false, serveList(s, s.ownPosts, postCursor, newPostJSON)},
		{"GET", "/blog/post/my-post/", false, serveList(s, s.ownPosts, postCursor, newPostJSON)},
		{"GET", "/blog/post/following_post/", false, serveList(s, s.feedPosts, postCursor, newPostJSON)},
		{"GET", "/blog/post/following-post/", false, serveList(s, s.feedPosts, postCursor, newPostJSON)},
		{"GET", "/blog/post/{id}/", false, s.getPost},
		{"PUT", "/blog/post/{id}/", false, s.replacePost},
		{"PATCH", "/blog/post/{id}/", false, s.patchPost},
		{"DELETE", "/blog/post/{id}/", false, s.deletePost},

		{"POST", "/follow/", false, s.follow},
		{"POST", "/follow/unfollow/{username}/", false, s.unfollow},
		{"DELETE", "/follow/unfollow/{username}/", false, s.unfollow},
		{"GET", "/follow/follower/", false, serveList(s, s.followedUsers, followCursor, newFollowingEntryJSON)},
		{"GET", "/follow/following/", false, serveList(s, s.followers, followCursor, newFollowerEntryJSON)},

		{"GET", "/health/", true, s.health},
		{"GET", "/ready/", true, s.ready},
		{"GET", "/version/", true, s.versionInfo},
		{"GET", "/api/schema/", true, s.schema},
		{"GET", "/api/docs/", true, s.docs},
		{"GET", "/api/docs/{asset}", true, s.docsAsset},
	}
}

// routes builds the handler: a ServeMux keyed by path, each path
// dispatching on the method itself so that a wrong method gets the JSON 405
// with an Allow header that clients of the original expect.
func (s *Server) routes() http.Handler {
	byPath := map[string]methodSet{}
	for _, rt := range s.routeTable() {
		h := http.Handler(rt.handle)
		if !rt.public {
			h = s.requireUser(h)
		}
		if byPath[rt.pattern] == nil {
			byPath[rt.pattern] = methodSet{}
		}
		byPath[rt.pattern][rt.method] = h
	}
	mux := http.NewServeMux()
	for pattern, methods := range byPath {
		if strings.HasSuffix(pattern, "/") {
			pattern += "{$}" // the path itself, not the tree below it
		}
		mux.Handle(pattern, methods)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, detail(msgNotFound))
	})
	return s.withClient(withRequestID(s.withLogAndRecover(s.withDrain(withSecurityHeaders(withTrailingSlash(mux))))))
}

// methodSet serves one path: a handler per method, HEAD wherever GET is.
type methodSet map[string]http.Handler

func (m methodSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h.ServeHTTP(w, r)
		return
	}
	if h, ok := m[http.MethodGet]; ok && r.Method == http.MethodHead {
		h.ServeHTTP(w, r) // net/http drops the body of a HEAD response
		return
	}
	w.Header().Set("Allow", m.allow())
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusMethodNotAllowed, detail(`Method "`+r.Method+`" not allowed.`))
}

func (m methodSet) allow() string {
	methods := []string{"OPTIONS"}
	for method := range m {
		methods = append(methods, method)
		if method == "GET" {
			methods = append(methods, "HEAD")
		}
	}
	slices.Sort(methods)
	return strings.Join(methods, ", ")
}
