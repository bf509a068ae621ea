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

func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(timestampLayout) + `"`), nil
}
