package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/magpie-sns/magpie/internal/syncbuf"
	"github.com/magpie-sns/magpie/server"
)

// rawGet sends method to url with the Accept-Encoding given (none if ""),
// through a transport that neither asks for gzip nor decodes it, so the
// body is the bytes the server sent.
func rawGet(t *testing.T, method, url, acceptEncoding string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

// varies reports whether h's Vary header lists field.
func varies(h http.Header, field string) bool {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return true
			}
		}
	}
	return false
}

// jsonOfSize is a JSON array of exactly n bytes (n >= 2), compressible as
// a list of records is.
func jsonOfSize(n int) []byte {
	b := []byte("[")
	for len(b) < n-1 {
		b = append(b, `{"id":1,"title":"a post"},`...)
	}
	b = b[:n-1]
	b[n-2] = '0' // the cut lands anywhere: keep the size, not the syntax
	return append(b, ']')
}

// Responses of 1 KiB or more are gzipped for clients that accept gzip; the
// rest, and every response to other clients, are sent as they were.
func TestCompression(t *testing.T) {
	big := jsonOfSize(4000)
	tests := []struct {
		name           string
		method         string
		acceptEncoding string
		status         int
		contentType    string
		body           []byte
		setLength      bool // the handler sets Content-Length, as the docs' files do
		wantGzip       bool
	}{
		{"Large", "GET", "gzip", 200, "application/json", big, false, true},
		{"LargeWithLength", "GET", "gzip", 200, "text/javascript; charset=utf-8", big, true, true},
		{"LargeError", "GET", "gzip", 400, "application/json", big, false, true},
		{"BrowserAcceptEncoding", "GET", "gzip, deflate, br, zstd", 200, "application/json", big, false, true},
		{"ExactlyTheMinimum", "GET", "gzip", 200, "application/json", jsonOfSize(1024), false, true},
		{"UnderTheMinimum", "GET", "gzip", 200, "application/json", jsonOfSize(1023), false, false},
		{"NoAcceptEncoding", "GET", "", 200, "application/json", big, false, false},
		{"GzipRefused", "GET", "gzip;q=0, deflate", 200, "application/json", big, false, false},
		{"ZstdOnly", "GET", "zstd", 200, "application/json", big, false, false},
		{"CompressedAlready", "GET", "gzip", 200, "image/jpeg", big, true, false},
		{"Head", "HEAD", "gzip", 200, "application/json", big, true, false},
		{"NoContent", "DELETE", "gzip", 204, "", nil, false, false},
		{"NotModified", "GET", "gzip", 304, "", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncbuf.Buffer{}
			srv := server.New(server.Config{Logger: slog.New(server.LogHandler(slog.NewTextHandler(logs, nil)))})
			srv.Mount("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				if tt.setLength {
					w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)))
				}
				w.WriteHeader(tt.status)
				// In pieces, as an encoder writes.
				for chunk := range slices.Chunk(tt.body, 300) {
					w.Write(chunk)
				}
			}))
			ts := httptest.NewServer(srv)
			defer ts.Close()
			res, raw := rawGet(t, tt.method, ts.URL+"/x", tt.acceptEncoding)

			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if !varies(res.Header, "Accept-Encoding") {
				t.Errorf("Vary %q does not list Accept-Encoding", res.Header.Values("Vary"))
			}
			if res.Header.Get("X-Request-Id") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("the outer layers' headers are missing: %v", res.Header)
			}
			if got := res.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			// The log line has the status the client got.
			if !strings.Contains(logs.String(), "status="+strconv.Itoa(tt.status)+" ") {
				t.Errorf("log:\n%s\nwant status=%d", logs, tt.status)
			}
			body := raw
			switch ce := res.Header.Get("Content-Encoding"); {
			case tt.wantGzip && ce != "gzip":
				t.Fatalf("Content-Encoding %q, want gzip", ce)
			case !tt.wantGzip && ce != "":
				t.Fatalf("Content-Encoding %q, want none", ce)
			case tt.wantGzip:
				body = gunzip(t, raw)
				if len(raw) >= len(body) {
					t.Errorf("gzip made %d bytes into %d", len(body), len(raw))
				}
				if cl := res.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(raw)) {
					t.Errorf("Content-Length %s, but %d bytes came", cl, len(raw))
				}
			case tt.setLength:
				if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(tt.body)) {
					t.Errorf("Content-Length %q, want %d", cl, len(tt.body))
				}
			}
			if tt.method == http.MethodHead {
				if len(raw) != 0 {
					t.Errorf("HEAD: %d bytes of body", len(raw))
				}
				return
			}
			if !bytes.Equal(body, tt.body) {
				t.Errorf("body of %d bytes, want the %d written", len(body), len(tt.body))
			}
		})
	}
}

// A handler that flushes sends what it has written so far, compressed or
// not: the client reads it before the handler goes on.
func TestCompressionFlushes(t *testing.T) {
	first, second := jsonOfSize(2000), jsonOfSize(3000)
	for _, acceptEncoding := range []string{"gzip", ""} {
		t.Run("AcceptEncoding="+acceptEncoding, func(t *testing.T) {
			proceed := make(chan struct{})
			flushErr := make(chan error, 1)
			srv := server.New(server.Config{})
			srv.Mount("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write(first)
				flushErr <- http.NewResponseController(w).Flush()
				select {
				case <-proceed:
				case <-r.Context().Done():
					return
				}
				w.Write(second)
			}))
			ts := httptest.NewServer(srv)
			defer ts.Close()
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/", nil)
			if acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", acceptEncoding)
			}
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			res, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if err := <-flushErr; err != nil {
				t.Fatalf("Flush: %v", err)
			}
			if got := res.Header.Get("Content-Encoding"); got != acceptEncoding {
				t.Fatalf("Content-Encoding %q, want %q", got, acceptEncoding)
			}

			// The first part arrives while the handler waits.
			type result struct {
				r   io.Reader
				got []byte
				err error
			}
			done := make(chan result, 1)
			go func() {
				var r io.Reader = res.Body
				if acceptEncoding == "gzip" {
					zr, err := gzip.NewReader(res.Body)
					if err != nil {
						done <- result{err: err}
						return
					}
					r = zr
				}
				got := make([]byte, len(first))
				_, err := io.ReadFull(r, got)
				done <- result{r, got, err}
			}()
			var part result
			select {
			case part = <-done:
			case <-time.After(10 * time.Second):
				close(proceed)
				t.Fatal("the flushed part did not arrive while the handler waited")
			}
			if part.err != nil || !bytes.Equal(part.got, first) {
				t.Fatalf("first part: %v, %d bytes", part.err, len(part.got))
			}
			close(proceed)
			rest, err := io.ReadAll(part.r)
			if err != nil || !bytes.Equal(rest, second) {
				t.Fatalf("second part: %v, %d bytes", err, len(rest))
			}
		})
	}
}

// A panic is still a JSON 500 that a client which accepts gzip can read.
func TestPanicIsA500WhenGzipIsAccepted(t *testing.T) {
	srv := server.New(server.Config{})
	srv.Mount("/", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	res, raw := rawGet(t, http.MethodGet, ts.URL+"/", "gzip")
	if res.StatusCode != http.StatusInternalServerError || res.Header.Get("Content-Type") != "application/json" ||
		res.Header.Get("Content-Encoding") != "" || !strings.Contains(string(raw), server.MsgServerError) {
		t.Errorf("got %d %v %s", res.StatusCode, res.Header, raw)
	}
}
