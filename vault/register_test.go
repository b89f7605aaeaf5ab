package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldvault/fieldvault/policy"
)

func TestConsentBadInput(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate")
	tests := []struct {
		name string
		req  ConsentRequest
		want string
	}{
		{"unknown handle", ConsentRequest{Handle: "P9", Form: "v1", Signed: "2025-01-01", Scopes: []policy.Scope{"quote"}}, "no participant"},
		{"bad date", ConsentRequest{Handle: "P1", Form: "v1", Signed: "01/02/2025", Scopes: []policy.Scope{"quote"}}, "ISO 8601"},
		{"signed in the future", ConsentRequest{Handle: "P1", Form: "v1", Signed: "2027-01-01", Scopes: []policy.Scope{"quote"}}, "after today"},
		{"cutoff before signed", ConsentRequest{Handle: "P1", Form: "v1", Signed: "2025-06-01", Cutoff: "2025-01-01", Scopes: []policy.Scope{"quote"}}, "cut-off"},
		{"missing evidence", ConsentRequest{Handle: "P1", Form: "v1", Signed: "2025-06-01", Scopes: []policy.Scope{"quote"}, Evidence: "/nonexistent/form.pdf"}, "evidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, s.Dir)
			_, err := s.RecordConsent(ctx, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			sameSnapshot(t, before, snapshot(t, s.Dir))
		})
	}
	if _, err := s.Withdraw(ctx, WithdrawRequest{Handle: "P1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, WithdrawRequest{Handle: "P1"}); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("withdrawing twice: err = %v", err)
	}
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Someone Else"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate handle: err = %v", err)
	}
}

func TestEraseStory(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote", "record-audio")
	addParticipant(t, s, "P2", "Bramwell Ashdown", "participate", "quote")
	own, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "r.m4a", "\x00audio"), Kind: policy.KindRecording, Participants: []string{"P1"}})
	if err != nil {
		t.Fatal(err)
	}
	shared, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "fg.txt", "Genevieve Okafor-Hale: mine.\nBramwell Ashdown: his.\n"), Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}})
	if err != nil {
		t.Fatal(err)
	}
	obj := objectPath(s.Dir, own.Latest().Object)
	res, err := s.Withdraw(ctx, WithdrawRequest{Handle: "P1", Erase: true, Reason: "changed her mind"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Erased) != 1 || res.Erased[0] != own.Handle || len(res.Kept) != 1 || !strings.Contains(res.Kept[0], shared.Handle) {
		t.Errorf("erase result = %+v", res)
	}
	if _, err := os.Stat(obj); !os.IsNotExist(err) {
		t.Errorf("the erased object is still on disk")
	}
	var buf bytes.Buffer
	if err := exitVia(ctx, s, "export", exitRequest{Doc: shared.Handle, W: &buf, Text: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "mine") || !strings.Contains(buf.String(), "his") {
		t.Errorf("shared document after erase:\n%s", buf.String())
	}
	if _, err := s.OpenDoc(ctx, OpenRequest{Handle: own.Handle, W: &buf}); !errors.Is(err, ErrNotFound) {
		t.Errorf("open of erased material: err = %v", err)
	}
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "x\n"), Kind: policy.KindFieldNotes, Participants: []string{"P1"}}); !errors.Is(err, policy.ErrRefused) {
		t.Errorf("ingest after withdrawal: err = %v, want a refusal", err)
	}
	rows, err := s.ConsentReport(false)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Status != policy.StatusErased || rows[0].Name != "" {
		t.Errorf("report row = %+v", rows[0])
	}
	cat, _ := s.Catalog()
	if len(cat.Tombstones) != 1 || cat.Tombstones[0].Objects != 1 {
		t.Errorf("tombstones = %+v", cat.Tombstones)
	}
	if rep, err := s.Verify(true); err != nil || !rep.OK() {
		t.Errorf("verify after erase: %v %v", err, rep.Problems)
	}
}

