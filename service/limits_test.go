package service_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-sns/magpie"
	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/ratelimit"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/sqlite"
	"github.com/magpie-sns/magpie/sqlite/sqlitetest"
)

// countingPasswords counts the hashes it is asked for, and can refuse to
// work as a full queue does.
type countingPasswords struct {
	hashes, verifies atomic.Int64
	busy             atomic.Bool
}

func (p *countingPasswords) Hash(ctx context.Context, password string) (string, error) {
	if p.busy.Load() {
		return "", auth.ErrBusy
	}
	p.hashes.Add(1)
	return cheapPasswords.Hash(ctx, password)
}

func (p *countingPasswords) Verify(ctx context.Context, encoded, password string) (bool, error) {
	if p.busy.Load() {
		return false, auth.ErrBusy
	}
	p.verifies.Add(1)
	return cheapPasswords.Verify(ctx, encoded, password)
}

func newLimitedService(t *testing.T, policy ratelimit.Policy) (*service.Service, *countingPasswords) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), sqlitetest.NewFile(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pw := &countingPasswords{}
	return service.New(service.Config{Store: db, Passwords: pw, Limiter: ratelimit.NewMemory(), Policy: policy}), pw
}

func wantLimited(t *testing.T, what string, err error) {
	t.Helper()
	var e *magpie.Error
	if !errors.As(err, &e) || e.Kind != magpie.ELIMITED || e.RetryAfter <= 0 || e.Message == "" {
		t.Errorf("%s: %v, want ELIMITED with words and a RetryAfter", what, err)
	}
}

func TestSignupLimitPerClient(t *testing.T) {
	svc, _ := newLimitedService(t, ratelimit.Policy{Signup: ratelimit.Rate{Limit: 2, Period: time.Hour}})
	ctx := t.Context()
	for _, name := range []string{"a1", "a2"} {
		if _, err := svc.CreateUser(ctx, service.NewUser{Username: name, Password: "correct-horse", Client: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.CreateUser(ctx, service.NewUser{Username: "a3", Password: "correct-horse", Client: "192.0.2.1"})
	wantLimited(t, "third sign-up from one address", err)
	if _, err := svc.CreateUser(ctx, service.NewUser{Username: "b1", Password: "correct-horse", Client: "192.0.2.2"}); err != nil {
		t.Errorf("a sign-up from another address: %v", err)
	}
	if _, err := svc.CreateUser(ctx, service.NewUser{Username: "cli", Password: "correct-horse"}); err != nil {
		t.Errorf("a sign-up from the command line: %v", err)
	}
}

func TestLoginLimitPerClient(t *testing.T) {
	svc, _ := newLimitedService(t, ratelimit.Policy{Login: ratelimit.Rate{Limit: 3, Period: time.Hour}})
	ctx := t.Context()
	mustUser(t, svc, "alice", false)
	for range 3 {
		_, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "wrong-password", Client: "192.0.2.1"})
		wantKind(t, "a wrong password", err, magpie.EUNAUTHORIZED)
	}
	_, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "alice-password", Client: "192.0.2.1"})
	wantLimited(t, "fourth login from one address", err)
	if _, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "alice-password", Client: "192.0.2.2"}); err != nil {
		t.Errorf("a login from another address: %v", err)
	}
}

// After too many wrong passwords an account refuses even the right one,
// from any address, and without hashing anything.
func TestAccountFailuresLockBeforeHashing(t *testing.T) {
	svc, pw := newLimitedService(t, ratelimit.Policy{AccountFailures: ratelimit.Rate{Limit: 3, Period: time.Hour}})
	ctx := t.Context()
	mustUser(t, svc, "alice", false)
	for i := range 3 {
		_, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "wrong-password", Client: "192.0.2.1"})
		if magpie.ErrorKind(err) != magpie.EUNAUTHORIZED {
			t.Fatalf("wrong password %d: %v", i+1, err)
		}
	}
	before := pw.verifies.Load()
	_, err := svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "alice-password", Client: "198.51.100.7"})
	wantLimited(t, "the right password of a locked account", err)
	_, err = svc.PasswordSession(ctx, service.Credentials{Username: "alice", Password: "alice-password", Client: "198.51.100.7"})
	wantLimited(t, "HTTP Basic to a locked account", err)
	if n := pw.verifies.Load() - before; n != 0 {
		t.Errorf("%d passwords verified for a locked account, want none", n)
	}
	// Unknown names are counted alike, so a lock tells nothing.
	for range 3 {
		_, err := svc.LogIn(ctx, service.Credentials{Username: "nobody", Password: "wrong-password"})
		wantKind(t, "an unknown name", err, magpie.EUNAUTHORIZED)
	}
	_, err = svc.LogIn(ctx, service.Credentials{Username: "nobody", Password: "wrong-password"})
	wantLimited(t, "an unknown name after as many failures", err)
}

