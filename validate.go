package magpie

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field limits, as in the original service's schema.
const (
	MaxUsernameLen    = 150
	MinPasswordLen    = 8
	MaxPasswordLen    = 1024 // bounds the work of hashing one
	MaxTitleLen       = 100
	MaxBodyLen        = 100_000
	msgBlank          = "This field may not be blank."
	msgUsernameSyntax = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
)

// ValidateUsername adds to fe what is wrong with a username: blank, too
// long, or characters other than letters, digits and @ . + - _.
func ValidateUsername(fe FieldErrors, username string) {
	switch {
	case !validText(fe, "username", username):
	case username == "":
		fe.Add("username", msgBlank)
	case utf8.RuneCountInString(username) > MaxUsernameLen:
		fe.Add("username", tooLong(MaxUsernameLen))
	case strings.IndexFunc(username, notUsernameRune) >= 0:
		fe.Add("username", msgUsernameSyntax)
	}
}

func notUsernameRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("@.+-_", r)
}

// ValidatePassword adds to fe what makes a password weak: shorter than
// MinPasswordLen, all digits, or the same as the username.
func ValidatePassword(fe FieldErrors, password, username string) {
	if !validText(fe, "password", password) {
		return
	}
	n := utf8.RuneCountInString(password)
	if n == 0 {
		fe.Add("password", msgBlank)
		return
	}
	if n > MaxPasswordLen {
		fe.Add("password", tooLong(MaxPasswordLen))
		return
	}
	if n < MinPasswordLen {
		fe.Add("password", fmt.Sprintf("This password is too short. It must contain at least %d characters.", MinPasswordLen))
	}
	if strings.IndexFunc(password, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		fe.Add("password", "This password is entirely numeric.")
	}
	if strings.EqualFold(password, username) {
		fe.Add("password", "The password is too similar to the username.")
	}
}

// ValidateTitle adds to fe what is wrong with a post title: blank or longer
// than MaxTitleLen characters.
func ValidateTitle(fe FieldErrors, title string) {
	switch {
	case !validText(fe, "title", title):
	case strings.TrimSpace(title) == "":
		fe.Add("title", msgBlank)
	case utf8.RuneCountInString(title) > MaxTitleLen:
		fe.Add("title", tooLong(MaxTitleLen))
	}
}

// ValidateBody adds to fe what is wrong with a post body: blank or longer
// than MaxBodyLen characters.
func ValidateBody(fe FieldErrors, body string) {
	switch {
	case !validText(fe, "body", body):
	case strings.TrimSpace(body) == "":
		fe.Add("body", msgBlank)
	case utf8.RuneCountInString(body) > MaxBodyLen:
		fe.Add("body", tooLong(MaxBodyLen))
	}
}

// StorableText reports whether a database column can hold s: valid UTF-8
// without NUL characters (PostgreSQL refuses both). A name that is not
// storable cannot belong to any user.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// validText rejects what no database column can hold.
func validText(fe FieldErrors, field, s string) bool {
	switch {
	case !utf8.ValidString(s):
		fe.Add(field, "Enter valid UTF-8 text.")
	case strings.ContainsRune(s, 0):
		fe.Add(field, "Null characters are not allowed.")
	default:
		return true
	}
	return false
}

func tooLong(n int) string {
	return fmt.Sprintf("Ensure this field has no more than %d characters.", n)
}
