package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/fieldvault/fieldvault/vault/keys/local"
)

// fixedNow is the clock of every test study.
func fixedNow() time.Time { return time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC) }

// newStudy creates a study vault with a fresh identity, both in temp dirs.
func newStudy(tb testing.TB) *Study {
	tb.Helper()
	tb.Setenv("HOME", tb.TempDir())
	tb.Setenv("XDG_CONFIG_HOME", tb.TempDir())
	idPath := filepath.Join(tb.TempDir(), "identity.txt")
	res, err := Init(context.Background(), filepath.Join(tb.TempDir(), "study"), InitOptions{Options: Options{Providers: testProviders, IdentityFile: idPath, Now: fixedNow}})
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
		if d.IsDir() || d.Name() == LockFile {
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

func sameSnapshot(tb testing.TB, before, after map[string]string) {
	tb.Helper()
	var diffs []string
	for k, v := range before {
		if after[k] != v {
			diffs = append(diffs, "changed or removed: "+k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			diffs = append(diffs, "added: "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		tb.Fatalf("vault changed:\n%s", strings.Join(diffs, "\n"))
	}
}

// addParticipant registers a participant with the given scopes.
func addParticipant(tb testing.TB, s *Study, handle, name string, scopes ...policy.Scope) {
	tb.Helper()
	ctx := context.Background()
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: handle, Name: name}}); err != nil {
		tb.Fatalf("AddParticipants %s: %v", handle, err)
	}
	if len(scopes) > 0 {
		if _, err := s.RecordConsent(ctx, ConsentRequest{Handle: handle, Form: "v1", Signed: "2025-01-10", Scopes: scopes}); err != nil {
			tb.Fatalf("RecordConsent %s: %v", handle, err)
		}
	}
}

// testProviders is what cmd hands in (vault/keys.For, which imports this
// package and so cannot be used by its tests): the local key file or the
// Transit key with its audit anchor.
func testProviders(cfg *Config) Providers {
	switch kp := cfg.KeyProvider; {
	case kp.Type == ProviderLocal:
		return Providers{Key: local.Provider{}}
	case kp.Type == ProviderTransit && kp.Transit != nil:
		p := hcvault.Provider{Config: hcvault.Config{Mount: kp.Transit.Mount, Key: kp.Transit.Key, KeyVersion: kp.Transit.KeyVersion}}
		return Providers{Key: p, Anchor: p}
	}
	return Providers{}
}
