package hcvault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/vault/api"
)

// setupProbe is the message Setup HMACs to prove the token may use the key.
var setupProbe = []byte("fieldvault:setup-probe")

// Setup checks the connection and the key and returns the version to pin in
// fieldvault.json.
//
// It checks that Vault is reachable and unsealed, reads <mount>/keys/<key>
// and, if the key is missing, creates it (type aes256-gcm96) where the token
// may; otherwise it returns an error that wraps ErrKeyMissing and says what to
// create. With cfg.KeyVersion == 0 it pins the key's latest version; with a
// version already pinned it checks that version instead and returns it. A
// pinned version below the key's min_encryption_version (or above its latest)
// is an ErrKeyVersion error that says so; there is no fall-back to another
// version. Finally it computes one HMAC with the version, which proves the
// token holds the "update" capability on the hmac path.
func Setup(ctx context.Context, cfg Config) (version int, err error) {
	cfg, err = cfg.normalise()
	if err != nil {
		return 0, err
	}
	client, err := newClient()
	if err != nil {
		return 0, err
	}
	if err := checkHealth(ctx, client); err != nil {
		return 0, err
	}
	info, err := readKey(ctx, client, cfg)
	if errors.Is(err, ErrKeyMissing) {
		if err := createKey(ctx, client, cfg); err != nil {
			return 0, err
		}
		info, err = readKey(ctx, client, cfg)
	}
	if err != nil {
		return 0, err
	}
	if cfg.KeyVersion == 0 {
		cfg.KeyVersion = info.LatestVersion
	}
	if err := checkVersion(cfg, info); err != nil {
		return 0, err
	}
	if _, err := newKeyer(client, cfg).HMAC(ctx, [][]byte{setupProbe}); err != nil {
		return 0, err
	}
	return cfg.KeyVersion, nil
}

// checkHealth asks sys/health (which needs no token) whether Vault is up and
// unsealed.
func checkHealth(ctx context.Context, client *api.Client) error {
	h, err := client.Sys().HealthWithContext(ctx)
	if err != nil {
		return classify(ctx, err, Config{}, client.Address(), "sys/health", "read")
	}
	if h.Sealed {
		return newError(ErrSealed, nil, "ask a vault operator to unseal it (vault operator unseal), then retry", "vault at %s is sealed", client.Address())
	}
	if !h.Initialized {
		return newError(ErrSealed, nil, "initialise and unseal vault (vault operator init), then retry", "vault at %s is not initialised", client.Address())
	}
	return nil
}

func readKey(ctx context.Context, client *api.Client, cfg Config) (keyInfo, error) {
	path := cfg.keyPath()
	resp, err := client.Logical().ReadRawWithContext(ctx, path)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		return keyInfo{}, classify(ctx, err, cfg, client.Address(), path, "read")
	}
	if resp == nil {
		return keyInfo{}, newError(ErrKeyMissing, nil, fmt.Sprintf("create it with: vault write -f %s type=%s", path, DefaultKeyType), "transit key %q does not exist at mount %q", cfg.Key, cfg.Mount)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return keyInfo{}, newError(ErrUnreachable, err, "retry; check the network and the vault server", "reading vault's answer to %s was cut off", path)
	}
	info, err := parseKeyInfo(raw)
	if err != nil {
		return keyInfo{}, fmt.Errorf("reading transit key %q: %w", cfg.Key, err)
	}
	return info, nil
}

func createKey(ctx context.Context, client *api.Client, cfg Config) error {
	path := cfg.keyPath()
	body, err := json.Marshal(map[string]string{"type": DefaultKeyType})
	if err != nil {
		return fmt.Errorf("encoding key creation request: %w", err)
	}
	resp, err := client.Logical().WriteRawWithContext(ctx, path, body)
	if resp != nil {
		resp.Body.Close()
	}
	if err == nil {
		return nil
	}
	err = classify(ctx, err, cfg, client.Address(), path, "update")
	var perm *PermissionError
	if errors.As(err, &perm) {
		return newError(ErrKeyMissing, perm,
			fmt.Sprintf("ask a vault administrator to run: vault write -f %s type=%s, then run init again", path, DefaultKeyType),
			"transit key %q does not exist at mount %q and the token may not create it (it lacks \"update\" on %q)", cfg.Key, cfg.Mount, path)
	}
	return err
}
