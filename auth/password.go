// Package auth holds Magpie's credentials: argon2id password hashes and
// random bearer tokens stored only as hashes.
package auth

import (
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

// Passwords hashes and verifies passwords. It is safe for concurrent use.
type Passwords struct {
	params Params
	dummy  func() string // verified against when the user does not exist
	slots  chan struct{} // bounds concurrent hashing: each takes MemoryKiB
	now    func() time.Time

	mu       sync.Mutex
	key      [32]byte // keys the cache, so it never holds passwords
	verified map[[32]byte]time.Time
}

// NewPasswords returns a Passwords that hashes new passwords with p.
func NewPasswords(p Params) *Passwords {
	pw := &Passwords{
		params:   p,
		slots:    make(chan struct{}, runtime.GOMAXPROCS(0)),
		now:      time.Now,
		verified: make(map[[32]byte]time.Time),
	}
	rand.Read(pw.key[:])
	// Made when first needed: most commands never verify a password.
	pw.dummy = sync.OnceValue(func() string { return pw.Hash("not a password") })
	return pw
}

// Hash returns the PHC-style argon2id encoding of password with a random salt.
func (pw *Passwords) Hash(password string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := pw.derive(password, salt, pw.params, keyLen)
	return fmt.Sprintf("%sv=%d$m=%d,t=%d,p=%d$%s$%s", hashIDPrefix, argon2.Version,
		pw.params.MemoryKiB, pw.params.Time, pw.params.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches encoded, comparing in constant
// time. An empty encoded (no such user) costs the same and returns false,
// so response times do not tell which usernames exist.
func (pw *Passwords) Verify(encoded, password string) bool {
	if encoded == "" {
		pw.check(pw.dummy(), password)
		return false
	}
	id := pw.cacheKey(encoded, password)
	if pw.remembered(id) {
		return true
	}
	if !pw.check(encoded, password) {
		return false
	}
	pw.remember(id)
	return true
}

func (pw *Passwords) check(encoded, password string) bool {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false
	}
	got := pw.derive(password, salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

func (pw *Passwords) derive(password string, salt []byte, p Params, n uint32) []byte {
	pw.slots <- struct{}{}
	defer func() { <-pw.slots }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, n)
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

var errMalformed = errors.New("auth: malformed password hash")

// decode parses "$argon2id$v=19$m=M,t=T,p=P$salt$key".
func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads) {
		return p, nil, nil, errMalformed
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errMalformed
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, errMalformed
	}
	return p, salt, key, nil
}
