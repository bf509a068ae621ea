package api

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
)

// handler serves one operation. It returns its failure rather than
// writing it: serve writes the error, once.
type handler func(w http.ResponseWriter, r *http.Request) error

// callerHandler serves an operation that needs a logged-in caller, whom
// it is handed: there is no way to reach it without one.
type callerHandler func(w http.ResponseWriter, r *http.Request, caller *service.Session) error

// route is one operation of the API. Every API path is written with its
// trailing slash, and the form without it is served too; the files of the
// docs page are the only paths without one.
type route struct {
	method  string
	pattern string
	handle  handler
}

// routeTable is the whole API in one place. The handlers wrapped in
// private answer 401 unless the request has valid credentials; the others
// serve anyone.
func (a *API) routeTable() []route {
	return []route{
		{"POST", "/auth/signup/", a.signup},
		{"POST", "/auth/token/", a.login},
		{"POST", "/auth/logout/", a.private(a.logout)},
		{"POST", "/auth/logout/all/", a.private(a.logoutEverywhere)},

		{"GET", "/users/", a.private(serveListFor(a, a.usersOrSearch, newListedUserJSON))},
		{"GET", "/users/me/", a.private(a.me)},
		{"PATCH", "/users/me/", a.private(a.editProfile)},
		{"DELETE", "/users/me/", a.private(a.deleteAccount)},
		{"POST", "/users/me/password/", a.private(a.changePassword)},
		{"GET", "/users/{username}/", a.private(a.profile)},
		{"GET", "/users/{username}/posts/", a.private(serveListFor(a, a.userPosts, newPostJSON))},
		{"POST", "/users/{username}/deactivate/", a.private(a.deactivate)},
		{"POST", "/users/{username}/activate/", a.private(a.activate)},

		{"GET", "/blog/post/", a.private(serveListFor(a, a.postsOrSearch, newPostJSON))},
		{"POST", "/blog/post/", a.private(a.createPost)},
		{"GET", "/blog/post/my_post/", a.private(serveList(a, a.svc.ListOwnPosts, newPostJSON))},
		{"GET", "/blog/post/my-post/", a.private(serveList(a, a.svc.ListOwnPosts, newPostJSON))},
		{"GET", "/blog/post/following_post/", a.private(serveList(a, a.svc.Feed, newPostJSON))},
		{"GET", "/blog/post/following-post/", a.private(serveList(a, a.svc.Feed, newPostJSON))},
		{"GET", "/blog/post/{id}/", a.private(a.getPost)},
		{"PUT", "/blog/post/{id}/", a.private(a.replacePost)},
		{"PATCH", "/blog/post/{id}/", a.private(a.patchPost)},
		{"DELETE", "/blog/post/{id}/", a.private(a.deletePost)},
		{"POST", "/blog/post/{id}/like/", a.private(a.like)},
		{"DELETE", "/blog/post/{id}/like/", a.private(a.unlike)},
		{"GET", "/blog/post/{id}/likes/", a.private(serveListFor(a, a.likes, newLikeEntryJSON))},
		{"GET", "/blog/post/{id}/comments/", a.private(serveListFor(a, a.comments, newCommentJSON))},
		{"POST", "/blog/post/{id}/comments/", a.private(a.comment)},
		{"PATCH", "/blog/post/{id}/comments/{comment_id}/", a.private(a.editComment)},
		{"DELETE", "/blog/post/{id}/comments/{comment_id}/", a.private(a.deleteComment)},

		{"POST", "/follow/", a.private(a.follow)},
		{"POST", "/follow/unfollow/{username}/", a.private(a.unfollow)},
		{"DELETE", "/follow/unfollow/{username}/", a.private(a.unfollow)},
		{"GET", "/follow/follower/", a.private(serveList(a, a.svc.ListFollowing, newFollowingEntryJSON))},
		{"GET", "/follow/following/", a.private(serveList(a, a.svc.ListFollowers, newFollowerEntryJSON))},

		{"GET", "/health/", a.health},
		{"GET", "/ready/", a.ready},
		{"GET", "/version/", a.versionInfo},
		{"GET", "/api/schema/", a.schema},
		{"GET", "/api/docs/", a.docs},
		{"GET", "/api/docs/{asset}", a.docsAsset},
	}
}

