package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/magpie-sns/magpie/ratelimit"
)

// The words of the answers the server writes itself.
const (
	msgTooManyRequests = "Too many requests from your address; try again later."
	msgCORSRefused     = "This origin may not call the API."
)

// withRequestLimit counts every request against the client address's
// limit. A request over it gets a 429 with Retry-After before any work;
// every response says where the client stands (RateLimit-* headers, as
// the IETF draft names them). A limiter that fails lets requests through.
func (s *Server) withRequestLimit(next http.Handler) http.Handler {
	if s.cfg.Limiter == nil || !s.cfg.Requests.On() {
		return next
	}
	unlimited := map[string]bool{}
	for _, p := range s.cfg.Unlimited {
		unlimited[strings.TrimSuffix(p, "/")] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if unlimited[strings.TrimSuffix(r.URL.Path, "/")] {
			next.ServeHTTP(w, r)
			return
		}
		res, err := s.cfg.Limiter.Allow(r.Context(), "requests:"+ClientOf(r.Context()).IP, s.cfg.Requests)
		if err != nil {
			s.log.WarnContext(r.Context(), "request limit not checked", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		SetRateLimitHeaders(w.Header(), res)
		if !res.Allowed {
			writeJSONError(w, http.StatusTooManyRequests, msgTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// SetRateLimitHeaders says where a client stands against a limit, and
// when to retry if it was refused.
func SetRateLimitHeaders(h http.Header, res ratelimit.Result) {
	h.Set("RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("RateLimit-Reset", seconds(res.ResetAfter))
	if !res.Allowed {
		h.Set("Retry-After", seconds(res.RetryAfter))
	}
}

// seconds is d in whole seconds, rounded up: a client that waits that
// long is never early.
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// withDeadline gives the request a deadline: the database calls and the
// password checks it makes give up at it, and the API answers 503 rather
// than leave the client waiting on a stalled database.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	if s.cfg.RequestTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// The CORS answers: what a browser may send and what it may read.
const (
	corsAllowMethods  = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
	corsAllowHeaders  = "Authorization, Content-Type, X-Request-Id"
	corsExposeHeaders = "Link, Location, Retry-After, X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
	corsMaxAge        = "600"
)

// withCORS lets the browsers of the configured origins call the API. The
// API authenticates with the Authorization header, never with cookies, so
// no credentials mode is needed. A preflight (OPTIONS with
// Access-Control-Request-Method) is answered here; from an origin that is
// not allowed it gets a 403.
func (s *Server) withCORS(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		h.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		allowed := origin != "" && s.corsAllows(origin)
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		if !preflight {
			next.ServeHTTP(w, r)
			return
		}
		if !allowed {
			writeJSONError(w, http.StatusForbidden, msgCORSRefused)
			return
		}
		h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", corsMaxAge)
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) corsAllows(origin string) bool {
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// ParseCORSOrigins reads a comma-separated list of origins
// (https://app.example.org) or "*".
func ParseCORSOrigins(list string) ([]string, error) {
	var origins []string
	for o := range strings.SplitSeq(list, ",") {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			continue
		case o == "*":
		case !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://"),
			strings.Count(o, "/") != 2:
			return nil, &originError{o}
		}
		origins = append(origins, strings.TrimSuffix(o, "/"))
	}
	return origins, nil
}

type originError struct{ origin string }

func (e *originError) Error() string {
	return "CORS origin " + strconv.Quote(e.origin) + " is not scheme://host[:port] or *"
}
