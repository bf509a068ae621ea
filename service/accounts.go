package service

import (
	"context"
	"errors"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
)

// NewUser is an account to create.
type NewUser struct {
	Username  string
	Password  string
	Superuser bool // only `magpie createuser` makes superusers
}

// Validate returns what is wrong with the fields; it is empty if nothing
// is. CreateUser validates too: a caller that found problems of its own
// in a request calls Validate to report them all at once.
func (in NewUser) Validate() magpie.FieldErrors {
	fe := magpie.FieldErrors{}
	validateUsername(fe, in.Username)
	validatePassword(fe, in.Password, in.Username)
	return fe
}

// CreateUser makes an account. EINVALID with field errors if a field
// breaks a rule or the username is taken.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*magpie.User, error) {
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	u := &magpie.User{Username: in.Username, IsSuperuser: in.Superuser, DateJoined: s.now()}
	err := s.store.CreateUser(ctx, u, s.passwords.Hash(in.Password))
	if errors.Is(err, magpie.ErrUsernameTaken) {
		return nil, &magpie.Error{Kind: magpie.EINVALID, Fields: magpie.FieldErrors{"username": {msgUsernameTaken}}, Err: err}
	}
	if err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.UserCreated{User: *u})
	return u, nil
}

// Session is a caller the service has authenticated.
type Session struct {
	User      *magpie.User
	tokenHash []byte // the login token it came with; nil for a password
}

// LoginToken is a new bearer token and when it stops working.
type LoginToken struct {
	Token     string
	ExpiresAt time.Time
}

// LogIn checks a username and password and issues a login token.
// EUNAUTHORIZED if they do not match.
func (s *Service) LogIn(ctx context.Context, username, password string) (*LoginToken, error) {
	u, err := s.checkPassword(ctx, username, password)
	if err != nil {
		return nil, err
	}
	token, hash := auth.NewToken()
	now := s.now()
	t := &magpie.Token{Hash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.tokenTTL)}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return nil, err
	}
	return &LoginToken{Token: token, ExpiresAt: t.ExpiresAt}, nil
}

// TokenSession authenticates a bearer token. EUNAUTHORIZED if it is not a
// live token.
func (s *Service) TokenSession(ctx context.Context, token string) (*Session, error) {
	hash := auth.HashToken(token)
	u, err := s.store.UserByToken(ctx, hash, s.now())
	if errors.Is(err, magpie.ErrNotFound) {
		return nil, magpie.Errorf(magpie.EUNAUTHORIZED, msgInvalidToken)
	}
	if err != nil {
		return nil, err
	}
	return &Session{User: u, tokenHash: hash}, nil
}

// PasswordSession authenticates a username and password, as HTTP Basic
// sends them. EUNAUTHORIZED if they do not match.
func (s *Service) PasswordSession(ctx context.Context, username, password string) (*Session, error) {
	u, err := s.checkPassword(ctx, username, password)
	if err != nil {
		return nil, err
	}
	return &Session{User: u}, nil
}

// checkPassword returns the user if the password is theirs. An unknown
// username costs as much as a wrong password, so timing does not tell
// which names exist.
func (s *Service) checkPassword(ctx context.Context, username, password string) (*magpie.User, error) {
	var (
		u    *magpie.User
		hash string
		err  error
	)
	if storable(username) {
		u, hash, err = s.store.UserCredentials(ctx, username)
		if err != nil && !errors.Is(err, magpie.ErrNotFound) {
			return nil, err
		}
	}
	// A password far over the limit is not hashed at all: it cannot be
	// anyone's, and hashing it is work an attacker chooses.
	if len(password) > magpie.MaxPasswordLen*4 || !s.passwords.Verify(hash, password) || u == nil {
		return nil, magpie.Errorf(magpie.EUNAUTHORIZED, msgBadCredentials)
	}
	return u, nil
}

// LogOut revokes the token the session came with, on every instance at
// once: the token is deleted from the shared store. A session that came
// with a password has no token to revoke.
func (s *Service) LogOut(ctx context.Context, sess *Session) error {
	if sess.tokenHash == nil {
		return nil
	}
	return s.store.DeleteToken(ctx, sess.tokenHash)
}

// DeleteExpiredTokens removes the tokens that have expired and returns
// how many.
func (s *Service) DeleteExpiredTokens(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredTokens(ctx, s.now())
}

// ListUsers lists everyone but the caller, by id, each with whether the
// caller follows them.
func (s *Service) ListUsers(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.ListedUser], error) {
	return list(page, func(p magpie.Page) ([]magpie.ListedUser, error) {
		return s.store.ListUsers(ctx, caller.ID, p)
	}, func(u magpie.ListedUser) magpie.Cursor { return magpie.Cursor{ID: u.ID} })
}
