package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// client sends requests to one Magpie server and nowhere else.
type client struct {
	base string // scheme://host[:port][/prefix], without a trailing slash
	http *http.Client
}

// user is a logged-in user and their bearer token.
type user struct {
	name  string
	token string
}

// newClient returns a client of the server at baseURL that keeps up to
// conns connections open to it and gives up on a request after timeout.
func newClient(baseURL string, conns int, timeout time.Duration) (*client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, usageErrorf("--url %q: want http://HOST[:PORT] or https://HOST[:PORT], optionally with a path", baseURL)
	}
	transport := &http.Transport{
		// No Proxy: requests go to the base URL itself, never to a proxy
		// named by the environment.
		DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: timeout,
		// The default of 2 idle connections a host would close and redial
		// connections all through the run, and time the dials.
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{
		base: strings.TrimSuffix(u.String(), "/"),
		http: &http.Client{
			Transport: transport,
			Timeout:   timeout,
			// A redirect is counted as the status it is and never
			// followed: the bench sends to the base URL only.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// newRequest returns a request for path on the server, with body as JSON
// when it is not nil and the token as a bearer token when it is not empty.
func (c *client) newRequest(ctx context.Context, method, path, token string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// opRequest returns the request of operation o made by u; other is the
// user that follow and unfollow act on. Lists are read one page, the
// first: their Link headers are ignored.
func (c *client) opRequest(ctx context.Context, o op, u, other user) (*http.Request, error) {
	switch o {
	case opFeed:
		return c.newRequest(ctx, http.MethodGet, "/blog/post/following_post/", u.token, nil)
	case opPosts:
		return c.newRequest(ctx, http.MethodGet, "/blog/post/", u.token, nil)
	case opMyPosts:
		return c.newRequest(ctx, http.MethodGet, "/blog/post/my_post/", u.token, nil)
	case opUsers:
		return c.newRequest(ctx, http.MethodGet, "/users/", u.token, nil)
	case opCreatePost:
		return c.newRequest(ctx, http.MethodPost, "/blog/post/", u.token, map[string]string{
			"title": "Bench post",
			"body":  "Written by magpie-bench as " + u.name + ".",
		})
	case opFollow:
		return c.newRequest(ctx, http.MethodPost, "/follow/", u.token, map[string]string{"username": other.name})
	case opUnfollow:
		return c.newRequest(ctx, http.MethodDelete, "/follow/unfollow/"+url.PathEscape(other.name)+"/", u.token, nil)
	}
	return nil, fmt.Errorf("no request for operation %d", o)
}

// logIn logs each of names in with password, at most parallel at a time:
// each login runs argon2id on the server (19 MiB and some 25 ms of a
// core), so hundreds at once would measure the server's memory rather
// than log users in. It returns the users that logged in, in the order of
// names, and an error naming each user that did not.
func (c *client) logIn(ctx context.Context, names []string, password string, parallel int) ([]user, []error) {
	tokens := make([]string, len(names))
	errs := make([]error, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, len(names)) {
		wg.Go(func() {
			for i := range next {
				tokens[i], errs[i] = c.logInOne(ctx, names[i], password)
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()

	var users []user
	var failures []error
	for i, name := range names {
		if errs[i] != nil {
			failures = append(failures, fmt.Errorf("%s: %w", name, errs[i]))
			continue
		}
		users = append(users, user{name: name, token: tokens[i]})
	}
	return users, failures
}

// logInOne returns a bearer token of the user from POST /auth/token/.
func (c *client) logInOne(ctx context.Context, name, password string) (string, error) {
	req, err := c.newRequest(ctx, http.MethodPost, "/auth/token/", "", map[string]string{"username": name, "password": password})
	if err != nil {
		return "", err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", res.Status, clip(string(bytes.TrimSpace(data)), 200))
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(data, &tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("%s without a token: %s", res.Status, clip(string(data), 200))
	}
	return tok.Token, nil
}

// clip shortens s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
