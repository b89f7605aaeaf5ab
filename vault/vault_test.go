package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
)

var ctx = context.Background()

func TestIngestOpenRoundTrip(t *testing.T) {
	s := newStudy(t)
	tests := []struct {
		name, file, content, kind, format string
	}{
		{"binary recording", "r.m4a", "\x00\x01binary\xffdata", policy.KindDocument, FormatBinary},
		{"text notes", "notes.txt", "Walked to the market at Wexcombe.\nIt rained.\n", policy.KindFieldNotes, "txt"},
		{"markdown", "notes.md", "# Notes\n\nA quiet day.\n", policy.KindFieldNotes, "md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, tt.file, tt.content), Kind: tt.kind})
			if err != nil {
				t.Fatalf("Ingest: %v", err)
			}
			if got := d.Latest().Format; got != tt.format {
				t.Errorf("format = %q, want %q", got, tt.format)
			}
			var buf bytes.Buffer
			if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, W: &buf}); err != nil {
				t.Fatalf("OpenDoc: %v", err)
			}
			if buf.String() != tt.content {
				t.Errorf("open = %q, want %q", buf.String(), tt.content)
			}
			out := filepath.Join(t.TempDir(), "out")
			if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, Output: out}); err != nil {
				t.Fatalf("OpenDoc -o: %v", err)
			}
			if got, _ := os.ReadFile(out); string(got) != tt.content {
				t.Errorf("open -o = %q, want %q", got, tt.content)
			}
		})
	}
	rep, err := s.Verify(true)
	if err != nil || !rep.OK() {
		t.Fatalf("Verify: %v %v", err, rep.Problems)
	}
	if rep.Objects != 3 {
		t.Errorf("verify objects = %d, want 3", rep.Objects)
	}
}

