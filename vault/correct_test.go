package vault

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
)

func correctionStudy(t *testing.T) *Study {
	t.Helper()
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	tr := writeFile(t, "t.txt", "Interviewer: How did it start?\nGenevieve Okafor-Hale: At the depot.\nGenevieve Okafor-Hale: [dnq]We argued.[/dnq]\n")
	if _, err := s.Ingest(ctx, IngestRequest{Path: tr, Kind: policy.KindTranscript, Participants: []string{"p1"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flag(ctx, FlagRequest{Doc: "D1", From: 2, To: 2, Kind: policy.FlagConfidential, Reason: "wrong line"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChangeFlag(t *testing.T) {
	s := correctionStudy(t)
	quote := func() error {
		err := exitVia(ctx, s, "quote", exitRequest{Doc: "D1", From: 2, To: 2, W: &bytes.Buffer{}})
		return err
	}
	if err := quote(); !errors.Is(err, policy.ErrRefused) {
		t.Fatalf("quote of a confidential line: %v", err)
	}
	before := snapshot(t, s.Dir)
	for _, tc := range []struct {
		name string
		req  FlagChangeRequest
		want string
	}{
		{"other range", FlagChangeRequest{Doc: "D1", From: 1, To: 2, Kind: policy.FlagConfidential, Reason: "r"}, "its confidential flags: 2-2"},
		{"other kind", FlagChangeRequest{Doc: "D1", From: 2, To: 2, Kind: policy.FlagDNQ, Reason: "r"}, "no recorded dnq flag"},
		{"markup", FlagChangeRequest{Doc: "D1", From: 3, To: 3, Kind: policy.FlagDNQ, Reason: "r"}, "text's own markup"},
		{"no reason", FlagChangeRequest{Doc: "D1", From: 2, To: 2, Kind: policy.FlagConfidential}, "--reason"},
		{"bad kind", FlagChangeRequest{Doc: "D1", From: 2, To: 2, Kind: "secret", Reason: "r"}, "unknown flag"},
		{"bad range", FlagChangeRequest{Doc: "D1", From: 3, To: 2, Kind: policy.FlagConfidential, Reason: "r"}, "--lines"},
		{"unknown doc", FlagChangeRequest{Doc: "D7", From: 2, To: 2, Kind: policy.FlagConfidential, Reason: "r"}, "did you mean D1"},
	} {
		err := s.ChangeFlag(ctx, tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))

	if err := s.ChangeFlag(ctx, FlagChangeRequest{Doc: "d1", From: 2, To: 2, Kind: policy.FlagConfidential, Reason: "asked by email", Amend: true}); err != nil {
		t.Fatal(err)
	}
	if err := quote(); !errors.Is(err, policy.ErrRefused) {
		t.Fatalf("an amended flag stopped applying: %v", err)
	}
	if err := s.ChangeFlag(ctx, FlagChangeRequest{Doc: "D1", From: 2, To: 2, Kind: policy.FlagConfidential, Reason: "set on the wrong line"}); err != nil {
		t.Fatal(err)
	}
	if err := quote(); err != nil {
		t.Fatalf("quote after the clear: %v", err)
	}
	d, _ := s.Doc("D1")
	v := d.Latest()
	if len(v.Flags) != 0 || len(v.FlagHistory) != 2 {
		t.Fatalf("flags %v, history %v", v.Flags, v.FlagHistory)
	}
	h := v.FlagHistory
	if h[0].Action != FlagAmended || h[0].Flag.Reason != "wrong line" || h[0].Reason != "asked by email" ||
		h[1].Action != FlagCleared || h[1].Flag.Reason != "asked by email" || h[1].Reason != "set on the wrong line" {
		t.Errorf("history: %+v", h)
	}
	entries, _ := s.AuditLog(AuditFilter{})
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(string(e.line()), "email") || strings.Contains(string(e.line()), "wrong line") {
			t.Errorf("a reason reached the audit log: %s", e.line())
		}
	}
	if got := strings.Join(actions[len(actions)-4:], " "); got != "flag-amend quote flag-clear quote" {
		t.Errorf("last actions: %s", got)
	}
}

func TestEditKeepsPseudonyms(t *testing.T) {
	s := correctionStudy(t)
	ents, err := s.AddEntities(ctx, []EntityRequest{{Kind: redact.KindPlace, Name: "Wexcombe"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMeeting(ctx, MeetingRequest{Handle: "M1", Name: "Depot Users Group", DNQ: true}); err != nil {
		t.Fatal(err)
	}
	pseudonyms := func() map[string]redact.Pseudonym {
		out := map[string]redact.Pseudonym{}
		for _, h := range []string{"P1", ents[0].Handle, "M1"} {
			p, _, err := s.PseudonymFor(ctx, h, "")
			if err != nil {
				t.Fatal(err)
			}
			out[h] = p
		}
		return out
	}
	before := pseudonyms()
	name, other := "Wexcombe Parva", "Depot Users' Group"
	if err := s.EditEntity(ctx, "e1", EntityEdit{Name: &name, AddAliases: []string{"the Parva"}}); err != nil {
		t.Fatal(err)
	}
	no := false
	if err := s.EditMeeting(ctx, "M1", MeetingEdit{Name: &other, DNQ: &no}); err == nil {
		t.Error("lifting do-not-quote without a reason was allowed")
	}
	if err := s.EditMeeting(ctx, "m1", MeetingEdit{Name: &other, DNQ: &no, Reason: "the chair agreed"}); err != nil {
		t.Fatal(err)
	}
	if err := s.EditParticipant(ctx, "P1", func(p *Participant) error { p.Name = "Genevieve Okafor Hale"; return nil }); err != nil {
		t.Fatal(err)
	}
	after := pseudonyms()
	for h, p := range before {
		if after[h] != p {
			t.Errorf("%s: pseudonym %v became %v", h, p, after[h])
		}
	}
	cat, _ := s.Catalog()
	m, _ := cat.Meeting("M1")
	if m.DNQ || len(m.History) != 1 || m.History[0].Reason != "the chair agreed" || m.History[0].Changed[0] != "dnq" {
		t.Errorf("meeting: %+v", m)
	}
	if cat.Pseudonyms.Len() != 3 {
		t.Errorf("registry holds %d entries, want 3 (renames move entries)", cat.Pseudonyms.Len())
	}
	// A name another record holds is refused.
	taken := "Genevieve Okafor Hale"
	if err := s.EditEntity(ctx, "E1", EntityEdit{Name: &taken}); err != nil {
		t.Errorf("a place may share a person's name: %v", err)
	}
	if _, err := s.AddEntities(ctx, []EntityRequest{{Kind: redact.KindPlace, Name: "Lower Wexcombe"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.EditEntity(ctx, "E2", EntityEdit{Name: &taken}); err == nil {
		t.Error("two places got one name")
	}
}

func TestRemoveBeforeExitOnly(t *testing.T) {
	s := correctionStudy(t)
	if err := s.RemoveParticipant(ctx, "P1"); err == nil || !strings.Contains(err.Error(), "linked to D1") {
		t.Errorf("participant with a document: %v", err)
	}
	if err := s.ChangeFlag(ctx, FlagChangeRequest{Doc: "D1", From: 2, To: 2, Kind: policy.FlagConfidential, Reason: "wrong line"}); err != nil {
		t.Fatal(err)
	}
	if err := exitVia(ctx, s, "export", exitRequest{Doc: "D1", W: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	if err := s.RemoveDoc(ctx, "D1"); err == nil || !strings.Contains(err.Error(), "left the vault in 1 exit") {
		t.Errorf("doc after an exit: %v", err)
	}
	if err := s.RemoveParticipant(ctx, "P1"); err == nil || !strings.Contains(err.Error(), "consent withdraw P1") {
		t.Errorf("participant after an exit: %v", err)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))

	// A fresh document and participant go, objects and all.
	addParticipant(t, s, "P2", "Tobias Fenwick-Aldous", "participate")
	form := writeFile(t, "f.txt", "signed\n")
	if _, err := s.RecordConsent(ctx, ConsentRequest{Handle: "P2", Form: "v2", Signed: "2025-02-01", Scopes: []policy.Scope{"participate"}, Evidence: form}); err != nil {
		t.Fatal(err)
	}
	notes := writeFile(t, "n.txt", "Tobias Fenwick-Aldous: hello\n")
	d, err := s.Ingest(ctx, IngestRequest{Path: notes, Kind: policy.KindFieldNotes})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveDoc(ctx, d.Handle); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveParticipant(ctx, "P2"); err != nil {
		t.Fatal(err)
	}
	cat, _ := s.Catalog()
	if len(cat.Documents) != 1 || len(cat.Participants) != 1 {
		t.Errorf("left: %d documents, %d participants", len(cat.Documents), len(cat.Participants))
	}
	if _, ok := cat.Pseudonyms.Lookup(redact.KindPerson, "Tobias Fenwick-Aldous"); ok {
		t.Error("the removed participant's pseudonym stayed")
	}
	// Removed handles are never given again: the audit log names them.
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "p2", Name: "Someone Else"}}); err == nil {
		t.Error("a removed participant's handle was given again")
	}
	again := writeFile(t, "a.txt", "Interviewer: again\n")
	if _, err := s.Ingest(ctx, IngestRequest{Path: again, Kind: policy.KindFieldNotes, Handle: d.Handle}); err == nil {
		t.Error("a removed document's handle was given again")
	}
	if d2, err := s.Ingest(ctx, IngestRequest{Path: again, Kind: policy.KindFieldNotes}); err != nil || d2.Handle == d.Handle {
		t.Errorf("next handle after a removal: %v %v", d2, err)
	}
	rep, err := s.Verify(true)
	if err != nil || !rep.OK() || len(rep.Notes) != 0 {
		t.Errorf("verify: %v %+v", err, rep)
	}
	entries, _ := s.AuditLog(AuditFilter{Action: "participant-remove"})
	if len(entries) != 1 || strings.Contains(string(entries[0].line()), "Tobias") {
		t.Errorf("audit: %+v", entries)
	}
}

func TestParticipantEditApply(t *testing.T) {
	str := func(s string) *string { return &s }
	strs := func(s ...string) *[]string { return &s }
	base := func() *Participant {
		return &Participant{Handle: "P1", Name: "Tomasz Wójcik", Aliases: []string{"Tom"}, Org: "Riverside Allotments",
			Role: "secretary", Notes: "met twice", Attributes: map[string]string{"sector": "voluntary", "age": "40s"}, Shareable: []string{"sector"}}
	}
	tests := []struct {
		name string
		ed   ParticipantEdit
		want func(p *Participant)
	}{
		{"nothing set", ParticipantEdit{}, func(p *Participant) {}},
		{"fields", ParticipantEdit{Name: str("Tomasz Wójcik-Nowak"), Org: str(""), Role: str("chair"), Pseudonym: str("Piotr Lis"), Notes: str("")},
			func(p *Participant) {
				p.Name, p.Org, p.Role, p.Pseudonym, p.Notes = "Tomasz Wójcik-Nowak", "", "chair", "Piotr Lis", ""
			}},
		{"aliases replaced then added", ParticipantEdit{Aliases: strs("Tomek"), AddAliases: []string{"Mr Wójcik"}},
			func(p *Participant) { p.Aliases = []string{"Tomek", "Mr Wójcik"} }},
		{"aliases added", ParticipantEdit{AddAliases: []string{"Mr Wójcik"}},
			func(p *Participant) { p.Aliases = []string{"Tom", "Mr Wójcik"} }},
		{"attributes set and removed", ParticipantEdit{Attributes: map[string]string{"age": "", "region": "north"}},
			func(p *Participant) { p.Attributes = map[string]string{"sector": "voluntary", "region": "north"} }},
		{"shareable replaced", ParticipantEdit{Shareable: strs("age")},
			func(p *Participant) { p.Shareable = []string{"age"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := base(), base()
			tt.ed.Apply(got)
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Apply:\n got %+v\nwant %+v", *got, *want)
			}
		})
	}
	t.Run("attributes on none", func(t *testing.T) {
		p := &Participant{Handle: "P2"}
		ParticipantEdit{Attributes: map[string]string{"sector": "public"}}.Apply(p)
		if p.Attributes["sector"] != "public" {
			t.Errorf("Attributes = %v, want sector=public", p.Attributes)
		}
	})
}
