package gate

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
)

// depositStudy: Ngozi (P1) consented to archive; Bartholomew (P2) and
// Saoirse (P3) did not; Saoirse later withdrew. Each non-archive speaker's
// words carry a canary word that must never appear in the package.
func depositStudy(t *testing.T) *vault.Study {
	t.Helper()
	s := newStudy(t)
	addParticipant(t, s, "P1", "Ngozi Featherstonehaugh", "participate", "quote", "archive", "record-audio")
	addParticipant(t, s, "P2", "Bartholomew de la Cruz", "participate", "quote", "publish", "record-audio")
	addParticipant(t, s, "P3", "Saoirse Ní Bhriain", "participate", "quote", "archive")
	if _, err := s.AddEntities(ctx, []vault.EntityRequest{{Kind: "place", Name: "Thornbury Wick"}, {Kind: "person", Name: "Casimir Olender"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMeeting(ctx, vault.MeetingRequest{Handle: "M1", Name: "Thornbury Wick Allotment Committee", Public: true}); err != nil {
		t.Fatal(err)
	}
	docs := []struct {
		kind, body string
		who        []string
		meeting    string
	}{
		// D1: P1's interview: deposited.
		{policy.KindTranscript, "Interviewer: How did the plots start?\nNgozi Featherstonehaugh: My aunt in Thornbury Wick lent us the gloves.\nNgozi: We met on Tuesdays.\n", []string{"P1"}, ""},
		// D2: a focus group: P1's turns leave, P2's, P3's and Casimir's do not.
		{policy.KindTranscript, "Interviewer: What happened next?\nNgozi Featherstonehaugh: The committee agreed.\nBartholomew de la Cruz: I argued about the quinceblossom fence.\nSaoirse Ní Bhriain: The marrowglade shed was mine.\nCasimir Olender: I kept the keys at the ravenholt gate.\nNgozi: Then we planted.\n", []string{"P1", "P2", "P3"}, ""},
		// D3: P2's interview: nobody consented to archive.
		{policy.KindTranscript, "Interviewer: And you?\nBartholomew de la Cruz: The quinceblossom hedge was my idea.\n", []string{"P2"}, ""},
		// D4: notes about P1 and P2 without turns: left out whole.
		{policy.KindFieldNotes, "Walked with Ngozi and Bartholomew past the quinceblossom hedge.\n", []string{"P1", "P2"}, ""},
		// D5: notes about P1 alone: deposited.
		{policy.KindFieldNotes, "Ngozi showed me the seed library.\n", []string{"P1"}, ""},
		// D6: meeting notes: Casimir (not a participant) speaks; withheld for archive.
		{policy.KindMeetingNotes, "Ngozi Featherstonehaugh: Minutes approved.\nCasimir Olender: The ravenholt rota stands.\n", []string{"P1"}, "M1"},
		// D7: a recording of P1: never deposited.
		{policy.KindRecording, "RIFF fake audio", []string{"P1"}, ""},
	}
	for _, d := range docs {
		if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "in.txt", d.body), Kind: d.kind, Participants: d.who, Meeting: d.meeting}); err != nil {
			t.Fatalf("ingest %s: %v", d.kind, err)
		}
	}
	// D8: the focus group again, as a meeting service's WebVTT captions.
	vtt := "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ngozi Featherstonehaugh>We planted beans first.\n\n" +
		"00:00:05.000 --> 00:00:08.000\n<v Bartholomew de la Cruz>The quinceblossom beds came later.\n\n" +
		"00:00:09.000 --> 00:00:12.000\n<v Casimir Olender>Ravenholt keys again.\n"
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "group.vtt", vtt), Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}}); err != nil {
		t.Fatalf("ingest vtt: %v", err)
	}
	if _, err := s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P3"}); err != nil {
		t.Fatal(err)
	}
	return s
}

// readZip returns every file of a zip by name.
func readZip(t *testing.T, path string) (map[string]string, []string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string]string{}
	var order []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
		order = append(order, f.Name)
	}
	return files, order
}