func TestHandles(t *testing.T) {
	s := newStudy(t)
	p := writeFile(t, "a.txt", "x\n")
	d1, err := s.Ingest(ctx, IngestRequest{Path: p, Kind: policy.KindFieldNotes})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.Ingest(ctx, IngestRequest{Path: p, Kind: policy.KindFieldNotes, Handle: "D12", AllowDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	d3, err := s.Ingest(ctx, IngestRequest{Path: p, Kind: policy.KindFieldNotes, AllowDuplicate: true})
	if err != nil {
		t.Fatal(err)
	}
	if d1.Handle != "D1" || d2.Handle != "D12" || d3.Handle != "D2" {
		t.Errorf("handles = %s %s %s, want D1 D12 D2", d1.Handle, d2.Handle, d3.Handle)
	}
	if _, err := s.Ingest(ctx, IngestRequest{Path: p, Kind: policy.KindFieldNotes, Handle: "D12"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate handle: err = %v, want ErrInvalid", err)
	}
	if _, err := s.Ingest(ctx, IngestRequest{Path: p, Kind: policy.KindFieldNotes, Handle: "Carol Smith"}); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "Carol") {
		t.Errorf("name as handle: err = %v, want ErrInvalid without the name", err)
	}
	// A one-line text rewritten shares none of its lines: Force.
	v2, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "b.txt", "corrected\n"), VersionOf: "D1", Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Handle != "D1" || len(v2.Versions) != 2 {
		t.Errorf("new version: %s with %d versions, want D1 with 2", v2.Handle, len(v2.Versions))
	}
}

func TestBadInputLeavesVaultUnchanged(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", policy.ScopeParticipate, policy.ScopeQuote)
	addParticipant(t, s, "P2", "Bramwell Ashdown", policy.ScopeParticipate)
	tests := []struct {
		name string
		req  IngestRequest
		want error
	}{
		{"missing file", IngestRequest{Path: "/nonexistent/x.txt", Kind: policy.KindFieldNotes}, os.ErrNotExist},
		{"unknown kind", IngestRequest{Path: writeFile(t, "a.txt", "x"), Kind: "diary"}, ErrInvalid},
		{"bad date", IngestRequest{Path: writeFile(t, "a.txt", "x"), Kind: policy.KindFieldNotes, Date: "14/03/2026"}, ErrInvalid},
		{"unknown participant", IngestRequest{Path: writeFile(t, "a.txt", "x"), Kind: policy.KindTranscript, Participants: []string{"P9"}}, ErrNotFound},
		{"unknown meeting", IngestRequest{Path: writeFile(t, "a.txt", "x"), Kind: policy.KindMeetingNotes, Meeting: "M4"}, ErrNotFound},
		{"recording without record-audio", IngestRequest{Path: writeFile(t, "a.m4a", "\x00audio"), Kind: policy.KindRecording, Participants: []string{"P2"}}, policy.ErrRefused},
		{"unclosed markup", IngestRequest{Path: writeFile(t, "a.txt", "Interviewer: hello\n[dnq] secret\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}}, ErrInvalid},
		{"binary transcript", IngestRequest{Path: writeFile(t, "a.bin", "\x00\x01\x02"), Kind: policy.KindTranscript, Participants: []string{"P1"}}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s.Dir)
			_, err := s.Ingest(ctx, tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "Genevieve") || strings.Contains(err.Error(), "secret") {
				t.Errorf("error leaks protected text: %v", err)
			}
			after := snapshot(t, s.Dir)
			if errors.Is(err, policy.ErrRefused) {
				// A refusal changes nothing but is on record.
				entries, _ := s.AuditLog(AuditFilter{})
				if last := entries[len(entries)-1]; last.Action != "ingest" || last.Outcome != "refused" {
					t.Errorf("refusal not audited: last entry %s/%s", last.Action, last.Outcome)
				}
				for _, f := range []string{AuditFile, CatalogFile} {
					delete(before, f)
					delete(after, f)
				}
			}
			sameSnapshot(t, before, after)
		})
	}
}

func TestCorruption(t *testing.T) {
	s := newStudy(t)
	content := strings.Repeat("field notes line\n", 20000) // several age chunks
	d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", content), Kind: policy.KindFieldNotes})
	if err != nil {
		t.Fatal(err)
	}
	obj := objectPath(s.Dir, d.Latest().Object)
	orig, _ := os.ReadFile(obj)
	tests := []struct {
		name   string
		mangle func([]byte) []byte
	}{
		{"flipped bit in header", func(b []byte) []byte { b[40] ^= 1; return b }},
		{"flipped bit in first chunk", func(b []byte) []byte { b[len(b)/4] ^= 0x10; return b }},
		{"flipped bit in last chunk", func(b []byte) []byte { b[len(b)-5] ^= 0x80; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1000] }},
		{"truncated at a chunk boundary", func(b []byte) []byte { return b[:len(b)/2] }},
		{"empty", func(b []byte) []byte { return nil }},
		{"bytes appended", func(b []byte) []byte { return append(b, "trailing"...) }},
		{"cut inside the payload nonce", func(b []byte) []byte {
			end := bytes.Index(b, []byte("\n---"))
			end += bytes.IndexByte(b[end+1:], '\n') + 2 // past the header's MAC line
			return b[:end+8]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mangled := tt.mangle(append([]byte(nil), orig...))
			if err := os.WriteFile(obj, mangled, 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(obj, orig, 0o600)
			out := filepath.Join(t.TempDir(), "out.txt")
			_, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, Output: out})
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("open: err = %v, want ErrIntegrity", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an output file exists after a failed open")
			}
			var buf bytes.Buffer
			if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, W: &buf}); !errors.Is(err, ErrIntegrity) || buf.Len() != 0 {
				t.Errorf("open to a stream: err = %v, %d bytes written; want ErrIntegrity and nothing", err, buf.Len())
			}
			rep, err := s.Verify(true)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], d.Handle) {
				t.Errorf("verify problems = %q, want one naming %s", rep.Problems, d.Handle)
			}
		})
	}
}

