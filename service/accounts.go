package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
)

// NewUser is an account to create.
type NewUser struct {
	Username  string
	Password  string
	Superuser bool   // only `magpie createuser` makes superusers
	Client    string // the address it came from, for the sign-up limit; "" for the command line
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
// breaks a rule or the username is taken; ELIMITED if the client made too
// many accounts lately; EUNAVAILABLE if passwords cannot be hashed now.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*magpie.User, error) {
	if err := s.limit(ctx, limitSignup, in.Client, s.policy.Signup, msgTooManySignups); err != nil {
		return nil, err
	}
	if err := in.Validate().Err(); err != nil {
		return nil, err
	}
	// A taken name is refused before its password is hashed, the costly
	// part; the unique constraint still decides between racing sign-ups.
	switch _, err := s.store.UserByUsername(ctx, in.Username); {
	case err == nil:
		return nil, usernameTaken(magpie.ErrUsernameTaken)
	case !errors.Is(err, magpie.ErrNotFound):
		return nil, err
	}
	hash, err := s.passwords.Hash(ctx, in.Password)
	if err != nil {
		return nil, passwordError(err)
	}
	u := &magpie.User{Username: in.Username, IsSuperuser: in.Superuser, DateJoined: s.now()}
	err = s.store.CreateUser(ctx, u, hash)
	if errors.Is(err, magpie.ErrUsernameTaken) {
		return nil, usernameTaken(err)
	}
	if err != nil {
		return nil, err
	}
	s.publish(ctx, magpie.UserCreated{User: *u})
	return u, nil
}

func usernameTaken(err error) error {
	return &magpie.Error{Kind: magpie.EINVALID, Fields: magpie.FieldErrors{"username": {msgUsernameTaken}}, Err: err}
}

// Credentials are a username and password, and the address of the client
// that sent them, for the limits on logins; "" for no limits.
type Credentials struct {
	Username string
	Password string
	Client   string
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

// LogIn checks a username and password and issues a login token; a user
// keeps at most MaxTokensPerUser, the oldest going first. EUNAUTHORIZED if
// they do not match, ELIMITED after too many attempts, EUNAVAILABLE if
// passwords cannot be checked now.
func (s *Service) LogIn(ctx context.Context, c Credentials) (*LoginToken, error) {
	if err := s.limit(ctx, limitLogin, c.Client, s.policy.Login, msgTooManyLogins); err != nil {
		return nil, err
	}
	u, err := s.checkPassword(ctx, c, false)
	if err != nil {
		return nil, err
	}
	token, hash := auth.NewToken()
	now := s.now()
	t := &magpie.Token{Hash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.tokenTTL)}
	if err := s.store.CreateToken(ctx, t, MaxTokensPerUser); err != nil {
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
// sends them. EUNAUTHORIZED if they do not match, ELIMITED after too many
// failures, EUNAVAILABLE if passwords cannot be checked now.
func (s *Service) PasswordSession(ctx context.Context, c Credentials) (*Session, error) {
	u, err := s.checkPassword(ctx, c, true)
	if err != nil {
		return nil, err
	}
	return &Session{User: u}, nil
}

// checkPassword returns the user if the password is theirs. An unknown
// username costs as much as a wrong password, so timing does not tell
// which names exist. Failures are counted per account (and for HTTP
// Basic, per client address), and the counts are checked before any
// hashing: an account under attack costs the server nothing more.
func (s *Service) checkPassword(ctx context.Context, c Credentials, basic bool) (*magpie.User, error) {
	badCredentials := magpie.Errorf(magpie.EUNAUTHORIZED, msgBadCredentials)
	// A name that no account can have, or a password far over the limit,
	// is refused without hashing: it cannot be anyone's, and hashing it
	// is work an attacker chooses.
	if !storable(c.Username) || len(c.Username) > 4*magpie.MaxUsernameLen || len(c.Password) > 4*magpie.MaxPasswordLen {
		return nil, badCredentials
	}
	if basic {
		if err := s.overLimit(ctx, limitBasicFailures, c.Client, s.policy.BasicFailures, msgTooManyLogins); err != nil {
			return nil, err
		}
	}
	if err := s.overLimit(ctx, limitAccountFailures, c.Username, s.policy.AccountFailures, msgAccountLocked); err != nil {
		return nil, err
	}
	u, hash, err := s.store.UserCredentials(ctx, c.Username)
	if err != nil && !errors.Is(err, magpie.ErrNotFound) {
		return nil, err
	}
	ok, err := s.passwords.Verify(ctx, hash, c.Password)
	if err != nil {
		return nil, passwordError(err)
	}
	if !ok || u == nil || !u.IsActive {
		s.countFailure(ctx, limitAccountFailures, c.Username, s.policy.AccountFailures)
		if basic {
			s.countFailure(ctx, limitBasicFailures, c.Client, s.policy.BasicFailures)
		}
		return nil, badCredentials
	}
	return u, nil
}

// LogOut revokes the token the session came with, on every instance at
// once: the token is deleted from the shared store. EINVALID for a session
// that came with a password (HTTP Basic), which has no token to revoke.
func (s *Service) LogOut(ctx context.Context, sess *Session) error {
	if sess.tokenHash == nil {
		return magpie.Errorf(magpie.EINVALID, msgLogoutNeedsToken)
	}
	return s.store.DeleteToken(ctx, sess.tokenHash)
}

// LogOutEverywhere revokes every login token of the session's user, the
// one it came with too, on every instance at once.
func (s *Service) LogOutEverywhere(ctx context.Context, sess *Session) error {
	return s.store.DeleteUserTokens(ctx, sess.User.ID)
}

// DeleteExpiredTokens removes the tokens that have expired and returns
// how many.
func (s *Service) DeleteExpiredTokens(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredTokens(ctx, s.now())
}

// ListUsers lists every active user but the caller, by id, each with
// whether the caller follows them.
func (s *Service) ListUsers(ctx context.Context, caller *magpie.User, page magpie.Page) (List[magpie.ListedUser], error) {
	return list(page, func(p magpie.Page) ([]magpie.ListedUser, error) {
		return s.store.ListUsers(ctx, caller.ID, nil, p)
	}, listedUserCursor)
}

// SearchUsers lists the active users but the caller whose username or
// display name has a word starting with each word of the search text, by
// id, case aside. A blank text searches for nothing: it lists every user,
// as ListUsers does (and as DRF's SearchFilter does). EINVALID for a text
// with no words, or too long.
func (s *Service) SearchUsers(ctx context.Context, caller *magpie.User, text string, page magpie.Page) (List[magpie.ListedUser], error) {
	if strings.TrimSpace(text) == "" {
		return s.ListUsers(ctx, caller, page)
	}
	words, err := searchWords(text)
	if err != nil {
		return List[magpie.ListedUser]{}, err
	}
	return list(page, func(p magpie.Page) ([]magpie.ListedUser, error) {
		return s.store.ListUsers(ctx, caller.ID, words, p)
	}, listedUserCursor)
}

func listedUserCursor(u magpie.ListedUser) magpie.Cursor { return magpie.Cursor{ID: u.ID} }
