package redact

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the size of a local pseudonym key in bytes.
const KeySize = 32

// GenerateKey returns a new random local pseudonym key.
func GenerateKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generating pseudonym key: %w", err)
	}
	return k, nil
}

// ErrKeySize reports a local key of the wrong length.
var ErrKeySize = errors.New("pseudonym key must be 32 bytes")

type localKey struct{ key []byte }

// NewLocalKey returns a Keyer that computes HMAC-SHA256 with key, which
// must be KeySize bytes. The key is copied.
func NewLocalKey(key []byte) (Keyer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w, got %d", ErrKeySize, len(key))
	}
	return &localKey{key: append([]byte(nil), key...)}, nil
}

// HMAC implements Keyer.
func (k *localKey) HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		h := hmac.New(sha256.New, k.key)
		h.Write(m)
		out[i] = h.Sum(nil)
	}
	return out, nil
}
