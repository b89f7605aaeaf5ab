package hcvaulttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/vault/internal/servertest"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestServerEnv(t *testing.T) {
	t.Setenv("VAULT_TOKEN", "hvs.must-not-reach-the-server")
	t.Setenv("VAULT_ADDR", "https://vault.example.invalid")
	servertest.CheckEnv(t, serverEnv("/srv/home"), "/srv/home", "VAULT_")
}

// TestServer checks the harness against the real binary: health, transit
// enabled, Env, Token, Seal and Stop.
func TestServer(t *testing.T) {
	s := Start(t)
	s.Env(t)
	if os.Getenv("VAULT_ADDR") != s.Addr || os.Getenv("VAULT_TOKEN") != s.RootToken {
		t.Errorf("Env did not point VAULT_ADDR and VAULT_TOKEN at the server")
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), ".vault-token")); !os.IsNotExist(err) {
		t.Errorf("the test HOME has a .vault-token (err %v)", err)
	}
	c := s.Client(t)
	mounts, err := c.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := mounts["transit/"]; !ok || m.Type != "transit" {
		t.Errorf("transit is not mounted at transit/: %v", mounts["transit/"])
	}
	if m, ok := mounts["secret/"]; !ok || m.Options["version"] != "2" {
		t.Errorf("secret/ is not KV version 2")
	}

	tok := s.Token(t, `path "transit/keys/*" { capabilities = ["read"] }`)
	if tok == "" || tok == s.RootToken {
		t.Fatalf("Token returned the root token or nothing")
	}
	c.SetToken(tok)
	if _, err := c.Logical().Write("transit/keys/denied", nil); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("child token may create keys: %v", err)
	}

	s.Seal(t)
	h, err := s.Client(t).Sys().Health()
	if err != nil || !h.Sealed {
		t.Errorf("after Seal: health %+v, %v; want sealed", h, err)
	}
	s.Stop()
	s.Stop() // idempotent
	if _, err := s.Client(t).Sys().Health(); err == nil {
		t.Errorf("server still answers after Stop")
	}
	if strings.Contains(s.LogTail(50), s.RootToken) {
		t.Errorf("LogTail shows the root token")
	}
}
