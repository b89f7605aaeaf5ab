// Package keys chooses a study's key provider and audit anchor from its
// config, for cmd to hand to the store (vault.Options.Providers). The
// providers live beside each other beneath it: local (the key file in the
// study vault) and hcvault (HashiCorp Vault Transit, with the audit anchor
// in Vault's KV store). Both compute HMAC-SHA256 over a batch of messages
// (redact.Keyer); the store pins the key by its check value
// (vault.KeyCheckValue).
package keys

import (
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/fieldvault/fieldvault/vault/keys/local"
)

// For returns the providers cfg names: the local key file, or the Transit
// key with its audit anchor. An unknown provider gets none, and every use
// of the key then fails as an integrity problem naming it.
func For(cfg *vault.Config) vault.Providers {
	switch kp := cfg.KeyProvider; {
	case kp.Type == vault.ProviderLocal:
		return vault.Providers{Key: local.Provider{}}
	case kp.Type == vault.ProviderTransit && kp.Transit != nil:
		p := hcvault.Provider{Config: hcvault.Config{Mount: kp.Transit.Mount, Key: kp.Transit.Key, KeyVersion: kp.Transit.KeyVersion}}
		return vault.Providers{Key: p, Anchor: p}
	}
	return vault.Providers{}
}

var (
	_ vault.KeySource = local.Provider{}
	_ vault.KeySource = hcvault.Provider{}
	_ vault.Anchor    = hcvault.Provider{}
)
