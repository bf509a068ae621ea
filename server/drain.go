package server

import "net/http"

// Drain tells the server it is about to stop. From now on Draining is
// true, so readiness probes fail and load balancers send new requests
// elsewhere, and every response closes its connection, so no proxy keeps
// an idle keep-alive connection that the coming shutdown would close under
// a request in flight.
func (s *Server) Drain() {
	s.draining.Store(true)
}

// Draining reports whether Drain was called.
func (s *Server) Draining() bool {
	return s.draining.Load()
}

// withDrain closes each connection after its response while draining.
func (s *Server) withDrain(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}
