package policy

import (
	"reflect"
	"testing"
)

// TestDeciderCountLater: an export decided without knowing its line count
// up front decides as Decide does.
func TestDeciderCountLater(t *testing.T) {
	recs := map[string]*Record{"P1": newRecord(t, "P1", ScopeParticipate, ScopeQuote)}
	doc := DocFacts{Handle: "D1", Kind: KindTranscript, Participants: []string{"P1"},
		Flags: []Flag{{Kind: FlagDNQ, From: 9, To: 2}, {Kind: FlagStruck, From: 5, To: 40}}}
	for i, k := range []SpeakerKind{SpeakerResearcher, SpeakerParticipant, SpeakerNone, SpeakerParticipant, SpeakerUnknown, SpeakerNone, SpeakerParticipant} {
		doc.Lines = append(doc.Lines, LineFacts{N: i + 1, SpeakerKind: k, Participant: map[bool]string{true: "P1"}[k == SpeakerParticipant], Blank: k == SpeakerNone})
	}
	req := Request{Mode: ModeExport, Doc: doc, Records: recs}
	want := Decide(req)
	var lines []LineDecision
	d := NewDecider(Request{Mode: ModeExport, Doc: DocFacts{Handle: doc.Handle, Kind: doc.Kind, Participants: doc.Participants, Flags: doc.Flags}, Records: recs}, -1, true, func(l LineDecision) { lines = append(lines, l) })
	for _, l := range doc.Lines {
		d.Line(l)
	}
	got := d.Finish()
	got.Lines = lines
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Decider without a count:\n got %+v\nwant %+v", got, want)
	}
	if len(want.Lines) != len(doc.Lines) || len(want.FlagsApplied) != 2 {
		t.Errorf("the case does not exercise what it should: %+v", want)
	}
	q := NewDecider(Request{Mode: ModeQuote, From: 1, To: 2, Doc: DocFacts{Handle: "D1", Kind: KindTranscript}}, -1, true, nil)
	if q.Err() == nil {
		t.Error("a quote without a line count was not refused")
	}
}
