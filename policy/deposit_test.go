package policy

import (
	"testing"
	"time"
)

func recordWith(scopes ...Scope) *Record {
	r := &Record{}
	if err := r.AddConsent(Consent{Form: "v1", Signed: Date{2025, 1, 1}, Scopes: scopes}, Date{2025, 1, 2}); err != nil {
		panic(err)
	}
	return r
}

func TestArchiveExclusion(t *testing.T) {
	withdrawn := recordWith(ScopeParticipate, ScopeQuote, ScopeArchive)
	if err := withdrawn.Withdraw(Withdrawal{Date: Date{2025, 2, 1}, Scope: ScopeArchive, Recorded: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}, Date{2025, 2, 1}); err != nil {
		t.Fatal(err)
	}
	records := map[string]*Record{
		"P1": recordWith(ScopeParticipate, ScopeQuote, ScopeArchive),
		"P2": recordWith(ScopeParticipate, ScopeQuote, ScopePublish),
		"P3": withdrawn,
	}
	tests := []struct {
		name  string
		kind  string
		who   []string
		turns bool
		want  string
	}{
		{"archive participant's interview", KindTranscript, []string{"P1"}, true, ""},
		{"focus group with turns", KindTranscript, []string{"P1", "P2"}, true, ""},
		{"notes about both, no turns", KindFieldNotes, []string{"P1", "P2"}, false, "notes without speaker turns concerning a participant who did not consent to archive"},
		{"notes about P1 alone", KindFieldNotes, []string{"P1"}, false, ""},
		{"no archive consent", KindTranscript, []string{"P2"}, true, "no participant it concerns consented to archive"},
		{"archive withdrawn", KindTranscript, []string{"P3"}, true, "no participant it concerns consented to archive"},
		{"unknown participant", KindTranscript, []string{"P9"}, true, "no participant it concerns consented to archive"},
		{"no participant", KindDocument, nil, true, "concerns no participant, so no one consented to archive"},
		{"recording", KindRecording, []string{"P1"}, true, "recordings never leave"},
		{"consent form", KindConsentForm, []string{"P1"}, true, "consent forms never leave"},
		{"unknown kind", "photo", []string{"P1"}, true, "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ArchiveExclusion(tt.kind, tt.who, records, tt.turns); got != tt.want {
				t.Errorf("ArchiveExclusion() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestArchiveWithholdsOtherSpeakers: in meeting notes a named speaker who
// is not a participant is kept for the thesis but withheld for archive.
func TestArchiveWithholdsOtherSpeakers(t *testing.T) {
	doc := DocFacts{Handle: "D6", Kind: KindMeetingNotes, Version: 1, Participants: []string{"P1"}, Meeting: &MeetingFacts{Handle: "M1"},
		Lines: []LineFacts{{N: 1, SpeakerKind: SpeakerParticipant, Participant: "P1"}, {N: 2, SpeakerKind: SpeakerOther}}}
	records := map[string]*Record{"P1": recordWith(ScopeParticipate, ScopeQuote, ScopePublish, ScopeArchive)}
	for _, tt := range []struct {
		purpose Scope
		line2   Action
	}{{"", Keep}, {ScopePublish, Keep}, {ScopeArchive, Withhold}} {
		d := Decide(Request{Mode: ModeExport, Doc: doc, Records: records, Purpose: tt.purpose})
		if d.Lines[0].Action != Keep || d.Lines[1].Action != tt.line2 {
			t.Errorf("purpose %q: lines %+v, want keep, %v", tt.purpose, d.Lines, tt.line2)
		}
	}
}
