package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

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
const msgNoCredentials = "Authentication credentials were not provided."

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
	case errors.As(err, &e) && len(e.Fields) > 0:
		writeJSON(w, statusByKind[e.Kind], e.Fields)
	case errors.As(err, &e) && e.Message != "":
		if e.Kind == magpie.EUNAUTHORIZED {
			w.Header().Add("WWW-Authenticate", `Bearer realm="api"`)
			w.Header().Add("WWW-Authenticate", `Basic realm="api"`)
		}
		writeJSON(w, statusByKind[e.Kind], detail(e.Message))
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads this response.
		a.log.InfoContext(r.Context(), "request canceled", "method", r.Method, "path", r.URL.Path)
		writeJSON(w, http.StatusInternalServerError, detail(server.MsgServerError))
	default:
		a.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, detail(server.MsgServerError))
	}
}

type detailBody struct {
	Detail string `json:"detail"`
}

func detail(msg string) detailBody { return detailBody{Detail: msg} }
