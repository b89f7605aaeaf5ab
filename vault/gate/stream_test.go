package gate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
)

// TestExportLateLabel: whether a transcript has speaker labels is known
// only at its end when the first label comes after more text than an
// export holds back while it looks for one (probeBytes); the export then
// counts first and decides as it would have. Unlabelled, every line is the
// participant's words (who may not be quoted, so nothing leaves); with one
// label at the very end, the lines before it are nobody's and leave.
func TestExportLateLabel(t *testing.T) {
	line := "the rota changed again that week and nobody knew who had the keys to the yard\n"
	body := strings.Repeat(line, probeBytes/len(line)+100)
	for _, tc := range []struct {
		name, text string
		kept       bool
	}{
		{"unlabelled", body, false},
		{"label at the end", body + "Interviewer: Thank you.\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStudy(t)
			addParticipant(t, s, "P1", "Tamsin Orrell", "participate")
			d, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "t.txt", tc.text), Kind: policy.KindTranscript, Participants: []string{"P1"}})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			res, err := Run(ctx, s, Request{Exit: ExitExport, Doc: d.Handle, Format: OutText, W: &out})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "nobody knew"); got != tc.kept {
				t.Errorf("words left: %v, want %v (withheld %d lines)", got, tc.kept, res.Withheld)
			}
			if !tc.kept && res.Withheld < strings.Count(body, "\n") {
				t.Errorf("withheld %d lines, want all %d", res.Withheld, strings.Count(body, "\n"))
			}
		})
	}
}
