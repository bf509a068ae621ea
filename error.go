package magpie

import (
	"errors"
	"fmt"
)

// Error kinds. The HTTP layer maps each to one status in one place.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
)

// Error is an error a user may see: a kind, a message written for the
// client, and for EINVALID the messages of each bad field.
type Error struct {
	Kind    string
	Message string
	Fields  FieldErrors
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("magpie: %s: %v", e.Kind, map[string][]string(e.Fields))
	}
	return fmt.Sprintf("magpie: %s: %s", e.Kind, e.Message)
}

// Errorf returns an *Error of the given kind.
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
	return &Error{Kind: EINVALID, Message: "Invalid input.", Fields: fe}
}
