package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
)

// TestTransitTeam runs the CLI against a real Vault dev server: two
// researchers' vaults share one Transit key, so the same person gets the
// same pseudonym in both, and transit policy reads the key from the vault.
func TestTransitTeam(t *testing.T) {
	srv := hcvaulttest.Shared(t) // skips without a vault binary, unless CI requires it
	srv.Env(t)
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	key := "cmdteam-" + hex.EncodeToString(rnd[:])
	base := t.TempDir()
	t.Setenv("FIELDVAULT_IDENTITY", filepath.Join(base, "id.txt"))

	var pseudonyms []string
	for _, name := range []string{"alice", "bob"} {
		dir := filepath.Join(base, name)
		code, stdout, stderr := runCLI(t, "init", dir, "--key-provider", "hashicorp-vault", "--transit-key", key)
		if code != exitOK {
			t.Fatalf("init %s: exit %d: %s", name, code, stderr)
		}
		if want := "transit key transit/" + key + ", version 1 pinned"; !strings.Contains(stdout, want) {
			t.Errorf("init output %q lacks %q", stdout, want)
		}
		if code, _, stderr := runCLI(t, "--vault", dir, "participant", "add", "P01", "--name", "Genevieve Okafor-Hale"); code != exitOK {
			t.Fatalf("participant add in %s: exit %d: %s", name, code, stderr)
		}
		code, stdout, stderr = runCLI(t, "--vault", dir, "pseudonym", "P01")
		if code != exitOK || !strings.HasPrefix(stdout, "P01: ") {
			t.Fatalf("pseudonym in %s: exit %d, stdout %q, stderr %q", name, code, stdout, stderr)
		}
		pseudonyms = append(pseudonyms, stdout)

		code, stdout, _ = runCLI(t, "--vault", dir, "transit", "policy")
		if want := `path "transit/hmac/` + key + `/sha2-256"`; code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("transit policy: exit %d, output lacks %q:\n%s", code, want, stdout)
		}
	}
	if pseudonyms[0] != pseudonyms[1] {
		t.Errorf("the same person got %q in one vault and %q in the other", pseudonyms[0], pseudonyms[1])
	}
	// The key is rotated; a researcher joining later pins the team's version
	// and gets the team's pseudonyms; one who does not pins the new version.
	if _, err := srv.Client(t).Logical().Write("transit/keys/"+key+"/rotate", nil); err != nil {
		t.Fatal(err)
	}
	join := func(name string, extra ...string) string {
		dir := filepath.Join(base, name)
		args := append([]string{"init", dir, "--key-provider", "hashicorp-vault", "--transit-key", key}, extra...)
		if code, _, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("init %s: exit %d: %s", name, code, stderr)
		}
		if code, _, stderr := runCLI(t, "--vault", dir, "participant", "add", "P01", "--name", "Genevieve Okafor-Hale"); code != exitOK {
			t.Fatalf("participant add in %s: exit %d: %s", name, code, stderr)
		}
		_, stdout, _ := runCLI(t, "--vault", dir, "pseudonym", "P01")
		return stdout
	}
	if got := join("carol", "--transit-key-version", "1"); got != pseudonyms[0] {
		t.Errorf("a member pinning version 1 after rotation got %q, the team has %q", got, pseudonyms[0])
	}
	if got := join("dave"); got == pseudonyms[0] {
		t.Errorf("a member pinning the rotated version got the team's pseudonym %q: the version is not used", got)
	}
	if strings.Contains(pseudonyms[0], "Genevieve") || strings.Contains(pseudonyms[0], "Okafor") {
		t.Errorf("pseudonym %q repeats the real name", pseudonyms[0])
	}
}

// TestTransitPermissionDenied: a token without the policy fieldvault needs
// is refused at init with the path and capability, and nothing is created.
func TestTransitPermissionDenied(t *testing.T) {
	srv := hcvaulttest.Shared(t)
	srv.Env(t)
	token := srv.Token(t, `path "sys/health" { capabilities = ["read"] }`)
	t.Setenv("VAULT_TOKEN", token)
	base := t.TempDir()
	t.Setenv("FIELDVAULT_IDENTITY", filepath.Join(base, "id.txt"))
	dir := filepath.Join(base, "study")
	code, _, stderr := runCLI(t, "init", dir, "--key-provider", "hashicorp-vault", "--transit-key", "cmd-denied")
	if code != exitError {
		t.Fatalf("exit code = %d, want %d; stderr %q", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "transit/keys/cmd-denied") {
		t.Errorf("stderr %q does not name the path", stderr)
	}
	if strings.Contains(stderr, token) {
		t.Error("stderr holds the token")
	}
	if fileExists(filepath.Join(dir, "fieldvault.json")) {
		t.Error("a vault was created although Vault refused")
	}
}

// TestTransitRollback: with the Vault provider the audit head is anchored in
// Vault, so restoring an earlier copy of the whole vault directory is found
// by audit verify (exit 4) without any checkpoint file.
func TestTransitRollback(t *testing.T) {
	srv := hcvaulttest.Shared(t)
	srv.Env(t)
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	t.Setenv("FIELDVAULT_IDENTITY", filepath.Join(base, "id.txt"))
	dir, earlier := filepath.Join(base, "study"), filepath.Join(base, "earlier")
	if code, _, stderr := runCLI(t, "init", dir, "--key-provider", "hashicorp-vault", "--transit-key", "cmdroll-"+hex.EncodeToString(rnd[:])); code != exitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if err := os.CopyFS(earlier, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "--vault", dir, "participant", "add", "P01", "--name", "Bramwell Ashdown"); code != exitOK {
		t.Fatalf("participant add: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "--vault", dir, "audit", "verify")
	if code != exitOK || !strings.Contains(stdout, "matches the head anchored in HashiCorp Vault") {
		t.Fatalf("audit verify: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "--vault", earlier, "audit", "verify")
	if code != exitIntegrity {
		t.Fatalf("audit verify of the rolled-back copy: exit %d, want %d\nstdout %s\nstderr %s", code, exitIntegrity, stdout, stderr)
	}
	if !strings.Contains(stdout, "rolled back") {
		t.Errorf("stdout %q does not say the vault was rolled back", stdout)
	}
}

// TestTransitSealed: a sealed Vault is named as such at init, and nothing is
// created.
func TestTransitSealed(t *testing.T) {
	srv := hcvaulttest.Start(t) // its own server: this test seals it
	srv.Env(t)
	srv.Seal(t)
	base := t.TempDir()
	t.Setenv("FIELDVAULT_IDENTITY", filepath.Join(base, "id.txt"))
	dir := filepath.Join(base, "study")
	code, _, stderr := runCLI(t, "init", dir, "--key-provider", "hashicorp-vault", "--transit-key", "cmdsealed")
	if code != exitError {
		t.Fatalf("exit code = %d, want %d; stderr %q", code, exitError, stderr)
	}
	if !strings.Contains(stderr, "sealed") || strings.Count(stderr, "\n") > 2 {
		t.Errorf("stderr = %q, want a short message that Vault is sealed", stderr)
	}
	if fileExists(filepath.Join(dir, "fieldvault.json")) {
		t.Error("a vault was created although Vault is sealed")
	}
}
