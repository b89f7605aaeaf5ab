// Package hcvault is the HashiCorp Vault adapter (named for the service, as
// sops names its own, so nobody takes it for the study vault): the study's
// pseudonym key held in a Transit key, and the audit head anchored in
// Vault's KV store. [Provider] is how cmd hands both to the store.
//
// A [Keyer] implements redact.Keyer by calling the Transit secrets engine's
// transit/hmac/<key>/sha2-256 endpoint with batch_input, so the key never
// leaves Vault. Every call passes the key version pinned in the study's
// fieldvault.json (see [Setup]), so rotating the key in Vault changes no
// pseudonym, and a pinned version that Vault no longer allows
// (min_encryption_version) is an error, never a silent fall-back to the latest
// version.
//
// The connection is configured the way the vault CLI configures it: VAULT_ADDR,
// VAULT_TOKEN (or the token helper file ~/.vault-token), VAULT_CACERT,
// VAULT_CAPATH, VAULT_NAMESPACE and the other VAULT_* variables read by
// github.com/hashicorp/vault/api. The token never appears in any error of this
// package, and neither does an input message.
//
// Failures are reported as typed errors that callers branch on with errors.Is
// and errors.As: [ErrUnreachable], [ErrSealed], [ErrNoToken], [*PermissionError],
// [ErrMountMissing], [ErrKeyMissing], [ErrKeyVersion] and [*BatchItemError].
// Each prints as a single line with a hint of what to do.
//
// [Policy] prints the minimal Vault policy a study's token needs.
package hcvault
