package gate

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/qdpx"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault"
)

// The canary study: every line that must not leave carries a unique marker,
// and real names appear everywhere.
const canaryTranscript = `Interviewer: Thank you for meeting me in Wexcombe, Genevieve.
Genevieve Okafor-Hale: Happy to. Bramwell Ashdown sends his regards.
Interviewer: How did the depot project start?
Genevieve Okafor-Hale: It started in the spring. Genevieve wrote the first bid.
[dnq]
Genevieve Okafor-Hale: CANARY-DNQ-7731 the board never saw the figures.
[/dnq]
Genevieve Okafor-Hale: [confidential]CANARY-CONF-1180 the grant was late.[/confidential]
Genevieve Okafor-Hale: CANARY-STRUCK-5529 I said too much there.
[off-record]
Genevieve Okafor-Hale: CANARY-OFF-8412 after the recorder stopped.
[/off-record]
Bramwell Ashdown: CANARY-WITHDRAWN-3307 I joined them late.
Genevieve Okafor-Hale: Wexcombe Council helped in the end.
`

var canaries = []string{"CANARY-DNQ-7731", "CANARY-CONF-1180", "CANARY-STRUCK-5529", "CANARY-OFF-8412", "CANARY-WITHDRAWN-3307"}
var realNames = []string{"Genevieve", "Okafor", "Bramwell", "Ashdown", "Wexcombe"}

func canaryStudy(t *testing.T) *vault.Study {
	t.Helper()
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	addParticipant(t, s, "P2", "Bramwell Ashdown", "participate", "quote")
	if _, err := s.AddEntities(ctx, []vault.EntityRequest{{Kind: "place", Name: "Wexcombe"}, {Kind: "org", Name: "Wexcombe Council"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "interview.txt", canaryTranscript), Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}, Date: "2011-05-04", Handle: "D12"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flag(ctx, vault.FlagRequest{Doc: "D12", From: 9, To: 9, Kind: policy.FlagStruck, Reason: "participant asked"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P2", Date: "2026-01-10"}); err != nil {
		t.Fatal(err)
	}
	return s
}

// leakCheck fails if any canary or real name appears in the texts, the
// audit log or any temp file beside the vault or the outputs.
func leakCheck(t *testing.T, s *vault.Study, outDir string, texts map[string]string) {
	t.Helper()
	log, _ := os.ReadFile(filepath.Join(s.Dir, vault.AuditFile))
	texts["audit log"] = string(log)
	cfg, _ := os.ReadFile(filepath.Join(s.Dir, vault.ConfigFile))
	texts["config"] = string(cfg)
	for _, dir := range []string{s.Dir, outDir} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), vault.TempPrefix) {
				t.Errorf("temp file left: %s", p)
			}
			return nil
		})
	}
	for where, text := range texts {
		for _, secret := range append(append([]string{}, canaries...), realNames...) {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains %q", where, secret)
			}
		}
	}
}

