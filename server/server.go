// Package server is Magpie's HTTP composition root: the middleware every
// request passes through, outside any subsystem, and the mux on which
// subsystems are mounted side by side (the JSON API today; /metrics, a
// second API dialect or a web UI can sit beside it). It knows nothing of
// what the subsystems serve.
package server

import (
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
)

// Config is what the server needs.
type Config struct {
	Logger *slog.Logger // nil: discard
	// TrustedProxies are the addresses whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix
}

// Server is the outermost http.Handler: the middleware chain around a mux
// of mounted subsystems.
type Server struct {
	log            *slog.Logger
	trustedProxies []netip.Prefix
	mux            *http.ServeMux
	handler        http.Handler
	draining       atomic.Bool
}

// middleware wraps a handler in one layer of the chain.
type middleware func(http.Handler) http.Handler

// New returns a server with nothing mounted yet.
func New(cfg Config) *Server {
	s := &Server{log: cfg.Logger, trustedProxies: cfg.TrustedProxies, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// The chain, outermost first: each layer sees what the ones above it
	// set up.
	chain := []middleware{
		s.withClient,        // who is calling: the client's address and scheme, through trusted proxies
		withRequestID,       // an id for the request, in its response and every log line about it
		s.withLogAndRecover, // one log line per request, with its final status; a panic becomes a 500
		s.withDrain,         // while shutting down, close each connection after its response
		withSecurityHeaders, // the headers every response carries, whichever subsystem wrote it
	}
	s.handler = s.mux
	for i := len(chain) - 1; i >= 0; i-- {
		s.handler = chain[i](s.handler)
	}
	return s
}

// Mount serves h for the paths under pattern, a ServeMux pattern such as
// "/" (everything no other mount takes) or "/metrics".
func (s *Server) Mount(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
