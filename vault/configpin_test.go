package vault

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/policy"
)

// TestConfigTamper: someone who can write the study folder but holds no
// identity edits fieldvault.json (or plants rekey.json) so that the
// researcher's next command encrypts the catalogue and new material to a
// recipient of theirs, or uses another key provider. Every command finds
// it before writing anything (an integrity error naming what changed),
// verify reports it, the vault stays byte for byte as it was, and the
// attacker's identity reads nothing.
func TestConfigTamper(t *testing.T) {
	base, attackerID, attacker := rekeyStudy(t)
	tests := []struct {
		name string
		edit func(c *Config) // of fieldvault.json
		// intent, if set, plants rekey.json with the edited config instead.
		intent bool
		want   string
	}{
		{"a raw recipient added", func(c *Config) { c.Recipients[ClassRaw] = append(c.Recipients[ClassRaw], attacker) }, false, "lists raw recipients other than the catalogue records"},
		{"a catalogue recipient added", func(c *Config) { c.Recipients[ClassCatalog] = append(c.Recipients[ClassCatalog], attacker) }, false, "lists catalog recipients other than the catalogue records"},
		{"the researcher replaced", func(c *Config) {
			c.Recipients[ClassCatalog] = []string{attacker}
			c.Recipients[ClassRaw] = []string{attacker}
		}, false, "recipients other than the catalogue records"},
		{"another key provider", func(c *Config) {
			c.KeyProvider = KeyProvider{Type: ProviderTransit, Transit: &TransitConfig{Mount: "transit", Key: "theirs", KeyVersion: 1}}
		}, false, `names the transit key "theirs" version 1 at transit, the catalogue records the key provider "local"`},
		{"another study id", func(c *Config) { c.StudyID = "0e6f3c9a-5b1d-4c55-9a8e-1f2b3c4d5e6f" }, false, "belongs to another study"},
		{"a planted re-encryption intent", func(c *Config) {
			c.Recipients[ClassCatalog] = append(c.Recipients[ClassCatalog], attacker)
			c.Recipients[ClassRaw] = append(c.Recipients[ClassRaw], attacker)
		}, true, "rekey.json (an interrupted recipient change) was not written by fieldvault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "study")
			copyDir(t, base.Dir, dir)
			cfg, err := ReadConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(cfg)
			if tt.intent {
				data, _ := json.Marshal(rekeyIntent{Config: cfg, Classes: []string{ClassCatalog, ClassRaw}})
				if err := os.WriteFile(filepath.Join(dir, rekeyFile), data, 0o600); err != nil {
					t.Fatal(err)
				}
			} else if err := writeConfig(OS{}, dir, cfg); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			s, err := Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			form := writeFile(t, "n.txt", "Genevieve Okafor-Hale: The second shift at Wexcombe.\n")
			writes := map[string]func() error{
				"ingest": func() error {
					_, err := s.Ingest(ctx, IngestRequest{Path: form, Kind: policy.KindTranscript, Participants: []string{"P1"}})
					return err
				},
				"participant add": func() error {
					return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Bramwell Ashdown"}})
				},
				"flag": func() error { return s.Update(ctx, func(tx *Tx) error { return nil }) },
			}
			for what, write := range writes {
				if err := write(); !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v, want an integrity error containing %q", what, err, tt.want)
				}
			}
			rep, err := s.Verify(false)
			if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tt.want) {
				t.Errorf("verify: %v %+v, want the problem %q", err, rep, tt.want)
			}
			sameSnapshot(t, before, snapshot(t, dir))
			if f := decryptsAny(t, dir, attackerID); f != "" {
				t.Errorf("the attacker's identity decrypts %s", f)
			}
		})
	}
}

// decryptsAny returns a file of the vault the identity decrypts, if any.
func decryptsAny(tb testing.TB, dir, idPath string) string {
	tb.Helper()
	f, err := os.Open(idPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		tb.Fatal(err)
	}
	found := ""
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".age") {
			return err
		}
		g, err := os.Open(p)
		if err != nil {
			return err
		}
		defer g.Close()
		if _, err := age.Decrypt(g, ids...); err == nil {
			found = p
		}
		return nil
	})
	return found
}

// TestConfigPinFollowsRecipientChange: a recipient change through the
// tool moves the pin with it, so the vault opens and verifies after it,
// and a config put back to before the change is then the altered one.
func TestConfigPinFollowsRecipientChange(t *testing.T) {
	s, _, second := rekeyStudy(t)
	old, err := os.ReadFile(filepath.Join(s.Dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: second}); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := s2.Verify(true); err != nil || !rep.OK() {
		t.Fatalf("verify after the change: %v %+v", err, rep)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, ConfigFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	s3, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.Catalog(); !errors.Is(err, ErrIntegrity) {
		t.Errorf("the config from before the change: %v, want an integrity error", err)
	}
}

// TestCatalogObjectIDs: age does not say who encrypted a file, so anyone
// who knows the public recipients can write a catalogue. One whose versions
// name objects by a path ("../../victim") or by something too short for
// the objects/<ab>/ layout is refused when read, before any object path
// is made from it.
func TestCatalogObjectIDs(t *testing.T) {
	base, _, _ := rekeyStudy(t)
	for _, id := range []string{"../../../victim", "a", "3CB8F1E7-DD0D-4F73-898E-360B50CC50CA", "3cb8f1e7-dd0d-4f73-898e-360b50cc50ca/../x"} {
		t.Run(id, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "study")
			copyDir(t, base.Dir, dir)
			s, err := Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			cat, err := s.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			d1, _ := cat.Doc("D1")
			d1.Latest().Object = id
			rcpts, err := parseRecipients(s.Config.Recipients[ClassCatalog])
			if err != nil {
				t.Fatal(err)
			}
			if err := writeCatalog(OS{}, dir, cat, rcpts); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Catalog(); !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "names an object of D1 v1 that is not a UUID") {
				t.Errorf("catalogue: %v, want an integrity error naming D1 v1", err)
			}
			if _, err := s.OpenDoc(ctx, OpenRequest{Handle: "D1", Output: filepath.Join(t.TempDir(), "o.txt")}); !errors.Is(err, ErrIntegrity) {
				t.Errorf("open D1: %v, want an integrity error", err)
			}
			if rep, err := s.Verify(true); err != nil || rep.OK() {
				t.Errorf("verify: %v %+v, want a problem", err, rep)
			}
		})
	}
}
