package gate

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/redact/format/transcript/transcripttest"
	"github.com/fieldvault/fieldvault/vault"
)

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// wordFile builds a .docx as Word writes one: a body with a footnote that
// names the participant, a comment and a header.
func wordFile(t *testing.T) string {
	t.Helper()
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"word/document.xml", `<?xml version="1.0"?><w:document ` + wordNS + `><w:body>` +
			`<w:p><w:r><w:t>Interviewer: Where did you grow up?</w:t></w:r></w:p>` +
			`<w:p><w:r><w:t>Genevieve Okafor-Hale: In Wexcombe, by the docks.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:commentReference w:id="0"/></w:r></w:p>` +
			`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Year</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Place</w:t></w:r></w:p></w:tc></w:tr>` +
			`<w:tr><w:tc><w:p><w:r><w:t>1998</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Wexcombe</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
			`</w:body></w:document>`},
		{"word/footnotes.xml", `<?xml version="1.0"?><w:footnotes ` + wordNS + `><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Genevieve moved away from Wexcombe in 2004.</w:t></w:r></w:p></w:footnote></w:footnotes>`},
		{"word/comments.xml", `<?xml version="1.0"?><w:comments ` + wordNS + `><w:comment w:id="0"><w:p><w:r><w:t>check</w:t></w:r></w:p></w:comment></w:comments>`},
		{"word/header1.xml", `<?xml version="1.0"?><w:hdr ` + wordNS + `><w:p><w:r><w:t>Genevieve Okafor-Hale interview</w:t></w:r></w:p></w:hdr>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "interview.docx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExportFormats follows a .docx with notes and a timed caption file
// through ingest and every export format.
func TestExportFormats(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	if _, err := s.AddEntities(ctx, []vault.EntityRequest{{Kind: "place", Name: "Wexcombe"}}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Ingest(ctx, vault.IngestRequest{Path: wordFile(t), Kind: policy.KindTranscript, Participants: []string{"P1"}, Date: "2026-02-17", Handle: "D5"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Latest().Dropped, []string{"1 comment", "1 header"}; !reflect.DeepEqual(got, want) {
		t.Errorf("version records dropped %q, want %q", got, want)
	}
	out := t.TempDir()

	t.Run("docx appendix", func(t *testing.T) {
		path := filepath.Join(out, "d5.docx")
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D5", Output: path}); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		lines, _, err := transcripttest.Parse(t.Context(), transcript.FormatDocx, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		for _, l := range lines {
			text = append(text, l.Text)
		}
		all := strings.Join(text, "\n")
		for _, secret := range []string{"Genevieve", "Okafor", "Wexcombe"} {
			if strings.Contains(all, secret) || bytes.Contains(data, []byte(secret)) {
				t.Errorf("the export holds %q:\n%s", secret, all)
			}
		}
		for _, want := range []string{"D5: transcript", "[footnote 1] ", " moved away from ", "Interviewer: Where did you grow up?"} {
			if !strings.Contains(all, want) {
				t.Errorf("the export lacks %q:\n%s", want, all)
			}
		}
	})

	t.Run("unsupported extension", func(t *testing.T) {
		path := filepath.Join(out, "notes.pdf")
		_, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D5", Output: path})
		if !errors.Is(err, ErrFormatChoice) {
			t.Fatalf("export to .pdf: %v, want ErrFormatChoice", err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("notes.pdf was written")
		}
	})

	t.Run("captions keep their timings", func(t *testing.T) {
		vtt := "WEBVTT\n\n00:00:01.500 --> 00:00:04.000\n<v Genevieve Okafor-Hale>I grew up in Wexcombe.\n\n00:01:02.000 --> 00:01:05.000\n<v Interviewer>Thank you.\n"
		if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "clip.vtt", vtt), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D6"}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{OutVTT, OutSRT} {
			var buf bytes.Buffer
			if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D6", Format: f, W: &buf}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "Genevieve") || strings.Contains(buf.String(), "Wexcombe") {
				t.Errorf("%s export not pseudonymised:\n%s", f, buf.String())
			}
			lines, _, err := transcripttest.Parse(t.Context(), transcript.Format(f), strings.NewReader(buf.String()))
			if err != nil {
				t.Fatalf("%s export does not parse: %v\n%s", f, err, buf.String())
			}
			var starts []time.Duration
			for _, l := range lines {
				starts = append(starts, l.Start)
			}
			if want := []time.Duration{1500 * time.Millisecond, 62 * time.Second}; !reflect.DeepEqual(starts, want) {
				t.Errorf("%s export starts %v, want %v:\n%s", f, starts, want, buf.String())
			}
		}
		var buf bytes.Buffer
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D6", Format: OutMarkdown, Timestamps: true, W: &buf}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(buf.String(), "[00:00:01] **") || !strings.Contains(buf.String(), "[00:01:02] **Interviewer:** Thank you.") {
			t.Errorf("timestamped Markdown:\n%s", buf.String())
		}
	})
}

func TestFormatFor(t *testing.T) {
	tests := []struct {
		flag, output, want string
		ok                 bool
	}{
		{"", "", OutMarkdown, true},
		{"", "out/notes.MD", OutMarkdown, true},
		{"", "notes.markdown", OutMarkdown, true},
		{"", "a.txt", OutText, true},
		{"", "a.docx", OutDocx, true},
		{"", "clip.vtt", OutVTT, true},
		{"", "clip.srt", OutSRT, true},
		{"txt", "notes.md", OutText, true}, // the flag wins
		{"", "notes.pdf", "", false},
		{"", "notes.doc", "", false},
		{"", "notes", "", false},
		{"", "study.qdpx", "", false}, // only export-qda writes .qdpx
		{"pdf", "", "", false},
		{"qdpx", "", "", false},
		{"MD", "", "", false},
	}
	for _, tt := range tests {
		got, err := FormatFor(tt.flag, tt.output)
		if got != tt.want || (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrFormatChoice)) {
			t.Errorf("FormatFor(%q, %q) = %q, %v; want %q, ok %v", tt.flag, tt.output, got, err, tt.want, tt.ok)
		}
	}
}