func TestCatalogDamage(t *testing.T) {
	s := newStudy(t)
	path := filepath.Join(s.Dir, CatalogFile)
	orig, _ := os.ReadFile(path)
	for name, data := range map[string][]byte{
		"flipped":   func() []byte { b := append([]byte(nil), orig...); b[len(b)-3] ^= 4; return b }(),
		"truncated": orig[:len(orig)-20],
	} {
		t.Run(name, func(t *testing.T) {
			os.WriteFile(path, data, 0o600)
			defer os.WriteFile(path, orig, 0o600)
			if _, err := s.Catalog(); !errors.Is(err, ErrIntegrity) {
				t.Errorf("Catalog: err = %v, want ErrIntegrity", err)
			}
			rep, err := s.Verify(false)
			if err != nil || rep.OK() {
				t.Errorf("Verify: err = %v, problems %v; want a problem", err, rep.Problems)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	s := newStudy(t)
	d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "r.bin", "\x00\x01"), Kind: policy.KindDocument})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, W: &bytes.Buffer{}, Terminal: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("binary to terminal: err = %v, want ErrInvalid", err)
	}
	if _, err := s.OpenDoc(ctx, OpenRequest{Handle: "D99", W: &bytes.Buffer{}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown handle: err = %v, want ErrNotFound", err)
	}
	existing := writeFile(t, "exists", "keep me")
	if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, Output: existing}); !errors.Is(err, ErrInvalid) {
		t.Errorf("existing output: err = %v, want ErrInvalid", err)
	}
	if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, Output: filepath.Join(s.Dir, "leak.bin")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("output inside vault: err = %v, want ErrInvalid", err)
	}
	// Another identity is not a recipient.
	other := filepath.Join(t.TempDir(), "other.txt")
	if _, err := CreateIdentity(other, fixedNow(), ""); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: other})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Catalog(); !errors.Is(err, ErrNotRecipient) {
		t.Errorf("wrong identity: err = %v, want ErrNotRecipient", err)
	}
}

func TestOpenChecks(t *testing.T) {
	s := newStudy(t)
	if _, err := Open(t.TempDir(), Options{Providers: testProviders, IdentityFile: s.Identity.Path}); !errors.Is(err, ErrNotVault) {
		t.Errorf("not a vault: err = %v", err)
	}
	cfg := filepath.Join(s.Dir, ConfigFile)
	data, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, bytes.Replace(data, []byte(`"format": 1`), []byte(`"format": 99`), 1), 0o600)
	if _, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path}); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "99") {
		t.Errorf("newer format: err = %v, want ErrFormat naming 99", err)
	}
	os.WriteFile(cfg, data, 0o600)
	if _, err := Init(ctx, s.Dir, InitOptions{Options: Options{Providers: testProviders, IdentityFile: s.Identity.Path}}); !errors.Is(err, ErrExists) {
		t.Errorf("init twice: err = %v, want ErrExists", err)
	}
	if _, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: filepath.Join(t.TempDir(), "none")}); !errors.Is(err, ErrNoIdentity) {
		t.Errorf("missing identity: err = %v, want ErrNoIdentity", err)
	}
}

func TestIdentityFileMode(t *testing.T) {
	s := newStudy(t)
	fi, err := os.Stat(s.Identity.Path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("identity mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestPassphraseProtectedIdentity(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	idPath := filepath.Join(t.TempDir(), "identity.age")
	ask := func(pass string) PassphraseFunc {
		return func(string) (string, error) { return pass, nil }
	}
	res, err := Init(ctx, filepath.Join(t.TempDir(), "study"), InitOptions{Options: Options{Providers: testProviders, IdentityFile: idPath, Now: fixedNow}, NewPassphrase: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(idPath)
	if bytes.Contains(data, []byte("AGE-SECRET-KEY")) || !bytes.HasPrefix(data, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
		t.Fatalf("identity file is not passphrase-protected:\n%s", data)
	}
	dir := res.Study.Dir
	if _, err := Open(dir, Options{Providers: testProviders, IdentityFile: idPath, Passphrase: ask("correct horse battery")}); err != nil {
		t.Errorf("right passphrase: %v", err)
	}
	for name, p := range map[string]PassphraseFunc{"wrong passphrase": ask("wrong"), "no way to ask": nil} {
		_, err := Open(dir, Options{Providers: testProviders, IdentityFile: idPath, Passphrase: p})
		if !errors.Is(err, ErrPassphrase) {
			t.Errorf("%s: err = %v, want ErrPassphrase", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "correct horse") {
			t.Errorf("%s: error leaks the passphrase", name)
		}
	}
}
