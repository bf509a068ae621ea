package service

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed" // the common password list
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/magpie-sns/magpie"
)

// The field rules. Each adds to fe what is wrong with one value; an input
// type's Validate applies those of its fields.

// validateUsername: not blank, at most MaxUsernameLen characters, only
// letters, digits and @ . + - _, letters of one script (mixedScripts), and
// a name that magpie.UsernameKey takes. These are the rules for a new
// name; an account made before the last two keeps its name.
//
// A name UsernameKey refuses for its characters is told the syntax
// message: past the check above, what it refuses are letters and digits
// that are compatibility forms ('ﬁ', 'ª', 'ǅ', most modifier letters,
// Hangul compatibility jamo) or that the Unicode version of the PRECIS
// tables does not have yet: not the letters and numbers a reader of the
// message has in mind, and a client already knows what to do with it. A right-to-left name that breaks the
// Bidi Rule has only allowed characters, in the wrong places, so it is
// told where they may go.
func validateUsername(fe magpie.FieldErrors, username string) {
	switch {
	case !validText(fe, "username", username):
	case username == "":
		fe.Add("username", msgBlank)
	case utf8.RuneCountInString(username) > magpie.MaxUsernameLen:
		fe.Add("username", msgTooLong(magpie.MaxUsernameLen))
	case strings.IndexFunc(username, notUsernameRune) >= 0:
		fe.Add("username", msgUsernameSyntax)
	case mixedScripts(username):
		fe.Add("username", msgUsernameScripts)
	default:
		switch key, err := magpie.UsernameKey(username); {
		case errors.Is(err, magpie.ErrUsernameBidi):
			fe.Add("username", msgUsernameBidi)
		case err != nil:
			fe.Add("username", msgUsernameSyntax)
		case key == "me":
			// /users/me/ is the caller: a user of that name could not be
			// named in a path.
			fe.Add("username", msgUsernameReserved)
		}
	}
}

func notUsernameRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("@.+-_", r)
}

// Scripts that may share a name: the Chinese, Japanese and Korean writing
// systems with Latin, as the "highly restrictive" level of Unicode TS #39
// (section 5.2) allows. A set of scripts is allowed if one of these holds
// it all. Latin is in each, as there: a name like "jürgen_日本" or "ken山田"
// was allowed before and is not confusable.
var scriptCovers = [][]*unicode.RangeTable{
	{unicode.Latin, unicode.Han, unicode.Hiragana, unicode.Katakana},
	{unicode.Latin, unicode.Han, unicode.Bopomofo},
	{unicode.Latin, unicode.Han, unicode.Hangul},
}

// mixedScripts reports whether s mixes scripts as TS #39's highly
// restrictive level refuses: its characters are not all of one script,
// nor all of one of scriptCovers. Characters of script Common (ASCII
// digits, @ . + - _, the prolonged sound mark ー) or Inherited (combining
// marks that take the script of their base) do not count; every other
// character does, a digit of a script too ('٣' is Arabic).
//
// TS #39 reads each character's Script_Extensions, which Go's tables do
// not have; with the Script property alone a few characters shared by
// scripts count for one of them (Arabic-Indic digits are Arabic, not also
// Thaana), which refuses a few rare names the standard would take, never
// the other way round.
func mixedScripts(s string) bool {
	var seen []*unicode.RangeTable // scripts met so far, Common and Inherited too
	scripts := 0                   // how many of them count
	for _, r := range s {
		var t *unicode.RangeTable
		switch {
		case r < utf8.RuneSelf && 'a' <= r|0x20 && r|0x20 <= 'z':
			t = unicode.Latin
		case r < utf8.RuneSelf:
			t = unicode.Common
		case slices.ContainsFunc(seen, func(t *unicode.RangeTable) bool { return t != nil && unicode.Is(t, r) }):
			continue
		default:
			t = scriptOf(r)
		}
		if slices.Contains(seen, t) { // or nil: another unassigned code point
			continue
		}
		seen = append(seen, t)
		if t == unicode.Common || t == unicode.Inherited {
			continue
		}
		if scripts++; scripts > 1 && !slices.ContainsFunc(scriptCovers, func(cover []*unicode.RangeTable) bool {
			return containsCounted(cover, seen)
		}) {
			return true
		}
	}
	return false
}

// scriptOf returns the table of r's script in unicode.Scripts; nil if r is
// in none (unassigned in Go's Unicode version), which then counts as a
// script of its own.
func scriptOf(r rune) *unicode.RangeTable {
	for _, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return nil
}

// containsCounted reports whether cover holds every script of seen but
// Common and Inherited.
func containsCounted(cover, seen []*unicode.RangeTable) bool {
	for _, t := range seen {
		if t != unicode.Common && t != unicode.Inherited && !slices.Contains(cover, t) {
			return false
		}
	}
	return true
}

