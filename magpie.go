// Package magpie holds the domain of the Magpie social network: users,
// posts, follows and login tokens, the limits of their fields, the error
// kinds and store sentinels the rest of the program speaks, the events a
// write produces, and the store interface that the sqlite and postgres
// packages implement. It imports neither SQL nor HTTP, and writes no word a
// client reads: the service package decides the rules and the words.
package magpie

import (
	"context"
	"time"
)

// Field limits, as in the original service's schema, and of what Magpie
// added to it.
const (
	MaxUsernameLen    = 150
	MinPasswordLen    = 8
	MaxPasswordLen    = 1024 // bounds the work of hashing one
	MaxTitleLen       = 100
	MaxBodyLen        = 100_000
	MaxDisplayNameLen = 50
	MaxBioLen         = 500
	MaxCommentLen     = 2_000
)

// The home feed is kept as a timeline per user, written when a post is
// (fan-out on write), with these bounds; see ListFeed.
const (
	// TimelineLength is how many entries a timeline keeps when it is
	// trimmed; below them the feed is read from the posts themselves.
	TimelineLength = 200
	// FanOutLimit is how many followers an author may have and still be
	// fanned out; the posts of an author with more are merged into each
	// follower's feed as it is read, so that a post costs no row per
	// follower. Once over it, an author stays over it.
	FanOutLimit = 1000
)

// User is an account. Its password hash never leaves the store except
// through UserStore.UserCredentials.
type User struct {
	ID          int64
	Username    string
	IsSuperuser bool
	DateJoined  time.Time
	DisplayName string
	Bio         string
	// IsActive is false for an account a superuser deactivated: it cannot
	// log in, and its posts are seen by superusers only.
	IsActive bool
}

// Profile is a user as a viewer sees them.
type Profile struct {
	User
	PostsCount     int64 // the posts that are not hidden
	FollowersCount int64
	FollowingCount int64
	IsFollowing    bool // the viewer follows this user
	FollowsYou     bool // this user follows the viewer
}

// ProfileUpdate changes a user's profile; a nil field is left as it is.
type ProfileUpdate struct {
	DisplayName *string
	Bio         *string
}

// ListedUser is a row of the user list, seen by one viewer.
type ListedUser struct {
	ID          int64
	Username    string
	DisplayName string
	IsFollowing bool // the viewer follows this user
}

// Post is a blog post. A hidden post is seen only by its owner (and
// superusers) and never appears in the public list or in feeds; neither
// do the posts of a deactivated owner.
type Post struct {
	ID            int64
	Title         string
	Body          string
	OwnerID       int64
	OwnerUsername string // filled by the store on every read
	OwnerActive   bool   // the owner's account is active
	IsHidden      bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LikeCount     int64
	CommentCount  int64
	Liked         bool // the viewer the post was read for likes it
}

// PostUpdate changes a post; a nil field is left as it is.
type PostUpdate struct {
	Title     *string
	Body      *string
	IsHidden  *bool
	UpdatedAt time.Time
}

// Follow says that Follower follows Following.
type Follow struct {
	ID          int64
	FollowerID  int64
	FollowingID int64
	CreatedAt   time.Time
}

// UserEntry is a row of a list of users linked to something by a follow
// or a like: the link's id and time, and the user.
type UserEntry struct {
	ID        int64
	UserID    int64
	Username  string
	CreatedAt time.Time
}

// Like says that a user likes a post.
type Like struct {
	ID        int64
	PostID    int64
	UserID    int64
	CreatedAt time.Time
}

