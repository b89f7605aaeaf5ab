package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomRequest builds a request over a random document and random consent
// histories of participants P01..P06 (P06 never has a record).
func randomRequest(t *testing.T, rng *rand.Rand) Request {
	today := mustDate(t, testToday)
	recs := map[string]*Record{}
	for i := 1; i <= 5; i++ {
		h := fmt.Sprintf("P%02d", i)
		r := &Record{Handle: h}
		recs[h] = r
		if rng.IntN(6) == 0 {
			continue // registered, no consent
		}
		var scopes []Scope
		for _, s := range Scopes() {
			if rng.IntN(3) > 0 {
				scopes = append(scopes, s)
			}
		}
		if len(scopes) == 0 {
			scopes = []Scope{ScopeQuote}
		}
		if err := r.AddConsent(Consent{Form: "v1", Signed: mustDate(t, "2011-03-01"), Scopes: scopes}, today); err != nil {
			t.Fatal(err)
		}
		for range rng.IntN(3) {
			var s Scope
			if rng.IntN(3) > 0 {
				s = Scopes()[rng.IntN(len(Scopes()))]
			}
			_ = r.Withdraw(Withdrawal{Scope: s, Erase: s == "" && rng.IntN(2) == 0}, today) // may be refused; that is fine
		}
		if rng.IntN(5) == 0 {
			_ = r.AddConsent(Consent{Form: "v2", Signed: today, Scopes: scopes}, today)
		}
	}
	kinds := DocKinds()
	doc := DocFacts{Handle: "D01", Kind: kinds[rng.IntN(len(kinds))], Version: 1}
	if rng.IntN(10) == 0 {
		doc.Kind = KindTranscript
	}
	for i := 1; i <= 6; i++ {
		if rng.IntN(3) == 0 {
			doc.Participants = append(doc.Participants, fmt.Sprintf("P%02d", i))
		}
	}
	if rng.IntN(3) == 0 {
		doc.Meeting = &MeetingFacts{Handle: "M01", DNQ: rng.IntN(3) == 0, Private: rng.IntN(2) == 0}
	}
	n := rng.IntN(30)
	for i := 1; i <= n; i++ {
		l := LineFacts{N: i}
		switch rng.IntN(7) {
		case 0:
			l.Blank = true
		case 1:
			l.SpeakerKind = SpeakerResearcher
		case 2:
			l.SpeakerKind = SpeakerOther
		case 6:
			l.SpeakerKind = SpeakerUnknown
		case 3:
			if rng.IntN(2) == 0 {
				break // SpeakerNone
			}
			fallthrough
		default:
			l.SpeakerKind = SpeakerParticipant
			l.Participant = fmt.Sprintf("P%02d", 1+rng.IntN(6))
		}
		if rng.IntN(6) == 0 {
			l.Flags = append(l.Flags, FlagKinds()[rng.IntN(4)])
		}
		doc.Lines = append(doc.Lines, l)
	}
	for range rng.IntN(4) {
		a, b := rng.IntN(n+4)-2, rng.IntN(n+4)-2
		doc.Flags = append(doc.Flags, Flag{Kind: FlagKinds()[rng.IntN(4)], From: a, To: b})
	}
	req := Request{Mode: ModeExport, Doc: doc, Records: recs}
	req.Purpose = []Scope{"", "", ScopePublish, PurposeAnalysis}[rng.IntN(4)]
	if rng.IntN(2) == 0 && n > 0 {
		req.Mode = ModeQuote
		req.From = 1 + rng.IntN(n)
		req.To = req.From + rng.IntN(n-req.From+1)
	}
	return req
}

// restricted reports which flag kinds cover line n, recorded or inline.
func restricted(doc DocFacts, n int) map[FlagKind]bool {
	out := map[FlagKind]bool{}
	for _, f := range doc.Flags {
		if n >= min(f.From, f.To) && n <= max(f.From, f.To) {
			out[f.Kind] = true
		}
	}
	for _, k := range doc.Lines[n-1].Flags {
		out[k] = true
	}
	return out
}

