package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
)

var tokenTests = []storeTest{
	{"UserByToken", testUserByToken},
	{"Expiry", testTokenExpiry},
	{"UnknownHash", testTokenUnknown},
	{"Delete", testDeleteToken},
	{"DeleteExpired", testDeleteExpiredTokens},
	{"UnknownUser", testTokenUnknownUser},
	{"Cap", testTokenCap},
	{"DeleteUserTokens", testDeleteUserTokens},
}

func createToken(t testing.TB, s magpie.Store, u *magpie.User, secret string, expires time.Time) *magpie.Token {
	t.Helper()
	tok := &magpie.Token{Hash: tokenHash(secret), UserID: u.ID, CreatedAt: t0, ExpiresAt: expires}
	if err := s.CreateToken(t.Context(), tok, 1000); err != nil {
		t.Fatalf("CreateToken(%s): %v", secret, err)
	}
	return tok
}

func testUserByToken(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	root := &magpie.User{Username: "root", IsSuperuser: true, DateJoined: at(-86400)}
	if err := s.CreateUser(ctx, root, "x"); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	ta := createToken(t, s, alice, "a1", at(3600))
	ta2 := createToken(t, s, alice, "a2", at(3600)) // a user may hold several tokens
	tr := createToken(t, s, root, "r", at(3600))

	for _, c := range []struct {
		tok  *magpie.Token
		want *magpie.User
	}{{ta, alice}, {ta2, alice}, {tr, root}} {
		got, err := s.UserByToken(ctx, c.tok.Hash, at(0))
		if err != nil {
			t.Fatalf("UserByToken(%s): %v", c.want.Username, err)
		}
		checkUser(t, "UserByToken", got, c.want)
	}
}

// A token is good while now < ExpiresAt and dead from ExpiresAt on.
func testTokenExpiry(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	tok := createToken(t, s, alice, "a", at(60))

	got, err := s.UserByToken(ctx, tok.Hash, tok.ExpiresAt.Add(-time.Microsecond))
	if err != nil {
		t.Fatalf("UserByToken(1µs before expiry): %v", err)
	}
	checkUser(t, "UserByToken", got, alice)

	_, err = s.UserByToken(ctx, tok.Hash, tok.ExpiresAt)
	wantKind(t, "UserByToken(at expiry)", err, magpie.ENOTFOUND)
	_, err = s.UserByToken(ctx, tok.Hash, tok.ExpiresAt.Add(time.Hour))
	wantKind(t, "UserByToken(after expiry)", err, magpie.ENOTFOUND)
}

func testTokenUnknown(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	createToken(t, s, alice, "a", at(60))
	_, err := s.UserByToken(ctx, tokenHash("unknown"), at(0))
	wantKind(t, "UserByToken(unknown)", err, magpie.ENOTFOUND)
	_, err = s.UserByToken(ctx, nil, at(0))
	wantKind(t, "UserByToken(nil)", err, magpie.ENOTFOUND)
}

func testDeleteToken(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	gone := createToken(t, s, alice, "gone", at(60))
	kept := createToken(t, s, alice, "kept", at(60))

	if err := s.DeleteToken(ctx, gone.Hash); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	_, err := s.UserByToken(ctx, gone.Hash, at(0))
	wantKind(t, "UserByToken(deleted)", err, magpie.ENOTFOUND)
	if _, err := s.UserByToken(ctx, kept.Hash, at(0)); err != nil {
		t.Errorf("UserByToken(other token): %v", err)
	}

	if err := s.DeleteToken(ctx, gone.Hash); err != nil {
		t.Errorf("DeleteToken(already deleted) = %v, want nil", err)
	}
	if err := s.DeleteToken(ctx, tokenHash("never")); err != nil {
		t.Errorf("DeleteToken(missing) = %v, want nil", err)
	}
}

// DeleteExpiredTokens removes tokens that expired at or before now.
func testDeleteExpiredTokens(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	t1 := createToken(t, s, alice, "1h", at(3600))
	t2 := createToken(t, s, alice, "2h", at(7200))
	t3 := createToken(t, s, alice, "3h", at(7200).Add(time.Microsecond))

	n, err := s.DeleteExpiredTokens(ctx, at(7200))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredTokens = %d, %v; want 2, nil", n, err)
	}
	// Asked at a time they were valid, the deleted tokens are gone all the same.
	for _, tok := range []*magpie.Token{t1, t2} {
		_, err := s.UserByToken(ctx, tok.Hash, at(0))
		wantKind(t, "UserByToken(expired and deleted)", err, magpie.ENOTFOUND)
	}
	if _, err := s.UserByToken(ctx, t3.Hash, at(7200)); err != nil {
		t.Errorf("UserByToken(unexpired): %v", err)
	}

	n, err = s.DeleteExpiredTokens(ctx, at(7200))
	if err != nil || n != 0 {
		t.Errorf("DeleteExpiredTokens again = %d, %v; want 0, nil", n, err)
	}
}

func testTokenUnknownUser(t *testing.T, s magpie.Store) {
	alice := createUser(t, s, "alice")
	tok := &magpie.Token{Hash: tokenHash("x"), UserID: alice.ID + 1000, CreatedAt: t0, ExpiresAt: at(60)}
	wantKind(t, "CreateToken(unknown user)", s.CreateToken(t.Context(), tok, 10), magpie.ENOTFOUND)
}

// A user keeps the newest tokens up to the cap; the oldest go first, and
// nobody else's.
func testTokenCap(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	bobs := createToken(t, s, bob, "bob", at(3600))
	const keep = 3
	var hashes [][]byte
	for i := range 5 {
		tok := &magpie.Token{Hash: tokenHash(fmt.Sprint("alice", i)), UserID: alice.ID, CreatedAt: at(i), ExpiresAt: at(3600)}
		if err := s.CreateToken(ctx, tok, keep); err != nil {
			t.Fatalf("CreateToken %d: %v", i, err)
		}
		hashes = append(hashes, tok.Hash)
	}
	for i, h := range hashes {
		_, err := s.UserByToken(ctx, h, t0)
		if live := i >= len(hashes)-keep; live && err != nil {
			t.Errorf("token %d of 5: %v, want live", i, err)
		} else if !live && !errors.Is(err, magpie.ErrNotFound) {
			t.Errorf("token %d of 5: %v, want revoked", i, err)
		}
	}
	if _, err := s.UserByToken(ctx, bobs.Hash, t0); err != nil {
		t.Errorf("bob's token: %v, want live", err)
	}
}

func testDeleteUserTokens(t *testing.T, s magpie.Store) {
	ctx := t.Context()
	alice := createUser(t, s, "alice")
	bob := createUser(t, s, "bob")
	a1 := createToken(t, s, alice, "a1", at(3600))
	a2 := createToken(t, s, alice, "a2", at(3600))
	b := createToken(t, s, bob, "b", at(3600))
	if err := s.DeleteUserTokens(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []*magpie.Token{a1, a2} {
		if _, err := s.UserByToken(ctx, tok.Hash, t0); !errors.Is(err, magpie.ErrNotFound) {
			t.Errorf("alice's token after DeleteUserTokens: %v, want ErrNotFound", err)
		}
	}
	if _, err := s.UserByToken(ctx, b.Hash, t0); err != nil {
		t.Errorf("bob's token: %v", err)
	}
	if err := s.DeleteUserTokens(ctx, alice.ID); err != nil {
		t.Errorf("DeleteUserTokens with none left: %v", err)
	}
}
