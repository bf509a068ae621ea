package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
)

// session is who made a request, and with which token if any.
type session struct {
	user      *magpie.User
	tokenHash []byte // nil for HTTP Basic
}

type sessionKey struct{}

// currentUser returns the user that requireUser authenticated.
func currentUser(r *http.Request) *magpie.User {
	return r.Context().Value(sessionKey{}).(*session).user
}

// requireUser lets a request through only with valid credentials.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

func unauthorized(msg string) error { return &magpie.Error{Kind: magpie.EUNAUTHORIZED, Message: msg} }

// authenticate reads the Authorization header: "Bearer <token>" or
// "Token <token>" for a login token, "Basic …" for a username and password.
func (s *Server) authenticate(r *http.Request) (*session, error) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		if cred == "" || strings.ContainsRune(cred, ' ') {
			return nil, unauthorized("Invalid token header.")
		}
		hash := auth.HashToken(cred)
		u, err := s.store.UserByToken(r.Context(), hash, s.now())
		if magpie.IsKind(err, magpie.ENOTFOUND) {
			return nil, unauthorized("Invalid token.")
		} else if err != nil {
			return nil, err
		}
		return &session{user: u, tokenHash: hash}, nil
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return nil, unauthorized("Invalid basic header. Credentials not correctly base64 encoded.")
		}
		username, password, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil, unauthorized("Invalid basic header. No colon in the credentials.")
		}
		u, err := s.checkPassword(r.Context(), username, password)
		if err != nil {
			return nil, err
		}
		return &session{user: u}, nil
	default:
		return nil, unauthorized(msgNoCredentials)
	}
}

// checkPassword returns the user if the password is theirs. An unknown
// username costs as much as a wrong password.
func (s *Server) checkPassword(ctx context.Context, username, password string) (*magpie.User, error) {
	var (
		u    *magpie.User
		hash string
		err  error
	)
	if magpie.StorableText(username) {
		u, hash, err = s.store.UserCredentials(ctx, username)
		if err != nil && !magpie.IsKind(err, magpie.ENOTFOUND) {
			return nil, err
		}
	}
	if len(password) > magpie.MaxPasswordLen*4 || !s.passwords.Verify(hash, password) || u == nil {
		return nil, unauthorized(msgBadCredentials)
	}
	return u, nil
}

type userJSON struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	IsSuperuser bool      `json:"is_superuser"`
	DateJoined  timestamp `json:"date_joined"`
}

func newUserJSON(u *magpie.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, IsSuperuser: u.IsSuperuser, DateJoined: timestamp(u.DateJoined)}
}

// signup creates an account: POST /auth/signup/ {"username", "password"}.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	username, hasUsername := in.string("username", true)
	password, hasPassword := in.string("password", true)
	if hasUsername {
		magpie.ValidateUsername(in.errs, username)
	}
	if hasPassword {
		magpie.ValidatePassword(in.errs, password, username)
	}
	if err := in.errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	u := &magpie.User{Username: username, DateJoined: s.now()}
	err = s.store.CreateUser(r.Context(), u, s.passwords.Hash(password))
	if magpie.IsKind(err, magpie.ECONFLICT) {
		err = magpie.FieldErrors{"username": {"A user with that username already exists."}}.Err()
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, newUserJSON(u))
}

type tokenJSON struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt timestamp `json:"expires_at"`
}

// login issues a bearer token: POST /auth/token/ {"username", "password"}.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	username, _ := in.string("username", true)
	password, _ := in.string("password", true)
	if err := in.errs.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.checkPassword(r.Context(), username, password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	token, hash := auth.NewToken()
	now := s.now()
	t := &magpie.Token{Hash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.tokenTTL)}
	if err := s.store.CreateToken(r.Context(), t); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenJSON{Token: token, TokenType: "Bearer", ExpiresAt: timestamp(t.ExpiresAt)})
}

// logout revokes the token the request came with. The token is deleted
// from the shared store, so every instance refuses it from now on.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := r.Context().Value(sessionKey{}).(*session)
	if sess.tokenHash != nil {
		if err := s.store.DeleteToken(r.Context(), sess.tokenHash); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// me returns the caller: GET /users/me/.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, newUserJSON(currentUser(r)))
}
