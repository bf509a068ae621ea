package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/server"
)

// statusByKind is the one place where domain error kinds become statuses.
var statusByKind = map[string]int{
	magpie.EINVALID:      http.StatusBadRequest,
	magpie.EUNAUTHORIZED: http.StatusUnauthorized,
	magpie.EFORBIDDEN:    http.StatusForbidden,
	magpie.ENOTFOUND:     http.StatusNotFound,
	magpie.ECONFLICT:     http.StatusConflict,
	magpie.ELIMITED:      http.StatusTooManyRequests,
	magpie.EUNAVAILABLE:  http.StatusServiceUnavailable,
	magpie.EINTERNAL:     http.StatusInternalServerError,
}

// httpError is a request-level failure that has no domain kind, such as an
// unsupported media type. Its detail is shown to the client.
type httpError struct {
	status int
	detail string
}

func (e *httpError) Error() string { return fmt.Sprintf("http %d: %s", e.status, e.detail) }

func errStatus(status int, format string, args ...any) error {
	return &httpError{status: status, detail: fmt.Sprintf(format, args...)}
}

// The words about HTTP itself; those about what a request asked for are
// the service's (service/messages.go).
const (
	msgNoCredentials = "Authentication credentials were not provided."
	msgUnavailable   = "The service is unavailable right now; try again shortly."
)

// unavailableRetry is when to try again after a 503 whose cause says
// nothing better: a database restart or a failover takes seconds.
const unavailableRetry = 5 * time.Second

// writeError writes err as a JSON error body: field errors as
// {"field": ["…"]}, everything else as {"detail": "…"}. An error without
// words for the client is logged, and its text never reaches the client.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if errors.As(err, &he) {
		writeJSON(w, he.status, detail(he.detail))
		return
	}
	var e *magpie.Error
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads this response, and the log
		// says 499 rather than a server error.
		a.log.InfoContext(r.Context(), "client went away", "method", r.Method, "path", r.URL.Path)
		writeJSON(w, server.StatusClientClosed, detail(msgUnavailable))
	case errors.As(err, &e) && len(e.Fields) > 0:
		writeJSON(w, statusByKind[e.Kind], e.Fields)
	case errors.As(err, &e) && e.Message != "":
		switch e.Kind {
		case magpie.EUNAUTHORIZED:
			w.Header().Add("WWW-Authenticate", `Bearer realm="api"`)
			w.Header().Add("WWW-Authenticate", `Basic realm="api"`)
		case magpie.ELIMITED, magpie.EUNAVAILABLE:
			retryAfter(w, e.RetryAfter)
		}
		writeJSON(w, statusByKind[e.Kind], detail(e.Message))
	case magpie.IsKind(err, magpie.EUNAVAILABLE) || errors.Is(err, context.DeadlineExceeded):
		// The database did not answer (in time): a proxy may try another
		// instance, a client again later; nginx retries only idempotent
		// requests, so a write is never done twice by it.
		a.log.WarnContext(r.Context(), "unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		retryAfter(w, unavailableRetry)
		writeJSON(w, http.StatusServiceUnavailable, detail(msgUnavailable))
	default:
		a.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, detail(server.MsgServerError))
	}
}

type detailBody struct {
	Detail string `json:"detail"`
}

func detail(msg string) detailBody { return detailBody{Detail: msg} }

// retryAfter says in how many whole seconds to try again (at least one).
func retryAfter(w http.ResponseWriter, d time.Duration) {
	secs := max(1, int64((d+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
}
