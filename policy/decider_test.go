package policy

import (
	"math/rand/v2"
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

// TestDeciderStreamsAsDecide: over random requests, a Decider fed one line
// at a time (an export not told its line count, as a streamed export is)
// decides every line as Decide does.
func TestDeciderStreamsAsDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261201, 15))
	n := 0
	for iter := range 3000 {
		req := randomRequest(t, rng)
		if req.Mode != ModeExport || req.Doc.Kind == KindRecording || req.Doc.Kind == KindConsentForm {
			continue
		}
		n++
		want := Decide(req)
		lines := req.Doc.Lines
		bare := req
		bare.Doc.Lines = nil
		var got []LineDecision
		s := NewDecider(bare, -1, !req.Doc.unlabelledTranscript(), func(l LineDecision) { got = append(got, l) })
		for _, l := range lines {
			s.Line(l)
		}
		d := s.Finish()
		d.Lines = got
		if want.Lines == nil {
			want.Lines = []LineDecision{}
		}
		if d.Lines == nil {
			d.Lines = []LineDecision{}
		}
		if !reflect.DeepEqual(d, want) {
			t.Fatalf("iter %d: streamed\n %+v\nDecide\n %+v", iter, d, want)
		}
	}
	if n < 100 {
		t.Fatalf("only %d exports among the random requests", n)
	}
}
