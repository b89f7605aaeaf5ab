package hcvault

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/fieldvault/fieldvault/redact"

	"github.com/hashicorp/vault/api"
)

// Keyer computes HMAC-SHA256 with the study's Transit key, at its pinned
// version. It implements redact.Keyer. A Keyer is safe for concurrent use.
type Keyer struct {
	client   *api.Client
	cfg      Config
	requests atomic.Int64 // HMAC requests sent, for the tests
	// encode turns a message into a batch_input item's input. It is
	// base64.StdEncoding.EncodeToString; tests in this package replace it to
	// make the real server fail a single item.
	encode func([]byte) string
}

// Keyer implements the interface its consumer owns, redact.Keyer.
var _ redact.Keyer = (*Keyer)(nil)

// New returns a Keyer for cfg. cfg.KeyVersion must be > 0 (the version Setup
// pinned). New reads the environment but makes no request: the first request
// is the first HMAC batch, so a command run costs no extra round trip.
func New(ctx context.Context, cfg Config) (*Keyer, error) {
	cfg, err := cfg.normalise()
	if err != nil {
		return nil, err
	}
	if cfg.KeyVersion < 1 {
		return nil, newError(ErrKeyVersion, nil, "run \"fieldvault init --key-provider hashicorp-vault\" to pin the key's current version", "no key version is pinned for transit key %q", cfg.Key)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	client, err := newClient()
	if err != nil {
		return nil, err
	}
	return newKeyer(client, cfg), nil
}

func newKeyer(client *api.Client, cfg Config) *Keyer {
	return &Keyer{client: client, cfg: cfg, encode: base64.StdEncoding.EncodeToString}
}

// BatchSize returns the number of items sent per request.
func (k *Keyer) BatchSize() int { return k.cfg.BatchSize }

// KeyVersion returns the pinned key version every request passes.
func (k *Keyer) KeyVersion() int { return k.cfg.KeyVersion }

// HMAC returns HMAC-SHA256(key, msg) for every message, in order, as raw
// 32-byte MACs. It sends ceil(len(msgs)/BatchSize) requests to
// <mount>/hmac/<key>/sha2-256, each passing the pinned key_version, and
// checks every item's own error, the count and the order of the results.
// On any error it returns no MACs at all.
func (k *Keyer) HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error) {
	out := make([][]byte, 0, len(msgs))
	for start := 0; start < len(msgs); start += k.cfg.BatchSize {
		end := min(start+k.cfg.BatchSize, len(msgs))
		macs, err := k.batch(ctx, msgs[start:end], start)
		if err != nil {
			return nil, err
		}
		out = append(out, macs...)
	}
	return out, nil
}

func (k *Keyer) batch(ctx context.Context, msgs [][]byte, offset int) ([][]byte, error) {
	path := k.cfg.hmacPath()
	data := hmacRequest(msgs, k.cfg.KeyVersion, k.encode)
	k.requests.Add(1)
	secret, err := k.client.Logical().WriteWithContext(ctx, path, data)
	if err != nil {
		return nil, classify(ctx, err, k.cfg, k.client.Address(), path, "update")
	}
	if secret == nil {
		return nil, newError(ErrResponse, nil, "check that the mount is a transit secrets engine", "vault sent an empty answer to %s", path)
	}
	macs, err := parseHMACData(secret.Data, len(msgs), offset, k.cfg.KeyVersion)
	if err != nil {
		var item *BatchItemError
		if errors.As(err, &item) {
			return nil, err
		}
		return nil, fmt.Errorf("hmac with transit key %q: %w", k.cfg.Key, err)
	}
	return macs, nil
}
