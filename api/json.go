package api

import (
	"encoding/json"
	"net/http"
	"time"
)

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// An encoding failure here means the client went away mid-write.
	_ = json.NewEncoder(w).Encode(v)
}

// timestamp is a time in the original service's format: RFC 3339, UTC,
// always with microseconds.
type timestamp time.Time

const timestampLayout = "2006-01-02T15:04:05.000000Z07:00"

// MarshalText rather than MarshalJSON: encoding/json quotes a text value
// itself, where it would copy and check every byte a MarshalJSON returned.
// That halves the allocations of writing a page of posts (83 to 43 for 20
// posts, BenchmarkWriteFeedPage).
func (t timestamp) MarshalText() ([]byte, error) {
	return time.Time(t).UTC().AppendFormat(make([]byte, 0, len(timestampLayout)), timestampLayout), nil
}
