package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
)

const (
	defaultLimit = 20
	maxLimit     = 100
)

// readPage reads ?limit= and ?cursor=.
func readPage(r *http.Request) (magpie.Page, error) {
	q := r.URL.Query()
	fe := magpie.FieldErrors{}
	page := magpie.Page{Limit: defaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			fe.Add("limit", "A valid integer is required.")
		case n < 1 || n > maxLimit:
			fe.Add("limit", fmt.Sprintf("Ensure this value is between 1 and %d.", maxLimit))
		default:
			page.Limit = n
		}
	}
	if v := q.Get("cursor"); v != "" {
		c, ok := decodeCursor(v)
		if !ok {
			fe.Add("cursor", "Invalid cursor.")
		}
		page.After = c
	}
	return page, fe.Err()
}

// A cursor is the keyset position of the last row of a page: "micros.id",
// or just "id" for lists ordered by id, in unpadded base64url so clients
// treat it as opaque.
func encodeCursor(c magpie.Cursor) string {
	s := strconv.FormatInt(c.ID, 10)
	if !c.Time.IsZero() {
		s = strconv.FormatInt(c.Time.UnixMicro(), 10) + "." + s
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(s string) (*magpie.Cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	micros, id, hasTime := strings.Cut(string(raw), ".")
	if !hasTime {
		id, micros = micros, ""
	}
	c := &magpie.Cursor{}
	if c.ID, err = strconv.ParseInt(id, 10, 64); err != nil || c.ID < 0 {
		return nil, false
	}
	if hasTime {
		us, err := strconv.ParseInt(micros, 10, 64)
		if err != nil || us < minCursorMicros || us > maxCursorMicros {
			return nil, false
		}
		c.Time = time.UnixMicro(us).UTC()
	}
	return c, true
}

// A cursor's time is the time of a row, which is never before 1970 nor
// after 9999: PostgreSQL would refuse a time before 4713 BC, and one
// near the limits of int64 overflows on its way there.
var (
	minCursorMicros = int64(0)
	maxCursorMicros = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// lister reads one page of a list as seen by the caller.
type lister[Row any] func(ctx context.Context, caller *magpie.User, page magpie.Page) (service.List[Row], error)

// serveList serves a paginated list: ?limit= and ?cursor= in, a JSON array
// out, and a Link header to the next page if there is one (RFC 8288).
func serveList[Row, JSON any](a *API, list lister[Row], toJSON func(Row) JSON) callerHandler {
	return func(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
		page, err := readPage(r)
		if err != nil {
			return err
		}
		rows, err := list(r.Context(), caller.User, page)
		if err != nil {
			return err
		}
		if rows.Next != nil {
			w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", a.nextURL(r, page.Limit, encodeCursor(*rows.Next))))
		}
		writeList(w, rows.Items, toJSON)
		return nil
	}
}

// writeList writes the rows of a list page as the JSON array of what
// toJSON makes of each.
func writeList[Row, JSON any](w http.ResponseWriter, rows []Row, toJSON func(Row) JSON) {
	out := make([]JSON, len(rows))
	for i, row := range rows {
		out[i] = toJSON(row)
	}
	writeJSON(w, http.StatusOK, out)
}

// serveListFor is serveList for a list chosen by more of the request than
// its page: a search, or a user named in the path.
func serveListFor[Row, JSON any](a *API, listFor func(r *http.Request) lister[Row], toJSON func(Row) JSON) callerHandler {
	return func(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
		return serveList(a, listFor(r), toJSON)(w, r, caller)
	}
}

// nextURL is the URL of the page after this one. It is absolute on the
// configured public URL or, behind a trusted proxy that says which host
// the client asked for, on that; otherwise it is relative to this request,
// which a client resolves as RFC 8288 says. The Host header is never used:
// anyone can send any.
func (a *API) nextURL(r *http.Request, limit int, cursor string) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	if limit != defaultLimit {
		q.Set("limit", strconv.Itoa(limit))
	}
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	switch c := server.ClientOf(r.Context()); {
	case a.publicURL != nil:
		u.Scheme, u.Host = a.publicURL.Scheme, a.publicURL.Host
		u.Path = strings.TrimSuffix(a.publicURL.Path, "/") + u.Path
	case c.Host != "":
		u.Scheme, u.Host = c.Scheme, c.Host
	}
	return u.String()
}