// Comment is a comment on a post.
type Comment struct {
	ID             int64
	PostID         int64
	AuthorID       int64
	AuthorUsername string // filled by the store on every read
	Body           string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Token is a bearer login token. Only a hash of the secret is stored.
type Token struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Cursor is a keyset position in a list: a page starts strictly after it in
// the list's order. Lists ordered by id alone (users, search results) leave
// Time zero.
type Cursor struct {
	Time time.Time
	ID   int64
}

// Page asks a list for at most Limit rows that come strictly after After
// in the list's order, or from its start if After is nil. A Limit below 1
// asks for no rows: the store returns none, and no error.
type Page struct {
	After *Cursor
	Limit int
}

// Empty reports whether the page asks for no rows.
func (p Page) Empty() bool { return p.Limit < 1 }

// Below is the page of at most limit rows of a newest-first list that come
// after both p's cursor and floor: the rest of p's page, once the rows
// down to floor have been read from elsewhere.
func (p Page) Below(floor Cursor, limit int) Page {
	after := floor
	if p.After != nil && p.After.olderThan(floor) {
		after = *p.After
	}
	return Page{After: &after, Limit: limit}
}

// olderThan reports whether c comes after d in a newest-first list.
func (c Cursor) olderThan(d Cursor) bool {
	return c.Time.Before(d.Time) || c.Time.Equal(d.Time) && c.ID < d.ID
}

// StoredTime returns t as every store keeps times: in UTC, to the
// microsecond, so what is written compares equal to what is read back.
func StoredTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

// PoolStats describe a pool of database connections, for metrics: a
// store that has pools has a PoolStats() []PoolStats method.
type PoolStats struct {
	Name         string
	MaxOpen      int
	Open         int
	InUse        int
	WaitCount    int64
	WaitDuration time.Duration
}

// Store is everything Magpie keeps. Implementations must be safe for
// concurrent use, keep times with microsecond precision in UTC, follow the
// Page rules on every list, and report what the data turns down with the
// sentinels of error.go; any other error means the database failed.
type Store interface {
	UserStore
	TokenStore
	PostStore
	FollowStore
	LikeStore
	CommentStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// UserStore keeps accounts. A username names the account with exactly that
// name or, failing that, the one whose UsernameKey is that name's: an
// account made before names were compared by key, whose key another
// account took first, answers to its exact name only.
type UserStore interface {
	// CreateUser inserts u and sets u.ID. ErrUsernameTaken if the
	// username, or another with the same UsernameKey, is taken.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// UserByID returns the user. ErrNotFound if there is none.
	UserByID(ctx context.Context, id int64) (*User, error)
	// UserByUsername returns the user. ErrNotFound if there is none.
	UserByUsername(ctx context.Context, username string) (*User, error)
	// UserCredentials returns the user and its password hash. ErrNotFound
	// if there is none.
	UserCredentials(ctx context.Context, username string) (*User, string, error)
	// Profile returns the user as viewerID sees them. ErrNotFound if there
	// is none.
	Profile(ctx context.Context, viewerID int64, username string) (*Profile, error)
	// UpdateProfile applies upd and returns the user as it now is.
	// ErrNotFound if there is none.
	UpdateProfile(ctx context.Context, userID int64, upd ProfileUpdate) (*User, error)
	// SetPassword replaces the user's password hash and deletes every
	// token of the user but the one with hash keep (nil: all), in one
	// transaction. ErrNotFound if there is no such user.
	SetPassword(ctx context.Context, userID int64, passwordHash string, keep []byte) error
	// SetActive activates or deactivates the user; deactivating deletes
	// its tokens too, in one transaction. ErrNotFound if there is none.
	SetActive(ctx context.Context, userID int64, active bool) error
	// DeleteUser deletes the user and everything it owns (posts, their
	// comments and likes, its comments, likes, follows both ways and
	// tokens) in one transaction. ErrNotFound if there is none.
	DeleteUser(ctx context.Context, userID int64) error
	// ListUsers returns every active user but the viewer, by id
	// ascending, each with whether the viewer follows them; with search,
	// only those with a word of the username or display name starting
	// with each of its words. Page.After uses ID only.
	ListUsers(ctx context.Context, viewerID int64, search []string, page Page) ([]ListedUser, error)
}

// TokenStore keeps bearer tokens.
type TokenStore interface {
	// CreateToken stores t, then deletes the oldest tokens of its user
	// beyond the newest keep, in one transaction. ErrNotFound if its user
	// does not exist.
	CreateToken(ctx context.Context, t *Token, keep int) error
	// UserByToken returns the owner of the token with this hash if it
	// expires after now and the owner is active. ErrNotFound otherwise.
	UserByToken(ctx context.Context, hash []byte, now time.Time) (*User, error)
	// DeleteToken removes the token; removing a missing one is not an error.
	DeleteToken(ctx context.Context, hash []byte) error
	// DeleteUserTokens removes every token of the user.
	DeleteUserTokens(ctx context.Context, userID int64) error
	// DeleteExpiredTokens removes tokens that expired at or before now and
	// returns how many.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)
}

// PostStore keeps posts. A post read for viewerID says whether the viewer
// likes it. Lists are newest first: by CreatedAt then ID, both descending,
// Page.After being the (CreatedAt, ID) of the last row seen; but search
// results are by ID descending alone. Lists leave out the posts of
// deactivated owners.
type PostStore interface {
	// CreatePost inserts p and sets p.ID and p.OwnerUsername. ErrNotFound
	// if the owner does not exist.
	CreatePost(ctx context.Context, p *Post) error
	// CreatePosts inserts every post as CreatePost does, in one
	// transaction: if one fails, none is stored.
	CreatePosts(ctx context.Context, posts []*Post) error
	// PostByID returns the post. ErrNotFound if there is none.
	PostByID(ctx context.Context, viewerID, id int64) (*Post, error)
	// UpdatePost applies upd and returns the post as it now is.
	// ErrNotFound if there is none.
	UpdatePost(ctx context.Context, viewerID, id int64, upd PostUpdate) (*Post, error)
	// DeletePost removes the post, its likes and comments. ErrNotFound if
	// there is none.
	DeletePost(ctx context.Context, id int64) error
	// ListPosts returns the posts that are not hidden; with search, only
	// those whose title or body has every one of its words.
	ListPosts(ctx context.Context, viewerID int64, search []string, page Page) ([]Post, error)
	// ListPostsByOwner returns one user's posts, hidden ones too if
	// withHidden.
	ListPostsByOwner(ctx context.Context, viewerID, ownerID int64, withHidden bool, page Page) ([]Post, error)
	// ListFeed returns the posts that are not hidden of the users that
	// userID follows. A post is in the feed once its write has committed,
	// and out of it once its hiding or deletion, or the unfollow, has.
	ListFeed(ctx context.Context, userID int64, page Page) ([]Post, error)
}

// FollowStore keeps who follows whom. Lists are most recent follow first:
// by CreatedAt then ID, both descending; Page.After is the (CreatedAt, ID)
// of the last follow seen.
type FollowStore interface {
	// CreateFollow inserts f and sets f.ID. ErrAlreadyFollowing if the
	// follow exists, ErrNotFound if either user does not exist,
	// ErrSelfFollow if both are the same user.
	CreateFollow(ctx context.Context, f *Follow) error
	// DeleteFollow removes the follow. ErrNotFound if there is none.
	DeleteFollow(ctx context.Context, followerID, followingID int64) error
	// ListFollowing returns the users that userID follows.
	ListFollowing(ctx context.Context, userID int64, page Page) ([]UserEntry, error)
	// ListFollowers returns the users who follow userID.
	ListFollowers(ctx context.Context, userID int64, page Page) ([]UserEntry, error)
}

// LikeStore keeps who likes which post.
type LikeStore interface {
	// CreateLike inserts l and sets l.ID. ErrAlreadyLiked if the user
	// likes the post already, ErrNotFound if the post or the user does not
	// exist.
	CreateLike(ctx context.Context, l *Like) error
	// DeleteLike removes the like. ErrNotFound if there is none.
	DeleteLike(ctx context.Context, postID, userID int64) error
	// ListLikes returns the users who like the post, most recent like
	// first: by CreatedAt then ID, both descending.
	ListLikes(ctx context.Context, postID int64, page Page) ([]UserEntry, error)
}

// CommentStore keeps comments on posts.
type CommentStore interface {
	// CreateComment inserts c and sets c.ID and c.AuthorUsername.
	// ErrNotFound if the post or the author does not exist.
	CreateComment(ctx context.Context, c *Comment) error
	// CommentByID returns the comment. ErrNotFound if there is none.
	CommentByID(ctx context.Context, id int64) (*Comment, error)
	// UpdateComment sets the comment's body and UpdatedAt and returns it as
	// it now is. ErrNotFound if there is none.
	UpdateComment(ctx context.Context, id int64, body string, updatedAt time.Time) (*Comment, error)
	// DeleteComment removes the comment. ErrNotFound if there is none.
	DeleteComment(ctx context.Context, id int64) error
	// ListComments returns the comments on the post, oldest first: by
	// CreatedAt then ID, both ascending; Page.After is the (CreatedAt,
	// ID) of the last comment seen.
	ListComments(ctx context.Context, postID int64, page Page) ([]Comment, error)
}
