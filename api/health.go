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
func (a *API) health(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, statusJSON{"OK"})
	return nil
}

// ready: GET /ready/, the process can serve: it is not shutting down and
// the database answers. Load balancers send traffic only to ready instances.
func (a *API) ready(w http.ResponseWriter, r *http.Request) error {
	if a.draining() {
		writeJSON(w, http.StatusServiceUnavailable, statusJSON{"draining"})
		return nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.svc.Ready(ctx); err != nil {
		a.log.WarnContext(ctx, "not ready: database does not answer", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, statusJSON{"unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, statusJSON{"OK"})
	return nil
}

type versionJSON struct {
	Version string `json:"version"`
}

// versionInfo: GET /version/.
func (a *API) versionInfo(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, versionJSON{a.version})
	return nil
}
