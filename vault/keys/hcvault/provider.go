package hcvault

import (
	"context"
	"errors"

	"github.com/fieldvault/fieldvault/redact"
)

// Provider is a Transit key as a study's key provider and audit anchor
// (vault.KeySource and vault.Anchor, which it implements without importing
// the store; cmd hands it in).
type Provider struct{ Config Config }

// NewKey returns nil: the key lives in Vault (Setup creates it).
func (Provider) NewKey() ([]byte, error) { return nil, nil }

// Keyer returns the Transit key at its pinned version; nothing is stored
// in the study vault, so stored is not read.
func (p Provider) Keyer(ctx context.Context, _ func() ([]byte, error)) (redact.Keyer, error) {
	return New(ctx, p.Config)
}

// AnchorHead records the study's audit head in Vault (see AnchorHead).
func (p Provider) AnchorHead(ctx context.Context, studyID string, seq uint64, hash string) error {
	return AnchorHead(ctx, p.Config, studyID, seq, hash)
}

// AnchoredHead returns the audit head anchored for the study; ok is false
// when none is.
func (p Provider) AnchoredHead(ctx context.Context, studyID string) (uint64, string, bool, error) {
	a, err := AnchoredHead(ctx, p.Config, studyID)
	if errors.Is(err, ErrNotAnchored) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	return a.Seq, a.Hash, true, nil
}
