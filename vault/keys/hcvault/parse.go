package hcvault

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/api"
)

// macSize is the size of an HMAC-SHA256.
const macSize = 32

// hmacRequest builds the data of one batch request. Each item carries its
// index in the batch as its reference, so the answer's order can be checked.
func hmacRequest(msgs [][]byte, version int, encode func([]byte) string) map[string]any {
	items := make([]map[string]string, len(msgs))
	for i, m := range msgs {
		items[i] = map[string]string{"input": encode(m), "reference": strconv.Itoa(i)}
	}
	return map[string]any{"key_version": version, "batch_input": items}
}

// parseHMACData turns the data of the answer to one batch of n items into n
// raw MACs. offset is the index of the batch's first item in the caller's
// slice, so that a *BatchItemError names the caller's index. It checks every
// item's own error, the count, the order (by reference) and the key version
// of each MAC.
func parseHMACData(data map[string]any, n, offset, version int) ([][]byte, error) {
	raw, ok := data["batch_results"].([]any)
	if !ok {
		return nil, newError(ErrResponse, nil, "check that the mount is a transit secrets engine", "vault's hmac answer has no batch_results")
	}
	if len(raw) != n {
		return nil, newError(ErrResponse, nil, "retry; if it persists, check the vault server", "vault answered %d hmac results for %d inputs", len(raw), n)
	}
	out := make([][]byte, n)
	for i, r := range raw {
		item, ok := r.(map[string]any)
		if !ok {
			return nil, newError(ErrResponse, nil, "check the vault server", "vault's hmac result %d is not an object", offset+i)
		}
		if e, _ := item["error"].(string); e != "" {
			return nil, &BatchItemError{Index: offset + i, Reason: oneLine(e)}
		}
		if ref, _ := item["reference"].(string); ref != strconv.Itoa(i) {
			return nil, newError(ErrResponse, nil, "retry; if it persists, check the vault server", "vault's hmac results are out of order at batch item %d", offset+i)
		}
		s, _ := item["hmac"].(string)
		mac, err := parseHMAC(s, version)
		if err != nil {
			return nil, fmt.Errorf("batch item %d: %w", offset+i, err)
		}
		out[i] = mac
	}
	return out, nil
}

// parseHMAC decodes Vault's "vault:v<N>:<base64>" into the raw 32-byte MAC and
// checks that N is the pinned version.
func parseHMAC(s string, version int) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "vault:v")
	if !ok {
		return nil, newError(ErrResponse, nil, "", "hmac is not of the form vault:v<version>:<base64>")
	}
	vs, b64, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, newError(ErrResponse, nil, "", "hmac is not of the form vault:v<version>:<base64>")
	}
	v, err := strconv.Atoi(vs)
	if err != nil || v < 1 || strconv.Itoa(v) != vs {
		return nil, newError(ErrResponse, err, "", "hmac has a malformed key version")
	}
	if v != version {
		return nil, newError(ErrKeyVersion, nil, "report this: fieldvault pins the key version on every request", "vault computed the hmac with key version %d, not the pinned version %d", v, version)
	}
	mac, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return nil, newError(ErrResponse, err, "", "hmac is not valid base64")
	}
	if len(mac) != macSize {
		return nil, newError(ErrResponse, nil, "use the sha2-256 algorithm", "hmac is %d bytes, want %d", len(mac), macSize)
	}
	return mac, nil
}

// keyInfo is what fieldvault needs from transit/keys/<key>.
type keyInfo struct {
	Type                 string
	LatestVersion        int
	MinEncryptionVersion int
	MinDecryptionVersion int
}

