package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// MsgServerError is what a client reads when the server failed: a panic,
// or an error whose text is not for clients.
const MsgServerError = "A server error occurred."

type requestIDKey struct{}

// RequestID returns the id withRequestID gave the request whose context
// is ctx.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID keeps a sane X-Request-Id from the client or proxy, or
// makes one, and echoes it so a client can quote it in a bug report.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			b := make([]byte, 12)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)) {
			return false
		}
	}
	return true
}

// withSecurityHeaders sets the headers the original service sends on every
// response: no content sniffing, no framing, no referrer to other sites.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *statusRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// StatusClientClosed is the status of a request whose client went away
// before its answer, as nginx logs it: nobody reads the response.
const StatusClientClosed = 499

// routeKey holds, in a request's context, where the subsystem that served
// it writes its route (SetRoute).
type routeKey struct{}

// SetRoute tells the server which route pattern served the request whose
// context is ctx ("/blog/post/{id}/"), so that metrics count requests by
// route rather than by path, which would be without bound.
func SetRoute(ctx context.Context, pattern string) {
	if p, ok := ctx.Value(routeKey{}).(*string); ok {
		*p = pattern
	}
}

// withLogAndRecover logs one line per request (never its headers, so no
// credentials), turns a panic into a logged 500 instead of a dropped
// connection, and reports the request to OnRequest.
func (s *Server) withLogAndRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		route := new(string)
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, route))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { //nolint:errorlint // a panic value, compared as net/http documents
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path,
					"panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeJSONError(rec, http.StatusInternalServerError, MsgServerError)
				}
			}
			elapsed := time.Since(start)
			s.log.InfoContext(r.Context(), "request",
				"method", r.Method,
				"path", r.URL.Path,
				"status", rec.status,
				"bytes", rec.bytes,
				"duration_ms", float64(elapsed.Microseconds())/1000,
				"client", ClientOf(r.Context()).IP,
			)
			if s.cfg.OnRequest != nil {
				s.cfg.OnRequest(RequestInfo{Method: r.Method, Route: *route, Status: rec.status, Duration: elapsed})
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// writeJSONError writes the answer of a layer of the server itself:
// {"detail": msg}, as every error of the API is.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(struct {
		Detail string `json:"detail"`
	}{msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