// validatePassword: not weak, as the original's validators saw it
// (Django's MinimumLength, UserAttributeSimilarity, CommonPassword and
// NumericPassword validators): at least MinPasswordLen characters, not a
// common password, not all digits, not too similar to the username.
//
// Django words them in the order its default settings list the validators
// (similarity, length, common, numeric); Magpie's clients and tests already
// read short, numeric, similar, so that order stays, and "too common" goes
// where Django puts it among those three: after short, before numeric.
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
	lower := pyLower(password)
	if isCommonPassword(lower) {
		fe.Add("password", msgPasswordCommon)
	}
	if strings.IndexFunc(password, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		fe.Add("password", msgPasswordNumber)
	}
	if tooSimilar(lower, pyLower(username)) {
		fe.Add("password", msgPasswordLikeID)
	}
}

// The common passwords: the list of the npm package
// @zxcvbn-ts/language-common (see commonpasswords/README.md), one
// lowercase password a line, most common first.
//
//go:embed commonpasswords/passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is the list as a set, unpacked on first use (about 50,000
// entries, a few megabytes), so that a process that checks no password
// does not pay for it. Like Django, it trims each line.
var commonPasswords = sync.OnceValue(loadCommonPasswords)

func loadCommonPasswords() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("service: embedded common password list: " + err.Error())
	}
	set := make(map[string]struct{}, 50000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		set[strings.TrimFunc(sc.Text(), pySpace)] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		panic("service: embedded common password list: " + err.Error())
	}
	return set
}

// isCommonPassword reports whether lower, a lowercased password, is on the
// list once trimmed, as Django's password.lower().strip() in passwords.
func isCommonPassword(lower string) bool {
	_, ok := commonPasswords()[strings.TrimFunc(lower, pySpace)]
	return ok
}

// maxSimilarity is Django's default for UserAttributeSimilarityValidator.
const maxSimilarity = 0.7

// tooSimilar is Django 4.2's UserAttributeSimilarityValidator for the
// username, on the lowercased password and username: the password is too
// similar when the quick ratio of it and the username, or of it and one of
// the username's parts between runs of non-word characters (re.split(r"\W+")),
// reaches maxSimilarity. No username, no check.
//
// Its length shortcut skips a part ten times shorter than the password;
// that leaves fewer than 10·|username|/|password| parts to compare, each in
// |password|+|part| steps, plus the whole username: under
// 12·MaxUsernameLen + MaxPasswordLen (about 3,000) rune visits a check,
// whatever the lengths.
func tooSimilar(password, username string) bool {
	if username == "" {
		return false
	}
	pwLen := utf8.RuneCountInString(password)
	similar := func(part string) bool {
		partLen := utf8.RuneCountInString(part)
		return !exceedsMaximumLengthRatio(pwLen, partLen) &&
			quickRatio(password, part, pwLen+partLen) >= maxSimilarity
	}
	// FieldsFunc drops the empty parts re.split keeps at the ends; Django's
	// shortcut skips those anyway (an empty part is ten times shorter).
	for part := range strings.FieldsFuncSeq(username, notWordRune) {
		if similar(part) {
			return true
		}
	}
	return similar(username)
}

// exceedsMaximumLengthRatio is Django's exceeds_maximum_length_ratio: a value
// this much shorter than the password cannot reach maxSimilarity (its quick
// ratio is at most 2·valueLen/(pwLen+valueLen)), so it is not compared. The
// arithmetic is Python's, float for float.
func exceedsMaximumLengthRatio(pwLen, valueLen int) bool {
	return pwLen >= 10*valueLen && float64(valueLen) < maxSimilarity/2*float64(pwLen)
}

// quickRatio is Python's difflib SequenceMatcher(a=a, b=b).quick_ratio(),
// on runes: 2·M/T, M the size of the intersection of the multisets of
// their characters, T their total length (n). The same float division as
// Python's, so that a ratio of exactly 0.7 compares the same.
func quickRatio(a, b string, n int) float64 {
	if n == 0 {
		return 1
	}
	var ascii [utf8.RuneSelf]int32
	var other map[rune]int32 // only for a part with non-ASCII characters
	for _, r := range b {
		if r < utf8.RuneSelf {
			ascii[r]++
			continue
		}
		if other == nil {
			other = make(map[rune]int32)
		}
		other[r]++
	}
	m := 0
	for _, r := range a {
		switch {
		case r < utf8.RuneSelf:
			if ascii[r] > 0 {
				ascii[r]--
				m++
			}
		case other[r] > 0:
			other[r]--
			m++
		}
	}
	return 2.0 * float64(m) / float64(n)
}

// notWordRune is Python's \W on str: not a letter, not a number, not '_'.
func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_'
}

// pySpace is Python's str.isspace, which strip() trims: Go's unicode.IsSpace
// and the four separators U+001C to U+001F.
func pySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyLower is Python's str.lower, which Django's validators use. Go's
// strings.ToLower agrees with it on every character but one: Python
// lowercases 'İ' (U+0130) to "i̇" (i and U+0307), two characters. Python's
// final-sigma rule (a word-final 'Σ' becomes 'ς', not 'σ') is not copied:
// it changes one Greek letter for the similarity check only, as the common
// list is ASCII.
func pyLower(s string) string {
	if strings.ContainsRune(s, '\u0130') {
		s = strings.ReplaceAll(s, "\u0130", "i\u0307")
	}
	return strings.ToLower(s)
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
