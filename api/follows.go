package api

import (
	"net/http"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/service"
)

type followJSON struct {
	ID        int64     `json:"id"`
	CreatedAt timestamp `json:"created_at"`
	Follower  int64     `json:"follower"`
	Following int64     `json:"following"`
}

// follow: POST /follow/ with {"following": <user id>} or {"username": "…"}.
func (a *API) follow(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	// By id ("following") or, failing that, by name ("username").
	target := service.FollowTarget{Field: "following"}
	if !in.has("following") && in.has("username") {
		target.Field, target.ByUsername = "username", true
		target.Username, _ = in.string("username", true)
	} else {
		target.ID, _ = in.int("following", true)
	}
	if err := in.errs.Err(); err != nil {
		return err
	}
	f, err := a.svc.Follow(r.Context(), caller.User, target)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, followJSON{ID: f.ID, CreatedAt: timestamp(f.CreatedAt), Follower: f.FollowerID, Following: f.FollowingID})
	return nil
}

// unfollow: DELETE (or POST) /follow/unfollow/{username}/.
func (a *API) unfollow(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	if err := a.svc.Unfollow(r.Context(), caller.User, r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// The original's names are inside out, and kept: /follow/follower/ lists
// whom the caller follows ({"following": name}), /follow/following/ lists
// who follows the caller ({"follower": name}).
type followingEntryJSON struct {
	ID        int64     `json:"id"`
	Following string    `json:"following"`
	CreatedAt timestamp `json:"created_at"`
}

type followerEntryJSON struct {
	ID        int64     `json:"id"`
	Follower  string    `json:"follower"`
	CreatedAt timestamp `json:"created_at"`
}

func newFollowingEntryJSON(f magpie.UserEntry) followingEntryJSON {
	return followingEntryJSON{ID: f.ID, Following: f.Username, CreatedAt: timestamp(f.CreatedAt)}
}

func newFollowerEntryJSON(f magpie.UserEntry) followerEntryJSON {
	return followerEntryJSON{ID: f.ID, Follower: f.Username, CreatedAt: timestamp(f.CreatedAt)}
}
