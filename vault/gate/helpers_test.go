package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys"

	"github.com/fieldvault/fieldvault/policy"
)

// The helpers of the store's tests (vault/helpers_test.go), for tests of
// the exits: a study made as cmd makes it, with the providers vault/keys
// chooses.

var ctx = context.Background()

// fixedNow is the clock of every test study.
func fixedNow() time.Time { return time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC) }

// newStudy creates a study vault with a fresh identity, both in temp dirs.
func newStudy(tb testing.TB) *vault.Study {
	tb.Helper()
	tb.Setenv("HOME", tb.TempDir())
	tb.Setenv("XDG_CONFIG_HOME", tb.TempDir())
	idPath := filepath.Join(tb.TempDir(), "identity.txt")
	res, err := vault.Init(context.Background(), filepath.Join(tb.TempDir(), "study"), vault.InitOptions{Options: vault.Options{Providers: keys.For, IdentityFile: idPath, Now: fixedNow}})
	if err != nil {
		tb.Fatalf("Init: %v", err)
	}
	if !res.IdentityCreated {
		tb.Fatalf("Init did not create the identity")
	}
	return res.Study
}

// writeFile writes a file in a temp dir and returns its path.
func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// snapshot hashes every file of a directory tree (except the lock file), so
// tests can assert a vault is byte-for-byte unchanged.
func snapshot(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() == vault.LockFile {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(data)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// addParticipant registers a participant with the given scopes.
func addParticipant(tb testing.TB, s *vault.Study, handle, name string, scopes ...policy.Scope) {
	tb.Helper()
	ctx := context.Background()
	if err := s.AddParticipants(ctx, []vault.ParticipantRequest{{Handle: handle, Name: name}}); err != nil {
		tb.Fatalf("AddParticipants %s: %v", handle, err)
	}
	if len(scopes) > 0 {
		if _, err := s.RecordConsent(ctx, vault.ConsentRequest{Handle: handle, Form: "v1", Signed: "2025-01-10", Scopes: scopes}); err != nil {
			tb.Fatalf("RecordConsent %s: %v", handle, err)
		}
	}
}

// speakerStudy registers people whose names carry particles, diacritics and
// prefixes, a researcher, and a non-participant person.
func speakerStudy(t *testing.T) *vault.Study {
	t.Helper()
	s := newStudy(t)
	addParticipant(t, s, "P1", "Dafydd ap Rhys", "participate", "quote")
	addParticipant(t, s, "P2", "Amy Li", "participate") // may take part, not be quoted
	addParticipant(t, s, "P3", "Aoife Ní Bhriain", "participate", "quote")
	addParticipant(t, s, "P4", "Layla al-Sayed", "participate", "quote")
	addParticipant(t, s, "P5", "María de la Cruz", "participate", "quote")
	addParticipant(t, s, "P6", "Ciarán O'Rourke", "participate", "quote")
	if _, err := s.AddEntities(ctx, []vault.EntityRequest{{Kind: "person", Name: "Hendrik van Dijk"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddResearcher(ctx, vault.ResearcherRequest{Name: "Siân Evans", Aliases: []string{"Siân"}}); err != nil {
		t.Fatal(err)
	}
	return s
}
