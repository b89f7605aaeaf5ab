package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestRetentionRuleValidate(t *testing.T) {
	d := Date{year: 2030, month: 1, day: 1}
	tests := []struct {
		name string
		rule RetentionRule
		ok   bool
	}{
		{"after transcript", RetentionRule{Kind: KindRecording, Basis: BasisAfterTranscript, N: 30}, true},
		{"at once after transcript", RetentionRule{Kind: KindRecording, Basis: BasisAfterTranscript}, true},
		{"transcript rule on notes", RetentionRule{Kind: KindFieldNotes, Basis: BasisAfterTranscript, N: 3}, false},
		{"after ingest", RetentionRule{Kind: KindTranscript, Basis: BasisAfterIngest, N: 365}, true},
		{"negative days", RetentionRule{Kind: KindTranscript, Basis: BasisAfterIngest, N: -1}, false},
		{"too many days", RetentionRule{Kind: KindTranscript, Basis: BasisAfterIngest, N: MaxRetentionDays + 1}, false},
		{"on a date", RetentionRule{Kind: KindConsentForm, Basis: BasisOnDate, Date: d}, true},
		{"no date", RetentionRule{Kind: KindConsentForm, Basis: BasisOnDate}, false},
		{"years after end", RetentionRule{Kind: KindDocument, Basis: BasisAfterEnd, N: 10}, true},
		{"too many years", RetentionRule{Kind: KindDocument, Basis: BasisAfterEnd, N: 101}, false},
		{"unknown kind", RetentionRule{Kind: "photo", Basis: BasisAfterIngest, N: 1}, false},
		{"unknown basis", RetentionRule{Kind: KindDocument, Basis: "forever"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestRetentionRuleString(t *testing.T) {
	tests := []struct {
		rule RetentionRule
		want string
	}{
		{RetentionRule{Kind: KindRecording, Basis: BasisAfterTranscript, N: 30}, "recording: destroy 30 days after transcription"},
		{RetentionRule{Kind: KindRecording, Basis: BasisAfterIngest, N: 1}, "recording: destroy 1 day after ingest"},
		{RetentionRule{Kind: KindConsentForm, Basis: BasisOnDate, Date: Date{2031, 6, 30}}, "consent-form: destroy on 2031-06-30"},
		{RetentionRule{Kind: KindTranscript, Basis: BasisAfterEnd, N: 10}, "transcript: destroy 10 years after the study's end"},
	}
	for _, tt := range tests {
		if got := tt.rule.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestSchedule(t *testing.T) {
	ingest := mustDate(t, "2026-01-10")
	docs := []RetainedDoc{
		{Handle: "D1", Kind: KindRecording, Participants: []string{"P1"}, Ingested: ingest},
		{Handle: "D2", Kind: KindTranscript, Participants: []string{"P1"}, Ingested: mustDate(t, "2026-02-01")},
		{Handle: "D3", Kind: KindRecording, Participants: []string{"P1", "P2"}, Ingested: ingest},                // focus group: no transcript of both
		{Handle: "D4", Kind: KindTranscript, Participants: []string{"P2"}, Ingested: ingest},                     // transcript of P2 alone
		{Handle: "D5", Kind: KindRecording, Participants: []string{"P2"}, Ingested: ingest, Held: true},          // held
		{Handle: "D6", Kind: KindRecording, Participants: []string{"P2"}, Ingested: ingest, Gone: true},          // already erased
		{Handle: "D7", Kind: KindRecording, Participants: []string{"P2"}, Meeting: "M1", Ingested: ingest},       // a meeting's recording
		{Handle: "D8", Kind: KindRecording, Ingested: ingest},                                                    // concerns nobody: never transcribed
		{Handle: "D9", Kind: KindTranscript, Participants: []string{"P3"}, Ingested: ingest, Gone: true},         // erased transcript
		{Handle: "D10", Kind: KindRecording, Participants: []string{"P3"}, Ingested: mustDate(t, "2026-03-01")},  // its transcript is gone
		{Handle: "D11", Kind: KindConsentForm, Participants: []string{"P1"}, Ingested: ingest},                   // on a date
		{Handle: "D12", Kind: KindFieldNotes, Participants: []string{"P1"}, Ingested: mustDate(t, "2025-12-31")}, // years after end
		{Handle: "D13", Kind: KindRecording, Participants: []string{"P4"}, Ingested: mustDate(t, "2026-03-01")},  // transcript ingested earlier
		{Handle: "D14", Kind: KindTranscript, Participants: []string{"P4", "P4"}, Ingested: mustDate(t, "2026-01-01")},
	}
	rules := []RetentionRule{
		{Kind: KindRecording, Basis: BasisAfterIngest, N: 1}, // replaced by the next rule for the kind
		{Kind: KindRecording, Basis: BasisAfterTranscript, N: 30},
		{Kind: KindConsentForm, Basis: BasisOnDate, Date: mustDate(t, "2026-03-14")},
		{Kind: KindFieldNotes, Basis: BasisAfterEnd, N: 1},
	}
	end := mustDate(t, "2025-03-14")
	today := mustDate(t, "2026-03-14")
	got := map[string]Scheduled{}
	for _, s := range Schedule(rules, docs, end, today) {
		got[s.Handle] = s
	}
	tests := []struct {
		handle  string
		listed  bool
		due     string
		isDue   bool
		pending string
	}{
		{"D1", true, "2026-03-03", true, ""},
		{"D2", false, "", false, ""},
		{"D3", true, "", false, "not transcribed yet"},
		{"D5", true, "2026-02-09", false, ""},
		{"D6", false, "", false, ""},
		{"D7", true, "", false, "not transcribed yet"},
		{"D8", true, "", false, "not transcribed yet"},
		{"D10", true, "", false, "not transcribed yet"},
		{"D11", true, "2026-03-14", false, ""}, // kept: P1's D2 and D3 hold material
		{"D12", true, "2026-03-14", true, ""},
		{"D13", true, "2026-03-31", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.handle, func(t *testing.T) {
			s, ok := got[tt.handle]
			if ok != tt.listed {
				t.Fatalf("listed = %v, want %v", ok, tt.listed)
			}
			if !ok {
				return
			}
			if s.Due.String() != tt.due || s.IsDue != tt.isDue || s.Pending != tt.pending {
				t.Errorf("got due %q is_due %v pending %q, want %q %v %q", s.Due, s.IsDue, s.Pending, tt.due, tt.isDue, tt.pending)
			}
		})
	}
	if n := len(Due(rules, docs, end, today)); n != 2 {
		t.Errorf("Due lists %d documents, want 2", n)
	}
	if k := got["D11"].KeptFor; !slices.Equal(k, []string{"D2", "D3"}) {
		t.Errorf("D11 kept for %v, want the material of P1 not due with it (D2 D3)", k)
	}
	if got := Schedule(rules[3:], docs, Date{}, today); len(got) != 1 || got[0].Pending != "the study's end is not recorded" || got[0].IsDue {
		t.Errorf("without an end: %+v", got)
	}
}

// randomDocs builds a random study's documents over a few participants,
// meetings and ingest days.
func randomDocs(r *rand.Rand, base Date) []RetainedDoc {
	kinds := DocKinds()
	people := []string{"P1", "P2", "P3"}
	n := r.IntN(14)
	docs := make([]RetainedDoc, n)
	for i := range docs {
		d := RetainedDoc{Handle: fmt.Sprintf("D%d", i+1), Kind: kinds[r.IntN(len(kinds))], Ingested: addDate(base, 0, r.IntN(400))}
		for _, p := range people {
			if r.IntN(2) == 0 {
				d.Participants = append(d.Participants, p)
			}
		}
		if r.IntN(4) == 0 {
			d.Meeting = "M1"
		}
		d.Gone = r.IntN(6) == 0
		d.Held = r.IntN(5) == 0
		docs[i] = d
	}
	return docs
}

func randomRules(r *rand.Rand, base Date) []RetentionRule {
	var rules []RetentionRule
	for _, k := range DocKinds() {
		if r.IntN(3) == 0 {
			continue
		}
		rule := RetentionRule{Kind: k, N: r.IntN(200)}
		switch r.IntN(4) {
		case 0:
			rule.Basis = BasisAfterTranscript
			if k != KindRecording {
				rule.Basis = BasisAfterIngest
			}
		case 1:
			rule.Basis = BasisAfterIngest
		case 2:
			rule.Basis, rule.Date = BasisOnDate, addDate(base, 0, r.IntN(600))
		case 3:
			rule.Basis, rule.N = BasisAfterEnd, r.IntN(3)
		}
		rules = append(rules, rule)
	}
	return rules
}

// oracleDue says, from the rules' plain wording and without DueDate or
// Transcribed, whether doc is due today.
func oracleDue(rules []RetentionRule, doc RetainedDoc, docs []RetainedDoc, end, today Date) bool {
	if doc.Gone || doc.Held {
		return false
	}
	var rule *RetentionRule
	for i := range rules {
		if rules[i].Kind == doc.Kind {
			rule = &rules[i]
		}
	}
	if rule == nil {
		return false
	}
	if doc.Kind == KindConsentForm {
		// Kept while any other document of its participants holds material
		// that is not due today.
		for _, d := range docs {
			shares := false
			for _, p := range d.Participants {
				shares = shares || slices.Contains(doc.Participants, p)
			}
			if d.Kind != KindConsentForm && shares && !d.Gone && !oracleDue(rules, d, docs, end, today) {
				return false
			}
		}
	}
	reached := func(from time.Time, years, days int) bool {
		return !today.Time().Before(from.AddDate(years, 0, days))
	}
	switch rule.Basis {
	case BasisAfterIngest:
		return reached(doc.Ingested.Time(), 0, rule.N)
	case BasisOnDate:
		return !today.Time().Before(rule.Date.Time())
	case BasisAfterEnd:
		return !end.IsZero() && reached(end.Time(), rule.N, 0)
	case BasisAfterTranscript:
		if len(doc.Participants) == 0 && doc.Meeting == "" {
			return false
		}
		set := func(ps []string) string {
			m := map[string]bool{}
			for _, p := range ps {
				m[p] = true
			}
			return fmt.Sprint(m)
		}
		for _, t := range docs {
			if t.Kind != KindTranscript || t.Gone || t.Meeting != doc.Meeting || set(t.Participants) != set(doc.Participants) {
				continue
			}
			from := t.Ingested.Time()
			if doc.Ingested.Time().After(from) {
				from = doc.Ingested.Time()
			}
			if reached(from, 0, rule.N) {
				return true
			}
		}
	}
	return false
}

// TestDueProperties: over random studies, rules and days, nothing that is
// not due is listed (held, gone, rule not reached, no rule for the kind),
// and every document that is due is listed, once.
func TestDueProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2026))
	base := Date{2025, 1, 1}
	listed, notDue := 0, 0
	for i := 0; i < 3000; i++ {
		docs := randomDocs(r, base)
		rules := randomRules(r, base)
		var end Date
		if r.IntN(2) == 0 {
			end = addDate(base, 0, r.IntN(500))
		}
		today := addDate(base, 0, r.IntN(900))
		due := Due(rules, docs, end, today)
		handles := map[string]int{}
		for _, s := range due {
			handles[s.Handle]++
		}
		for _, d := range docs {
			want := oracleDue(rules, d, docs, end, today)
			if got := handles[d.Handle]; got > 1 || (got == 1) != want {
				t.Fatalf("case %d: %s (%+v) listed %d times, due by the rules' wording: %v\nrules %+v end %s today %s", i, d.Handle, d, got, want, rules, end, today)
			}
			if want {
				listed++
			} else {
				notDue++
			}
		}
		// Later days never make a due document not due (unless held or gone).
		later := addDate(today, 0, r.IntN(100))
		for _, s := range due {
			if !slices.ContainsFunc(Due(rules, docs, end, later), func(x Scheduled) bool { return x.Handle == s.Handle }) {
				t.Fatalf("case %d: %s due on %s but not on %s", i, s.Handle, today, later)
			}
		}
	}
	if listed < 500 || notDue < 500 {
		t.Errorf("the generator is lopsided: %d due, %d not due", listed, notDue)
	}
}

// TestDueDateLeapDay: years and days count on the calendar from a leap
// day: a year after 29 February is 1 March (a full year has passed; never
// the 28th, a day short), and a rule is due on its day, not the day before.
func TestDueDateLeapDay(t *testing.T) {
	leap := mustDate(t, "2028-02-29")
	doc := RetainedDoc{Handle: "D1", Kind: KindFieldNotes, Participants: []string{"P1"}, Ingested: leap}
	for _, tt := range []struct {
		rule RetentionRule
		end  Date
		want string
	}{
		{RetentionRule{Kind: KindFieldNotes, Basis: BasisAfterEnd, N: 1}, leap, "2029-03-01"},
		{RetentionRule{Kind: KindFieldNotes, Basis: BasisAfterEnd, N: 4}, leap, "2032-02-29"},
		{RetentionRule{Kind: KindFieldNotes, Basis: BasisAfterIngest, N: 365}, Date{}, "2029-02-28"},
		{RetentionRule{Kind: KindFieldNotes, Basis: BasisAfterEnd, N: 10}, mustDate(t, "2027-12-31"), "2037-12-31"},
	} {
		got, ok := DueDate(tt.rule, doc, nil, tt.end)
		if !ok || got.String() != tt.want {
			t.Errorf("%s from %s: due %s (%v), want %s", tt.rule, tt.end, got, ok, tt.want)
		}
		day := mustDate(t, tt.want)
		if n := len(Due([]RetentionRule{tt.rule}, []RetainedDoc{doc}, tt.end, addDate(day, 0, -1))); n != 0 {
			t.Errorf("%s: due the day before %s", tt.rule, tt.want)
		}
		if n := len(Due([]RetentionRule{tt.rule}, []RetainedDoc{doc}, tt.end, day)); n != 1 {
			t.Errorf("%s: not due on %s", tt.rule, tt.want)
		}
	}
}