// parseKeyInfo decodes the answer to a read of transit/keys/<key>.
func parseKeyInfo(body []byte) (keyInfo, error) {
	var resp struct {
		Data *struct {
			Type                 string `json:"type"`
			LatestVersion        *int   `json:"latest_version"`
			MinEncryptionVersion int    `json:"min_encryption_version"`
			MinDecryptionVersion int    `json:"min_decryption_version"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return keyInfo{}, newError(ErrResponse, err, "check that the mount is a transit secrets engine", "decoding vault's key description: not valid json")
	}
	if resp.Data == nil || resp.Data.LatestVersion == nil {
		return keyInfo{}, newError(ErrResponse, nil, "check that the mount is a transit secrets engine", "vault's key description has no latest_version")
	}
	d := resp.Data
	if *d.LatestVersion < 1 || d.MinEncryptionVersion < 0 || d.MinEncryptionVersion > *d.LatestVersion {
		return keyInfo{}, newError(ErrResponse, nil, "check the key's configuration in vault", "vault's key description has inconsistent versions (latest %d, min_encryption_version %d)", *d.LatestVersion, d.MinEncryptionVersion)
	}
	return keyInfo{Type: d.Type, LatestVersion: *d.LatestVersion, MinEncryptionVersion: d.MinEncryptionVersion, MinDecryptionVersion: d.MinDecryptionVersion}, nil
}

// checkVersion reports whether the pinned version may compute HMACs.
func checkVersion(cfg Config, info keyInfo) error {
	v := cfg.KeyVersion
	switch {
	case v < 1:
		return newError(ErrKeyVersion, nil, "run \"fieldvault init\" to pin the key's current version", "no key version is pinned for transit key %q", cfg.Key)
	case info.MinEncryptionVersion > 0 && v < info.MinEncryptionVersion:
		return newError(ErrKeyVersion, nil,
			fmt.Sprintf("fieldvault never falls back to a newer version, which would change every pseudonym; ask the vault administrator to run: vault write %s/config min_encryption_version=%d", cfg.keyPath(), v),
			"pinned version %d of transit key %q is below its min_encryption_version %d, so vault refuses to compute hmacs with it", v, cfg.Key, info.MinEncryptionVersion)
	case v > info.LatestVersion:
		return newError(ErrKeyVersion, nil, "check that VAULT_ADDR and --transit-key name the study's key; a recreated key cannot reproduce the old pseudonyms",
			"pinned version %d of transit key %q is above its latest version %d", v, cfg.Key, info.LatestVersion)
	}
	return nil
}

// classify turns an error from the vault client into one of this package's
// errors. method is "read" or "update" (the capability the request needs).
// The *api.ResponseError is wrapped but never printed: its text is
// multi-line, and the messages below name everything a user needs.
func classify(ctx context.Context, err error, cfg Config, addr, path, capability string) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("vault request to %s: %w", path, ctxErr)
	}
	var re *api.ResponseError
	if !errors.As(err, &re) {
		if errors.Is(err, context.DeadlineExceeded) {
			return newError(ErrUnreachable, err, "check the network, or raise VAULT_CLIENT_TIMEOUT", "vault at %s did not answer in time", addr)
		}
		if tlsErr := tlsProblem(err, addr); tlsErr != nil {
			return tlsErr
		}
		if notJSON(err) {
			// Something answered, but not as Vault does: a web page, a proxy.
			return newError(ErrResponse, err, "check VAULT_ADDR: it must be the vault server's API address (e.g. https://vault.example:8200)", "%s answered with something that is not vault's json: it is not a vault server", addr)
		}
		return newError(ErrUnreachable, err, "check VAULT_ADDR and that the vault server is running", "cannot reach vault at %s", addr)
	}
	msgs := strings.ToLower(strings.Join(re.Errors, "; "))
	switch {
	case re.StatusCode == 403:
		return &PermissionError{Path: path, Capability: capability, cause: err}
	case re.StatusCode == 503 && strings.Contains(msgs, "sealed"):
		return newError(ErrSealed, err, "ask a vault operator to unseal it (vault operator unseal), then retry", "vault at %s is sealed", addr)
	case strings.Contains(msgs, "no handler for route"):
		return newError(ErrMountMissing, err, fmt.Sprintf("enable it with: vault secrets enable -path=%s transit", cfg.Mount), "no transit secrets engine is mounted at %q on vault at %s", cfg.Mount, addr)
	case strings.Contains(msgs, "encryption key not found") || (re.StatusCode == 404 && path == cfg.keyPath()):
		return newError(ErrKeyMissing, err, fmt.Sprintf("create it with: vault write -f %s type=%s", cfg.keyPath(), DefaultKeyType), "transit key %q does not exist at mount %q", cfg.Key, cfg.Mount)
	case strings.Contains(msgs, "version is too old"):
		return newError(ErrKeyVersion, err, fmt.Sprintf("fieldvault never falls back to a newer version, which would change every pseudonym; ask the vault administrator to run: vault write %s/config min_encryption_version=%d", cfg.keyPath(), cfg.KeyVersion),
			"pinned version %d of transit key %q is below its min_encryption_version, so vault refuses to compute hmacs with it", cfg.KeyVersion, cfg.Key)
	case strings.Contains(msgs, "key version does not exist"):
		return newError(ErrKeyVersion, err, "check that VAULT_ADDR and the key name are the study's; a recreated key cannot reproduce the old pseudonyms",
			"pinned version %d of transit key %q does not exist in vault", cfg.KeyVersion, cfg.Key)
	case re.StatusCode == 503 || re.StatusCode == 502 || re.StatusCode == 504:
		return newError(ErrUnreachable, err, "retry later; check the vault server's health", "vault at %s is unavailable (http %d)", addr, re.StatusCode)
	}
	return newError(ErrResponse, err, "check the vault server log", "vault answered http %d to %s: %s", re.StatusCode, path, oneLine(strings.Join(re.Errors, "; ")))
}

// tlsProblem names a TLS failure to reach vault: a certificate this machine
// does not trust, one for another host, or plain HTTP at an https address.
func tlsProblem(err error, addr string) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
	)
	const caHint = "set VAULT_CACERT (or VAULT_CAPATH) to the PEM file of the CA that signed the vault server's certificate, as for the vault CLI"
	switch {
	case errors.As(err, &unknown):
		return newError(ErrUnreachable, err, caHint, "vault at %s presented a certificate signed by an authority this machine does not trust", addr)
	case errors.As(err, &hostname):
		return newError(ErrUnreachable, err, "use the host name the certificate was issued for in VAULT_ADDR, or set VAULT_TLS_SERVER_NAME", "vault at %s presented a certificate for another host name", addr)
	case errors.As(err, &invalid), errors.As(err, &verify):
		return newError(ErrUnreachable, err, caHint, "vault at %s presented a certificate that does not verify", addr)
	case errors.As(err, &record):
		return newError(ErrUnreachable, err, "check the scheme of VAULT_ADDR: http:// or https:// as the server listens", "vault at %s does not speak TLS", addr)
	}
	return nil
}

// notJSON reports whether err is the vault client failing to decode an
// answer: the server at VAULT_ADDR spoke HTTP but not Vault's API.
func notJSON(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ)
}
