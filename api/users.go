package api

import (
	"context"
	"net/http"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/service"
)

type listedUserJSON struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	IsFollowing bool   `json:"is_following"`
}

func newListedUserJSON(u magpie.ListedUser) listedUserJSON {
	return listedUserJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, IsFollowing: u.IsFollowing}
}

// usersOrSearch lists everyone but the caller (GET /users/) or, with
// ?search=, those whose names have words starting with its words.
func (a *API) usersOrSearch(r *http.Request) lister[magpie.ListedUser] {
	text := r.URL.Query().Get("search")
	return func(ctx context.Context, caller *magpie.User, page magpie.Page) (service.List[magpie.ListedUser], error) {
		return a.svc.SearchUsers(ctx, caller, text, page)
	}
}

type profileJSON struct {
	ID             int64     `json:"id"`
	Username       string    `json:"username"`
	DisplayName    string    `json:"display_name"`
	Bio            string    `json:"bio"`
	DateJoined     timestamp `json:"date_joined"`
	IsActive       bool      `json:"is_active"`
	PostsCount     int64     `json:"posts_count"`
	FollowersCount int64     `json:"followers_count"`
	FollowingCount int64     `json:"following_count"`
	IsFollowing    bool      `json:"is_following"`
	FollowsYou     bool      `json:"follows_you"`
}

// profile: GET /users/{username}/.
func (a *API) profile(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	p, err := a.svc.Profile(r.Context(), caller.User, r.PathValue("username"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, profileJSON{
		ID: p.ID, Username: p.Username, DisplayName: p.DisplayName, Bio: p.Bio,
		DateJoined: timestamp(p.DateJoined), IsActive: p.IsActive,
		PostsCount: p.PostsCount, FollowersCount: p.FollowersCount, FollowingCount: p.FollowingCount,
		IsFollowing: p.IsFollowing, FollowsYou: p.FollowsYou,
	})
	return nil
}

// userPosts lists the posts of the user named in the path:
// GET /users/{username}/posts/.
func (a *API) userPosts(r *http.Request) lister[magpie.Post] {
	username := r.PathValue("username")
	return func(ctx context.Context, caller *magpie.User, page magpie.Page) (service.List[magpie.Post], error) {
		return a.svc.UserPosts(ctx, caller, username, page)
	}
}

// editProfile: PATCH /users/me/ {"display_name"?, "bio"?}; the answer is
// the caller as they now are.
func (a *API) editProfile(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	var edit service.ProfileEdit
	if name, ok := in.string("display_name", false); ok {
		edit.DisplayName = &name
	}
	if bio, ok := in.string("bio", false); ok {
		edit.Bio = &bio
	}
	if err := in.check(edit.Validate()); err != nil {
		return err
	}
	u, err := a.svc.EditProfile(r.Context(), caller.User, edit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newUserJSON(u))
	return nil
}

// changePassword: POST /users/me/password/ {"current_password",
// "new_password"}; the token of the request keeps working, every other of
// the caller's stops.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	current, _ := in.string("current_password", true)
	next, _ := in.string("new_password", true)
	if err := in.errs.Err(); err != nil {
		return err
	}
	if err := a.svc.ChangePassword(r.Context(), caller, current, next); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteAccount: DELETE /users/me/ {"password"}: the caller's account and
// everything it owns go, at once.
func (a *API) deleteAccount(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	password, _ := in.string("password", true)
	if err := in.errs.Err(); err != nil {
		return err
	}
	if err := a.svc.DeleteAccount(r.Context(), caller, password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deactivate: POST /users/{username}/deactivate/, superusers only.
func (a *API) deactivate(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	return a.setActive(w, r, caller, false)
}

// activate: POST /users/{username}/activate/, superusers only.
func (a *API) activate(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	return a.setActive(w, r, caller, true)
}

func (a *API) setActive(w http.ResponseWriter, r *http.Request, caller *service.Session, active bool) error {
	if err := a.svc.SetActive(r.Context(), caller.User, r.PathValue("username"), active); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
