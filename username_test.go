package magpie_test

import (
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/secure/bidirule"
	"golang.org/x/text/secure/precis"

	"github.com/magpie-sns/magpie"
)

// The keys are what golang.org/x/text v0.44.0 returns (its Unicode 15.0.0
// tables, under Go 1.26), not what one might expect of "case folding".
var usernameKeyTests = []struct {
	name, username, key string
	err                 error // nil: the key is key
}{
	// Case and width variants are one name.
	{"lowercase", "alice", "alice", nil},
	{"capitalised", "Alice", "alice", nil},
	{"uppercase", "ALICE", "alice", nil},
	{"fullwidth", "ａｌｉｃｅ", "alice", nil},
	{"fullwidth uppercase", "ＡＬＩＣＥ", "alice", nil},
	{"fullwidth digit", "alice２", "alice2", nil},
	{"halfwidth katakana", "ｶﾀｶﾅ", "カタカナ", nil},
	{"symbols", "Alice.B+c-d_e@9", "alice.b+c-d_e@9", nil},
	{"digits only", "123", "123", nil},
	{"cyrillic uppercase", "АЛИСА", "алиса", nil},
	// The key does not look at scripts: the service refuses new names
	// that mix them. This one is not "alice".
	{"cyrillic a then latin", "аlice", "\u0430lice", nil},
	{"greek", "Ωμέγα", "ωμέγα", nil},
	{"han and hiragana", "山田たろう", "山田たろう", nil},
	{"prolonged sound mark", "たろー", "たろー", nil},
	{"han and hangul", "김吉童", "김吉童", nil},
	{"arabic", "محمد", "محمد", nil},
	{"arabic, symbol and digit", "محمد_1", "محمد_1", nil},
	{"hebrew and digit", "שלום1", "שלום1", nil},
	{"adlam uppercase", "\U0001E900", "\U0001E922", nil},

	// Surprise: lowercasing, not case folding (RFC 8265 says toLowerCase).
	// 'ß' stays 'ß', so "straße" and "STRASSE" are two names; capital ẞ
	// lowercases to ß.
	{"sharp s", "ß", "ß", nil},
	{"straße", "straße", "straße", nil},
	{"STRASSE", "STRASSE", "strasse", nil},
	{"capital sharp s", "STRAẞE", "straße", nil},
	// Surprise: no final-sigma rule either. Capital Σ is always σ, and a
	// final ς stays ς, so the uppercase and the lowercase spelling of a
	// Greek word that ends in sigma are two names.
	{"greek uppercase, final sigma", "ΟΔΥΣΣΕΥΣ", "οδυσσευσ", nil},
	{"greek lowercase, final sigma", "οδυσσευς", "οδυσσευς", nil},
	{"greek capitalised, final sigma", "Οδυσσευς", "οδυσσευς", nil},
	// The Kelvin sign lowercases to k (and NFC maps it to K): "kelvin".
	{"kelvin sign", "\u212Aelvin", "kelvin", nil},
	{"ohm sign", "\u2126", "ω", nil},
	{"angstrom sign", "\u212B", "å", nil},
	// Turkish: dotless ı is its own letter, I is i, and İ lowercases to i
	// with a combining dot above, which is what a decomposed i̇ is too.
	{"dotless i", "ı", "ı", nil},
	{"capital I", "I", "i", nil},
	{"dotted capital I", "İstanbul", "i\u0307stanbul", nil},
	{"i and combining dot", "i\u0307stanbul", "i\u0307stanbul", nil},
	// NFC: decomposed input has the key of the composed one.
	{"NFC", "jos\u00e9", "jos\u00e9", nil},
	{"NFD", "jose\u0301", "jos\u00e9", nil},
	{"NFD uppercase", "JOSE\u0301", "jos\u00e9", nil},

	// x/text's UsernameCaseMapped refuses these, as it holds every name
	// that is not ASCII to the Bidi Rule's left-to-right conditions
	// (begin with a letter, end with a letter or digit); RFC 8265 does not,
	// and neither does UsernameKey. Their ASCII twins pass both.
	{"latin, ends with a symbol", "jürgen_", "jürgen_", nil},
	{"han, begins with a symbol", "_日本", "_日本", nil},
	{"cyrillic, begins with a digit", "1алиса", "1алиса", nil},
	{"fullwidth, ends with a symbol", "ａｌｉｃｅ_", "alice_", nil},
	{"fullwidth digit first", "２alice", "2alice", nil},

	// Refused: what PRECIS's IdentifierClass disallows.
	{"empty", "", "", magpie.ErrUsernameDisallowed}, // x/text returns "", nil
	{"space", "a b", "", magpie.ErrUsernameDisallowed},
	{"no-break space", "a\u00a0b", "", magpie.ErrUsernameDisallowed},
	{"tab", "a\tb", "", magpie.ErrUsernameDisallowed},
	{"unassigned", "a\u0378", "", magpie.ErrUsernameDisallowed},
	{"emoji", "a🐦", "", magpie.ErrUsernameDisallowed},
	{"ligature fi", "ﬁ", "", magpie.ErrUsernameDisallowed},
	{"feminine ordinal", "ª", "", magpie.ErrUsernameDisallowed},
	{"titlecase digraph", "ǅ", "", magpie.ErrUsernameDisallowed},
	{"superscript two", "x²", "", magpie.ErrUsernameDisallowed},
	{"modifier letter", "ʰ", "", magpie.ErrUsernameDisallowed},
	{"hangul compatibility jamo", "ㄱ", "", magpie.ErrUsernameDisallowed},
	{"roman numeral", "Ⅳ", "", magpie.ErrUsernameDisallowed},
	{"soft hyphen", "a\u00adb", "", magpie.ErrUsernameDisallowed},
	{"zero width joiner", "a\u200db", "", magpie.ErrUsernameDisallowed},
	{"zero width non-joiner", "a\u200cb", "", magpie.ErrUsernameDisallowed},

	// Refused: right-to-left names that break the Bidi Rule.
	{"hebrew, begins with a digit", "1שלום", "", magpie.ErrUsernameBidi},
	{"hebrew, ends with a symbol", "שלום_", "", magpie.ErrUsernameBidi},
	{"latin then hebrew", "abcא", "", magpie.ErrUsernameBidi},
	{"arabic, both kinds of digit", "محمد١2", "", magpie.ErrUsernameBidi},
	{"arabic-indic digits only", "١٢٣", "", magpie.ErrUsernameBidi},
	{"latin, arabic-indic digit", "alice٣", "", magpie.ErrUsernameBidi},
}