// private serves h to authenticated callers only.
func (a *API) private(h callerHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		caller, err := a.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, caller)
	}
}

// routes builds the API's handler: a ServeMux keyed by path, each path
// dispatching on the method itself so that a wrong method gets the JSON 405
// with an Allow header that clients of the original expect; the path
// without its trailing slash routed like the path with it; and a JSON 404
// for every path the API does not serve.
func (a *API) routes() http.Handler {
	byPath := map[string]methodSet{}
	for _, rt := range a.routeTable() {
		if byPath[rt.pattern] == nil {
			byPath[rt.pattern] = methodSet{}
		}
		byPath[rt.pattern][rt.method] = a.serve(rt.handle)
	}
	mux := http.NewServeMux()
	for pattern, methods := range byPath {
		routed := withRoute(pattern, methods)
		if strings.HasSuffix(pattern, "/") {
			pattern += "{$}" // the path itself, not the tree below it
		}
		mux.Handle(pattern, routed)
	}
	notFound := a.serve(func(http.ResponseWriter, *http.Request) error { return service.NotFound() })
	mux.Handle("/", notFound)
	return withCleanPath(notFound, withTrailingSlash(mux))
}

// withRoute tells the server which route serves the request, for metrics.
func withRoute(pattern string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		server.SetRoute(r.Context(), pattern)
		next.ServeHTTP(w, r)
	})
}

// withCleanPath answers a path that is not clean (//users/, /a/../users/)
// as an unknown one. ServeMux would redirect it to the clean path, with an
// HTML body; no API path is ever written that way.
func withCleanPath(notFound, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanPath(r.URL.Path) {
			notFound.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cleanPath reports whether p is rooted and has no empty, "." or ".."
// element.
func cleanPath(p string) bool {
	if p == "/" {
		return true
	}
	return strings.HasPrefix(p, "/") && !strings.Contains(p, "//") && path.Clean(p) == strings.TrimSuffix(p, "/")
}

// serve adapts a handler to net/http: it writes the handler's error, if
// any, unless the handler had already begun its response.
func (a *API) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &startWatcher{ResponseWriter: w}
		if err := h(rw, r); err != nil {
			if rw.started {
				a.log.ErrorContext(r.Context(), "error after the response began", "method", r.Method, "path", r.URL.Path, "err", err)
				return
			}
			a.writeError(w, r, err)
		}
	})
}

// startWatcher notes whether a response has begun.
type startWatcher struct {
	http.ResponseWriter
	started bool
}

func (sw *startWatcher) WriteHeader(status int) {
	sw.started = true
	sw.ResponseWriter.WriteHeader(status)
}

func (sw *startWatcher) Write(b []byte) (int, error) {
	sw.started = true
	return sw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (sw *startWatcher) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

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

// withTrailingSlash serves /users like /users/: the original redirected
// with a 301, which loses a POST body, so Magpie routes both forms directly.
// A path without the slash is routed with it when that form has a route,
// and as it is otherwise: the docs assets, and unknown paths (JSON 404).
func withTrailingSlash(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The escaped path, as the mux matches it: /blog/post/0%2F does
		// not end in a slash, though its decoded path does.
		if !strings.HasSuffix(r.URL.EscapedPath(), "/") {
			// Ask about the slashed form: asked about /users as it is, the
			// mux answers with the pattern of /users/ and a redirect to it.
			if slashed := withSlash(r); routed(mux, slashed) {
				r = slashed
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// routed reports whether a route of the mux matches r: any pattern but the
// catch-all "/", which answers the JSON 404.
func routed(mux *http.ServeMux, r *http.Request) bool {
	_, pattern := mux.Handler(r)
	return pattern != "/"
}

// withSlash returns a shallow copy of r whose path ends in "/".
func withSlash(r *http.Request) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path += "/"
	if u.RawPath != "" {
		u.RawPath = r.URL.EscapedPath() + "/"
	}
	r2.URL = &u
	return r2
}
