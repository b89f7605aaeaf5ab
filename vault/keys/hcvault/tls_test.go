package hcvault

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
)

// TestTLS runs the adapter against "vault server -dev-tls": with
// VAULT_CACERT naming the server's CA, as for the vault CLI, Setup pins
// the key and HMACs work; without it the connection is refused as
// untrusted, with a one-line error naming the address and a hint.
func TestTLS(t *testing.T) {
	s := hcvaulttest.StartTLS(t)
	s.Env(t)
	if !strings.HasPrefix(s.Addr, "https://") || os.Getenv("VAULT_CACERT") != s.CACert {
		t.Fatalf("not a TLS server: %s, VAULT_CACERT=%q", s.Addr, os.Getenv("VAULT_CACERT"))
	}
	ctx := context.Background()
	cfg := Config{Key: newKeyName(t)}
	if _, err := s.Client(t).Logical().Write("transit/keys/"+cfg.Key, map[string]any{"type": DefaultKeyType, "exportable": true}); err != nil {
		t.Fatal(err)
	}
	v, err := Setup(ctx, cfg)
	if err != nil {
		t.Fatalf("Setup over TLS: %v", err)
	}
	cfg.KeyVersion = v
	k, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	msgs := names(3)
	macs, err := k.HMAC(ctx, msgs)
	if err != nil {
		t.Fatalf("HMAC over TLS: %v", err)
	}
	// The same MACs as the key exported over TLS computes locally.
	key := exportedHMACKey(t, s, cfg.Key)
	for i, m := range msgs {
		h := hmac.New(sha256.New, key)
		h.Write(m)
		if !hmac.Equal(h.Sum(nil), macs[i]) {
			t.Errorf("MAC %d differs from HMAC-SHA256 with the exported key", i)
		}
	}

	t.Setenv("VAULT_CACERT", "")
	os.Unsetenv("VAULT_CACERT")
	_, err = Setup(ctx, Config{Key: cfg.Key})
	if err == nil {
		t.Fatal("Setup trusted a server whose CA it was not given")
	}
	noSecret(t, err, s.RootToken)
	if !strings.Contains(err.Error(), s.Addr) || !strings.Contains(strings.ToLower(err.Error()), "certificate") {
		t.Errorf("error %q does not name the address and the certificate problem", err)
	}
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "hint: set VAULT_CACERT") {
		t.Errorf("error %q: want ErrUnreachable with a hint to set VAULT_CACERT", err)
	}
	// Plain HTTP to the TLS port: named as such.
	t.Setenv("VAULT_ADDR", strings.Replace(s.Addr, "https://", "http://", 1))
	if _, err := Setup(ctx, Config{Key: cfg.Key}); err == nil {
		t.Error("Setup over plain HTTP to a TLS port succeeded")
	}
	t.Setenv("VAULT_ADDR", s.Addr)

	// A CA file that does not exist is a configuration error, named.
	t.Setenv("VAULT_CACERT", filepath.Join(t.TempDir(), "missing-ca.pem"))
	if _, err := Setup(ctx, Config{Key: cfg.Key}); !errors.Is(err, ErrConfig) {
		t.Errorf("a missing VAULT_CACERT file: %v, want ErrConfig", err)
	}
}