func TestUsernameKey(t *testing.T) {
	for _, tt := range usernameKeyTests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := magpie.UsernameKey(tt.username)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("UsernameKey(%+q) error %v, want %v", tt.username, err, tt.err)
			}
			if key != tt.key {
				t.Errorf("UsernameKey(%+q) = %+q, want %+q", tt.username, key, tt.key)
			}
			if err != nil {
				return
			}
			// A key is its own key: the stores can compare keys with keys.
			if again, err := magpie.UsernameKey(key); again != key || err != nil {
				t.Errorf("UsernameKey(%+q) = %+q, %v: not its own key", key, again, err)
			}
		})
	}
}

// UsernameKey is x/text's UsernameCaseMapped but for the empty name and
// for the Bidi Rule on names without right-to-left code points: where that
// profile takes a name that is not empty, the keys are equal, and where
// UsernameKey refuses one, so does it. Every code point is tried alone,
// after a letter and before one (about 2 seconds; not with -short).
func TestUsernameKeyIsUsernameCaseMapped(t *testing.T) {
	check := func(s string) {
		t.Helper()
		key, err := magpie.UsernameKey(s)
		want, wantErr := precis.UsernameCaseMapped.String(s)
		switch {
		case s == "": // TestUsernameKey
		case wantErr == nil && (err != nil || key != want):
			t.Errorf("%+q: UsernameKey %+q, %v; UsernameCaseMapped %+q", s, key, err, want)
		case wantErr != nil && err == nil && !errors.Is(wantErr, bidirule.ErrInvalid):
			t.Errorf("%+q: UsernameKey %+q; UsernameCaseMapped refuses: %v", s, key, wantErr)
		}
	}
	for _, tt := range usernameKeyTests {
		check(tt.username)
	}
	if testing.Short() {
		return
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		c := string(r)
		check(c)
		check("a" + c)
		check(c + "a")
	}
}

func FuzzUsernameKey(f *testing.F) {
	for _, tt := range usernameKeyTests {
		f.Add(tt.username)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := magpie.UsernameKey(s)
		if err != nil {
			if key != "" {
				t.Errorf("UsernameKey(%+q) = %+q and %v", s, key, err)
			}
			if !errors.Is(err, magpie.ErrUsernameDisallowed) && !errors.Is(err, magpie.ErrUsernameBidi) {
				t.Errorf("UsernameKey(%+q): %v is neither sentinel", s, err)
			}
			return
		}
		if key == "" {
			t.Fatalf("UsernameKey(%+q) is empty", s)
		}
		if again, err := magpie.UsernameKey(key); again != key || err != nil {
			t.Errorf("UsernameKey(%+q) = %+q, %v: not its own key", key, again, err)
		}
		if want, err := precis.UsernameCaseMapped.String(s); err == nil && want != key {
			t.Errorf("UsernameKey(%+q) = %+q, UsernameCaseMapped %+q", s, key, want)
		}
	})
}

// Older accounts keep their keys; a newer one whose key is taken, or that
// has none, gets "".
func TestFirstKeys(t *testing.T) {
	got := magpie.FirstKeys([]string{"alice", "Alice", "ＢＯＢ", "bob", "ﬁsh", "carol"})
	want := []string{"alice", "", "bob", "", "", "carol"}
	if !slices.Equal(got, want) {
		t.Errorf("FirstKeys = %q, want %q", got, want)
	}
}
