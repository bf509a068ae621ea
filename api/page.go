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
)

const (
	defaultLimit = 20
	maxLimit     = 100
)

// readPage reads ?limit= and ?cursor=. The store is asked for one row more
// than the limit, so writePage can tell whether there is a next page.
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
	page.Limit++
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
		if err != nil {
			return nil, false
		}
		c.Time = time.UnixMicro(us).UTC()
	}
	return c, true
}

// lister reads one page of a list as seen by the caller.
type lister[Row any] func(ctx context.Context, caller *magpie.User, page magpie.Page) ([]Row, error)

// serveList serves a paginated list: ?limit= and ?cursor= in, a JSON array
// and a Link header to the next page out.
func serveList[Row, JSON any](s *Server, list lister[Row], cursor func(Row) magpie.Cursor, toJSON func(Row) JSON) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, err := readPage(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rows, err := list(r.Context(), currentUser(r), page)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writePage(w, r, page, rows, cursor, toJSON)
	}
}

// writePage writes rows as a JSON array. If the store returned more rows
// than asked for, the extra one is dropped and a Link header points at the
// next page (RFC 8288).
func writePage[Row, JSON any](w http.ResponseWriter, r *http.Request, page magpie.Page, rows []Row, cursor func(Row) magpie.Cursor, toJSON func(Row) JSON) {
	limit := page.Limit - 1
	if len(rows) > limit {
		rows = rows[:limit]
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", nextURL(r, limit, encodeCursor(cursor(rows[limit-1])))))
	}
	out := make([]JSON, len(rows))
	for i, row := range rows {
		out[i] = toJSON(row)
	}
	writeJSON(w, http.StatusOK, out)
}

func nextURL(r *http.Request, limit int, cursor string) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	if limit != defaultLimit {
		q.Set("limit", strconv.Itoa(limit))
	}
	u := url.URL{Scheme: clientOf(r.Context()).scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func postCursor(p magpie.Post) magpie.Cursor { return magpie.Cursor{Time: p.CreatedAt, ID: p.ID} }
func followCursor(f magpie.FollowEntry) magpie.Cursor {
	return magpie.Cursor{Time: f.CreatedAt, ID: f.ID}
}
func userCursor(u magpie.ListedUser) magpie.Cursor { return magpie.Cursor{ID: u.ID} }
