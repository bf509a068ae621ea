package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/magpie-sns/magpie"
)

// statusByKind is the one place where domain error kinds become statuses.
var statusByKind = map[string]int{
	magpie.EINVALID:      http.StatusBadRequest,
	magpie.EUNAUTHORIZED: http.StatusUnauthorized,
	magpie.EFORBIDDEN:    http.StatusForbidden,
	magpie.ENOTFOUND:     http.StatusNotFound,
	magpie.ECONFLICT:     http.StatusConflict,
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

// Messages the original service's clients know.
const (
	msgNotFound       = "Not found."
	msgNoCredentials  = "Authentication credentials were not provided."
	msgBadCredentials = "Invalid username/password."
	msgForbidden      = "You do not have permission to perform this action."
)

var errNotFound = magpie.Errorf(magpie.ENOTFOUND, msgNotFound)

// writeError writes err as a JSON error body: field errors as
// {"field": ["…"]}, everything else as {"detail": "…"}. Internal errors are
// logged and their text never reaches the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if errors.As(err, &he) {
		writeJSON(w, he.status, detail(he.detail))
		return
	}
	var e *magpie.Error
	if !errors.As(err, &e) || e.Kind == magpie.EINTERNAL {
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			// The client went away; nobody reads this response.
			s.log.InfoContext(r.Context(), "request canceled", "method", r.Method, "path", r.URL.Path)
		} else {
			s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path,
				"request_id", requestID(r.Context()), "err", err)
		}
		writeJSON(w, http.StatusInternalServerError, detail("A server error occurred."))
		return
	}
	status := statusByKind[e.Kind]
	if e.Kind == magpie.EUNAUTHORIZED {
		w.Header().Add("WWW-Authenticate", `Bearer realm="api"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="api"`)
	}
	if len(e.Fields) > 0 {
		writeJSON(w, status, e.Fields)
		return
	}
	writeJSON(w, status, detail(e.Message))
}

type detailBody struct {
	Detail string `json:"detail"`
}

func detail(msg string) detailBody { return detailBody{Detail: msg} }
