package gate

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
)

// TestChapterQuoteScannedOnce: a chapter's quote is scanned once, as the
// chapter's lines leave with the prose around it (chapter.write): a
// render or check of a quote holding an e-mail address and a phone
// number, in a chapter whose prose holds a postcode, reports each once,
// at its line of the rendered chapter, and an accepted render audits
// three.
func TestChapterQuoteScannedOnce(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	tr := "Interviewer: How can people reach you?\nGenevieve Okafor-Hale: Write to me\nat g.hale@example.org or ring 07700 900123.\nInterviewer: Thank you.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "t.txt", tr), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	chapter := writeFile(t, "ch.md", "# Reach\n\nShe said:\n\n{{quote D1:1-3}}\n\nThe office is at SW1A 1AA.\n")
	const wantErr = "refused (residual): 3 high-confidence identifier(s) left after pseudonymisation: " +
		"email at output line 9 col 6, phone at output line 9 col 33, postcode at output line 13 col 18; " +
		"remove them from the source, flag the lines, or pass --accept-residual (audited)"
	wantFound := []string{"email 9:6 :0", "phone 9:33 :0", "postcode 13:18 :0"}
	for _, exit := range []Exit{ExitRender, ExitCheck} {
		t.Run(string(exit), func(t *testing.T) {
			_, err := Run(ctx, s, Request{Exit: exit, Chapter: chapter, Output: filepath.Join(t.TempDir(), "out.md")})
			var re *ResidualError
			if !errors.As(err, &re) || err.Error() != wantErr {
				t.Fatalf("err = %v\nwant %s", err, wantErr)
			}
			var found []string
			for _, f := range re.Findings {
				found = append(found, fmt.Sprintf("%s %d:%d %s:%d", f.Kind, f.Line, f.Col, f.Doc, f.SourceLine))
			}
			if fmt.Sprint(found) != fmt.Sprint(wantFound) {
				t.Errorf("findings %q, want %q", found, wantFound)
			}
		})
	}
	res, err := Run(ctx, s, Request{Exit: ExitRender, Chapter: chapter, Output: filepath.Join(t.TempDir(), "out.md"), AcceptResidual: true})
	if err != nil || len(res.Accepted) != 3 || len(res.Warnings) != 0 {
		t.Fatalf("accepted render: %v, %d accepted, %d warnings; want 3 accepted, none else", err, len(res.Accepted), len(res.Warnings))
	}
	entries, _ := s.AuditLog(vault.AuditFilter{Action: "render"})
	if n := len(entries); n != 2 || entries[0].Outcome != "refused" || fmt.Sprint(entries[0].Rules) != "[residual]" || entries[1].Detail["residual_accepted"] != "3" {
		t.Errorf("audit entries %+v, want a residual refusal, then a render with residual_accepted 3", entries)
	}
}
