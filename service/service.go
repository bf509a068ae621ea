// Package service is Magpie's use-case floor, between the HTTP API (and the
// command line) and the store. Each method is one thing a user or operator
// does: it checks the rules and the permissions, takes the time from the
// one clock, writes through the store, words what the client reads, and
// hands the event of each write to the hooks, the one seam for side
// effects. Everything that writes, the API, `magpie seed` and `magpie
// createuser`, goes through it.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/ratelimit"
)

// DefaultTokenTTL is how long a login token lives unless configured.
const DefaultTokenTTL = 30 * 24 * time.Hour

// Passwords hashes and checks passwords; *auth.Passwords is the one
// Magpie runs with. Both may refuse to work now (auth.ErrBusy) and stop
// waiting when ctx ends.
type Passwords interface {
	// Hash returns the encoded hash of password.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded; an empty encoded
	// (no such user) costs the same as a wrong password and is false.
	Verify(ctx context.Context, encoded, password string) (bool, error)
}

// Hook is handed the event of every write after it has committed, in
// order, before the service method returns. It is the one seam for side
// effects; it cannot fail the write, so it deals with its own errors.
type Hook interface {
	Handle(ctx context.Context, e magpie.Event)
}

// HookFunc is a function that is a Hook.
type HookFunc func(ctx context.Context, e magpie.Event)

// Handle calls f.
func (f HookFunc) Handle(ctx context.Context, e magpie.Event) { f(ctx, e) }

// MaxTokensPerUser is how many login tokens a user may hold at once: a
// login beyond it revokes the user's oldest token.
const MaxTokensPerUser = 100

// Config is what the service needs. Store and Passwords are required.
type Config struct {
	Store     magpie.Store
	Passwords Passwords
	TokenTTL  time.Duration    // 0: DefaultTokenTTL
	Now       func() time.Time // nil: time.Now
	Hooks     []Hook
	Logger    *slog.Logger // nil: discard

	// Limiter counts logins, sign-ups and failed passwords against
	// Policy; nil: no limits.
	Limiter ratelimit.Limiter
	Policy  ratelimit.Policy
	// OnLimited, if set, is told the name of each limit that refuses a
	// request, for metrics.
	OnLimited func(limit string)
}

// Service runs Magpie's use cases. It is safe for concurrent use.
type Service struct {
	store     magpie.Store
	passwords Passwords
	tokenTTL  time.Duration
	clock     func() time.Time
	hooks     []Hook
	log       *slog.Logger
	limiter   ratelimit.Limiter
	policy    ratelimit.Policy
	onLimited func(string)
}

// New returns the service for cfg.
func New(cfg Config) *Service {
	s := &Service{
		store:     cfg.Store,
		passwords: cfg.Passwords,
		tokenTTL:  cfg.TokenTTL,
		clock:     cfg.Now,
		hooks:     cfg.Hooks,
		log:       cfg.Logger,
		limiter:   cfg.Limiter,
		policy:    cfg.Policy,
		onLimited: cfg.OnLimited,
	}
	if s.tokenTTL == 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// NotFound is the error for something that does not exist, or that the
// caller may not know exists.
func NotFound() error {
	return magpie.Errorf(magpie.ENOTFOUND, msgNotFound)
}

// now is the current time as the stores keep it.
func (s *Service) now() time.Time {
	return magpie.StoredTime(s.clock())
}

// publish hands e to every hook.
func (s *Service) publish(ctx context.Context, e magpie.Event) {
	for _, h := range s.hooks {
		h.Handle(ctx, e)
	}
}

// Ready reports whether the service can serve: its database answers.
func (s *Service) Ready(ctx context.Context) error {
	return s.store.Ping(ctx)
}

// AuditLog is a Hook that logs every write at info level, one line per
// event with the ids it touched: who did what, whichever client did it.
func AuditLog(logger *slog.Logger) Hook {
	return HookFunc(func(ctx context.Context, e magpie.Event) {
		var attrs []any
		switch e := e.(type) {
		case magpie.UserCreated:
			attrs = []any{"user_id", e.User.ID, "superuser", e.User.IsSuperuser}
		case magpie.PostCreated:
			attrs = []any{"post_id", e.Post.ID, "owner_id", e.Post.OwnerID, "hidden", e.Post.IsHidden}
		case magpie.PostUpdated:
			attrs = []any{"post_id", e.After.ID, "owner_id", e.After.OwnerID, "hidden", e.After.IsHidden}
		case magpie.PostDeleted:
			attrs = []any{"post_id", e.Post.ID, "owner_id", e.Post.OwnerID}
		case magpie.Followed:
			attrs = []any{"follower_id", e.Follow.FollowerID, "following_id", e.Follow.FollowingID}
		case magpie.Unfollowed:
			attrs = []any{"follower_id", e.FollowerID, "following_id", e.FollowingID}
		case magpie.ProfileUpdated:
			attrs = []any{"user_id", e.User.ID}
		case magpie.PasswordChanged:
			attrs = []any{"user_id", e.UserID}
		case magpie.UserDeleted:
			attrs = []any{"user_id", e.UserID}
		case magpie.UserActivated:
			attrs = []any{"user_id", e.UserID, "active", e.Active}
		case magpie.Liked:
			attrs = []any{"post_id", e.Like.PostID, "user_id", e.Like.UserID}
		case magpie.Unliked:
			attrs = []any{"post_id", e.PostID, "user_id", e.UserID}
		case magpie.Commented:
			attrs = []any{"comment_id", e.Comment.ID, "post_id", e.Comment.PostID, "author_id", e.Comment.AuthorID}
		case magpie.CommentUpdated:
			attrs = []any{"comment_id", e.After.ID, "post_id", e.After.PostID}
		case magpie.CommentDeleted:
			attrs = []any{"comment_id", e.Comment.ID, "post_id", e.Comment.PostID}
		}
		logger.InfoContext(ctx, e.Name(), attrs...)
	})
}

// List is one page of a list: its rows, and the cursor where the next page
// starts, nil on the last page.
type List[T any] struct {
	Items []T
	Next  *magpie.Cursor
}

// list reads one page with fetch. It asks for one row more than the page's
// limit: if that row comes, there is a next page, and it starts after the
// last row returned.
func list[T any](page magpie.Page, fetch func(magpie.Page) ([]T, error), cursor func(T) magpie.Cursor) (List[T], error) {
	if page.Empty() {
		return List[T]{}, nil
	}
	limit := page.Limit
	page.Limit++
	rows, err := fetch(page)
	if err != nil {
		return List[T]{}, err
	}
	if len(rows) <= limit {
		return List[T]{Items: rows}, nil
	}
	rows = rows[:limit]
	next := cursor(rows[limit-1])
	return List[T]{Items: rows, Next: &next}, nil
}