func TestGateCanaries(t *testing.T) {
	s := canaryStudy(t)
	outDir := t.TempDir()
	texts := map[string]string{}

	// export: whole document, withheld lines become markers.
	var buf bytes.Buffer
	res, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D12", W: &buf})
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	texts["export"] = buf.String()
	if !strings.Contains(buf.String(), "not for quotation: 3 lines withheld") {
		t.Errorf("export lacks the do-not-quote marker:\n%s", buf.String())
	}
	if res.Withheld == 0 || res.SHA256 == "" {
		t.Errorf("export result = %+v", res)
	}
	for _, f := range []string{"md", "txt", "docx"} {
		out := filepath.Join(outDir, "export."+f)
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D12", Output: out}); err != nil {
			t.Fatalf("export %s: %v", f, err)
		}
		data, _ := os.ReadFile(out)
		if f == "docx" {
			data = unzipAll(t, data)
		}
		texts["export."+f] = string(data)
	}

	// The same interview as captions: vtt and srt exits, with timestamps.
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n")
	for i, line := range strings.Split(strings.TrimSpace(canaryTranscript), "\n") {
		fmt.Fprintf(&vtt, "\n00:00:%02d.000 --> 00:00:%02d.500\n%s\n", i*2, i*2+1, line)
	}
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "interview.vtt", vtt.String()), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D13"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flag(ctx, vault.FlagRequest{Doc: "D13", From: 9, To: 9, Kind: policy.FlagStruck, Reason: "participant asked"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{OutVTT, OutSRT, OutMarkdown, OutDocx} {
		out := filepath.Join(outDir, "captions."+f)
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D13", Output: out, Timestamps: true}); err != nil {
			t.Fatalf("export D13 as %s: %v", f, err)
		}
		data, _ := os.ReadFile(out)
		if f == OutDocx {
			data = unzipAll(t, data)
		}
		if !strings.Contains(string(data), "00:00:") {
			t.Errorf("D13 as %s has no timings:\n%s", f, data)
		}
		texts["captions."+f] = string(data)
	}

	// quote: a permitted range, then every forbidden one.
	buf.Reset()
	if _, err := Run(ctx, s, Request{Exit: ExitQuote, Doc: "D12", From: 3, To: 4, W: &buf}); err != nil {
		t.Fatalf("quote 3-4: %v", err)
	}
	texts["quote"] = buf.String()
	if !strings.Contains(buf.String(), "interview, 2011)") {
		t.Errorf("quote lacks attribution:\n%s", buf.String())
	}
	for _, r := range [][2]int{{5, 7}, {6, 6}, {8, 8}, {9, 9}, {10, 12}, {13, 13}, {1, 14}} {
		buf.Reset()
		_, err := Run(ctx, s, Request{Exit: ExitQuote, Doc: "D12", From: r[0], To: r[1], W: &buf})
		if !errors.Is(err, policy.ErrRefused) {
			t.Errorf("quote %d-%d: err = %v, want a refusal", r[0], r[1], err)
			continue
		}
		if buf.Len() != 0 {
			t.Errorf("quote %d-%d refused but wrote %d bytes", r[0], r[1], buf.Len())
		}
		texts["quote error"] += err.Error() + "\n"
	}

	// render and check a chapter.
	chapter := writeFile(t, "chapter.md", "# Findings\n\nAs {{pseudonym P1}} put it:\n\n{{quote D12:3-4}}\n\nGenevieve was clear.\n")
	out := filepath.Join(outDir, "chapter.out.md")
	if _, err := Run(ctx, s, Request{Exit: ExitRender, Chapter: chapter, Output: out}); err != nil {
		t.Fatalf("render: %v", err)
	}
	data, _ := os.ReadFile(out)
	texts["render"] = string(data)
	bad := writeFile(t, "bad.md", "{{quote D12:5-7}}\n\n{{quote D12:13-13}}\n")
	_, err = Run(ctx, s, Request{Exit: ExitRender, Chapter: bad, Output: filepath.Join(outDir, "bad.out.md")})
	if !errors.Is(err, policy.ErrRefused) || len(ChapterProblems(err)) != 2 {
		t.Errorf("render of a bad chapter: err = %v, want 2 problems", err)
	} else {
		texts["render error"] = err.Error()
	}
	if _, err := os.Stat(filepath.Join(outDir, "bad.out.md")); err == nil {
		t.Errorf("refused render wrote its output")
	}

	// QDA export.
	qda := filepath.Join(outDir, "study.qdpx")
	if _, err := Run(ctx, s, Request{Exit: ExitQDA, All: true, Output: qda}); err != nil {
		t.Fatalf("export-qda: %v", err)
	}
	data, _ = os.ReadFile(qda)
	// The QDA project is the researcher's analysis copy: the do-not-quote
	// line is in it, coded; nothing else withheld is.
	project := string(unzipAll(t, data))
	if !strings.Contains(project, "CANARY-DNQ-7731") || !strings.Contains(project, "fieldvault: do not quote") {
		t.Errorf("qdpx lacks the do-not-quote line or its code")
	}
	texts["qdpx"] = strings.ReplaceAll(project, "CANARY-DNQ-7731", "")

	leakCheck(t, s, outDir, texts)
}

