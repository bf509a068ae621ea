package api

import "github.com/magpie-sns/magpie"

type listedUserJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	IsFollowing bool   `json:"is_following"`
}

func newListedUserJSON(u magpie.ListedUser) listedUserJSON {
	return listedUserJSON{ID: u.ID, Username: u.Username, IsFollowing: u.IsFollowing}
}
