// Package server is Magpie's HTTP composition root: the middleware every
// request passes through, outside any subsystem, and the mux on which
// subsystems are mounted side by side (the JSON API today; a second API
// dialect or a web UI can sit beside it). It knows nothing of what the
// subsystems serve.
package server

import (
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"sync/atomic"
	"time"

	"github.com/magpie-sns/magpie/ratelimit"
)

// Config is what the server needs; every field is optional.
type Config struct {
	Logger *slog.Logger // nil: discard
	// TrustedProxies are the addresses whose X-Forwarded-For,
	// X-Forwarded-Proto and X-Forwarded-Host headers are believed.
	TrustedProxies []netip.Prefix
	// CORSOrigins may call the API from a browser: exact origins such as
	// https://app.example.org, or "*" for any. None by default.
	CORSOrigins []string
	// Limiter counts every request per client address against Requests.
	// nil, or a zero Requests, is no limit.
	Limiter  ratelimit.Limiter
	Requests ratelimit.Rate
	// Unlimited are paths the request limit leaves alone, such as the
	// probes of a load balancer, which all come from its address.
	Unlimited []string
	// RequestTimeout bounds how long a request may wait on the database
	// or for a password check; 0 is no bound.
	RequestTimeout time.Duration
	// OnRequest, if set, is told about every request when it ends, for
	// metrics.
	OnRequest func(RequestInfo)
}

// RequestInfo describes a request that has been answered.
type RequestInfo struct {
	Method   string
	Route    string // the pattern that served it (see SetRoute), or "" if none did
	Status   int
	Duration time.Duration
}

// Server is the outermost http.Handler: the middleware chain around a mux
// of mounted subsystems.
type Server struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	root     http.Handler // mounted at "/"; it also answers unclean paths
	handler  http.Handler
	draining atomic.Bool
}

// middleware wraps a handler in one layer of the chain.
type middleware func(http.Handler) http.Handler

// New returns a server with nothing mounted yet.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// The chain, outermost first: each layer sees what the ones above it
	// set up.
	chain := []middleware{
		s.withClient,        // who is calling: the client's address and scheme, through trusted proxies
		withRequestID,       // an id for the request, in its response and every log line about it
		s.withLogAndRecover, // one log line per request, with its final status; a panic becomes a 500
		withCompression(),   // gzip for bodies of 1 KiB or more when the client accepts it, errors of the layers below too
		s.withDrain,         // while shutting down, close each connection after its response
		withSecurityHeaders, // the headers every response carries, whichever subsystem wrote it
		s.withCORS,          // browsers on the allowed origins may call; their preflights are answered here
		s.withRequestLimit,  // too many requests from one address get a 429 before any work
		s.withDeadline,      // nothing waits on the database or a password check for too long
	}
	s.handler = http.HandlerFunc(s.route)
	for i := len(chain) - 1; i >= 0; i-- {
		s.handler = chain[i](s.handler)
	}
	return s
}

// Mount serves h for the paths under pattern, a ServeMux pattern such as
// "/" (everything no other mount takes) or "/admin/".
func (s *Server) Mount(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	if pattern == "/" {
		s.root = h
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// route hands r to the mount of its path. A path that is not clean (//x,
// /a/../b) goes to the root mount as it is: ServeMux would answer it with
// a redirect and an HTML body, where every answer here is the
// subsystem's own (the API's is a JSON 404).
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if s.root != nil && r.URL.Path != "" && cleanPath(r.URL.Path) != r.URL.Path {
		s.root.ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// cleanPath is p as ServeMux would have it: rooted, with no empty, "." or
// ".." elements, keeping a trailing slash.
func cleanPath(p string) string {
	if p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean
}
