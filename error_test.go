package magpie_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/magpie-sns/magpie"
)

func TestErrorKind(t *testing.T) {
	if k := magpie.ErrorKind(magpie.Errorf(magpie.ECONFLICT, "x")); k != magpie.ECONFLICT {
		t.Errorf("kind %q", k)
	}
	if k := magpie.ErrorKind(strings.NewReader("").UnreadByte()); k != magpie.EINTERNAL {
		t.Errorf("plain error has kind %q, want internal", k)
	}
	if k := magpie.ErrorKind(magpie.ErrAlreadyFollowing); k != magpie.ECONFLICT {
		t.Errorf("ErrAlreadyFollowing has kind %q", k)
	}
}

// An error the service words for a sentinel still is that sentinel.
func TestErrorWrapsSentinel(t *testing.T) {
	worded := &magpie.Error{Kind: magpie.EINVALID, Fields: magpie.FieldErrors{"username": {"taken"}}, Err: magpie.ErrUsernameTaken}
	if !errors.Is(worded, magpie.ErrUsernameTaken) {
		t.Error("errors.Is does not find the sentinel")
	}
	if errors.Is(worded, magpie.ErrNotFound) {
		t.Error("errors.Is finds another sentinel")
	}
	if magpie.ErrorKind(worded) != magpie.EINVALID {
		t.Errorf("kind %q, want the worded error's", magpie.ErrorKind(worded))
	}
}
