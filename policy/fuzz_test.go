package policy

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzRecordJSON decodes arbitrary catalogue entries as a Record and a
// DocFacts, then runs every query and the gate over them: none may panic, and
// the gate must never keep a struck line.
func FuzzRecordJSON(f *testing.F) {
	seeds := []string{
		`{"handle":"P01","consents":[{"seq":1,"form":"v2","signed":"2011-03-01","scopes":["participate","quote"]}]}`,
		`{"handle":"P03","consents":[{"seq":1,"signed":"2011-03-01","scopes":["participate"]}],"withdrawals":[{"seq":2,"date":"2011-08-15"}]}`,
		`{"handle":"P04","consents":[{"seq":3,"scopes":["quote"]},{"seq":1,"scopes":["participate","quote"]}],"withdrawals":[{"seq":2,"scope":"quote","erase":true}]}`,
		`{"consents":[{"seq":-1,"scopes":["bogus"]}],"withdrawals":[{"seq":-1,"scope":"participate"}],"erased":true}`,
		`{}`, `null`, `[]`,
	}
	for _, s := range seeds {
		f.Add(s, uint8(3), uint16(0x0f0f))
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, js string, n uint8, pattern uint16) {
		var r Record
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			return
		}
		r.Handle = "P01"
		_ = r.Status()
		_ = r.Active()
		_ = r.Problems([]string{KindRecording, KindTranscript})
		if err := CheckIngest(KindRecording, []*Record{&r}); err != nil && !errors.Is(err, ErrRefused) {
			t.Fatalf("CheckIngest: unexpected error %v", err)
		}
		count := int(n % 24)
		doc := DocFacts{Handle: "D01", Kind: KindTranscript, Participants: []string{"P01"}}
		for i := 1; i <= count; i++ {
			l := LineFacts{N: i, SpeakerKind: SpeakerKind(int(pattern>>(i%16)) & 3), Participant: "P01"}
			if pattern&(1<<(i%16)) != 0 && i%3 == 0 {
				l.Flags = []FlagKind{FlagStruck}
			}
			doc.Lines = append(doc.Lines, l)
		}
		d := Decide(Request{Mode: ModeExport, Doc: doc, Records: map[string]*Record{"P01": &r}})
		for _, ld := range d.Lines {
			l := doc.Lines[ld.N-1]
			if len(l.Flags) > 0 && ld.Action == Keep {
				t.Fatalf("struck line %d kept", ld.N)
			}
			if l.SpeakerKind == SpeakerParticipant && ld.Action == Keep && (!r.Has(ScopeQuote) || !r.Has(ScopeParticipate)) {
				t.Fatalf("line %d of P01 kept without consent", ld.N)
			}
		}
	})
}
