package redact

import "context"

// A Keyer computes HMAC-SHA256 with the study's pseudonym key over a batch of
// messages, returning one 32-byte MAC per message in the same order.
//
// The key providers implement it: the local key file (vault/keys/local)
// and HashiCorp Vault Transit (vault/keys/hcvault). This is the one
// definition; the store pins a key by the HMAC of a fixed label
// (vault.KeyCheckValue). Implementations must make one round trip per call where a
// remote service is involved (splitting only very large batches), and must
// never include the key or the messages in an error.
type Keyer interface {
	HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error)
}
