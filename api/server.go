// Package api serves Magpie's HTTP API: routes, authentication, JSON in
// and out, and the mapping of domain error kinds to HTTP statuses.
package api

import (
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
)

// DefaultTokenTTL is how long a bearer token lives unless configured.
const DefaultTokenTTL = 30 * 24 * time.Hour

// Config is what the API server needs. Store and Passwords are required.
type Config struct {
	Store     magpie.Store
	Passwords *auth.Passwords
	Logger    *slog.Logger     // nil: discard
	Version   string           // served at /version/
	TokenTTL  time.Duration    // 0: DefaultTokenTTL
	Now       func() time.Time // nil: time.Now
	// TrustedProxies are the addresses whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix
}

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	store     magpie.Store
	passwords *auth.Passwords
	log       *slog.Logger
	version   string
	tokenTTL  time.Duration
	clock     func() time.Time
	handler   http.Handler
	draining  atomic.Bool

	trustedProxies []netip.Prefix
}

// NewServer returns the API handler for cfg.
func NewServer(cfg Config) *Server {
	s := &Server{
		store:     cfg.Store,
		passwords: cfg.Passwords,
		log:       cfg.Logger,
		version:   cfg.Version,
		tokenTTL:  cfg.TokenTTL,
		clock:     cfg.Now,

		trustedProxies: cfg.TrustedProxies,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.tokenTTL == 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.handler = s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// now is the current time as the store keeps it.
func (s *Server) now() time.Time {
	return magpie.StoredTime(s.clock())
}
