package magpie

// Event is a write that has happened: the service hands one to its hooks
// after each write commits. Hooks add the side effects of a write (an
// audit line, a notification, a cache to drop) in one place, whichever
// client made it.
type Event interface {
	// Name is the event's name in logs, such as "post.created".
	Name() string
}

// UserCreated: an account was made.
type UserCreated struct{ User User }

// PostCreated: a post was written.
type PostCreated struct{ Post Post }

// PostUpdated: a post was changed; Before is how it was.
type PostUpdated struct{ Before, After Post }

// PostDeleted: a post was deleted; Post is how it was.
type PostDeleted struct{ Post Post }

// Followed: one user started following another.
type Followed struct{ Follow Follow }

// Unfollowed: one user stopped following another.
type Unfollowed struct{ FollowerID, FollowingID int64 }

func (UserCreated) Name() string { return "user.created" }
func (PostCreated) Name() string { return "post.created" }
func (PostUpdated) Name() string { return "post.updated" }
func (PostDeleted) Name() string { return "post.deleted" }
func (Followed) Name() string    { return "follow.created" }
func (Unfollowed) Name() string  { return "follow.deleted" }
