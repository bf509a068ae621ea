package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// tokenBytes is the entropy of a bearer token: 256 bits.
const tokenBytes = 32

// NewToken returns a random bearer token for the client and the hash to
// store. The token itself is never stored.
func NewToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the stored form of a token. A fast hash is enough: the
// token has 256 bits of entropy, so it cannot be guessed from its hash.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
