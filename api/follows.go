package api

import (
	"context"
	"net/http"

	"github.com/magpie-sns/magpie"
)

type followJSON struct {
	ID        int64     `json:"id"`
	CreatedAt timestamp `json:"created_at"`
	Follower  int64     `json:"follower"`
	Following int64     `json:"following"`
}

// follow: POST /follow/ with {"following": <user id>} or {"username": "…"}.
func (s *Server) follow(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	target, field, err := s.followTarget(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	me := currentUser(r)
	if target.ID == me.ID {
		s.writeError(w, r, magpie.FieldErrors{field: {"You cannot follow yourself."}}.Err())
		return
	}
	f := &magpie.Follow{FollowerID: me.ID, FollowingID: target.ID, CreatedAt: s.now()}
	err = s.store.CreateFollow(r.Context(), f)
	if magpie.IsKind(err, magpie.ECONFLICT) {
		err = magpie.Errorf(magpie.ECONFLICT, "Already following.")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, followJSON{ID: f.ID, CreatedAt: timestamp(f.CreatedAt), Follower: f.FollowerID, Following: f.FollowingID})
}

// followTarget finds the user to follow by id ("following") or, failing
// that, by name ("username"), and says which field named them.
func (s *Server) followTarget(ctx context.Context, in *input) (*magpie.User, string, error) {
	var (
		u   *magpie.User
		err error
	)
	field := "following"
	if !in.has("following") && in.has("username") {
		field = "username"
		if name, ok := in.string(field, true); ok {
			u, err = s.userByName(ctx, name)
		}
	} else if id, ok := in.int(field, true); ok {
		u, err = s.store.UserByID(ctx, id)
	}
	if ferr := in.errs.Err(); ferr != nil {
		return nil, field, ferr
	}
	if magpie.IsKind(err, magpie.ENOTFOUND) {
		return nil, field, errUserNotFound
	}
	return u, field, err
}

var errUserNotFound = magpie.Errorf(magpie.ENOTFOUND, "User not found.")

// userByName finds a user by name; a name that no user can have, such as
// one with a NUL character, is not found without asking the store.
func (s *Server) userByName(ctx context.Context, name string) (*magpie.User, error) {
	if !magpie.StorableText(name) {
		return nil, errUserNotFound
	}
	u, err := s.store.UserByUsername(ctx, name)
	if magpie.IsKind(err, magpie.ENOTFOUND) {
		return nil, errUserNotFound
	}
	return u, err
}

// unfollow: DELETE (or POST) /follow/unfollow/{username}/.
func (s *Server) unfollow(w http.ResponseWriter, r *http.Request) {
	target, err := s.userByName(r.Context(), r.PathValue("username"))
	if err == nil {
		err = s.store.DeleteFollow(r.Context(), currentUser(r).ID, target.ID)
		if magpie.IsKind(err, magpie.ENOTFOUND) {
			err = magpie.Errorf(magpie.ENOTFOUND, "You are not following this user.")
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
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

func newFollowingEntryJSON(f magpie.FollowEntry) followingEntryJSON {
	return followingEntryJSON{ID: f.ID, Following: f.Username, CreatedAt: timestamp(f.CreatedAt)}
}

func newFollowerEntryJSON(f magpie.FollowEntry) followerEntryJSON {
	return followerEntryJSON{ID: f.ID, Follower: f.Username, CreatedAt: timestamp(f.CreatedAt)}
}

// followedUsers are the users the caller follows: GET /follow/follower/.
func (s *Server) followedUsers(ctx context.Context, u *magpie.User, page magpie.Page) ([]magpie.FollowEntry, error) {
	return s.store.ListFollowing(ctx, u.ID, page)
}

// followers are the users who follow the caller: GET /follow/following/.
func (s *Server) followers(ctx context.Context, u *magpie.User, page magpie.Page) ([]magpie.FollowEntry, error) {
	return s.store.ListFollowers(ctx, u.ID, page)
}
