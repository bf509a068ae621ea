package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// cheap keeps the tests fast; the costs live in each hash, so the code path
// is the one production uses.
var cheap = Params{Time: 1, MemoryKiB: 64, Threads: 1}

func TestVerify(t *testing.T) {
	pw := NewPasswords(cheap)
	good := mustHash(t, pw, "correct horse")
	other := mustHash(t, NewPasswords(Params{Time: 2, MemoryKiB: 128, Threads: 2}), "correct horse")

	tests := []struct {
		name     string
		encoded  string
		password string
		want     bool
	}{
		{"match", good, "correct horse", true},
		{"wrong password", good, "correct horsE", false},
		{"empty password", good, "", false},
		{"hash made with other costs", other, "correct horse", true},
		{"no such user", "", "correct horse", false},
		{"not argon2id", strings.Replace(good, "argon2id", "argon2i", 1), "correct horse", false},
		{"bad version", strings.Replace(good, "v=19", "v=16", 1), "correct horse", false},
		{"bad params", strings.Replace(good, "t=1", "t=0", 1), "correct horse", false},
		{"truncated", good[:len(good)-20], "correct horse", false},
		{"garbage", "$argon2id$v=19$m=64,t=1,p=1$!!$!!", "correct horse", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verify(t, pw, tt.encoded, tt.password); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHashIsSalted(t *testing.T) {
	pw := NewPasswords(cheap)
	a, b := mustHash(t, pw, "same password"), mustHash(t, pw, "same password")
	if a == b {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !strings.HasPrefix(a, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not in the PHC argon2id format", a)
	}
	if strings.Contains(a, "same password") {
		t.Fatal("hash contains the password")
	}
}

func TestVerifiedPasswordsAreRememberedForAWhile(t *testing.T) {
	pw := NewPasswords(cheap)
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	pw.now = func() time.Time { return now }
	encoded := mustHash(t, pw, "secret password")

	if verify(t, pw, encoded, "wrong password") {
		t.Fatal("wrong password verified")
	}
	if len(pw.verified) != 0 {
		t.Fatal("a failed verification was remembered")
	}
	if !verify(t, pw, encoded, "secret password") {
		t.Fatal("right password refused")
	}
	if !pw.remembered(pw.cacheKey(encoded, "secret password")) {
		t.Fatal("a verified password was not remembered")
	}
	now = now.Add(verifiedTTL)
	if pw.remembered(pw.cacheKey(encoded, "secret password")) {
		t.Fatal("remembered past its time")
	}
	if !verify(t, pw, encoded, "secret password") {
		t.Fatal("right password refused after the cache expired")
	}
}

func TestRememberIsBounded(t *testing.T) {
	pw := NewPasswords(cheap)
	for i := range verifiedMax + 10 {
		var id [32]byte
		id[0], id[1], id[2] = byte(i), byte(i>>8), byte(i>>16)
		pw.remember(id)
	}
	if n := len(pw.verified); n > verifiedMax {
		t.Fatalf("cache holds %d entries, more than %d", n, verifiedMax)
	}
}

func TestNewToken(t *testing.T) {
	tok, hash := NewToken()
	if len(tok) < 43 {
		t.Fatalf("token %q is shorter than 256 bits in base64", tok)
	}
	if string(HashToken(tok)) != string(hash) {
		t.Fatal("HashToken disagrees with NewToken")
	}
	tok2, _ := NewToken()
	if tok == tok2 {
		t.Fatal("two tokens are equal")
	}
}

func BenchmarkVerify(b *testing.B) {
	pw := NewPasswords(DefaultParams)
	encoded := mustHash(b, pw, "correct horse battery")
	b.Run("argon2id", func(b *testing.B) {
		for b.Loop() {
			if _, err := pw.check(b.Context(), encoded, "correct horse battery"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			verify(b, pw, encoded, "correct horse battery")
		}
	})
}

func mustHash(t testing.TB, pw *Passwords, password string) string {
	t.Helper()
	h, err := pw.Hash(t.Context(), password)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func verify(t testing.TB, pw *Passwords, encoded, password string) bool {
	t.Helper()
	ok, err := pw.Verify(t.Context(), encoded, password)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// With every slot taken and the queue full, hashing fails at once with
// ErrBusy; a request whose context ends leaves the queue without hashing.
func TestQueueIsBounded(t *testing.T) {
	pw := NewPasswords(cheap)
	encoded := mustHash(t, pw, "secret password")
	for range cap(pw.slots) {
		pw.slots <- struct{}{} // every slot busy
	}
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, pw.maxWait)
	for range pw.maxWait {
		go func() {
			_, err := pw.Verify(ctx, encoded, "wrong password")
			errs <- err
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); pw.waiting.Load() < pw.maxWait; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d waiting, want %d", pw.waiting.Load(), pw.maxWait)
		}
	}
	if _, err := pw.Verify(t.Context(), encoded, "secret password"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify with a full queue: %v, want ErrBusy", err)
	}
	if _, err := pw.Hash(t.Context(), "another password"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with a full queue: %v, want ErrBusy", err)
	}
	cancel() // the clients go away
	for range pw.maxWait {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Errorf("a waiting Verify whose context ended: %v, want context.Canceled", err)
		}
	}
	if running, waiting := pw.Queue(); running != cap(pw.slots) || waiting != 0 {
		t.Errorf("Queue() = %d running, %d waiting; want %d, 0", running, waiting, cap(pw.slots))
	}
	for range cap(pw.slots) {
		<-pw.slots
	}
	if !verify(t, pw, encoded, "secret password") {
		t.Error("the right password fails once the queue is free")
	}
}
