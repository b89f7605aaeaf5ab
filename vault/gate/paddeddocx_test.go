package gate

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

// paddedDocx writes a .docx of a few KB of text in which the speaker
// named takes turns with the interviewer, with pad bytes of incompressible
// data stored beside it as an image (pad 0: none).
func paddedDocx(tb testing.TB, path, speaker string, pad int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	var body strings.Builder
	for i := range 60 {
		who := "Interviewer"
		if i%2 == 1 {
			who = speaker
		}
		fmt.Fprintf(&body, "<w:p><w:r><w:t>%s: and then we went down to the hall, turn %d</w:t></w:r></w:p>", who, i)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"word/document.xml", `<?xml version="1.0"?><w:document ` + wordNS + `><w:body>` + body.String() + `</w:body></w:document>`},
	}
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			tb.Fatal(err)
		}
	}
	if pad > 0 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "word/media/image1.png", Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		rnd := rand.NewChaCha8([32]byte{1})
		buf := make([]byte, 1<<20)
		for left := pad; left > 0; left -= len(buf) {
			b := buf[:min(left, len(buf))]
			rnd.Read(b)
			if _, err := w.Write(b); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// s3Study creates a study on a fresh bucket of a real S3 server.
func s3Study(tb testing.TB) *vault.Study {
	tb.Helper()
	srv := s3test.Start(tb)
	srv.Env(tb)
	tb.Setenv("HOME", tb.TempDir())
	tb.Setenv("XDG_CONFIG_HOME", tb.TempDir())
	tb.Setenv("XDG_STATE_HOME", tb.TempDir())
	url := "s3://" + srv.Bucket(tb) + "/studies/padded"
	idPath := filepath.Join(tb.TempDir(), "identity.txt")
	res, err := vault.Init(ctx, url, vault.InitOptions{Options: vault.Options{Providers: keys.For, IdentityFile: idPath, Now: fixedNow}})
	if err != nil {
		tb.Fatalf("Init %s: %v", url, err)
	}
	return res.Study
}

// TestPaddedDocxPeakHeap: a .docx of a few KB of text padded with 64 MiB
// of incompressible data (an image, or a hostile file) ingests, and its
// export, open --lines and a participant's record read only the parts they
// parse: each peaks within an export's ceiling, on a directory study and
// on object storage, and gives what the same .docx without the padding
// gives.
func TestPaddedDocxPeakHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 64 MiB .docx")
	}
	pad := 64 << 20
	if raceEnabled {
		pad = 8 << 20 // nothing is asserted; the padding only has to be there
	}
	const speaker = "Genevieve Okafor-Hale"
	dir := t.TempDir()
	plain, padded := filepath.Join(dir, "plain.docx"), filepath.Join(dir, "padded.docx")
	paddedDocx(t, plain, speaker, 0)
	paddedDocx(t, padded, speaker, pad)

	for _, tt := range []struct {
		name  string
		study func(testing.TB) *vault.Study
	}{
		{"directory", newStudy},
		{"s3", s3Study},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.study(t)
			addParticipant(t, s, "P1", speaker, "participate", "quote")
			ingest := func(path, handle string) {
				t.Helper()
				if _, err := s.Ingest(ctx, vault.IngestRequest{Path: path, Kind: policy.KindTranscript, Participants: []string{"P1"}, Date: "2026-02-17", Handle: handle}); err != nil {
					t.Fatalf("ingest %s: %v", filepath.Base(path), err)
				}
			}
			ingest(plain, "D1")
			ingest(padded, "D2")
			export := func(h string) string {
				t.Helper()
				var buf bytes.Buffer
				if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: h, Format: "md", W: &buf}); err != nil {
					t.Fatalf("export %s: %v", h, err)
				}
				return buf.String()
			}
			lines := func(h string) string {
				t.Helper()
				var buf bytes.Buffer
				if err := s.OpenLines(ctx, h, 0, &buf); err != nil {
					t.Fatalf("open --lines %s: %v", h, err)
				}
				return buf.String()
			}
			// The padded document reads as the plain one does (its handle
			// aside).
			if got, want := strings.ReplaceAll(export("D2"), "D2", "D1"), export("D1"); got != want {
				t.Errorf("export of the padded .docx:\n%s\nwant, as the plain one:\n%s", got, want)
			}
			if got, want := lines("D2"), lines("D1"); got != want || !strings.Contains(got, "turn 59") {
				t.Errorf("open --lines of the padded .docx:\n%s\nwant, as the plain one:\n%s", got, want)
			}

			for _, m := range []struct {
				what string
				peak func() uint64
			}{
				{"export", func() uint64 { return exportPeak(t, s, "D2", "md") }},
				{"open --lines", func() uint64 { return openLinesPeak(t, s, "D2") }},
				{"record", func() uint64 { return recordPeak(t, s, "P1") }},
			} {
				if peak := m.peak(); peak > exportCeiling && !raceEnabled {
					t.Errorf("%s of a .docx padded with %d MiB: peak heap %.1f MiB, ceiling %d MiB", m.what, pad>>20, float64(peak)/(1<<20), exportCeiling>>20)
				}
			}
		})
	}
}