func TestCheckAfterWithdrawal(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	addParticipant(t, s, "P2", "Bramwell Ashdown", "participate", "quote")
	tr := "Interviewer: Hello.\nGenevieve Okafor-Hale: Line two.\nBramwell Ashdown: Line three.\nGenevieve Okafor-Hale: Line four.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "t.txt", tr), Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}, Handle: "D3"}); err != nil {
		t.Fatal(err)
	}
	chapter := writeFile(t, "ch.md", "{{quote D3:2-2}}\n\ntext\n\n{{quote D3:3-3}}\n\n{{quote D3:4-4}}\n")
	if _, err := Run(ctx, s, Request{Exit: ExitCheck, Chapter: chapter}); err != nil {
		t.Fatalf("check before withdrawal: %v", err)
	}
	if _, err := s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P1", Scope: policy.ScopeQuote}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(ctx, s, Request{Exit: ExitCheck, Chapter: chapter})
	probs := ChapterProblems(err)
	var lines []int
	for _, p := range probs {
		lines = append(lines, p.Line)
	}
	if !errors.Is(err, policy.ErrRefused) || len(lines) != 2 || lines[0] != 1 || lines[1] != 7 {
		t.Fatalf("check after withdrawal: lines %v (err %v), want [1 7]", lines, err)
	}
	entries, _ := s.AuditLog(vault.AuditFilter{Action: "check"})
	if len(entries) != 2 || entries[1].Outcome != "refused" {
		t.Errorf("check audit entries = %+v", entries)
	}
}

func TestKindsNeverLeave(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote", "record-audio")
	d, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "r.m4a", "\x00\x00audio"), Kind: policy.KindRecording, Participants: []string{"P1"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: d.Handle, W: &buf}); !errors.Is(err, policy.ErrRefused) || buf.Len() != 0 {
		t.Errorf("export of a recording: err = %v, %d bytes", err, buf.Len())
	}
	entries, _ := s.AuditLog(vault.AuditFilter{Action: "export"})
	if len(entries) != 1 || entries[0].Outcome != "refused" {
		t.Errorf("refusal not audited: %+v", entries)
	}
}

func TestResidualBlocksUnlessAccepted(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	tr := "Interviewer: How can people reach you?\nGenevieve Okafor-Hale: Write to g.hale@example.org or ring 07700 900123.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "t.txt", tr), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D1", W: &buf})
	var re *ResidualError
	if !errors.As(err, &re) || !errors.Is(err, policy.ErrRefused) || buf.Len() != 0 {
		t.Fatalf("err = %v, want a residual refusal and no output", err)
	}
	if strings.Contains(err.Error(), "example.org") || strings.Contains(err.Error(), "900123") {
		t.Errorf("the refusal quotes the identifier: %v", err)
	}
	res, err := Run(ctx, s, Request{Exit: ExitExport, Doc: "D1", W: &buf, AcceptResidual: true})
	if err != nil || len(res.Accepted) != 2 {
		t.Fatalf("accepted export: %v, accepted %d, want 2", err, len(res.Accepted))
	}
	entries, _ := s.AuditLog(vault.AuditFilter{Action: "export"})
	if len(entries) != 2 || entries[1].Detail["residual_accepted"] != "2" {
		t.Errorf("acceptance not audited: %+v", entries)
	}
}

func unzipAll(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var all bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&all, rc)
		rc.Close()
	}
	return all.Bytes()
}

func TestMarkupFlagsRecordedAtIngest(t *testing.T) {
	s := canaryStudy(t)
	d, err := s.Doc("D12")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Latest().Markup {
		got = append(got, fmt.Sprintf("%s:%d-%d", f.Kind, f.From, f.To))
	}
	if want := "dnq:5-7 confidential:8-8 off-record:10-12"; strings.Join(got, " ") != want {
		t.Errorf("markup flags = %q, want %q", strings.Join(got, " "), want)
	}
}

