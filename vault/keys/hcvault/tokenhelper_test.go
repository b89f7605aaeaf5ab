package hcvault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mitchellh/go-homedir"
)

// The vault CLI's configuration and token helper find the home directory
// with go-homedir, which caches it; tests give each case its own HOME.
func init() { homedir.DisableCache = true }

// TestTokenHelperFromVaultConfig: with VAULT_TOKEN unset, the token comes
// from the token_helper that ~/.vault (or VAULT_CONFIG_PATH) names, as for
// the vault CLI; a failing helper is named in a one-line error that holds
// no token.
func TestTokenHelperFromVaultConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("VAULT_TOKEN", "")
	t.Setenv("VAULT_CONFIG_PATH", "")
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:1")
	const tok = "hvs.from-the-token-helper"
	helper := filepath.Join(home, "helper.sh")
	script := "#!/bin/sh\n[ \"$1\" = get ] && printf '%s\\n' '" + tok + "'\n"
	if err := os.WriteFile(helper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	// A ~/.vault-token that must not win over the configured helper.
	if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte("hvs.stale-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".vault"), []byte(`token_helper = "`+helper+`"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := newClient()
	if err != nil {
		t.Fatalf("newClient with a token helper: %v", err)
	}
	if c.Token() != tok {
		t.Errorf("the token of the configured token_helper was not used")
	}

	// VAULT_CONFIG_PATH names another configuration, as for the CLI.
	failing := filepath.Join(home, "failing.sh")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho 'helper broke' >&2\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(home, "other.hcl")
	if err := os.WriteFile(other, []byte(`token_helper = "`+failing+`"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_CONFIG_PATH", other)
	_, err = newClient()
	if !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), failing) || strings.Contains(err.Error(), "\n") {
		t.Errorf("a failing token helper: %v, want a one-line ErrNoToken naming %s", err, failing)
	}

	// No helper configured: ~/.vault-token, as before.
	t.Setenv("VAULT_CONFIG_PATH", filepath.Join(home, "absent.hcl"))
	if c, err := newClient(); err != nil || c.Token() != "hvs.stale-file" {
		t.Errorf("without a token_helper the token file was not used: %v", err)
	}
}
