package api

import (
	"net/http"

	"github.com/magpie-sns/magpie"
)

type listedUserJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	IsFollowing bool   `json:"is_following"`
}

// listUsers lists everyone but the caller: GET /users/.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	page, err := readPage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	users, err := s.store.ListUsers(r.Context(), currentUser(r).ID, page)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writePage(w, r, page, users, userCursor, func(u magpie.ListedUser) listedUserJSON {
		return listedUserJSON{ID: u.ID, Username: u.Username, IsFollowing: u.IsFollowing}
	})
}