func TestQDASourceOffsets(t *testing.T) {
	g := &gated{doc: &vault.Document{Handle: "D1", Kind: policy.KindTranscript}}
	var text strings.Builder
	spools, err := newQDASpools()
	if err != nil {
		t.Fatal(err)
	}
	defer spools.remove()
	q := newQDAText(g, func(kind, h string) string { return kind + ":" + h }, &text, nil, qdpx.NewSelectionSpool(uuid.NameSpaceURL, "sel:D1:", spools.store()))
	blocks := []struct {
		b      transcript.Block
		rule   policy.Rule
		marked bool
	}{
		{transcript.Block{Text: "Élodie: déjà vu 🎉\nline two"}, "", false},
		{transcript.Block{Text: "[not for quotation: 2 lines withheld]", Marker: true}, policy.RuleDNQ, false},
		{transcript.Block{Text: "après"}, "", false},
		{transcript.Block{Text: "[withheld: 1 line]", Marker: true}, policy.RuleStruck, false},
		// A run that leaves for analysis only, written in two pieces: one
		// selection over both.
		{transcript.Block{Text: "ça marche\nencore"}, "", true},
		{transcript.Block{Text: "fin 🎉", Continued: true}, "", true},
		{transcript.Block{Text: "after"}, "", false},
	}
	for _, b := range blocks {
		if err := q.block(b.b, b.rule, b.marked); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.flush(); err != nil {
		t.Fatal(err)
	}
	src := q.source()
	var sels []qdpx.Selection
	if err := src.Spool.Each(func(sel *qdpx.Selection) error { sels = append(sels, *sel); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(sels) != 3 {
		t.Fatalf("selections = %d, want 3", len(sels))
	}
	if n := utf8.RuneCountInString(text.String()); src.Length != n {
		t.Errorf("length %d, want %d", src.Length, n)
	}
	for _, sel := range sels {
		span := sel.Name
		if sel.Name == "do not quote" {
			span = "ça marche\nencore\nfin 🎉"
		}
		bs := strings.Index(text.String(), span)
		ws, we := utf8.RuneCountInString(text.String()[:bs]), utf8.RuneCountInString(text.String()[:bs+len(span)])
		if sel.Start != ws || sel.End != we {
			t.Errorf("selection %q at %d-%d, want %d-%d", sel.Name, sel.Start, sel.End, ws, we)
		}
	}
}

// TestQuoteRangeIsBadInput: a quote's range past its document's end (or
// backwards) is a mistyped citation, bad input like flag --lines: it names
// the document's line count and what to do, is not a refusal of the gate
// (exit 1, not 3), and leaves no audit entry; a range within stands.
func TestQuoteRangeIsBadInput(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	d, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "t.txt", "Interviewer: Hi.\nGenevieve: The ferry ran late.\nGenevieve: Always.\n"),
		Kind: policy.KindTranscript, Participants: []string{"P1"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		from, to int
		wantErr  string
	}{
		{"within", 2, 3, ""},
		{"past the end", 1, 99, "document D1 v1 has 3 lines; D1:1-99 is out of range: quote lines within 1-3 (see 'open D1 --lines')"},
		{"starting past the end", 5, 9, "D1:5-9 is out of range"},
		{"backwards", 3, 2, "D1:3-2 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := s.AuditLog(vault.AuditFilter{Action: "quote"})
			var buf bytes.Buffer
			_, err := Run(ctx, s, Request{Exit: ExitQuote, Doc: d.Handle, From: tt.from, To: tt.to, W: &buf})
			after, _ := s.AuditLog(vault.AuditFilter{Action: "quote"})
			if tt.wantErr == "" {
				if err != nil || len(after) != len(before)+1 {
					t.Fatalf("quote %d-%d: %v, %d entries after %d", tt.from, tt.to, err, len(after), len(before))
				}
				return
			}
			if !errors.Is(err, vault.ErrInvalid) || errors.Is(err, policy.ErrRefused) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("quote %d-%d: err = %v; want bad input %q", tt.from, tt.to, err, tt.wantErr)
			}
			if buf.Len() != 0 || len(after) != len(before) {
				t.Errorf("quote %d-%d: %d bytes out, %d audit entries after %d; want none", tt.from, tt.to, buf.Len(), len(after), len(before))
			}
		})
	}
}
