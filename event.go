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

// ProfileUpdated: a user changed their display name or bio.
type ProfileUpdated struct{ User User }

// PasswordChanged: a user changed their password.
type PasswordChanged struct{ UserID int64 }

// UserDeleted: a user deleted their account and everything it owned.
type UserDeleted struct{ UserID int64 }

// UserActivated: a superuser deactivated (Active false) or reactivated an
// account.
type UserActivated struct {
	UserID int64
	Active bool
}

// Liked: a user liked a post.
type Liked struct{ Like Like }

// Unliked: a user took their like of a post back.
type Unliked struct{ PostID, UserID int64 }

// Commented: a user commented on a post.
type Commented struct{ Comment Comment }

// CommentUpdated: a comment was changed; Before is how it was.
type CommentUpdated struct{ Before, After Comment }

// CommentDeleted: a comment was deleted; Comment is how it was.
type CommentDeleted struct{ Comment Comment }

func (UserCreated) Name() string     { return "user.created" }
func (ProfileUpdated) Name() string  { return "user.profile_updated" }
func (PasswordChanged) Name() string { return "user.password_changed" }
func (UserDeleted) Name() string     { return "user.deleted" }
func (UserActivated) Name() string   { return "user.activated" }
func (Liked) Name() string           { return "like.created" }
func (Unliked) Name() string         { return "like.deleted" }
func (Commented) Name() string       { return "comment.created" }
func (CommentUpdated) Name() string  { return "comment.updated" }
func (CommentDeleted) Name() string  { return "comment.deleted" }
func (PostCreated) Name() string     { return "post.created" }
func (PostUpdated) Name() string     { return "post.updated" }
func (PostDeleted) Name() string     { return "post.deleted" }
func (Followed) Name() string        { return "follow.created" }
func (Unfollowed) Name() string      { return "follow.deleted" }