func TestDepositCanary(t *testing.T) {
	s := depositStudy(t)
	out := filepath.Join(t.TempDir(), "deposit.zip")
	res, err := Run(ctx, s, Request{Exit: ExitDeposit, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	files, order := readZip(t, out)
	// The data files as they pass the gate, then the README and data list
	// that describe them.
	if n := len(order); n < 3 || order[n-2] != DepositReadme || order[n-1] != DepositDataList {
		t.Fatalf("package files %v", order)
	}
	var got []string
	for _, f := range res.Files {
		got = append(got, f.Doc)
	}
	if strings.Join(got, " ") != "D1 D2 D5 D6 D8" {
		t.Errorf("deposited %v, want D1 D2 D5 D6 D8", got)
	}
	why := map[string]string{}
	for _, x := range res.Excluded {
		why[x.Doc] = x.Why
	}
	for doc, want := range map[string]string{"D3": "no participant", "D4": "without speaker turns", "D7": "recordings never leave", "D8": "consent forms"} {
		if doc == "D8" {
			continue // no consent form was ingested in this study
		}
		if !strings.Contains(why[doc], want) {
			t.Errorf("%s left out because %q, want %q", doc, why[doc], want)
		}
	}
	canaries := []string{"quinceblossom", "marrowglade", "ravenholt",
		"Bartholomew", "Cruz", "Saoirse", "Bhriain", "Casimir", "Olender", "Ngozi", "Featherstonehaugh", "Thornbury", "Allotment Committee"}
	for name, body := range files {
		for _, c := range canaries {
			if strings.Contains(strings.ToLower(body), strings.ToLower(c)) {
				t.Errorf("%s holds %q", name, c)
			}
		}
	}
	d2 := files["data/D2_transcript.txt"]
	if !strings.Contains(d2, "The committee agreed.") || !strings.Contains(d2, "Then we planted.") || !strings.Contains(d2, "[withheld: 3 lines]") {
		t.Errorf("focus group in the package:\n%s", d2)
	}
	if d1 := files["data/D1_transcript.txt"]; !strings.Contains(d1, "lent us the gloves") {
		t.Errorf("P1's interview in the package:\n%s", d1)
	}
	if d6 := files["data/D6_meeting-notes.txt"]; !strings.Contains(d6, "Minutes approved.") || !strings.Contains(d6, "[withheld: 1 line]") {
		t.Errorf("meeting notes in the package:\n%s", d6)
	}
	rows, err := csv.NewReader(strings.NewReader(files[DepositDataList])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if d8 := files["data/D8_transcript.txt"]; !strings.Contains(d8, "We planted beans first.") || !strings.Contains(d8, "[withheld: 2 lines]") {
		t.Errorf("captions in the package:\n%s", d8)
	}
	if len(rows) != 6 || strings.Join(rows[0], ",") != "file,document_kind,date,participants,lines,lines_withheld,withheld_by_rule" {
		t.Fatalf("data list %v", rows)
	}
	if r := rows[2]; r[0] != "data/D2_transcript.txt" || r[4] != "6" || r[5] != "3" || r[6] != "consent=2; speaker=1" || strings.Contains(r[3], ";") {
		t.Errorf("focus group row %v", r)
	}
	readme := files[DepositReadme]
	for _, want := range []string{"PSEUDONYMISATION", "[withheld: N lines]", "[not for quotation: N lines withheld]", "1 recording: recordings never leave", "1 transcript: no participant it concerns consented to archive"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}
	// One audited exit, naming every file's hash and relying on P1 alone.
	entries, _ := s.AuditLog(vault.AuditFilter{Action: "deposit"})
	if len(entries) != 1 {
		t.Fatalf("%d deposit entries", len(entries))
	}
	e := entries[0]
	if strings.Join(e.Participants, " ") != "P1" || e.Detail["purpose"] != "archive" || e.Hashes["output"] != res.SHA256 {
		t.Errorf("entry %+v", e)
	}
	for name, body := range files {
		if e.Hashes["file:"+name] != sha([]byte(body)) {
			t.Errorf("entry's hash of %s does not match the file", name)
		}
	}
	data, _ := os.ReadFile(out)
	if sha(data) != res.SHA256 {
		t.Errorf("package hash %s, result says %s", sha(data), res.SHA256)
	}
	rep, _ := s.ConsentReport(false)
	for _, r := range rep {
		if want := map[string]int{"P1": 1}[r.Handle]; r.Exits != want {
			t.Errorf("%s: %d exits in the register, want %d", r.Handle, r.Exits, want)
		}
	}
	if !vault.IsExitAction("deposit") {
		t.Error("deposit is not an exit action")
	}
}

func TestDepositRefusals(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Ngozi Featherstonehaugh", "participate", "quote", "archive")
	addParticipant(t, s, "P2", "Bartholomew de la Cruz", "participate", "quote")
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "a.txt", "Interviewer: Hi\nBartholomew de la Cruz: Hello.\n"), Kind: policy.KindTranscript, Participants: []string{"P2"}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "deposit.zip")
	snap := snapshot(t, filepath.Dir(out))
	if _, err := Run(ctx, s, Request{Exit: ExitDeposit, Output: out}); !errors.Is(err, policy.ErrRefused) {
		t.Errorf("nothing to deposit: %v", err)
	}
	if _, err := Run(ctx, s, Request{Exit: ExitDeposit}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("no output: %v", err)
	}
	if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "b.txt", "Interviewer: Contact?\nNgozi Featherstonehaugh: Write to ngozi.f@example.org please.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	var rerr *ResidualError
	if _, err := Run(ctx, s, Request{Exit: ExitDeposit, Output: out}); !errors.As(err, &rerr) {
		t.Errorf("residual e-mail: %v", err)
	}
	if got := snapshot(t, filepath.Dir(out)); !maps.Equal(got, snap) {
		t.Errorf("a refused deposit left files: %v", got)
	}
	refused, _ := s.AuditLog(vault.AuditFilter{Action: "deposit"})
	if len(refused) != 2 || refused[0].Outcome != "refused" || refused[1].Outcome != "refused" || strings.Join(refused[1].Handles, " ") != "D2" || refused[1].Rules[0] != "residual" {
		t.Errorf("refusals in the log: %+v", refused)
	}
	res, err := Run(ctx, s, Request{Exit: ExitDeposit, Output: out, AcceptResidual: true})
	if err != nil || len(res.Accepted) != 1 {
		t.Fatalf("accepted residual: %+v %v", res, err)
	}
	files, _ := readZip(t, out)
	if !strings.Contains(files[DepositReadme], "1 high-confidence finding(s)") {
		t.Errorf("README does not say a finding was accepted")
	}
	if _, err := Run(ctx, s, Request{Exit: ExitDeposit, Output: out}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("existing output: %v", err)
	}
	if _, err := Run(ctx, s, Request{Exit: ExitDeposit, Output: filepath.Join(s.Dir, "x.zip")}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("output inside the vault: %v", err)
	}
}
