package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 127.0.0.1 ,::1,, 172.28.1.7/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "127.0.0.1/32", "::1/128", "172.28.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d: %v, want %s", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"nginx", "10.0.0.0/33", "1.2.3"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted it", bad)
		}
	}
}

func TestClientBehindProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: trusted}}
	tests := []struct {
		name       string
		remote     string
		xff, proto string
		wantIP     string
		wantScheme string
	}{
		{"direct client", "203.0.113.9:5000", "", "", "203.0.113.9", "http"},
		{"untrusted peer cannot spoof", "203.0.113.9:5000", "1.2.3.4", "https", "203.0.113.9", "http"},
		{"trusted proxy", "10.0.0.2:5000", "198.51.100.7", "https", "198.51.100.7", "https"},
		{"client forged a hop", "10.0.0.2:5000", "1.2.3.4, 198.51.100.7", "http", "198.51.100.7", "http"},
		{"two trusted proxies", "10.0.0.2:5000", "198.51.100.7, 10.0.0.3", "", "198.51.100.7", "http"},
		{"no header from proxy", "10.0.0.2:5000", "", "", "10.0.0.2", "http"},
		{"garbage header", "10.0.0.2:5000", "not-an-ip", "gopher", "10.0.0.2", "http"},
		{"IPv4-mapped IPv6 peer", "[::ffff:10.0.0.2]:5000", "198.51.100.7", "", "198.51.100.7", "http"},
	}
	for _, tt := range []struct {
		name, remote, forwardedHost, want string
	}{
		{"host from a trusted proxy", "10.0.0.2:5000", "api.example.org", "api.example.org"},
		{"host and port", "10.0.0.2:5000", "api.example.org:8443", "api.example.org:8443"},
		{"host from anyone else", "203.0.113.9:5000", "evil.example", ""},
		{"not a host", "10.0.0.2:5000", "evil.example/path?x", ""},
		{"user info", "10.0.0.2:5000", "a@evil.example", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			r.Header.Set("X-Forwarded-Host", tt.forwardedHost)
			if got := s.client(r).Host; got != tt.want {
				t.Errorf("Host = %q, want %q", got, tt.want)
			}
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			c := s.client(r)
			if c.IP != tt.wantIP || c.Scheme != tt.wantScheme {
				t.Errorf("client = %+v, want ip %s scheme %s", c, tt.wantIP, tt.wantScheme)
			}
		})
	}
}
