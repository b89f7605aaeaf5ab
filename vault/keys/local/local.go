// Package local is the local key provider: the study's pseudonym key is 32
// random bytes that the study vault keeps in keys/pseudonym.age, encrypted
// to its raw recipients, and pseudonyms are derived with HMAC-SHA256 under
// it here, on this machine.
//
// The store keeps the encrypted file; this package makes the key and
// computes with it. Provider implements vault.KeySource without importing
// the store (cmd hands it in); New is the HMAC itself, a redact.Keyer.
package local

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/fieldvault/fieldvault/redact"
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

// New returns a Keyer that computes HMAC-SHA256 with key, which must be
// KeySize bytes. The key is copied.
func New(key []byte) (redact.Keyer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w, got %d", ErrKeySize, len(key))
	}
	return &localKey{key: append([]byte(nil), key...)}, nil
}

// HMAC implements redact.Keyer.
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

// Provider is the local key file as a study's key provider.
type Provider struct{}

// NewKey makes a new study's key, for the store to keep encrypted.
func (Provider) NewKey() ([]byte, error) { return GenerateKey() }

// Keyer reads the key the store keeps (stored decrypts it) and returns its
// HMAC. A key of the wrong size is reported with ErrKeySize.
func (Provider) Keyer(_ context.Context, stored func() ([]byte, error)) (redact.Keyer, error) {
	key, err := stored()
	if err != nil {
		return nil, err
	}
	return New(key)
}
