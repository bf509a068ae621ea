package api

import "net/http"

// Drain tells the server it is about to stop. From now on /ready/ answers
// 503, so load balancers send new requests elsewhere, and every response
// closes its connection, so no proxy keeps an idle keep-alive connection
// that the coming shutdown would close under a request in flight.
func (s *Server) Drain() {
	s.draining.Store(true)
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
