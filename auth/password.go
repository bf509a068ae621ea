// Package auth holds Magpie's credentials: argon2id password hashes and
// random bearer tokens stored only as hashes.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id costs. They are written into every hash, so hashes
// made with other costs keep verifying after the defaults change.
type Params struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, 2 passes).
var DefaultParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// A verified password is remembered this long, so HTTP Basic clients
	// do not pay for argon2id on every request.
	verifiedTTL  = 5 * time.Minute
	verifiedMax  = 10_000
	hashIDPrefix = "$argon2id$"
)

// ErrBusy is returned instead of hashing when too many hashes are waiting
// already: the caller should try again shortly.
var ErrBusy = errors.New("auth: too many passwords are being hashed; try again shortly")

// waitingPerSlot bounds the queue: with GOMAXPROCS slots of about 30 ms
// each, a request waits at most some half a second for its turn.
const waitingPerSlot = 16

// Passwords hashes and verifies passwords. It is safe for concurrent use.
//
// Hashing is the one piece of work an anonymous client can make the server
// do at will, so it is rationed: at most GOMAXPROCS hashes run at once
// (each takes MemoryKiB of memory and a CPU), a bounded number wait their
// turn, and beyond that ErrBusy comes back at once. A waiting request whose
// context ends (its client went away, its deadline passed) leaves the
// queue without hashing.
type Passwords struct {
	params  Params
	dummy   func() (string, error) // verified against when the user does not exist
	slots   chan struct{}
	waiting atomic.Int64
	maxWait int64
	now     func() time.Time

	// OnWait, if set before use, is told how long each hash waited for a
	// slot, for metrics.
	OnWait func(time.Duration)

	mu       sync.Mutex
	key      [32]byte // keys the cache, so it never holds passwords
	verified map[[32]byte]time.Time
}

// NewPasswords returns a Passwords that hashes new passwords with p.
func NewPasswords(p Params) *Passwords {
	slots := runtime.GOMAXPROCS(0)
	pw := &Passwords{
		params:   p,
		slots:    make(chan struct{}, slots),
		maxWait:  int64(waitingPerSlot * slots),
		now:      time.Now,
		verified: make(map[[32]byte]time.Time),
	}
	rand.Read(pw.key[:])
	// Made when first needed: most commands never verify a password.
	pw.dummy = sync.OnceValues(func() (string, error) { return pw.Hash(context.Background(), "not a password") })
	return pw
}

// Hash returns the PHC-style argon2id encoding of password with a random
// salt. ErrBusy if too many hashes are waiting, or ctx's error if it ends
// first.
func (pw *Passwords) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key, err := pw.derive(ctx, password, salt, pw.params, keyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%sv=%d$m=%d,t=%d,p=%d$%s$%s", hashIDPrefix, argon2.Version,
		pw.params.MemoryKiB, pw.params.Time, pw.params.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, comparing in constant
// time. An empty encoded (no such user) costs the same and returns false,
// so response times do not tell which usernames exist. ErrBusy if too many
// hashes are waiting, or ctx's error if it ends first.
func (pw *Passwords) Verify(ctx context.Context, encoded, password string) (bool, error) {
	if encoded == "" {
		dummy, err := pw.dummy()
		if err != nil {
			return false, err
		}
		_, err = pw.check(ctx, dummy, password)
		return false, err
	}
	id := pw.cacheKey(encoded, password)
	if pw.remembered(id) {
		return true, nil
	}
	ok, err := pw.check(ctx, encoded, password)
	if ok {
		pw.remember(id)
	}
	return ok, err
}

// Queue reports how many hashes are running and how many wait for a slot.
func (pw *Passwords) Queue() (running, waiting int) {
	return len(pw.slots), int(pw.waiting.Load())
}

func (pw *Passwords) check(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, want, ok := decode(encoded)
	if !ok {
		return false, nil // a hash this code cannot read matches no password
	}
	got, err := pw.derive(ctx, password, salt, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func (pw *Passwords) derive(ctx context.Context, password string, salt []byte, p Params, n uint32) ([]byte, error) {
	if err := pw.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-pw.slots }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, n), nil
}

// acquire takes a hashing slot: at once if one is free, after a wait in
// the bounded queue otherwise.
func (pw *Passwords) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case pw.slots <- struct{}{}:
		pw.observe(0)
		return nil
	default:
	}
	if pw.waiting.Add(1) > pw.maxWait {
		pw.waiting.Add(-1)
		return ErrBusy
	}
	defer pw.waiting.Add(-1)
	start := time.Now()
	select {
	case pw.slots <- struct{}{}:
		pw.observe(time.Since(start))
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (pw *Passwords) observe(waited time.Duration) {
	if pw.OnWait != nil {
		pw.OnWait(waited)
	}
}

func (pw *Passwords) cacheKey(encoded, password string) [32]byte {
	m := hmac.New(sha256.New, pw.key[:])
	m.Write([]byte(encoded))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var id [32]byte
	m.Sum(id[:0])
	return id
}

func (pw *Passwords) remembered(id [32]byte) bool {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	exp, ok := pw.verified[id]
	return ok && pw.now().Before(exp)
}

func (pw *Passwords) remember(id [32]byte) {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	now := pw.now()
	if len(pw.verified) >= verifiedMax {
		for k, exp := range pw.verified {
			if !now.Before(exp) {
				delete(pw.verified, k)
			}
		}
		if len(pw.verified) >= verifiedMax {
			clear(pw.verified)
		}
	}
	pw.verified[id] = now.Add(verifiedTTL)
}

var b64 = base64.RawStdEncoding

// decode parses "$argon2id$v=19$m=M,t=T,p=P$salt$key"; ok is false if
// encoded is not such a hash.
func decode(encoded string) (p Params, salt, key []byte, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads) {
		return p, nil, nil, false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, false
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, false
	}
	return p, salt, key, true
}
