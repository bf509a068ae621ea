// Package api is Magpie's JSON API over HTTP, one subsystem mounted on the
// server: its routes, the reading of requests and the writing of
// responses, authentication from the Authorization header, and the one
// mapping of error kinds to statuses. Its handlers parse and present; the
// service decides.
package api

import (
	"log/slog"
	"net/http"
	"net/url"

	"github.com/magpie-sns/magpie/service"
)

// Config is what the API needs. Service is required.
type Config struct {
	Service *service.Service
	Logger  *slog.Logger // nil: discard
	Version string       // served at /version/
	// Draining reports whether the instance is shutting down, when
	// /ready/ fails; nil: never.
	Draining func() bool
	// PublicURL is where clients reach the API (https://api.example.org),
	// for the absolute links it writes; nil: see API.nextURL.
	PublicURL *url.URL
}

// API is the JSON API. It is an http.Handler that answers every path it
// is given: unknown ones with its own JSON 404.
type API struct {
	svc       *service.Service
	log       *slog.Logger
	version   string
	draining  func() bool
	publicURL *url.URL
	handler   http.Handler
}

// New returns the API for cfg.
func New(cfg Config) *API {
	a := &API{svc: cfg.Service, log: cfg.Logger, version: cfg.Version, draining: cfg.Draining, publicURL: cfg.PublicURL}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.draining == nil {
		a.draining = func() bool { return false }
	}
	a.handler = a.routes()
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.handler.ServeHTTP(w, r)
}
