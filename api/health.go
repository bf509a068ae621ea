package api

import (
	"context"
	"net/http"
	"time"
)

type statusJSON struct {
	Status string `json:"status"`
}

// health: GET /health/, the process is up.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, statusJSON{"OK"})
}

// ready: GET /ready/, the process can serve: it is not shutting down and
// the database answers. Load balancers send traffic only to ready instances.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, statusJSON{"draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready: database does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, statusJSON{"unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, statusJSON{"OK"})
}

type versionJSON struct {
	Version string `json:"version"`
}

// versionInfo: GET /version/.
func (s *Server) versionInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, versionJSON{s.version})
}
