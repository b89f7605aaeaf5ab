package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
)

// transitStudy creates a study vault whose pseudonym key is the Transit key
// on a real Vault dev server.
func transitStudy(t *testing.T, srv *hcvaulttest.Server, key string) *Study {
	t.Helper()
	srv.Env(t)
	cfg := hcvault.Config{Mount: "transit", Key: key}
	version, err := hcvault.Setup(context.Background(), cfg)
	if err != nil {
		t.Fatalf("hcvault.Setup: %v", err)
	}
	idPath := filepath.Join(t.TempDir(), "identity.txt")
	res, err := Init(context.Background(), filepath.Join(t.TempDir(), "study"), InitOptions{
		Options:     Options{Providers: testProviders, IdentityFile: idPath, Now: fixedNow},
		KeyProvider: ProviderTransit,
		Transit:     &TransitConfig{Mount: "transit", Key: key, KeyVersion: version},
	})
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	return res.Study
}

func pseudonymOf(t *testing.T, s *Study, handle string) redact.Pseudonym {
	t.Helper()
	p, _, err := s.PseudonymFor(ctx, handle, redact.KindPerson)
	if err != nil {
		t.Fatalf("PseudonymFor %s: %v", handle, err)
	}
	return p
}

// TestTransitTeamSharesPseudonyms: two researchers' vaults on one Transit
// key give every participant the same pseudonym; rotation changes none.
func TestTransitTeamSharesPseudonyms(t *testing.T) {
	srv := hcvaulttest.Shared(t)
	a := transitStudy(t, srv, "team-study")
	b := transitStudy(t, srv, "team-study")
	people := []ParticipantRequest{{Handle: "P1", Name: "Genevieve Okafor-Hale"}, {Handle: "P2", Name: "Bramwell Ashdown"}, {Handle: "P3", Name: "Odalys Pennyworth"}}
	if err := a.AddParticipants(ctx, people); err != nil {
		t.Fatal(err)
	}
	// b registers them in another order, after the key was rotated.
	if _, err := srv.Client(t).Logical().Write("transit/keys/team-study/rotate", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.AddParticipants(ctx, []ParticipantRequest{people[2], people[0], people[1]}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"P1", "P2", "P3"} {
		if pa, pb := pseudonymOf(t, a, h), pseudonymOf(t, b, h); pa != pb {
			t.Errorf("%s: %v in one vault, %v in the other", h, pa, pb)
		}
	}
	// A local-key vault gives unrelated pseudonyms.
	l := newStudy(t)
	if err := l.AddParticipants(ctx, people); err != nil {
		t.Fatal(err)
	}
	same := 0
	for _, h := range []string{"P1", "P2", "P3"} {
		if pseudonymOf(t, a, h) == pseudonymOf(t, l, h) {
			same++
		}
	}
	if same == 3 {
		t.Errorf("a different key gave the same pseudonyms")
	}
	// The audit head is anchored in Vault and verify compares with it.
	rep, err := a.VerifyAudit(ctx, "")
	if err != nil || !rep.OK() || !strings.Contains(rep.Anchor, "anchored") {
		t.Fatalf("VerifyAudit: %v %+v", err, rep)
	}
}

// TestTransitRollbackDetected: restoring an older copy of the whole vault
// directory is caught by the head anchored in Vault.
func TestTransitRollbackDetected(t *testing.T) {
	srv := hcvaulttest.Shared(t)
	s := transitStudy(t, srv, "rollback-study")
	old := filepath.Join(t.TempDir(), "old")
	copyDir(t, s.Dir, old)
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Genevieve Okafor-Hale"}}); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(s.Dir)
	copyDir(t, old, s.Dir)
	rep, err := s.VerifyAudit(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems, " "), "rolled back") {
		t.Fatalf("rollback not detected: %+v", rep)
	}
	// No change commits on the rolled-back copy: it would run on the
	// earlier register and move the anchor back over the evidence.
	before := snapshot(t, s.Dir)
	err = s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Bramwell Ashdown"}})
	if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("a write on the rolled-back vault: %v, want an integrity error", err)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
	if rep, err := s.VerifyAudit(ctx, ""); err != nil || rep.OK() {
		t.Errorf("audit verify after the refused write: %v %+v, want the rollback still found", err, rep)
	}
}

// TestTransitStoppedMidRun: Vault going away leaves the study vault as it
// was, with an error that names the cause and no token.
func TestTransitStoppedMidRun(t *testing.T) {
	srv := hcvaulttest.Start(t)
	s := transitStudy(t, srv, "stop-study")
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Genevieve Okafor-Hale"}}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	srv.Stop()
	s2, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	err = s2.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Bramwell Ashdown"}})
	if !errors.Is(err, hcvault.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if strings.Contains(err.Error(), srv.RootToken) || strings.Contains(err.Error(), "Bramwell") {
		t.Errorf("error leaks the token or a name: %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
}

// TestTransitPermissionDenied: a token without the hmac capability gets the
// permission error naming the path, and nothing is written.
func TestTransitPermissionDenied(t *testing.T) {
	srv := hcvaulttest.Shared(t)
	s := transitStudy(t, srv, "perm-study")
	tok := srv.Token(t, `path "transit/keys/perm-study" { capabilities = ["read"] }`)
	t.Setenv("VAULT_TOKEN", tok)
	s2, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	err = s2.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Genevieve Okafor-Hale"}})
	var pe *hcvault.PermissionError
	if !errors.As(err, &pe) || !strings.Contains(pe.Path, "transit/hmac/perm-study") {
		t.Fatalf("err = %v, want a PermissionError on transit/hmac/perm-study", err)
	}
	if strings.Contains(err.Error(), tok) {
		t.Errorf("error leaks the token")
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
	for _, f := range []string{ConfigFile, AuditFile} {
		data, _ := os.ReadFile(filepath.Join(s.Dir, f))
		if strings.Contains(string(data), srv.RootToken) || strings.Contains(string(data), tok) {
			t.Errorf("%s contains a token", f)
		}
	}
}

// TestTransitKeyPinned: a Transit vault is pinned at init by the check
// value Vault computes at the pinned version; pointing the vault at
// another key (an edited config, another Vault server) is an integrity
// problem found before any pseudonym is derived, verify reports it, no
// exit runs, and the vault stays as it was.
func TestTransitKeyPinned(t *testing.T) {
	srv := hcvaulttest.Shared(t)
	s := transitStudy(t, srv, "pinned-study")
	cat, err := s.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.KeyCheck) != 64 || s.Config.KeyCheck != cat.KeyCheck {
		t.Fatalf("key check value: catalogue %q, config %q", cat.KeyCheck, s.Config.KeyCheck)
	}
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Genevieve Okafor-Hale"}}); err != nil {
		t.Fatal(err)
	}
	// Another key of the same Vault, version 1 like the study's.
	if _, err := hcvault.Setup(ctx, hcvault.Config{Key: "pinned-other"}); err != nil {
		t.Fatal(err)
	}
	s.Config.KeyProvider.Transit.Key = "pinned-other"
	if err := writeConfig(OS{}, s.Dir, s.Config); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	s2, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	err = s2.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Bramwell Ashdown"}})
	if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), `transit key "pinned-other" version 1`) {
		t.Fatalf("a participant added on another key: %v, want an integrity error naming the key", err)
	}
	rep, err := s2.VerifyContext(ctx, true)
	if err != nil || rep.OK() {
		t.Fatalf("verify --read-data on another key: %v %+v", err, rep)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
}
