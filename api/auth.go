package api

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/server"
	"github.com/magpie-sns/magpie/service"
)

func unauthorized(msg string) error { return &magpie.Error{Kind: magpie.EUNAUTHORIZED, Message: msg} }

// authenticate reads the Authorization header: "Bearer <token>" or
// "Token <token>" for a login token, "Basic …" for a username and password.
func (a *API) authenticate(r *http.Request) (*service.Session, error) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		if cred == "" || strings.ContainsRune(cred, ' ') {
			return nil, unauthorized("Invalid token header.")
		}
		return a.svc.TokenSession(r.Context(), cred)
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return nil, unauthorized("Invalid basic header. Credentials not correctly base64 encoded.")
		}
		username, password, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil, unauthorized("Invalid basic header. No colon in the credentials.")
		}
		return a.svc.PasswordSession(r.Context(), credentials(r, username, password))
	default:
		return nil, unauthorized(msgNoCredentials)
	}
}

type userJSON struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	IsSuperuser bool      `json:"is_superuser"`
	DateJoined  timestamp `json:"date_joined"`
	DisplayName string    `json:"display_name"`
	Bio         string    `json:"bio"`
}

func newUserJSON(u *magpie.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, IsSuperuser: u.IsSuperuser, DateJoined: timestamp(u.DateJoined),
		DisplayName: u.DisplayName, Bio: u.Bio}
}

// signup creates an account: POST /auth/signup/ {"username", "password"}.
func (a *API) signup(w http.ResponseWriter, r *http.Request) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	nu := service.NewUser{Client: server.ClientOf(r.Context()).IP}
	nu.Username, _ = in.string("username", true)
	nu.Password, _ = in.string("password", true)
	if err := in.check(nu.Validate()); err != nil {
		return err
	}
	u, err := a.svc.CreateUser(r.Context(), nu)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newUserJSON(u))
	return nil
}

type tokenJSON struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt timestamp `json:"expires_at"`
}

// login issues a bearer token: POST /auth/token/ {"username", "password"}.
func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	in, err := readInput(w, r)
	if err != nil {
		return err
	}
	username, _ := in.string("username", true)
	password, _ := in.string("password", true)
	if err := in.errs.Err(); err != nil {
		return err
	}
	t, err := a.svc.LogIn(r.Context(), credentials(r, username, password))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenJSON{Token: t.Token, TokenType: "Bearer", ExpiresAt: timestamp(t.ExpiresAt)})
	return nil
}

// credentials are a username and password from the client of r.
func credentials(r *http.Request, username, password string) service.Credentials {
	return service.Credentials{Username: username, Password: password, Client: server.ClientOf(r.Context()).IP}
}

// logout revokes the token the request came with, on every instance:
// POST /auth/logout/. HTTP Basic has no token to revoke: 400.
func (a *API) logout(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	if err := a.svc.LogOut(r.Context(), caller); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// logoutEverywhere revokes every token of the caller, on every instance:
// POST /auth/logout/all/.
func (a *API) logoutEverywhere(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	if err := a.svc.LogOutEverywhere(r.Context(), caller); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me returns the caller: GET /users/me/.
func (a *API) me(w http.ResponseWriter, r *http.Request, caller *service.Session) error {
	writeJSON(w, http.StatusOK, newUserJSON(caller.User))
	return nil
}