// TestDecideNeverLeaks checks, over random requests, that Decide never keeps
// a line that is struck, confidential or do-not-quote, in a do-not-quote
// meeting, or spoken by a participant who is withdrawn or lacks participate
// or quote consent; that a quote with any such line is refused; and that
// markers cover exactly the lines not kept.
func TestDecideNeverLeaks(t *testing.T) {
	rng := rand.New(rand.NewPCG(20261123, 7))
	for iter := range 5000 {
		req := randomRequest(t, rng)
		d := Decide(req)
		doc := req.Doc
		refusedKind := doc.Kind == KindRecording || doc.Kind == KindConsentForm
		if refusedKind && len(d.Refusals) == 0 {
			t.Fatalf("iter %d: %s not refused", iter, doc.Kind)
		}
		lo, hi := 1, len(doc.Lines)
		if req.Mode == ModeQuote {
			lo, hi = req.From, req.To
		}
		if len(d.Lines) != hi-lo+1 {
			t.Fatalf("iter %d: %d line decisions, want %d", iter, len(d.Lines), hi-lo+1)
		}
		withheld := 0
		for i, ld := range d.Lines {
			n := lo + i
			if ld.N != n {
				t.Fatalf("iter %d: decision %d is for line %d, want %d", iter, i, ld.N, n)
			}
			if ld.Action != Keep {
				withheld++
				continue
			}
			l := doc.Lines[n-1]
			fl := restricted(doc, n)
			analysis := req.Purpose == PurposeAnalysis
			why := ""
			switch {
			case refusedKind:
				why = "kind"
			case l.SpeakerKind == SpeakerUnknown && !l.Blank:
				why = "unknown speaker"
			case fl[FlagStruck] || fl[FlagConfidential]:
				why = fmt.Sprintf("flags %v", fl)
			case (fl[FlagDNQ] || (doc.Meeting != nil && doc.Meeting.DNQ)) && (!analysis || len(ld.Marks) == 0):
				why = "dnq flag or meeting, unmarked or not for analysis"
			case l.SpeakerKind == SpeakerParticipant:
				r := req.Records[l.Participant]
				st := r.Status()
				if st == StatusWithdrawn || st == StatusErased || !r.Has(ScopeParticipate) {
					why = fmt.Sprintf("speaker %s status %s", l.Participant, st)
				}
				if !r.Has(ScopeQuote) && (!analysis || !slices.Contains(ld.Marks, RuleQuoteConsent)) {
					why = fmt.Sprintf("speaker %s without quote consent, unmarked", l.Participant)
				}
				if fl[FlagOffRecord] && !r.Has(ScopeOffRecord) {
					why = "off-record without consent"
				}
			}
			if why != "" {
				t.Fatalf("iter %d: line %d kept despite %s\nreq: %+v\ndecision: %+v", iter, n, why, req.Doc, d.Lines)
			}
		}
		if req.Mode == ModeQuote && withheld > 0 && len(d.Refusals) == 0 {
			t.Fatalf("iter %d: quote with %d withheld lines not refused", iter, withheld)
		}
		if req.Mode == ModeExport && !refusedKind && len(d.Refusals) > 0 {
			t.Fatalf("iter %d: export refused: %v", iter, d.Err())
		}
		covered := 0
		for _, m := range Markers(d) {
			covered += m.To - m.From + 1
		}
		if covered != withheld {
			t.Fatalf("iter %d: markers cover %d lines, %d withheld", iter, covered, withheld)
		}
		explained := 0
		for _, w := range d.Withheld {
			for _, r := range w.Lines {
				explained += r[1] - r[0] + 1
			}
		}
		if !refusedKind && explained != withheld {
			t.Fatalf("iter %d: reasons explain %d lines, %d withheld", iter, explained, withheld)
		}
		for _, rel := range d.ReliedOn {
			if !slices.Contains(rel.Scopes, ScopeParticipate) && !slices.Equal(rel.Scopes, []Scope{ScopeOffRecord}) {
				t.Fatalf("iter %d: reliance %+v without participate", iter, rel)
			}
			for _, s := range rel.Scopes {
				if !req.Records[rel.Participant].Has(s) {
					t.Fatalf("iter %d: relied on %s of %s, which it lacks", iter, s, rel.Participant)
				}
			}
		}
	}
}
