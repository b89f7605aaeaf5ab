package gate

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fieldvault/fieldvault/vault"

	"github.com/fieldvault/fieldvault/policy"
)

// TestParticipantRecordAndChapterItems: a participant's record counts the
// lines the gate attributes to them (in documents that name them and in
// one that does not), keeps only the flags on their lines, and lists the
// exits that used their words with the chapter line of each quote; check
// lists every directive with whose words it holds and whether it stands.
func TestParticipantRecordAndChapterItems(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	addParticipant(t, s, "P2", "Bramwell Ashdown", "participate", "quote")
	tr := "Interviewer: Hello.\nGenevieve Okafor-Hale: Line two.\nBramwell Ashdown: Line three.\nGenevieve Okafor-Hale: Line four.\nBramwell Ashdown: Line five.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "t.txt", tr), Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}, Handle: "D3"}); err != nil {
		t.Fatal(err)
	}
	// P2 speaks in a document linked to P1 only: still part of P2's record.
	other := "Genevieve Okafor-Hale: One.\nBramwell Ashdown: Two.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "o.txt", other), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D4"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []vault.FlagRequest{{Doc: "D3", From: 5, To: 5, Kind: policy.FlagDNQ, Reason: "r"}, {Doc: "D3", From: 1, To: 1, Kind: policy.FlagConfidential, Reason: "r"}} {
		if err := s.Flag(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	text := "# Ch\n\n{{quote D3:2-3}}\n\n{{pseudonym P2}} {{quote D3:4-4}}\n"
	chapter := writeFile(t, "ch-amelia.md", text)
	if _, err := Run(ctx, s, Request{Exit: ExitRender, Chapter: chapter, Output: filepath.Join(t.TempDir(), "out.md")}); err != nil {
		t.Fatal(err)
	}

	rec, err := s.ParticipantRecord("P2")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Documents) != 2 {
		t.Fatalf("P2's documents = %+v, want D3 and D4", rec.Documents)
	}
	d3, d4 := rec.Documents[0], rec.Documents[1]
	if d3.Handle != "D3" || !d3.Linked || d3.Lines != 5 || d3.TheirLines != 2 || len(d3.Flags) != 1 || d3.Flags[0].Kind != policy.FlagDNQ || d3.Flags[0].Reason != "" {
		t.Errorf("D3 in P2's record = %+v; want 2 of 5 lines, the dnq flag on line 5 only, no reason", d3)
	}
	if d4.Handle != "D4" || d4.Linked || d4.TheirLines != 1 {
		t.Errorf("D4 in P2's record = %+v; want unlinked, 1 line", d4)
	}
	if len(rec.Exits) != 1 || rec.Exits[0].Action != "render" || rec.Exits[0].Chapter != "" || rec.Exits[0].ChapterSHA256 != sha([]byte(text)) ||
		!slices.Equal(rec.Exits[0].Quotes, []vault.RenderedQuote{{ChapterLine: 3, Doc: "D3", Lines: "2-3"}}) || len(rec.Exits[0].Output) != 64 {
		t.Errorf("P2's exits = %+v; want the render with its quote at chapter line 3, the chapter by its hash, not its file name", rec.Exits)
	}
	rec1, _ := s.ParticipantRecord("P1")
	if len(rec1.Exits) != 1 || len(rec1.Exits[0].Quotes) != 2 {
		t.Errorf("P1's exits = %+v; want both quotes", rec1.Exits)
	}
	if _, err := s.ParticipantRecord("P9"); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("unknown participant: %v", err)
	}

	if _, err := s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P1", Scope: policy.ScopeQuote}); err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, s, Request{Exit: ExitCheck, Chapter: chapter})
	items := ChapterItems(err)
	if !errors.Is(err, policy.ErrRefused) || len(items) != 3 {
		t.Fatalf("check after withdrawal: %v, items %+v", err, items)
	}
	want := []struct {
		line         int
		participants []string
		stands       bool
	}{{3, []string{"P1", "P2"}, false}, {5, []string{"P2"}, true}, {5, []string{"P1"}, false}}
	for i, w := range want {
		it := items[i]
		if it.Line != w.line || !slices.Equal(it.Participants, w.participants) || it.Stands != w.stands {
			t.Errorf("item %d = %+v, want line %d, participants %v, stands %v", i, it, w.line, w.participants, w.stands)
		}
		if !it.Stands && it.Rule != string(policy.RuleQuoteConsent) {
			t.Errorf("item %d rule %q", i, it.Rule)
		}
	}
	if c := items[0].Consents; len(c) != 1 || c[0].Participant != "P2" {
		t.Errorf("a refused quote relies on %+v; want P2's consent only", c)
	}
}
