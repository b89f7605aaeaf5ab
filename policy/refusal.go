package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Rule identifies the gate rule behind a decision. The values are stable:
// they are written to the audit log and matched by scripts.
type Rule string

// The gate's rules.
const (
	RuleKind               Rule = "kind"                // recordings and consent forms never leave; unknown kinds neither
	RuleRequest            Rule = "request"             // the request itself is malformed (mode, range, line numbers)
	RuleParticipateConsent Rule = "participate-consent" // the speaker has no consent, or none granting participate
	RuleQuoteConsent       Rule = "quote-consent"       // the speaker has not consented to verbatim quotation
	RulePurposeConsent     Rule = "purpose-consent"     // the speaker has not consented to the request's purpose (publish, present, archive)
	RuleWithdrawn          Rule = "withdrawn"           // the speaker has withdrawn
	RuleStruck             Rule = "struck"              // the line was struck at a participant's request
	RuleConfidential       Rule = "confidential"        // the line is confidential
	RuleDNQ                Rule = "dnq"                 // the line is marked do-not-quote
	RuleDNQMeeting         Rule = "dnq-meeting"         // the document concerns a do-not-quote meeting
	RuleOffRecord          Rule = "off-record"          // off-record line without off-record consent
	RuleOtherSpeaker       Rule = "other-speaker"       // a named speaker who is not a registered participant
	RuleUnknownSpeaker     Rule = "unknown-speaker"     // a speaker label that names nobody registered
	RuleIngest             Rule = "ingest-consent"      // CheckIngest: material refused for want of consent
)

// ErrRefused is matched (errors.Is) by every *Refusal and *Refused: the gate
// said no. The CLI maps it to exit code 3.
var ErrRefused = errors.New("refused by policy")

// A Refusal explains one reason an exit (or an ingest) was refused: the rule,
// the lines concerned, the participant concerned (a handle, possibly empty),
// what is wrong and what would permit it. It never holds a name or a word of
// the material.
type Refusal struct {
	Rule  Rule     `json:"rule"`
	Lines [][2]int `json:"lines,omitempty"` // inclusive line ranges
	// MoreRanges and MoreLines count the ranges and lines beyond those
	// Lines lists (a long document withholding many turns), through line
	// Through.
	MoreRanges  int    `json:"more_ranges,omitempty"`
	MoreLines   int    `json:"more_lines,omitempty"`
	Through     int    `json:"through,omitempty"`
	Participant string `json:"participant,omitempty"`
	Msg         string `json:"msg"`
	Remedy      string `json:"remedy,omitempty"`
}

// Error returns one line: the rule, the lines, the reason and the remedy.
func (r *Refusal) Error() string {
	var b strings.Builder
	b.WriteString("refused (")
	b.WriteString(string(r.Rule))
	b.WriteString(")")
	if len(r.Lines) > 0 {
		if len(r.Lines) == 1 && r.Lines[0][0] == r.Lines[0][1] && r.MoreRanges == 0 {
			b.WriteString(" at line ")
		} else {
			b.WriteString(" at lines ")
		}
		b.WriteString(FormatRanges(r.Lines, r.MoreRanges, r.MoreLines, r.Through))
	}
	if r.Msg != "" {
		b.WriteString(": ")
		b.WriteString(r.Msg)
	}
	if r.Remedy != "" {
		b.WriteString("; to permit: ")
		b.WriteString(r.Remedy)
	}
	return b.String()
}

// Is makes errors.Is(r, ErrRefused) true.
func (r *Refusal) Is(target error) bool { return target == ErrRefused }

// Refused is the error for an exit refused for one or more reasons.
// errors.As finds each *Refusal inside it.
type Refused struct {
	Refusals []*Refusal
}

// Error joins the refusals into one line.
func (e *Refused) Error() string {
	switch len(e.Refusals) {
	case 0:
		return ErrRefused.Error()
	case 1:
		return e.Refusals[0].Error()
	}
	parts := make([]string, len(e.Refusals))
	for i, r := range e.Refusals {
		parts[i] = r.Error()
	}
	return fmt.Sprintf("%d reasons: %s", len(e.Refusals), strings.Join(parts, " | "))
}

// Is makes errors.Is(e, ErrRefused) true.
func (e *Refused) Is(target error) bool { return target == ErrRefused }

// Unwrap returns the individual refusals.
func (e *Refused) Unwrap() []error {
	out := make([]error, len(e.Refusals))
	for i, r := range e.Refusals {
		out[i] = r
	}
	return out
}

// FormatRanges renders inclusive line ranges as "3-5, 9", and the ranges
// beyond a list as " and 812 more ranges (1,630 lines) through line 90210".
func FormatRanges(rs [][2]int, more, moreLines, through int) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		if r[0] == r[1] {
			parts[i] = strconv.Itoa(r[0])
		} else {
			parts[i] = strconv.Itoa(r[0]) + "-" + strconv.Itoa(r[1])
		}
	}
	s := strings.Join(parts, ", ")
	if more > 0 {
		s += fmt.Sprintf(" and %d more %s (%d %s) through line %d", more, plural(more, "range", "ranges"), moreLines, plural(moreLines, "line", "lines"), through)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
