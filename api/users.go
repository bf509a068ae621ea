package api

import (
	"context"

	"github.com/magpie-sns/magpie"
)

type listedUserJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	IsFollowing bool   `json:"is_following"`
}

func newListedUserJSON(u magpie.ListedUser) listedUserJSON {
	return listedUserJSON{ID: u.ID, Username: u.Username, IsFollowing: u.IsFollowing}
}

// otherUsers are everyone but the caller: GET /users/.
func (s *Server) otherUsers(ctx context.Context, u *magpie.User, page magpie.Page) ([]magpie.ListedUser, error) {
	return s.store.ListUsers(ctx, u.ID, page)
}
