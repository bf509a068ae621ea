package magpie

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. The HTTP layer maps each to one status in one place.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	ELIMITED      = "limited"     // too many requests: try again after RetryAfter
	EUNAVAILABLE  = "unavailable" // a dependency (the database) cannot answer now; try again
	EINTERNAL     = "internal"
)

// Error is a failure with a kind. The stores return only the sentinels
// below, which name what happened (Code) and carry no words; the service
// layer returns errors with a Message written for the client, or for
// EINVALID the messages of each bad field.
type Error struct {
	Kind    string
	Code    string // what happened, for code and logs: "username_taken"
	Message string // for the client
	Fields  FieldErrors
	Err     error // the store sentinel the service worded, if any, for errors.Is
	// RetryAfter, for ELIMITED and EUNAVAILABLE, is when to try again; 0
	// if unknown.
	RetryAfter time.Duration
}

// Unwrap returns the sentinel e words, so that errors.Is finds it.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	switch {
	case len(e.Fields) > 0:
		return fmt.Sprintf("magpie: %s: %v", e.Kind, map[string][]string(e.Fields))
	case e.Message != "":
		return fmt.Sprintf("magpie: %s: %s", e.Kind, e.Message)
	default:
		return fmt.Sprintf("magpie: %s: %s", e.Kind, e.Code)
	}
}

// What a store reports when the data, not the database, turns a call
// down. Each engine maps its own errors (no row, or a constraint by its
// name) to these, so the two engines answer alike.
var (
	// ErrNotFound: no row, or a row that a write refers to is missing.
	ErrNotFound = &Error{Kind: ENOTFOUND, Code: "not_found"}
	// ErrUsernameTaken: another user has the username.
	ErrUsernameTaken = &Error{Kind: ECONFLICT, Code: "username_taken"}
	// ErrAlreadyFollowing: the follow exists.
	ErrAlreadyFollowing = &Error{Kind: ECONFLICT, Code: "already_following"}
	// ErrSelfFollow: a user cannot follow themself.
	ErrSelfFollow = &Error{Kind: EINVALID, Code: "self_follow"}
	// ErrAlreadyLiked: the user likes the post already.
	ErrAlreadyLiked = &Error{Kind: ECONFLICT, Code: "already_liked"}
	// ErrConstraint: a value breaks a rule of the schema that the service
	// checks first, such as the length of a title; seeing it is a bug above.
	ErrConstraint = &Error{Kind: EINVALID, Code: "constraint"}
	// ErrUnavailable: the database cannot be reached, is restarting, or
	// did not answer in time. A store wraps it around the cause.
	ErrUnavailable = &Error{Kind: EUNAVAILABLE, Code: "unavailable"}
)

// Errorf returns an *Error of the given kind with a client message.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err: EINTERNAL unless err wraps an *Error.
func ErrorKind(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// IsKind reports whether err is an *Error of the given kind.
func IsKind(err error, kind string) bool {
	return err != nil && ErrorKind(err) == kind
}

// FieldErrors collects validation messages by field name.
type FieldErrors map[string][]string

// Add records msg for field.
func (fe FieldErrors) Add(field, msg string) {
	fe[field] = append(fe[field], msg)
}

// Err returns an EINVALID *Error holding fe, or nil if fe is empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Kind: EINVALID, Code: "fields", Fields: fe}
}
