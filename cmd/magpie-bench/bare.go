package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// bareServer answers as a server that does no work at all would: the
// ceiling that HTTP alone sets on this machine, for a run to be compared
// with. It serves one page, fetched once from the real server, as that
// server sent it.
type bareServer struct {
	page   []byte
	header http.Header
}

// fetchBare logs in as name at the real server and fetches the first page
// of that user's home feed, compressed if the server compresses it.
func fetchBare(ctx context.Context, c *client, name, password string) (*bareServer, error) {
	token, err := c.logInOne(ctx, name, password)
	if err != nil {
		return nil, fmt.Errorf("logging in as %s: %w", name, err)
	}
	req, err := c.newRequest(ctx, http.MethodGet, "/blog/post/following_post/", token, nil)
	if err != nil {
		return nil, err
	}
	// Asked for in so many words, gzip is not decoded by the transport:
	// the bytes are kept as sent.
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	page, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the feed of %s: %s", name, res.Status)
	}
	header := http.Header{}
	for _, key := range []string{"Content-Type", "Content-Encoding", "Vary", "Link"} {
		if v := res.Header.Values(key); len(v) > 0 {
			header[key] = v
		}
	}
	return &bareServer{page: page, header: header}, nil
}

// ServeHTTP gives a token to any login and the page to any GET.
func (b *bareServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/auth/token/":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"token":"bare"}`)
	case r.Method == http.MethodGet:
		for key, v := range b.header {
			w.Header()[key] = v
		}
		_, _ = w.Write(b.page)
	default:
		http.Error(w, "the bare server answers logins and GETs only", http.StatusMethodNotAllowed)
	}
}

// serveBare serves b on addr until ctx ends.
func serveBare(ctx context.Context, addr string, b *bareServer, stderr io.Writer) error {
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "serving a page of %d bytes (%s) on http://%s until interrupted\n",
		len(b.page), b.header.Get("Content-Encoding"), ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