func TestBasicFailuresPerClient(t *testing.T) {
	svc, _ := newLimitedService(t, ratelimit.Policy{BasicFailures: ratelimit.Rate{Limit: 2, Period: time.Hour}})
	ctx := t.Context()
	mustUser(t, svc, "alice", false)
	ok := service.Credentials{Username: "alice", Password: "alice-password", Client: "192.0.2.1"}
	for range 5 {
		if _, err := svc.PasswordSession(ctx, ok); err != nil {
			t.Fatalf("the right password: %v; successes must not count", err)
		}
	}
	for range 2 {
		_, err := svc.PasswordSession(ctx, service.Credentials{Username: "alice", Password: "wrong", Client: "192.0.2.1"})
		wantKind(t, "a wrong password", err, magpie.EUNAUTHORIZED)
	}
	_, err := svc.PasswordSession(ctx, ok)
	wantLimited(t, "HTTP Basic after two failures from one address", err)
}

func TestBusyPasswordsAreUnavailable(t *testing.T) {
	svc, pw := newLimitedService(t, ratelimit.Policy{})
	ctx := t.Context()
	mustUser(t, svc, "alice", false)
	pw.busy.Store(true)
	for what, err := range map[string]error{
		"login":   second(svc.LogIn(ctx, service.Credentials{Username: "alice", Password: "alice-password"})),
		"sign-up": second(svc.CreateUser(ctx, service.NewUser{Username: "bob", Password: "correct-horse"})),
	} {
		var e *magpie.Error
		if !errors.As(err, &e) || e.Kind != magpie.EUNAVAILABLE || e.RetryAfter <= 0 {
			t.Errorf("%s while busy: %v, want EUNAVAILABLE with a RetryAfter", what, err)
		}
	}
}

// A sign-up for a taken name is refused before its password is hashed.
func TestTakenNameIsNotHashed(t *testing.T) {
	svc, pw := newLimitedService(t, ratelimit.Policy{})
	mustUser(t, svc, "alice", false)
	before := pw.hashes.Load()
	_, err := svc.CreateUser(t.Context(), service.NewUser{Username: "alice", Password: "another-password"})
	if !errors.Is(err, magpie.ErrUsernameTaken) || magpie.ErrorKind(err) != magpie.EINVALID {
		t.Errorf("taken name: %v", err)
	}
	if n := pw.hashes.Load() - before; n != 0 {
		t.Errorf("%d hashes for a taken name, want none", n)
	}
}

func TestLogOutEverywhere(t *testing.T) {
	ctx := t.Context()
	svc, _ := newService(t)
	mustUser(t, svc, "alice", false)
	mustUser(t, svc, "bob", false)
	login := func(name string) string {
		t.Helper()
		tok, err := svc.LogIn(ctx, service.Credentials{Username: name, Password: name + "-password"})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	alices := []string{login("alice"), login("alice"), login("alice")}
	bobs := login("bob")
	basic, err := svc.PasswordSession(ctx, service.Credentials{Username: "alice", Password: "alice-password"})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, "logging out HTTP Basic", svc.LogOut(ctx, basic), magpie.EINVALID)

	sess, err := svc.TokenSession(ctx, alices[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.LogOutEverywhere(ctx, sess); err != nil {
		t.Fatal(err)
	}
	for i, tok := range alices {
		_, err := svc.TokenSession(ctx, tok)
		wantKind(t, fmt.Sprintf("alice's token %d after logging out everywhere", i+1), err, magpie.EUNAUTHORIZED)
	}
	if _, err := svc.TokenSession(ctx, bobs); err != nil {
		t.Errorf("bob's token: %v", err)
	}
	if _, err := svc.TokenSession(ctx, login("alice")); err != nil {
		t.Errorf("a token made after logging out everywhere: %v", err)
	}
}
