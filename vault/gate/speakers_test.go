package gate

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
)

// The speaker study's transcript: every line that may not leave for a
// purpose carries a canary.
const speakerTranscript = `Siân Evans: Diolch, thank you for coming.
Dafydd ap Rhys: KEEP-P1-a we walked to the chapel.
Amy Li (she/her): CANARY-P2-QUOTEONLY I kept the accounts.
and I still keep them: CANARY-P2-CONT for the hall.
Bryn Tegid: CANARY-UNKNOWN-1 I was never asked.
CANARY-UNKNOWN-CONT and nobody told me.
Speaker 3: CANARY-UNKNOWN-2 neither was I.
Aoife Ni Bhriain (Guest): KEEP-P3 the lease ran out.
**Sian Evans (Host):** What happened next?
DAFYDD AP RHYS: KEEP-P1-b the roof fell in.
Dafydd ap Rhys: KEEP-P1-c as I told Siân Evans, and Ms Evans wrote it down.
`

var (
	unknownCanaries = []string{"CANARY-UNKNOWN-1", "CANARY-UNKNOWN-CONT", "CANARY-UNKNOWN-2"}
	quoteOnly       = []string{"CANARY-P2-QUOTEONLY", "CANARY-P2-CONT"}
	mustKeep        = []string{"KEEP-P1-a", "KEEP-P3", "KEEP-P1-b", "KEEP-P1-c", "What happened next?"}
	teamNames       = []string{"Siân", "Sian", "Evans", "Dafydd", "Rhys", "Amy", "Aoife", "Bhriain", "Bryn Tegid"}
)

