// Package redacttest provides a recording Keyer for tests of code that
// derives pseudonyms through redact.Keyer.
package redacttest

import (
	"context"
	"crypto/sha256"
	"sync"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault/keys/local"
)

// Keyer is a redact.Keyer over a fixed key derived from a seed string. It
// records every call so tests can assert how often the key was used.
type Keyer struct {
	inner redact.Keyer
	// Err, when set, is returned by HMAC instead of a result.
	Err error

	mu    sync.Mutex
	calls [][][]byte
}

// New returns a test keyer whose key is SHA-256(seed).
func New(seed string) *Keyer {
	k := sha256.Sum256([]byte(seed))
	inner, err := local.New(k[:])
	if err != nil {
		panic(err) // unreachable: the key is 32 bytes
	}
	return &Keyer{inner: inner}
}

// HMAC implements redact.Keyer.
func (k *Keyer) HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error) {
	k.mu.Lock()
	cp := make([][]byte, len(msgs))
	for i, m := range msgs {
		cp[i] = append([]byte(nil), m...)
	}
	k.calls = append(k.calls, cp)
	err := k.Err
	k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return k.inner.HMAC(ctx, msgs)
}

// Calls returns the batches HMAC was called with, in order.
func (k *Keyer) Calls() [][][]byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([][][]byte(nil), k.calls...)
}
