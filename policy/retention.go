package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A RetentionBasis names what a retention period counts from.
type RetentionBasis string

// The retention bases.
const (
	// BasisAfterTranscript: N days after the recording was transcribed
	// (recordings only; see Transcribed).
	BasisAfterTranscript RetentionBasis = "days-after-transcript"
	// BasisAfterIngest: N days after the document was first ingested.
	BasisAfterIngest RetentionBasis = "days-after-ingest"
	// BasisOnDate: on a fixed date.
	BasisOnDate RetentionBasis = "after-date"
	// BasisAfterEnd: N years after the study's recorded end.
	BasisAfterEnd RetentionBasis = "years-after-end"
)

// Limits of a retention period, so that a slip of the keyboard does not
// schedule a destruction millennia away or overflow a date.
const (
	MaxRetentionDays  = 36600
	MaxRetentionYears = 100
)

// ErrBadRetention is wrapped by the errors RetentionRule.Validate returns.
var ErrBadRetention = errors.New("invalid retention rule")

// A RetentionRule says when documents of one kind are destroyed. N is the
// number of days (days-after-transcript, days-after-ingest) or years
// (years-after-end); Date is the day of after-date.
type RetentionRule struct {
	Kind  string         `json:"kind"`
	Basis RetentionBasis `json:"basis"`
	N     int            `json:"n,omitempty"`
	Date  Date           `json:"date,omitzero"`
	Set   time.Time      `json:"set,omitzero"`
}

// Validate checks the rule's shape.
func (r RetentionRule) Validate() error {
	if !ValidKind(r.Kind) {
		return fmt.Errorf("%w: unknown document kind %q (one of %s)", ErrBadRetention, clip(r.Kind, 16), kindNames())
	}
	switch r.Basis {
	case BasisAfterTranscript:
		if r.Kind != KindRecording {
			return fmt.Errorf("%w: --days-after-transcript applies to recordings only (a recording is transcribed when a transcript of the same participants exists)", ErrBadRetention)
		}
		fallthrough
	case BasisAfterIngest:
		if r.N < 0 || r.N > MaxRetentionDays {
			return fmt.Errorf("%w: %d days is out of range (0 to %d)", ErrBadRetention, r.N, MaxRetentionDays)
		}
	case BasisAfterEnd:
		if r.N < 0 || r.N > MaxRetentionYears {
			return fmt.Errorf("%w: %d years is out of range (0 to %d)", ErrBadRetention, r.N, MaxRetentionYears)
		}
	case BasisOnDate:
		if r.Date.IsZero() {
			return fmt.Errorf("%w: --after-date needs a date", ErrBadRetention)
		}
	default:
		return fmt.Errorf("%w: unknown basis %q (days-after-transcript, days-after-ingest, after-date or years-after-end)", ErrBadRetention, clip(string(r.Basis), 24))
	}
	return nil
}

func kindNames() string { return strings.Join(docKinds, ", ") }

// String describes the rule: "recording: 30 days after transcription".
func (r RetentionRule) String() string {
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	var when string
	switch r.Basis {
	case BasisAfterTranscript:
		when = unit(r.N, "day") + " after transcription"
	case BasisAfterIngest:
		when = unit(r.N, "day") + " after ingest"
	case BasisOnDate:
		when = "on " + r.Date.String()
	case BasisAfterEnd:
		when = unit(r.N, "year") + " after the study's end"
	default:
		when = string(r.Basis)
	}
	return r.Kind + ": destroy " + when
}

// RetainedDoc is what retention needs to know about one document.
type RetainedDoc struct {
	Handle       string
	Kind         string
	Participants []string
	Meeting      string
	Ingested     Date // the day its first version was ingested
	Gone         bool // its material is already erased or destroyed
	Held         bool // a legal hold blocks its destruction
}

