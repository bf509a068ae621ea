package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie/server"
)

// Whatever a mounted subsystem logs with a request's context carries the
// request's id, as the request line does.
func TestLogLinesCarryTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(server.LogHandler(slog.NewTextHandler(&buf, nil)))
	srv := server.New(server.Config{Logger: logger})
	srv.Mount("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "inside")
		w.WriteHeader(http.StatusNoContent)
	}))
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.Header.Set("X-Request-Id", "req-42")
	srv.ServeHTTP(httptest.NewRecorder(), req)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s\nwant two lines", buf.String())
	}
	for _, line := range lines {
		if strings.Count(line, "request_id=req-42") != 1 {
			t.Errorf("line %q does not carry the request id once", line)
		}
	}
}

// A panic in a subsystem is a logged JSON 500, not a dropped connection.
func TestPanicIsA500(t *testing.T) {
	var buf bytes.Buffer
	srv := server.New(server.Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	srv.Mount("/", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/json" ||
		!strings.Contains(rec.Body.String(), server.MsgServerError) {
		t.Errorf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if !strings.Contains(buf.String(), "boom") {
		t.Errorf("the panic is not logged:\n%s", buf.String())
	}
}
