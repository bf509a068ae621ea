package service

import "fmt"

// The words a client reads about the outcome of a use case: every one is
// here, and nowhere else (the api package has only the words about HTTP
// itself: media types, JSON syntax, methods, headers). The wording is the
// original service's, so that its clients see what they know.
const (
	msgNotFound         = "Not found."
	msgUserNotFound     = "User not found."
	msgForbidden        = "You do not have permission to perform this action."
	msgBadCredentials   = "Invalid username/password."
	msgInvalidToken     = "Invalid token."
	msgUsernameTaken    = "A user with that username already exists."
	msgUsernameReserved = "This username is reserved."
	msgAlreadyFollowing = "Already following."
	msgNotFollowing     = "You are not following this user."
	msgSelfFollow       = "You cannot follow yourself."
	msgTooManyLogins    = "Too many login attempts from your address; try again later."
	msgTooManySignups   = "Too many sign-ups from your address; try again later."
	msgAccountLocked    = "Too many failed logins for this account; try again later."
	msgBusy             = "The server is busy checking passwords; try again in a moment."
	msgLogoutNeedsToken = "Only a login token can be logged out; HTTP Basic has no session to end."
	msgWrongPassword    = "The password is not right."
	msgDeactivateSelf   = "You cannot deactivate or reactivate your own account."
	msgSearchNoWords    = "Enter a word to search for."

	msgBlank           = "This field may not be blank."
	msgUsernameSyntax  = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	msgUsernameScripts = "Enter a valid username. It may not mix letters of different scripts."
	msgUsernameBidi    = "Enter a valid username. A right-to-left name must begin with a letter, end with a letter or number, and not mix Arabic-Indic and European digits."
	msgPasswordCommon  = "This password is too common."
	msgPasswordNumber  = "This password is entirely numeric."
	msgPasswordLikeID  = "The password is too similar to the username."
	msgInvalidUTF8     = "Enter valid UTF-8 text."
	msgNUL             = "Null characters are not allowed."
)

func msgTooLong(n int) string {
	return fmt.Sprintf("Ensure this field has no more than %d characters.", n)
}

func msgSearchTooManyWords(n int) string {
	return fmt.Sprintf("Ensure the search has no more than %d words.", n)
}

func msgPasswordShort(n int) string {
	return fmt.Sprintf("This password is too short. It must contain at least %d characters.", n)
}
