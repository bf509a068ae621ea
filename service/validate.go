package service

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/magpie-sns/magpie"
)

// The field rules. Each adds to fe what is wrong with one value; an input
// type's Validate applies those of its fields.

// validateUsername: not blank, at most MaxUsernameLen characters, and
// only letters, digits and @ . + - _.
func validateUsername(fe magpie.FieldErrors, username string) {
	switch {
	case !validText(fe, "username", username):
	case username == "":
		fe.Add("username", msgBlank)
	case utf8.RuneCountInString(username) > magpie.MaxUsernameLen:
		fe.Add("username", msgTooLong(magpie.MaxUsernameLen))
	case strings.IndexFunc(username, notUsernameRune) >= 0:
		fe.Add("username", msgUsernameSyntax)
	}
}

func notUsernameRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("@.+-_", r)
}

// validatePassword: not weak, as the original's validators saw it: at
// least MinPasswordLen characters, not all digits, not the username.
func validatePassword(fe magpie.FieldErrors, password, username string) {
	if !validText(fe, "password", password) {
		return
	}
	n := utf8.RuneCountInString(password)
	if n == 0 {
		fe.Add("password", msgBlank)
		return
	}
	if n > magpie.MaxPasswordLen {
		fe.Add("password", msgTooLong(magpie.MaxPasswordLen))
		return
	}
	if n < magpie.MinPasswordLen {
		fe.Add("password", msgPasswordShort(magpie.MinPasswordLen))
	}
	if strings.IndexFunc(password, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		fe.Add("password", msgPasswordNumber)
	}
	if strings.EqualFold(password, username) {
		fe.Add("password", msgPasswordLikeID)
	}
}

// validateTitle: not blank, at most MaxTitleLen characters.
func validateTitle(fe magpie.FieldErrors, title string) {
	validateText(fe, "title", title, magpie.MaxTitleLen)
}

// validateBody: not blank, at most MaxBodyLen characters.
func validateBody(fe magpie.FieldErrors, body string) {
	validateText(fe, "body", body, magpie.MaxBodyLen)
}

// validateText: storable, not blank, at most maxLen characters.
func validateText(fe magpie.FieldErrors, field, s string, maxLen int) {
	switch {
	case !validText(fe, field, s):
	case strings.TrimSpace(s) == "":
		fe.Add(field, msgBlank)
	case utf8.RuneCountInString(s) > maxLen:
		fe.Add(field, msgTooLong(maxLen))
	}
}

// storable reports whether a database column can hold s: valid UTF-8
// without NUL characters (PostgreSQL refuses both). A name that is not
// storable cannot belong to any user, so looking it up is not needed.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// validText rejects what no database column can hold.
func validText(fe magpie.FieldErrors, field, s string) bool {
	switch {
	case !utf8.ValidString(s):
		fe.Add(field, msgInvalidUTF8)
	case strings.ContainsRune(s, 0):
		fe.Add(field, msgNUL)
	default:
		return true
	}
	return false
}
