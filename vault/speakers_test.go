package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/redact/format/transcript/transcripttest"
)

// speakerStudy registers people whose names carry particles, diacritics and
// prefixes, a researcher, and a non-participant person.
func speakerStudy(t *testing.T) *Study {
	t.Helper()
	s := newStudy(t)
	addParticipant(t, s, "P1", "Dafydd ap Rhys", "participate", "quote")
	addParticipant(t, s, "P2", "Amy Li", "participate") // may take part, not be quoted
	addParticipant(t, s, "P3", "Aoife Ní Bhriain", "participate", "quote")
	addParticipant(t, s, "P4", "Layla al-Sayed", "participate", "quote")
	addParticipant(t, s, "P5", "María de la Cruz", "participate", "quote")
	addParticipant(t, s, "P6", "Ciarán O'Rourke", "participate", "quote")
	addParticipant(t, s, "P17", "Wang Xiuying", "participate", "quote")
	addParticipant(t, s, "P18", "Jürgen Strauß", "participate", "quote")
	if _, err := s.AddEntities(ctx, []EntityRequest{{Kind: "person", Name: "Hendrik van Dijk"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddResearcher(ctx, ResearcherRequest{Name: "Siân Evans", Aliases: []string{"Siân"}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestResolveSpeakerLabels: every decoration a label carries still names
// the registered person; label-shaped prose names nobody.
func TestResolveSpeakerLabels(t *testing.T) {
	s := speakerStudy(t)
	cat, err := s.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := cat.Redactor()
	if err != nil {
		t.Fatal(err)
	}
	ix := cat.speakerIndex(rd)
	P := func(h string) speakerID { return speakerID{kind: policy.SpeakerParticipant, participant: h} }
	res := speakerID{kind: policy.SpeakerResearcher, role: DefaultRoleLabel}
	generic := speakerID{kind: policy.SpeakerResearcher}
	other := speakerID{kind: policy.SpeakerOther}
	unknown := speakerID{kind: policy.SpeakerUnknown}
	tests := []struct {
		label string
		want  speakerID
	}{
		{"Dafydd ap Rhys", P("P1")},
		{"DAFYDD AP RHYS", P("P1")},
		{"Dr Dafydd ap Rhys", P("P1")},
		{"Dr. Dafydd ap Rhys (he/him)", P("P1")},
		{"Dafydd", P("P1")},
		{"P1", P("P1")},
		{"Amy Li (she/her)", P("P2")},
		{"Amy Li (Guest)", P("P2")},
		{"Amy Li (External)", P("P2")},
		{"Amy Li (she/her) (Guest)", P("P2")},
		{"AMY LI", P("P2")},
		{"Ms Amy Li", P("P2")},
		{"Aoife Ní Bhriain", P("P3")},
		{"Aoife Ni Bhriain", P("P3")},
		{"AOIFE NÍ BHRIAIN (Organizer)", P("P3")},
		{"Layla al-Sayed", P("P4")},
		{"María de la Cruz", P("P5")},
		{"Maria de la Cruz", P("P5")},
		{"Ciarán O'Rourke", P("P6")},
		{"Ciarán O’Rourke (Host)", P("P6")},
		{"Hendrik van Dijk", other},
		{"Xiuying Wang", P("P17")},
		{"Ms Xiuying WANG (she/her)", P("P17")},
		{"Juergen Strauss", P("P18")},
		{"Strauss, Jürgen", P("P18")},
		{"Xiuying Strauss", unknown},
		{"Xiuying and Wang", unknown},
		{"Siân Evans", res},
		{"Sian Evans (Host, me)", res},
		{"Siân", res},
		{"Interviewer", generic},
		{"Interviewer 2", generic},
		{"Q", generic},
		{"Facilitator", generic},
		{"Moderator", generic},
		{"Speaker 3", unknown},
		{"Unknown Speaker", unknown},
		{"Bryn Tegid", unknown},
		{"Bryn Tegid (Guest)", unknown},
		{"Key Findings", unknown},
		{"The Chair", unknown},
		{"Dafydd and Amy", unknown},
		{"Rhys Valley Trust", unknown},
		{"Dafydd ap Rhys Jones", unknown},
		{"Dafydd's mum", unknown},
		{"Dafydd's point was", unknown},
		{"Amy Li's daughter (Guest)", unknown},
		// Teams writes an organisation's accounts surname first, and
		// tags accounts in square brackets.
		{"ap Rhys, Dafydd", P("P1")},
		{"Li, Amy (Guest)", P("P2")},
		{"Li, Amy [EXTERNAL]", P("P2")},
		{"Amy Li [CONTRACTOR]", P("P2")},
		{"al-Sayed, Layla (External)", P("P4")},
		{"Evans, Siân", res},
		{"van Dijk, Hendrik", other},
		{"Tegid, Bryn (Guest)", unknown},
		{"Li, Amy, Dafydd", unknown},
		// Meeting display names carry emoji.
		{"Amy Li 🌻", P("P2")},
		{"Amy Li (she/her) 🏳️‍🌈", P("P2")},
		{"🌻 Dafydd", P("P1")},
		{"Bryn Tegid 🌻", unknown},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			if got := ix.resolve(tt.label); got != tt.want {
				t.Errorf("resolve(%q) = %+v, want %+v", tt.label, got, tt.want)
			}
		})
	}
}

// TestIngestLinksRequired: a transcript without participants, meeting notes
// without a meeting, or a version whose links differ are refused and the
// vault stays byte-for-byte unchanged; a version keeps its links.
func TestIngestLinksRequired(t *testing.T) {
	s := speakerStudy(t)
	if err := s.AddMeeting(ctx, MeetingRequest{Handle: "M1", Name: "Chapel Committee", DNQ: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "i.txt", "Dafydd ap Rhys: hello\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "n.txt", "Dafydd ap Rhys: hello again\n")
	before := snapshot(t, s.Dir)
	for name, req := range map[string]IngestRequest{
		"transcript without participant":    {Path: file, Kind: policy.KindTranscript},
		"meeting notes without meeting":     {Path: file, Kind: policy.KindMeetingNotes, Participants: []string{"P1"}},
		"version with other participant":    {Path: file, VersionOf: "D1", Participants: []string{"P3"}},
		"version with a meeting":            {Path: file, VersionOf: "D1", Meeting: "M1"},
		"version of another kind":           {Path: file, VersionOf: "D1", Kind: policy.KindFieldNotes},
		"transcript of unknown participant": {Path: file, Kind: policy.KindTranscript, Participants: []string{"P99"}},
	} {
		if _, err := s.Ingest(ctx, req); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "Dafydd") {
			t.Errorf("%s: error names a person: %v", name, err)
		}
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))

	d, err := s.Ingest(ctx, IngestRequest{Path: file, VersionOf: "D1", Participants: []string{"P1"}})
	if err != nil || len(d.Versions) != 2 || len(d.Participants) != 1 || d.Participants[0] != "P1" {
		t.Fatalf("version keeping its links: %v %+v", err, d)
	}

	// doc link / unlink change what the gate sees.
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "m.txt", "Dafydd ap Rhys: CANARY-MEETING-1 the vote\n"), Kind: policy.KindMeetingNotes, Meeting: "M1", Participants: []string{"P1"}, Handle: "D2"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := exitVia(ctx, s, "export", exitRequest{Doc: "D2", W: &buf}); err != nil || strings.Contains(buf.String(), "CANARY-MEETING-1") {
		t.Fatalf("dnq meeting export: %v\n%s", err, buf.String())
	}
	if _, err := s.LinkDoc(ctx, LinkRequest{Doc: "D2", Meeting: "M1", Unlink: true}); err == nil {
		t.Errorf("unlinking the meeting of meeting notes: accepted")
	}
	if _, err := s.LinkDoc(ctx, LinkRequest{Doc: "D1", Participants: []string{"P1"}, Unlink: true}); err == nil {
		t.Errorf("unlinking a transcript's last participant: accepted")
	}
	if _, err := s.LinkDoc(ctx, LinkRequest{Doc: "D1", Participants: []string{"P3"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkDoc(ctx, LinkRequest{Doc: "D1", Participants: []string{"P1"}, Unlink: true}); err != nil {
		t.Fatal(err)
	}
	d, _ = s.Doc("D1")
	if len(d.Participants) != 1 || d.Participants[0] != "P3" {
		t.Errorf("participants after link and unlink = %v", d.Participants)
	}
	entries, _ := s.AuditLog(AuditFilter{})
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "doc-") {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, " ") != "doc-link doc-unlink" {
		t.Errorf("audited link actions = %v", actions)
	}
}

// TestOfficerWritesRefused: an identity that is only an ethics-officer
// recipient is refused by every command that changes the records, and the
// vault stays byte-for-byte unchanged.
func TestOfficerWritesRefused(t *testing.T) {
	officer, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	officerFile := filepath.Join(t.TempDir(), "officer.txt")
	os.WriteFile(officerFile, []byte(officer.String()+"\n"), 0o600)
	res, err := Init(ctx, filepath.Join(t.TempDir(), "study"), InitOptions{Options: Options{Providers: testProviders, IdentityFile: filepath.Join(t.TempDir(), "r.txt"), Now: fixedNow}, EthicsRecipients: []string{officer.Recipient().String()}})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Study
	addParticipant(t, s, "P1", "Dafydd ap Rhys", "participate", "quote")
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "i.txt", "Dafydd ap Rhys: hello\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	o, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: officerFile, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	file := writeFile(t, "n.txt", "x\n")
	writes := map[string]func() error{
		"participant add": func() error {
			return o.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Bryn Tegid"}})
		},
		"participant edit": func() error { return o.EditParticipant(ctx, "P1", func(p *Participant) error { return nil }) },
		"consent record": func() error {
			_, err := o.RecordConsent(ctx, ConsentRequest{Handle: "P1", Form: "v2", Signed: "2025-01-10", Scopes: []policy.Scope{"participate"}})
			return err
		},
		"consent withdraw": func() error { _, err := o.Withdraw(ctx, WithdrawRequest{Handle: "P1"}); return err },
		"entity add": func() error {
			_, err := o.AddEntities(ctx, []EntityRequest{{Kind: "place", Name: "Llanfair"}})
			return err
		},
		"meeting add": func() error { return o.AddMeeting(ctx, MeetingRequest{Handle: "M1", Name: "Chapel Committee"}) },
		"ingest": func() error {
			_, err := o.Ingest(ctx, IngestRequest{Path: file, Kind: policy.KindDocument})
			return err
		},
		"flag": func() error {
			return o.Flag(ctx, FlagRequest{Doc: "D1", From: 1, To: 1, Kind: policy.FlagDNQ, Reason: "x"})
		},
		"researcher add": func() error { _, err := o.AddResearcher(ctx, ResearcherRequest{Name: "Siân Evans"}); return err },
		"doc link":       func() error { _, err := o.LinkDoc(ctx, LinkRequest{Doc: "D1", Meeting: "M1"}); return err },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s by the officer: err = %v, want ErrReadOnly", name, err)
		}
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
	// The researcher still writes.
	if _, err := s.AddResearcher(ctx, ResearcherRequest{Name: "Siân Evans"}); err != nil {
		t.Errorf("researcher add by the researcher: %v", err)
	}
}

// TestSpeakersOfLines: continuation lines inherit a turn only when no
// label-shaped prefix begins them; a lower-case or heading-like prefix that
// names a registered person is theirs; a researcher's alias that is also a
// participant's given name names nobody for sure, so it is unknown.
func TestSpeakersOfLines(t *testing.T) {
	s := speakerStudy(t)
	addParticipant(t, s, "P7", "Rosalind Page", "participate", "quote")
	if _, err := s.AddResearcher(ctx, ResearcherRequest{Name: "Amy"}); err == nil {
		t.Errorf("a researcher named like a participant's given name was accepted")
	}
	if _, err := s.AddResearcher(ctx, ResearcherRequest{Name: "Gwen Morgan", Aliases: []string{"Gwen"}, Label: "Researcher 2"}); err != nil {
		t.Fatal(err)
	}
	// A participant registered later whose given name is the researcher's alias.
	addParticipant(t, s, "P8", "Gwen Harries", "participate", "quote")
	cat, _ := s.Catalog()
	rd, _ := cat.Redactor()
	text := "Interviewer: first\n" +
		"Page: heading-like surname label\n" +
		"continues Rosalind\n" +
		"amy li: lower case\n" +
		"Note: a transcriber's note\n" +
		"Gwen: ambiguous\n" +
		"Gwen Morgan: researcher two\n" +
		"Mystery Guest: unknown\n" +
		"still unknown\n"
	lines, _, err := transcripttest.Parse(t.Context(), transcript.FormatText, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.speakerIndex(rd).tracker()
	got := make([]lineSpeaker, len(lines))
	for i, l := range lines {
		got[i] = tr.next(l)
	}
	want := []struct {
		kind policy.SpeakerKind
		p    string
		text string
	}{
		{policy.SpeakerResearcher, "", ""},
		{policy.SpeakerParticipant, "P7", ""},
		{policy.SpeakerParticipant, "P7", ""},
		{policy.SpeakerParticipant, "P2", ""},
		{policy.SpeakerParticipant, "P2", ""},
		{policy.SpeakerUnknown, "", ""},
		{policy.SpeakerResearcher, "", "Researcher 2: researcher two"},
		{policy.SpeakerUnknown, "", ""},
		{policy.SpeakerUnknown, "", ""},
	}
	for i, w := range want {
		if g := got[i]; g.kind != w.kind || g.participant != w.p || g.text != w.text {
			t.Errorf("line %d: got %v %q %q, want %v %q %q", i+1, g.kind, g.participant, g.text, w.kind, w.p, w.text)
		}
	}
}

// TestSpeakerNameLines: a registered name alone on a line, the words on the
// lines after it (a typist's layout), starts that person's turn, so a
// participant's words are never given to the speaker before them; a line
// that names nobody registered (a heading) changes nothing.
func TestSpeakerNameLines(t *testing.T) {
	s := speakerStudy(t)
	cat, _ := s.Catalog()
	rd, _ := cat.Redactor()
	text := "Interviewer: first\n" +
		"Amy Li\n" +
		"her words\n" +
		"**Dafydd**\n" +
		"his words\n" +
		"Fenwick Vale\n" +
		"still his\n" +
		"  SIÂN EVANS \n" +
		"the researcher's words\n" +
		"Amy Li\n" +
		"Q\n" +
		"the researcher again\n"
	lines, _, err := transcripttest.Parse(t.Context(), transcript.FormatText, strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	tr := cat.speakerIndex(rd).tracker()
	want := []struct {
		kind policy.SpeakerKind
		p    string
		text string
	}{
		{policy.SpeakerResearcher, "", ""},
		{policy.SpeakerParticipant, "P2", ""},
		{policy.SpeakerParticipant, "P2", ""},
		{policy.SpeakerParticipant, "P1", ""},
		{policy.SpeakerParticipant, "P1", ""},
		{policy.SpeakerParticipant, "P1", ""},
		{policy.SpeakerParticipant, "P1", ""},
		{policy.SpeakerResearcher, "", "  Interviewer "},
		{policy.SpeakerResearcher, "", ""},
		{policy.SpeakerParticipant, "P2", ""},
		{policy.SpeakerResearcher, "", ""},
		{policy.SpeakerResearcher, "", ""},
	}
	for i, l := range lines {
		g := tr.next(l)
		if w := want[i]; g.kind != w.kind || g.participant != w.p || g.text != w.text {
			t.Errorf("line %d: got %v %q %q, want %v %q %q", i+1, g.kind, g.participant, g.text, w.kind, w.p, w.text)
		}
	}
}

func TestRelabelResearcher(t *testing.T) {
	id := speakerID{kind: policy.SpeakerResearcher, role: "Interviewer"}
	ix := &speakerIndex{}
	tests := []struct{ text, label, want string }{
		{"Siân Evans: Why?", "Siân Evans", "Interviewer: Why?"},
		{"**Siân Evans (Host):** Why?", "Siân Evans (Host)", "**Interviewer:** Why?"},
		{"**Siân**: Why?", "Siân", "**Interviewer**: Why?"},
		{"Siân Evans  0:09", "Siân Evans", "Interviewer  0:09"},
		{"siân evans: Why?", "siân evans", "Interviewer: Why?"},
		{"SIÂN EVANS : Why?", "Siân Evans", "Interviewer: Why?"},
		{"Evans, S.: Why?", "Siân Evans", "Interviewer: Why?"},
		{"Siân", "Sian", "Interviewer:"},
		{"[00:01:23] Siân Evans: Why?", "Siân Evans", "[00:01:23] Interviewer: Why?"},
		{"[00:01:23] **Siân:** Why?", "Siân", "[00:01:23] **Interviewer:** Why?"},
		{"Siân Evans: Siân Evans again", "Siân Evans", "Interviewer: Siân Evans again"},
		// A transcript table's row: the label is its first cell, after a time.
		{"Siân | Why?", "Siân", "Interviewer | Why?"},
		{"00:00:01 | Siân Evans | Why?", "Siân Evans", "00:00:01 | Interviewer | Why?"},
		{"[SPEAKER_00]: Why?", "SPEAKER_00", "[Interviewer]: Why?"},
	}
	for _, tt := range tests {
		got := ix.relabel(transcript.Line{Text: tt.text, Turn: true}, tt.label, id).text
		if got != tt.want || strings.Contains(strings.SplitN(got, ":", 2)[0], "Siân") {
			t.Errorf("relabel(%q, %q) = %q, want %q", tt.text, tt.label, got, tt.want)
		}
	}
}

// TestGenericParticipantLabels: "A:" or "Interviewee:" is the participant
// of a one-to-one interview, and nobody's for sure in a group.
func TestGenericParticipantLabels(t *testing.T) {
	s := speakerStudy(t)
	cat, _ := s.Catalog()
	rd, _ := cat.Redactor()
	ix := cat.speakerIndex(rd)
	for _, l := range []string{"A", "Interviewee", "Respondent 1", "Participant"} {
		if got := ix.resolve(l); got.kind != policy.SpeakerUnknown {
			t.Errorf("resolve(%q) without a sole participant = %+v, want unknown", l, got)
		}
	}
	ix.sole = "P2"
	for _, l := range []string{"A", "Interviewee", "Respondent 1", "Participant"} {
		if got := ix.resolve(l); got.kind != policy.SpeakerParticipant || got.participant != "P2" {
			t.Errorf("resolve(%q) with sole participant P2 = %+v", l, got)
		}
	}
	if got := ix.resolve("Q"); got.kind != policy.SpeakerResearcher {
		t.Errorf("resolve(Q) = %+v, want the researcher", got)
	}
}
