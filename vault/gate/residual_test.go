package gate

import (
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
)

// TestScanDocSourceLines: a finding names the document and the source line
// it came from, even when withheld lines before it became one marker.
func TestScanDocSourceLines(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	text := "Interviewer: Hello.\n[dnq]\nGenevieve Okafor-Hale: not this.\nGenevieve Okafor-Hale: nor this.\n[/dnq]\nGenevieve Okafor-Hale: Ring me on 07700 900461.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "i.txt", text), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D3"}); err != nil {
		t.Fatal(err)
	}
	found, err := scanFindings(s, "D3")
	if err != nil {
		t.Fatal(err)
	}
	var phone *redact.Finding
	for i := range found {
		if found[i].Kind == redact.FindPhone {
			phone = &found[i]
		}
	}
	if phone == nil {
		t.Fatalf("no phone finding in %+v", found)
	}
	if phone.Doc != "D3" || phone.SourceLine != 6 || phone.Line >= 6 {
		t.Errorf("phone at output line %d, doc %q source line %d; want doc D3, source line 6, an earlier output line", phone.Line, phone.Doc, phone.SourceLine)
	}
}

func TestLocate(t *testing.T) {
	fs := locate("D1", []redact.Finding{{Line: 1, SourceLine: 3}, {Line: 2}, {Line: 3, SourceLine: 7}})
	want := []int{3, 0, 7}
	for i, f := range fs {
		if f.Doc != "D1" || f.SourceLine != want[i] {
			t.Errorf("finding %d: doc %q source line %d, want D1 and %d", i, f.Doc, f.SourceLine, want[i])
		}
	}
}

// scanFindings is scan DOC through the gate.
func scanFindings(s *vault.Study, doc string) ([]redact.Finding, error) {
	res, err := Run(ctx, s, Request{Exit: ExitScan, Doc: doc})
	if err != nil {
		return nil, err
	}
	return res.Findings, nil
}
