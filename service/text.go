package service

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/magpie-sns/magpie"
)

// The rules of the free text people write about themselves and to each
// other: display names, bios and comments.

// cleanText is s in NFC, without control characters (but the line breaks
// and tabs keepBreaks allows) and without the bidirectional formatting
// characters that can make a name or a comment read as something else
// (U+202A-U+202E, U+2066-U+2069).
func cleanText(s string, keepBreaks bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case keepBreaks && (r == '\n' || r == '\t'):
			return r
		case r == '\r' && keepBreaks:
			return -1 // a CR LF is a line break; a lone CR adds nothing
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, norm.NFC.String(s))
}

// validateDisplayName: at most MaxDisplayNameLen characters once cleaned;
// it may be empty.
func validateDisplayName(fe magpie.FieldErrors, name string) {
	if validText(fe, "display_name", name) && utf8.RuneCountInString(cleanText(name, false)) > magpie.MaxDisplayNameLen {
		fe.Add("display_name", msgTooLong(magpie.MaxDisplayNameLen))
	}
}

// validateBio: at most MaxBioLen characters once cleaned; it may be empty.
func validateBio(fe magpie.FieldErrors, bio string) {
	if validText(fe, "bio", bio) && utf8.RuneCountInString(cleanText(bio, true)) > magpie.MaxBioLen {
		fe.Add("bio", msgTooLong(magpie.MaxBioLen))
	}
}

// validateComment: not blank, at most MaxCommentLen characters.
func validateComment(fe magpie.FieldErrors, body string) {
	validateText(fe, "body", body, magpie.MaxCommentLen)
}

// Searches are bounded: a client cannot make one scan more than a few
// short words.
const (
	maxSearchLen   = 200
	maxSearchWords = 10
)

// searchWords are the words of a search, lowercased: the runs of letters
// and digits. EINVALID if there are none, too many, or the text is long.
func searchWords(text string) ([]string, error) {
	fe := magpie.FieldErrors{}
	if !validText(fe, "search", text) {
		return nil, fe.Err()
	}
	if utf8.RuneCountInString(text) > maxSearchLen {
		return nil, magpie.FieldErrors{"search": {msgTooLong(maxSearchLen)}}.Err()
	}
	words := strings.FieldsFunc(strings.ToLower(norm.NFC.String(text)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
	switch {
	case len(words) == 0:
		return nil, magpie.FieldErrors{"search": {msgSearchNoWords}}.Err()
	case len(words) > maxSearchWords:
		return nil, magpie.FieldErrors{"search": {msgSearchTooManyWords(maxSearchWords)}}.Err()
	}
	return words, nil
}