// Transcribed reports the day the recording rec was transcribed: the day a
// transcript concerning exactly the same participants and the same meeting
// (and at least one of either) was in the vault together with it — the
// later of the two ingests, earliest over such transcripts. Transcripts
// whose text is gone do not count.
func Transcribed(rec RetainedDoc, docs []RetainedDoc) (Date, bool) {
	if rec.Kind != KindRecording || (len(rec.Participants) == 0 && rec.Meeting == "") {
		return Date{}, false
	}
	var best Date
	found := false
	for _, t := range docs {
		if t.Kind != KindTranscript || t.Gone || t.Meeting != rec.Meeting || !sameSet(t.Participants, rec.Participants) {
			continue
		}
		d := t.Ingested
		if d.Before(rec.Ingested) {
			d = rec.Ingested
		}
		if !found || d.Before(best) {
			best, found = d, true
		}
	}
	return best, found
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// addDate returns d moved by years and days.
func addDate(d Date, years, days int) Date {
	return Today(d.Time().AddDate(years, 0, days))
}

// DueDate returns the day doc falls due under rule, or false if the day is
// not known yet (a recording not transcribed, a study not ended) or the
// rule does not apply to doc's kind. It ignores holds and what is gone.
func DueDate(rule RetentionRule, doc RetainedDoc, docs []RetainedDoc, studyEnd Date) (Date, bool) {
	if rule.Kind != doc.Kind || rule.Validate() != nil {
		return Date{}, false
	}
	switch rule.Basis {
	case BasisAfterTranscript:
		t, ok := Transcribed(doc, docs)
		if !ok {
			return Date{}, false
		}
		return addDate(t, 0, rule.N), true
	case BasisAfterIngest:
		if doc.Ingested.IsZero() {
			return Date{}, false
		}
		return addDate(doc.Ingested, 0, rule.N), true
	case BasisOnDate:
		return rule.Date, true
	case BasisAfterEnd:
		if studyEnd.IsZero() {
			return Date{}, false
		}
		return addDate(studyEnd, rule.N, 0), true
	}
	return Date{}, false
}

// A Scheduled document is one a retention rule applies to.
type Scheduled struct {
	Handle string        `json:"handle"`
	Kind   string        `json:"kind"`
	Rule   RetentionRule `json:"rule"`
	// Due is the day it falls due; zero when not known yet (Pending says why).
	Due     Date   `json:"due,omitzero"`
	Pending string `json:"pending,omitempty"`
	Held    bool   `json:"held,omitempty"`
	// IsDue: the day has come, nothing holds it: destruction removes it.
	IsDue bool `json:"is_due"`
	// KeptFor (a signed consent form) lists the documents of its
	// participants whose material is held and not due with it: the form is
	// their evidence of consent, kept as long as they are.
	KeptFor []string `json:"kept_for,omitempty"`
}

// Schedule lists, in the order of docs, every document that a rule applies
// to and whose material is not gone, with the day it falls due. The rule
// for a kind is the last one in rules with that kind.
func Schedule(rules []RetentionRule, docs []RetainedDoc, studyEnd, today Date) []Scheduled {
	byKind := map[string]RetentionRule{}
	for _, r := range rules {
		byKind[r.Kind] = r
	}
	var out []Scheduled
	for _, d := range docs {
		r, ok := byKind[d.Kind]
		if !ok || d.Gone {
			continue
		}
		s := Scheduled{Handle: d.Handle, Kind: d.Kind, Rule: r, Held: d.Held}
		due, known := DueDate(r, d, docs, studyEnd)
		switch {
		case known:
			s.Due = due
			s.IsDue = !d.Held && !today.Before(due)
		case r.Basis == BasisAfterTranscript:
			s.Pending = "not transcribed yet"
		case r.Basis == BasisAfterEnd:
			s.Pending = "the study's end is not recorded"
		default:
			s.Pending = "no ingest date"
		}
		out = append(out, s)
	}
	keepConsentEvidence(out, docs)
	return out
}

// keepConsentEvidence keeps a signed consent form that is due while any
// other document of its participants still holds material that is not
// destroyed with it: destroying the form first would leave material held
// with no evidence of the consent it is held under.
func keepConsentEvidence(out []Scheduled, docs []RetainedDoc) {
	due := map[string]bool{}
	for _, s := range out {
		if s.IsDue && s.Kind != KindConsentForm {
			due[s.Handle] = true
		}
	}
	byHandle := map[string]RetainedDoc{}
	for _, d := range docs {
		byHandle[d.Handle] = d
	}
	for i := range out {
		s := &out[i]
		if s.Kind != KindConsentForm || !s.IsDue {
			continue
		}
		form := byHandle[s.Handle]
		for _, d := range docs {
			if d.Kind == KindConsentForm || d.Gone || due[d.Handle] || !slices.ContainsFunc(d.Participants, func(p string) bool { return slices.Contains(form.Participants, p) }) {
				continue
			}
			s.KeptFor = append(s.KeptFor, d.Handle)
		}
		if len(s.KeptFor) > 0 {
			s.IsDue = false
		}
	}
}
