package magpie

import (
	"errors"
	"fmt"

	"golang.org/x/text/secure/bidirule"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// What UsernameKey reports when it refuses a name.
var (
	// ErrUsernameDisallowed: the username is empty, or has a code point
	// that the PRECIS IdentifierClass disallows (a space, a symbol, a
	// compatibility character such as 'ﬁ' or 'ª', one unassigned in the
	// Unicode version of the tables) or allows only in a context it is not
	// in (a joiner).
	ErrUsernameDisallowed = errors.New("magpie: username has no PRECIS key")
	// ErrUsernameBidi: the username has right-to-left code points and
	// breaks the Bidi Rule of RFC 5893.
	ErrUsernameBidi = errors.New("magpie: right-to-left username breaks the Bidi Rule")
)

// usernameCaseMapped is precis.UsernameCaseMapped without its Bidi Rule,
// which UsernameKey applies itself. x/text applies the rule's left-to-right
// conditions to every name that is not ASCII (golang/go#17383): it refuses
// "jürgen_", "_日本" and "1алиса" but takes "jurgen_", "_nihon" and "1alisa",
// where RFC 8265 (section 3.3.1, rule 6) applies the Bidi Rule only to
// names with right-to-left code points. The mappings, their order and the
// class are the profile's own, so the key of a name that both take is the
// same (TestUsernameKeyIsUsernameCaseMapped).
var usernameCaseMapped = precis.NewIdentifier(
	precis.FoldWidth,
	precis.LowerCase(),
	precis.Norm(norm.NFC),
)

// UsernameKey returns the comparison key of a username, as RFC 8265's
// UsernameCaseMapped profile enforces it: fullwidth and halfwidth forms
// mapped to their ordinary width, then lowercased, then NFC. Two usernames
// with equal keys are the same name, however they are written ("Alice",
// "ALICE" and fullwidth "ａｌｉｃｅ" are all "alice"); a store lets one
// account hold a key. The key is for comparing; the name an account shows
// is still the one it signed up with. A key may have more characters than
// its name: 'İ' lowercases to 'i' and a combining dot.
//
// It returns ErrUsernameDisallowed for an empty name or one with a code
// point the profile refuses, and ErrUsernameBidi for a right-to-left name
// that breaks the Bidi Rule. It does not check the rules Magpie adds for
// new names (the characters the service allows, the length, one script):
// keys of older accounts are computed with it too.
func UsernameKey(username string) (string, error) {
	key, err := usernameCaseMapped.String(username)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: %w", ErrUsernameDisallowed, err)
	case key == "":
		// RFC 8265 section 3.3.1 refuses an empty username; the x/text
		// profile does not check.
		return "", ErrUsernameDisallowed
	case hasRightToLeft(key) && !bidirule.ValidString(key):
		return "", ErrUsernameBidi
	}
	return key, nil
}

// hasRightToLeft reports whether s has a right-to-left code point, one
// whose bidirectional class is R, AL or AN: what makes a label a "Bidi
// domain name" in RFC 5893, and the x/text bidirule package's own test.
func hasRightToLeft(s string) bool {
	for i := 0; i < len(s); {
		p, size := bidi.LookupString(s[i:])
		switch p.Class() {
		case bidi.R, bidi.AL, bidi.AN:
			return true
		}
		i += max(size, 1)
	}
	return false
}

// FirstKeys returns the keys of names, the accounts' usernames from the
// oldest to the newest, for accounts made before names were compared by
// key: each name gets its UsernameKey unless an older account took that
// key first or the name has none, when it gets "". Such an account keeps
// its name and logs in with it exactly; the key stays with the older one,
// so no new account can take a variant of either.
func FirstKeys(names []string) []string {
	keys := make([]string, len(names))
	taken := make(map[string]bool, len(names))
	for i, name := range names {
		key, err := UsernameKey(name)
		if err != nil || taken[key] {
			continue
		}
		taken[key] = true
		keys[i] = key
	}
	return keys
}
