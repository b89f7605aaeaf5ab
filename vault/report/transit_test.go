package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
	"github.com/fieldvault/fieldvault/vault/report"
)

// TestTransitStudy: with the HashiCorp Vault key provider (a real dev
// server), the page and the methods summary say where the key lives and
// which version is pinned, and the audit state shows the head anchored in
// Vault as compared, for the ethics officer's identity.
func TestTransitStudy(t *testing.T) {
	srv := hcvaulttest.Start(t)
	srv.Env(t)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	version, err := hcvault.Setup(ctx, hcvault.Config{Mount: "transit", Key: "report-study"})
	if err != nil {
		t.Fatalf("hcvault.Setup: %v", err)
	}
	tmp := t.TempDir()
	off, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	officer := filepath.Join(tmp, "officer.txt")
	if err := os.WriteFile(officer, []byte(off.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "study")
	res, err := vault.Init(ctx, dir, vault.InitOptions{
		Options:          vault.Options{Providers: keys.For, IdentityFile: filepath.Join(tmp, "researcher.txt"), Now: fixedNow},
		EthicsRecipients: []string{off.Recipient().String()},
		KeyProvider:      vault.ProviderTransit,
		Transit:          &vault.TransitConfig{Mount: "transit", Key: "report-study", KeyVersion: version},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Study.AddParticipants(ctx, []vault.ParticipantRequest{{Handle: "P01", Name: "Odalys Pennyworth"}}); err != nil {
		t.Fatal(err)
	}
	s, err := vault.Open(dir, vault.Options{Providers: keys.For, IdentityFile: officer, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, s, report.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Audit.OK || !r.Audit.AnchorOK || !strings.Contains(r.Audit.Anchor, "anchored in HashiCorp Vault") {
		t.Errorf("audit = %+v, want the anchored head compared", r.Audit)
	}
	if k := r.Study.Key; k.Type != vault.ProviderTransit || k.Key != "report-study" || k.KeyVersion != version {
		t.Errorf("key = %+v", k)
	}
	var page, methods bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMethods(&methods); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HashiCorp Vault Transit", "pinned to key version", "matches the head anchored in HashiCorp Vault"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if want := "pinned key version"; !strings.Contains(methods.String(), want) {
		t.Errorf("the methods summary lacks %q:\n%s", want, methods.String())
	}
	if strings.Contains(page.String()+methods.String(), "Pennyworth") {
		t.Errorf("a real name in the report")
	}
	// With a checkpoint too, both comparisons are reported.
	cp := filepath.Join(tmp, "checkpoint.json")
	if _, err := s.VerifyAudit(ctx, cp); err != nil {
		t.Fatal(err)
	}
	r, err = report.Build(ctx, s, report.Options{Checkpoint: cp})
	if err != nil || !strings.Contains(r.Audit.Checkpoint, "matches checkpoint") || !r.Audit.AnchorOK {
		t.Errorf("with a checkpoint: %v, audit %+v", err, r.Audit)
	}
}