func TestGateUnknownSpeakerCanaries(t *testing.T) {
	s := speakerStudy(t)
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "i.txt", speakerTranscript), Kind: policy.KindTranscript, Participants: []string{"P1", "P2", "P3"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	has := func(t *testing.T, where, text string, want bool, tokens ...string) {
		t.Helper()
		for _, tok := range tokens {
			if strings.Contains(text, tok) != want {
				t.Errorf("%s: contains %q = %v, want %v\n%s", where, tok, !want, want, text)
			}
		}
	}

	// Publication exits: no unknown speaker, no participate-only words.
	for _, purpose := range []policy.Scope{"", policy.ScopePublish} {
		var buf bytes.Buffer
		res, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D1", W: &buf, Purpose: purpose})
		if purpose == policy.ScopePublish {
			if err != nil {
				t.Fatal(err)
			}
			has(t, "export publish", buf.String(), false, mustKeep[:3]...)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		has(t, "export", out, false, unknownCanaries...)
		has(t, "export", out, false, quoteOnly...)
		has(t, "export", out, false, teamNames...)
		has(t, "export", out, true, mustKeep...)
		has(t, "export", out, true, "Interviewer:")
		rules := map[policy.Rule]string{}
		for _, r := range res.Reasons {
			rules[r.Rule] = policy.FormatRanges(r.Lines, 0, 0, 0)
			has(t, "reason", r.String(), false, teamNames...)
		}
		if rules[policy.RuleUnknownSpeaker] != "5-7" || rules[policy.RuleQuoteConsent] != "3-4" {
			t.Errorf("reasons = %+v, want unknown-speaker 5-7 and quote-consent 3-4", res.Reasons)
		}
	}
	for _, r := range [][2]int{{5, 5}, {6, 6}, {7, 7}, {3, 3}, {4, 4}} {
		_, err := Run(ctx, s, Request{Exit: ExitQuote, Doc: "D1", From: r[0], To: r[1], W: &bytes.Buffer{}})
		if !errors.Is(err, policy.ErrRefused) {
			t.Errorf("quote %v: err = %v, want refusal", r, err)
		}
	}
	if _, err := Run(ctx, s, Request{Exit: ExitQuote, Doc: "D1", From: 5, To: 5, W: &bytes.Buffer{}, Purpose: policy.PurposeAnalysis}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("quote for analysis: err = %v, want invalid", err)
	}
	chapter := writeFile(t, "ch.md", "{{quote D1:6-6}}\n")
	if _, err := Run(ctx, s, Request{Exit: ExitCheck, Chapter: chapter}); !errors.Is(err, policy.ErrRefused) {
		t.Errorf("check of an unknown speaker's line: err = %v, want refusal", err)
	}

	// Analysis exits: participate-only words, marked; never unknown speakers.
	var buf bytes.Buffer
	res, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D1", W: &buf, Purpose: policy.PurposeAnalysis})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	has(t, "analysis export", out, false, unknownCanaries...)
	has(t, "analysis export", out, true, quoteOnly...)
	has(t, "analysis export", out, true, "do not quote: for analysis only", "end of do not quote")
	if res.Marked != 2 {
		t.Errorf("marked = %d, want 2", res.Marked)
	}
	qda := filepath.Join(outDir, "s.qdpx")
	if _, err := Run(ctx, s, Request{Exit: ExitQDA, All: true, Output: qda}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(qda)
	project := string(unzipAll(t, data))
	has(t, "qdpx", project, false, unknownCanaries...)
	has(t, "qdpx", project, true, quoteOnly...)
	has(t, "qdpx", project, true, "fieldvault: do not quote")
	pub := filepath.Join(outDir, "pub.qdpx")
	if _, err := Run(ctx, s, Request{Exit: ExitQDA, All: true, Output: pub, Purpose: policy.ScopePublish}); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(pub)
	project = string(unzipAll(t, data))
	has(t, "publication qdpx", project, false, append(unknownCanaries, quoteOnly...)...)

	log, _ := os.ReadFile(filepath.Join(s.Dir, vault.AuditFile))
	has(t, "audit log", string(log), false, append(append(unknownCanaries, quoteOnly...), teamNames...)...)
}

// TestUnknownSpeakerInCues: WebVTT voices (Teams) and cue labels (Zoom),
// with later cues of the same speaker carrying no label, resolve like typed
// labels.
func TestUnknownSpeakerInCues(t *testing.T) {
	s := speakerStudy(t)
	vtt := "WEBVTT\n\n" +
		"00:00:01.000 --> 00:00:03.000\n<v Siân Evans (Organizer)>What happened?</v>\n\n" +
		"00:00:03.000 --> 00:00:05.000\n<v Dafydd ap Rhys (External)>KEEP-VTT-1 it closed.</v>\n\n" +
		"00:00:05.000 --> 00:00:07.000\n<v Bryn Tegid (Guest)>CANARY-VTT-1 I saw it.</v>\n\n" +
		"00:00:07.000 --> 00:00:09.000\n<v Bryn Tegid (Guest)>CANARY-VTT-2 all of it.</v>\n\n" +
		"00:00:09.000 --> 00:00:11.000\nBryn Tegid: CANARY-VTT-3 zoom style.\n\n" +
		"00:00:11.000 --> 00:00:13.000\nCANARY-VTT-4 same speaker, next cue.\n\n" +
		"00:00:13.000 --> 00:00:15.000\nDAFYDD AP RHYS: KEEP-VTT-2 yes.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "m.vtt", vtt), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	for _, purpose := range []policy.Scope{"", policy.PurposeAnalysis} {
		var buf bytes.Buffer
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D1", W: &buf, Format: OutText, Purpose: purpose}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, c := range []string{"CANARY-VTT-1", "CANARY-VTT-2", "CANARY-VTT-3", "CANARY-VTT-4", "Siân", "Bryn"} {
			if strings.Contains(out, c) {
				t.Errorf("purpose %q: export contains %q:\n%s", purpose, c, out)
			}
		}
		for _, k := range []string{"KEEP-VTT-1", "KEEP-VTT-2", "Interviewer: What happened?"} {
			if !strings.Contains(out, k) {
				t.Errorf("purpose %q: export lacks %q:\n%s", purpose, k, out)
			}
		}
	}
}

// TestAnalysisCaptions: an analysis export as captions keeps the
// do-not-quote markers and the times, and no unknown speaker.
func TestAnalysisCaptions(t *testing.T) {
	s := speakerStudy(t)
	vtt := "WEBVTT\n\n" +
		"00:00:01.000 --> 00:00:03.000\n<v Siân Evans>What happened?</v>\n\n" +
		"00:00:03.000 --> 00:00:05.000\n<v Amy Li>CANARY-QUOTEONLY-VTT I kept the books.</v>\n\n" +
		"00:00:05.000 --> 00:00:07.000\n<v Bryn Tegid>CANARY-UNKNOWN-VTT me too.</v>\n\n" +
		"00:00:07.000 --> 00:00:09.000\n<v Dafydd ap Rhys>KEEP-VTT it closed.</v>\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "m.vtt", vtt), Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{OutVTT, OutSRT} {
		var buf bytes.Buffer
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D1", W: &buf, Format: f, Purpose: policy.PurposeAnalysis}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out := buf.String()
		for _, want := range []string{MarkDNQOpen, "CANARY-QUOTEONLY-VTT", "KEEP-VTT", "00:00:03"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", f, want, out)
			}
		}
		if strings.Contains(out, "CANARY-UNKNOWN-VTT") {
			t.Errorf("%s carries the unknown speaker:\n%s", f, out)
		}
	}
}
