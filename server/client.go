package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// ranges ("10.0.0.0/8, 127.0.0.1") whose forwarding headers are believed.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var prefixes []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			prefixes = append(prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR range", item)
		}
		prefixes = append(prefixes, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return prefixes, nil
}

// Client is who sent a request, as far as the server can trust: the
// address and scheme the client used, not those of a proxy in between.
type Client struct {
	IP     string
	Scheme string // "http" or "https"
	// Host is the host (and port) the client asked for, as a trusted
	// proxy passed it on in X-Forwarded-Host; "" when none did. The Host
	// header itself is never trusted: anyone can send any.
	Host string
}

type clientKey struct{}

// ClientOf returns the client of the request whose context is ctx.
func ClientOf(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// withClient works out the client's address and scheme. X-Forwarded-For
// and X-Forwarded-Proto count only when the connection comes from a
// trusted proxy; otherwise anyone could claim any address.
func (s *Server) withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, s.client(r))))
	})
}

func (s *Server) client(r *http.Request) Client {
	c := Client{Scheme: "http"}
	if r.TLS != nil {
		c.Scheme = "https"
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	c.IP = host
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return c
	}
	switch proto := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto"))); proto {
	case "http", "https":
		c.Scheme = proto
	}
	if host := strings.TrimSpace(r.Header.Get("X-Forwarded-Host")); validHost(host) {
		c.Host = host
	}
	// The rightmost address not of a trusted proxy is the client: every
	// hop appends the address it got the request from, and only trusted
	// hops' entries are believed.
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		c.IP = hop.Unmap().String()
		if !s.trusted(hop) {
			break
		}
	}
	return c
}

// validHost reports whether h is a host or host:port, without a path or
// anything else a URL could be made to say with it.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h && u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == ""
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
