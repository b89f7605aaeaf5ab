package policy

import (
	"fmt"
	"testing"
)

// benchRequest is an export of a 10,000-line focus group transcript with six
// participants, one withdrawn, and a flag every 50 lines.
func benchRequest(b *testing.B) Request {
	recs := map[string]*Record{}
	for i := 1; i <= 6; i++ {
		h := fmt.Sprintf("P%02d", i)
		recs[h] = newRecord(b, h, full...)
	}
	withdraw(b, recs["P03"], "", false)
	doc := DocFacts{Handle: "D12", Kind: KindTranscript, Participants: []string{"P01", "P02", "P03", "P04", "P05", "P06"}}
	for i := 1; i <= 10000; i++ {
		l := LineFacts{N: i, SpeakerKind: SpeakerParticipant, Participant: fmt.Sprintf("P%02d", 1+i%6)}
		switch {
		case i%7 == 0:
			l = LineFacts{N: i, Blank: true}
		case i%11 == 0:
			l = LineFacts{N: i, SpeakerKind: SpeakerResearcher}
		}
		if i%50 == 0 {
			doc.Flags = append(doc.Flags, Flag{Kind: FlagKinds()[i/50%4], From: i, To: i + 3})
		}
		doc.Lines = append(doc.Lines, l)
	}
	return Request{Mode: ModeExport, Doc: doc, Records: recs}
}

func BenchmarkDecideExport10k(b *testing.B) {
	req := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		d := Decide(req)
		_ = Markers(d)
	}
}

func BenchmarkDecideQuote(b *testing.B) {
	req := benchRequest(b)
	req.Mode, req.From, req.To = ModeQuote, 5000, 5020
	b.ReportAllocs()
	for b.Loop() {
		_ = Decide(req)
	}
}