// TestEthicsOfficerView: holding only the ethics identity (a catalog
// recipient) the register, report and audit work; raw material does not.
func TestEthicsOfficerView(t *testing.T) {
	officer, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	officerFile := filepath.Join(t.TempDir(), "officer.txt")
	os.WriteFile(officerFile, []byte(officer.String()+"\n"), 0o600)
	idPath := filepath.Join(t.TempDir(), "researcher.txt")
	res, err := Init(ctx, filepath.Join(t.TempDir(), "study"), InitOptions{Options: Options{Providers: testProviders, IdentityFile: idPath, Now: fixedNow}, EthicsRecipients: []string{officer.Recipient().String()}})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Study
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	form := writeFile(t, "form.pdf", "%PDF-1.4 signed form")
	if _, err := s.RecordConsent(ctx, ConsentRequest{Handle: "P1", Form: "v2", Signed: "2025-02-01", Scopes: []policy.Scope{"participate"}, Evidence: form}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "t.txt", "Genevieve Okafor-Hale: hello\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: officerFile, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := o.Catalog()
	if err != nil || len(cat.Participants) != 1 {
		t.Fatalf("officer reads the register: %v", err)
	}
	if rows, err := o.ConsentReport(false); err != nil || len(rows) != 1 || rows[0].Form != "v2" {
		t.Errorf("officer's report: %v %+v", err, rows)
	}
	if rep, err := o.VerifyAudit(ctx, ""); err != nil || !rep.OK() {
		t.Errorf("officer's audit verify: %v %+v", err, rep)
	}
	var buf bytes.Buffer
	_, err = o.OpenDoc(ctx, OpenRequest{Handle: d.Handle, W: &buf})
	if !errors.Is(err, ErrNotRecipient) || !strings.Contains(err.Error(), "raw") {
		t.Errorf("officer opening raw material: err = %v", err)
	}
	// The signed form is readable by the officer.
	if _, err := o.OpenDoc(ctx, OpenRequest{Handle: "D1", W: &buf}); err != nil || !strings.Contains(buf.String(), "signed form") {
		t.Errorf("officer opening the consent form: %v", err)
	}
}

func TestConsentReport(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P2", "Bramwell Ashdown", "participate")
	addParticipant(t, s, "P10", "Odalys Pennyworth", "participate", "quote")
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "Odalys Pennyworth: hi\n"), Kind: policy.KindTranscript, Participants: []string{"P10"}, Handle: "D4"}); err != nil {
		t.Fatal(err)
	}
	if err := exitVia(ctx, s, "quote", exitRequest{Doc: "D4", From: 1, To: 1, W: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.ConsentReport(true)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %d %d | %s %s %d %d", rows[0].Handle, rows[0].Status, rows[0].Documents, rows[0].Exits,
		rows[1].Handle, rows[1].Status, rows[1].Documents, rows[1].Exits)
	if want := "P2 active 0 0 | P10 active 1 1"; got != want {
		t.Errorf("report = %q, want %q", got, want)
	}
	if rows[1].Name != "Odalys Pennyworth" || rows[1].Pseudonym == "" {
		t.Errorf("names/pseudonym: %+v", rows[1])
	}
}

// TestConsentReportLateWithdrawal: a whole withdrawal recorded after an
// exit had used the participant's words, but dated before it, is a problem
// to attend to; one dated after the exit is not.
func TestConsentReportLateWithdrawal(t *testing.T) {
	for _, tt := range []struct {
		name    string
		days    int // the withdrawal's date, relative to the exit's day
		problem bool
	}{{"dated the day before the exit", -1, true}, {"dated the exit's day", 0, true}, {"dated the day after", 1, false}} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStudy(t)
			addParticipant(t, s, "P10", "Odalys Pennyworth", "participate", "quote")
			if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "Odalys Pennyworth: hi\n"), Kind: policy.KindTranscript, Participants: []string{"P10"}, Handle: "D4"}); err != nil {
				t.Fatal(err)
			}
			if err := exitVia(ctx, s, "quote", exitRequest{Doc: "D4", From: 1, To: 1, W: &bytes.Buffer{}}); err != nil {
				t.Fatal(err)
			}
			exitDay := s.Now().UTC()
			s.Now = func() time.Time { return exitDay.AddDate(0, 0, 2) } // recorded two days later
			date := exitDay.AddDate(0, 0, tt.days).Format(time.DateOnly)
			if _, err := s.Withdraw(ctx, WithdrawRequest{Handle: "P10", Date: date}); err != nil {
				t.Fatal(err)
			}
			rows, err := s.ConsentReport(false)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.Contains(rows[0].Problems, "exits used their words after withdrawal")
			if got != tt.problem {
				t.Errorf("withdrawal dated %s: problems %q, want the late-withdrawal problem %v", date, rows[0].Problems, tt.problem)
			}
		})
	}
}

// BenchmarkImport10000 adds ten thousand participants in one catalogue write.
func BenchmarkImport10000(b *testing.B) {
	reqs := make([]ParticipantRequest, 10000)
	for i := range reqs {
		reqs[i] = ParticipantRequest{Handle: fmt.Sprintf("P%d", i+1), Name: fmt.Sprintf("Person%05d Surname%05d", i, i)}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newStudy(b)
		b.StartTimer()
		if err := s.AddParticipants(ctx, reqs); err != nil {
			b.Fatal(err)
		}
	}
}

func TestChosenPseudonymFixedOnceUsed(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	if err := s.EditParticipant(ctx, "P1", func(p *Participant) error { p.Pseudonym = "Leila Marsh"; return nil }); err != nil {
		t.Fatalf("choosing a pseudonym before any exit: %v", err)
	}
	if got := pseudonymOf(t, s, "P1").String(); got != "Leila Marsh" {
		t.Fatalf("pseudonym = %q, want the chosen Leila Marsh", got)
	}
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "t.txt", "Genevieve Okafor-Hale: hello there.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := exitVia(ctx, s, "quote", exitRequest{Doc: "D1", From: 1, To: 1, W: &buf, Text: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Leila Marsh: hello there.") {
		t.Errorf("quote = %q", buf.String())
	}
	err := s.EditParticipant(ctx, "P1", func(p *Participant) error { p.Pseudonym = "Someone Else"; return nil })
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "never changes") {
		t.Errorf("changing a used pseudonym: err = %v", err)
	}
	if got := pseudonymOf(t, s, "P1").String(); got != "Leila Marsh" {
		t.Errorf("pseudonym after refused edit = %q", got)
	}
}
