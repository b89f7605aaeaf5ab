package policy

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// A FlagKind is a restriction on a range of lines.
type FlagKind string

// The flag kinds.
const (
	FlagDNQ          FlagKind = "dnq"          // do not quote: never leaves verbatim
	FlagConfidential FlagKind = "confidential" // never leaves, not even paraphrased
	FlagStruck       FlagKind = "struck"       // removed at a participant's request
	FlagOffRecord    FlagKind = "off-record"   // said after the recorder stopped
)

var flagKinds = []FlagKind{FlagDNQ, FlagConfidential, FlagStruck, FlagOffRecord}

// FlagKinds returns every flag kind.
func FlagKinds() []FlagKind { return slices.Clone(flagKinds) }

// Valid reports whether k is one of FlagKinds().
func (k FlagKind) Valid() bool { return slices.Contains(flagKinds, k) }

// A Flag restricts an inclusive range of lines of one document version. It is
// either recorded with the flag command or comes from inline markup
// ([dnq] … [/dnq]) in the text (Inline).
type Flag struct {
	Kind   FlagKind  `json:"kind"`
	From   int       `json:"from"`
	To     int       `json:"to"`
	Reason string    `json:"reason,omitempty"`
	Who    string    `json:"who,omitempty"`
	When   time.Time `json:"when,omitzero"`
	Inline bool      `json:"inline,omitempty"`
}

// A Mode is the kind of exit requested.
type Mode string

// The exit modes. Both are verbatim.
const (
	ModeExport Mode = "export" // a whole document; withheld lines become markers
	ModeQuote  Mode = "quote"  // a line range; any withheld line in it refuses the quote
)

// A SpeakerKind says who speaks a line.
type SpeakerKind int

// The speaker kinds.
const (
	SpeakerNone        SpeakerKind = iota // no speaker: header lines, the researcher's own notes
	SpeakerResearcher                     // the interviewer or observer
	SpeakerParticipant                    // a registered participant (LineFacts.Participant)
	SpeakerOther                          // someone registered who is not a participant
	SpeakerUnknown                        // a speaker label that names nobody registered
)

var speakerNames = [...]string{"none", "researcher", "participant", "other", "unknown"}

// String returns "none", "researcher", "participant", "other" or "unknown".
func (k SpeakerKind) String() string {
	if k >= 0 && int(k) < len(speakerNames) {
		return speakerNames[k]
	}
	return fmt.Sprintf("speaker(%d)", int(k))
}

// LineFacts is what the gate needs to know about one line: its number, who
// speaks it (a handle only), whether it is blank, and the inline flags that
// cover it.
type LineFacts struct {
	N           int         `json:"n"`
	SpeakerKind SpeakerKind `json:"speaker_kind"`
	Participant string      `json:"participant,omitempty"`
	Blank       bool        `json:"blank,omitempty"`
	Flags       []FlagKind  `json:"flags,omitempty"`
}

// MeetingFacts describes the meeting a document concerns.
type MeetingFacts struct {
	Handle  string `json:"handle"`
	DNQ     bool   `json:"dnq,omitempty"`
	Private bool   `json:"private,omitempty"`
}

// DocFacts describes one version of a document: its kind, the participants
// and meeting it concerns, its recorded flags and its lines (numbered 1..n).
type DocFacts struct {
	Handle       string        `json:"handle"`
	Kind         string        `json:"kind"`
	Version      int           `json:"version"`
	Participants []string      `json:"participants,omitempty"`
	Meeting      *MeetingFacts `json:"meeting,omitempty"`
	Flags        []Flag        `json:"flags,omitempty"`
	Lines        []LineFacts   `json:"lines"`
}

// PurposeAnalysis is the purpose of the researcher's own working copy (a
// QDA project, an analysis export): it needs participate consent only and
// carries do-not-quote text, marked. It is not a consent scope.
const PurposeAnalysis Scope = "analysis"

// A Request asks the gate whether a document (ModeExport) or a line range of
// it (ModeQuote, From..To inclusive) may leave. Records holds the consent
// history of participants by handle; a participant missing from it has no
// consent. Purpose, when set to ScopePublish, ScopePresent or ScopeArchive,
// additionally requires that scope from everyone whose words leave; the
// empty Purpose is the thesis, for which quote suffices. PurposeAnalysis
// needs participate only, and keeps do-not-quote lines and the words of
// participants who may not be quoted, marked (LineDecision.Marks).
type Request struct {
	Mode    Mode               `json:"mode"`
	Doc     DocFacts           `json:"doc"`
	From    int                `json:"from,omitempty"`
	To      int                `json:"to,omitempty"`
	Records map[string]*Record `json:"-"`
	Purpose Scope              `json:"purpose,omitempty"`
}

// An Action is what happens to one line.
type Action int

// The actions. Every line that does not leave is replaced by a marker (see
// Marker): Withhold lines by a marker that may say why (do-not-quote), Drop
// lines — struck or confidential — by a neutral one that says nothing but
// the number of lines.
const (
	Keep     Action = iota // the line leaves
	Withhold               // the line is omitted; the marker may name the reason
	Drop                   // the line is omitted; the marker is neutral
)

// A LineDecision is the gate's decision on one line. Rule is the decisive
// rule ("" for a kept line); Rules lists every rule that applies, most
// decisive first; Participant names the participant concerned, if one.
// Marks, on a kept line of an analysis exit, lists the rules that would
// stop it from being quoted (dnq, dnq-meeting, quote-consent): the line
// leaves for analysis, marked "do not quote".
type LineDecision struct {
	N           int    `json:"n"`
	Action      Action `json:"action"`
	Rule        Rule   `json:"rule,omitempty"`
	Rules       []Rule `json:"rules,omitempty"`
	Participant string `json:"participant,omitempty"`
	Marks       []Rule `json:"marks,omitempty"`
}

// A Reliance records the consent an exit relied on for one participant: the
// consent's sequence number and form version, and the scopes used.
type Reliance struct {
	Participant string  `json:"participant"`
	ConsentSeq  int     `json:"consent_seq"`
	Form        string  `json:"form"`
	Scopes      []Scope `json:"scopes"`
}

// A Decision is the gate's answer. Lines has one entry per line of the
// document (export) or of the range (quote). A non-empty Refusals means the
// exit is refused as a whole. Withheld explains, for the researcher, every
// line that does not leave: one entry per decisive rule and participant,
// with its line ranges and remedy (in an export, where nothing is refused,
// this is what the markers stand for). ReliedOn and FlagsApplied are for
// the audit log.
type Decision struct {
	Lines        []LineDecision `json:"lines"`
	Refusals     []*Refusal     `json:"refusals,omitempty"`
	Withheld     []*Refusal     `json:"withheld,omitempty"`
	ReliedOn     []Reliance     `json:"relied_on,omitempty"`
	FlagsApplied []Flag         `json:"flags_applied,omitempty"`
}

// Err returns a *Refused holding d.Refusals, or nil if the exit may proceed.
func (d Decision) Err() error {
	if len(d.Refusals) == 0 {
		return nil
	}
	return &Refused{Refusals: d.Refusals}
}

// ErrBadRequest is wrapped by the errors Request.Validate returns.
var ErrBadRequest = errors.New("invalid gate request")

// Validate checks the request's shape: a known mode, lines numbered 1..n in
// order, a quote range inside the document, a known purpose. Decide refuses
// (rule "request") whatever Validate rejects; callers that want a usage error
// rather than a refusal call Validate first.
func (req Request) Validate() error {
	if err := req.validateMode(); err != nil {
		return err
	}
	for i, l := range req.Doc.Lines {
		if l.N != i+1 {
			return fmt.Errorf("%w: document %s: line %d is numbered %d", ErrBadRequest, req.Doc.Handle, i+1, l.N)
		}
	}
	return req.validateShape(len(req.Doc.Lines))
}

func (req Request) validateMode() error {
	switch req.Mode {
	case ModeExport, ModeQuote:
		return nil
	}
	return fmt.Errorf("%w: unknown mode %q (valid: export, quote)", ErrBadRequest, clip(string(req.Mode), 16))
}

// validateShape is Validate for a document of n lines, whatever its lines
// say (n < 0: not known yet, an export).
func (req Request) validateShape(n int) error {
	if err := req.validateMode(); err != nil {
		return err
	}
	if req.Mode == ModeQuote && n == 0 {
		return fmt.Errorf("%w: document %s has no lines to quote", ErrBadRequest, req.Doc.Handle)
	}
	if req.Mode == ModeQuote && (req.From < 1 || req.To < req.From || req.To > n) {
		return fmt.Errorf("%w: range %d-%d is not within document %s (lines 1-%d)", ErrBadRequest, req.From, req.To, req.Doc.Handle, n)
	}
	switch req.Purpose {
	case "", ScopePublish, ScopePresent, ScopeArchive, PurposeAnalysis:
	default:
		return fmt.Errorf("%w: purpose %q is not one of analysis, publish, present, archive", ErrBadRequest, clip(string(req.Purpose), 16))
	}
	return nil
}

// LineSpeakers are the participants whose words line l holds, as Decide
// attributes them, in a document where some line has a speaker (labelled)
// or none does (known at its end: an exit or a record that streams
// works both ways until then).
func (doc DocFacts) LineSpeakers(l LineFacts, labelled bool) []string {
	return lineSpeakers(l, doc.Participants, unlabelledKind(doc.Kind) && !labelled)
}

// unlabelledTranscript reports a transcript (or document) with no speaker
// labels: its lines are the words of every participant it concerns.
func (doc DocFacts) unlabelledTranscript() bool {
	labelled := slices.ContainsFunc(doc.Lines, func(l LineFacts) bool { return l.SpeakerKind != SpeakerNone })
	return unlabelledKind(doc.Kind) && !labelled
}

// unlabelledKind reports the kinds whose text, when no speaker label says
// otherwise, is the words of the participants the document concerns: a
// transcript, and a document (a participant's diary, letter or written
// answers). Field notes and meeting notes are the researcher's own. A
// document that concerns participants but is not their words (a council
// report) leaves once they are unlinked ('doc unlink').
func unlabelledKind(kind string) bool {
	return kind == KindTranscript || kind == KindDocument
}

// reason is one rule applying to one line, for one participant (or none).
type reason struct {
	rule Rule
	who  string
}

// rulePriority orders rules from most to least decisive.
var rulePriority = []Rule{
	RuleRequest, RuleKind, RuleDNQMeeting, RuleStruck, RuleConfidential,
	RuleWithdrawn, RuleUnknownSpeaker, RuleDNQ, RuleParticipateConsent, RuleQuoteConsent,
	RulePurposeConsent, RuleOffRecord, RuleOtherSpeaker,
}

func rank(r Rule) int {
	if i := slices.Index(rulePriority, r); i >= 0 {
		return i
	}
	return len(rulePriority)
}

func actionFor(r Rule) Action {
	switch r {
	case "":
		return Keep
	case RuleStruck, RuleConfidential:
		return Drop
	}
	return Withhold
}

// Decide applies the gate's rules to req. See the package documentation for
// the rules. It never fails: a malformed request is refused with rule
// "request". It is a Decider run over req.Doc.Lines.
func Decide(req Request) Decision {
	// The kind first: a recording has no lines, so a quote of it is
	// refused for what it is, not for its range.
	if d, ok := kindStep(req); !ok {
		return d
	}
	if err := req.Validate(); err != nil {
		return requestRefusal(err)
	}
	lo, hi := span(req)
	lines := make([]LineDecision, 0, max(hi-lo+1, 0))
	s := NewDecider(req, len(req.Doc.Lines), !req.Doc.unlabelledTranscript(), func(ld LineDecision) { lines = append(lines, ld) })
	for _, l := range req.Doc.Lines {
		s.Line(l)
	}
	d := s.Finish()
	d.Lines = lines
	return d
}

func requestRefusal(err error) Decision {
	return Decision{Refusals: []*Refusal{{Rule: RuleRequest, Msg: err.Error(), Remedy: "correct the request"}}}
}

// A Decider applies the gate's rules to a document's lines one at a time,
// in order, holding no line: what Decide does for a request whose lines
// are all in memory, for an exit that streams the document. It is told
// the line count (an export may leave it to the end) and whether any line
// has a speaker before the first line, since both change how lines are
// read; it then takes each line's facts (Line) and calls emit with each
// decision, in line order, for the lines of the request (From..To for a
// quote). A blank line's decision may wait for the next line that is not
// blank (gapStep). Finish returns the Decision without Lines: refusals,
// what was withheld and why, the consent relied on and the flags applied.
type Decider struct {
	req    Request
	doc    DocFacts
	n      int // lines in the document; < 0 until Finish if not told
	lo, hi int // the lines decided on (a quote's range, else all)
	emit   func(LineDecision)
	early  *Decision // the request refused before any line
	next   int       // the line expected next
	bad    error     // lines out of order

	inline []Flag           // runs of inline flags, for the audit entry
	open   map[FlagKind]int // kind → index in inline of its run still open

	unlabelledTranscript bool // a transcript with no speaker label at all
	othersAllowed        bool // others' words may leave (meeting and field notes of an open meeting)
	dnqMeeting           bool
	analysis             bool

	// The scopes a kept line relies on, without and with off-record.
	offOnly scopeSet
	needed  [2]scopeSet
	// A participant's consent does not change from line to line: decided
	// once per participant (and per off-record or not).
	verdicts map[speakerKey][]Rule

	// gapStep: the first reason of the last line that is not a blank
	// without reasons (nil: it leaves), and the blank lines without
	// reasons waiting for the next line, with their analysis marks.
	prev       reason // with hasPrev
	hasPrev    bool
	blankFrom  int
	blankMarks [][]Rule

	// decisionStep: the consent relied on, and the lines refused and
	// withheld by reason, as ranges.
	used     map[string]scopeSet
	refused  map[reasonKey]*lineSet
	withheld map[reasonKey]*lineSet

	kinds []FlagKind // flagsStep's buffer
	// lineStep's buffers: a line's reasons and the consent it relies on
	// are used up before the next line.
	rsBuf   []reason
	relyBuf []relied
	one     [1]string
}

type speakerKey struct {
	who string
	off bool
}

type reasonKey struct {
	rule Rule
	who  string
}

// kindStep: recordings, consent forms and unknown kinds never leave; no
// line is looked at. ok is false when the kind refuses.
func kindStep(req Request) (Decision, bool) {
	doc := req.Doc
	if doc.Kind != KindRecording && doc.Kind != KindConsentForm && ValidKind(doc.Kind) {
		return Decision{}, true
	}
	lo, hi := span(req)
	d := Decision{Refusals: []*Refusal{kindRefusal(doc)}}
	for i := max(lo, 1); i <= hi && i <= len(doc.Lines); i++ {
		d.Lines = append(d.Lines, LineDecision{N: i, Action: Withhold, Rule: RuleKind, Rules: []Rule{RuleKind}})
	}
	return d, false
}

// span is the lines a request decides on.
func span(req Request) (lo, hi int) {
	if req.Mode == ModeQuote {
		return req.From, req.To
	}
	return 1, len(req.Doc.Lines)
}

// NewDecider starts deciding req (whose Doc.Lines are not read) for a
// document of n lines; labelled says whether any of them has a speaker
// (LineFacts.SpeakerKind other than SpeakerNone). An export may pass n < 0
// if the count is not known before the end. emit receives the decisions.
func NewDecider(req Request, n int, labelled bool, emit func(LineDecision)) *Decider {
	doc := req.Doc
	s := &Decider{req: req, doc: doc, n: n, lo: 1, hi: n, emit: emit, next: 1}
	if n < 0 {
		s.hi = int(^uint(0) >> 1) // every line
	}
	if d, ok := kindStep(Request{Mode: req.Mode, Doc: DocFacts{Handle: doc.Handle, Kind: doc.Kind}}); !ok {
		s.early = &d
		return s
	}
	if err := req.validateShape(n); err != nil || n < 0 && req.Mode != ModeExport {
		if err == nil {
			err = fmt.Errorf("%w: a quote needs the document's line count", ErrBadRequest)
		}
		d := requestRefusal(err)
		s.early = &d
		return s
	}
	if req.Mode == ModeQuote {
		s.lo, s.hi = req.From, req.To
	}
	s.unlabelledTranscript = unlabelledKind(doc.Kind) && !labelled
	s.othersAllowed = doc.Meeting != nil && (doc.Kind == KindMeetingNotes || doc.Kind == KindFieldNotes) && req.Purpose != ScopeArchive
	s.dnqMeeting = doc.Meeting != nil && doc.Meeting.DNQ
	s.analysis = req.Purpose == PurposeAnalysis
	s.offOnly = setOf(ScopeOffRecord)
	s.needed[0] = setOf(ScopeParticipate, ScopeQuote, req.Purpose)
	if s.analysis {
		s.needed[0] = setOf(ScopeParticipate)
	}
	s.needed[1] = s.needed[0] | s.offOnly
	s.verdicts = map[speakerKey][]Rule{}
	s.open = map[FlagKind]int{}
	s.used = map[string]scopeSet{}
	s.refused = map[reasonKey]*lineSet{}
	s.withheld = map[reasonKey]*lineSet{}
	return s
}

// Err returns the refusal of a request refused before any line is read
// (a kind that never leaves, a malformed request), or nil.
func (s *Decider) Err() error {
	if s.early != nil {
		return s.early.Err()
	}
	return nil
}

// Line takes the next line's facts.
func (s *Decider) Line(l LineFacts) {
	if s.early != nil || s.bad != nil {
		return
	}
	if l.N != s.next || s.n >= 0 && l.N > s.n {
		s.bad = fmt.Errorf("%w: document %s: line %d is numbered %d", ErrBadRequest, s.doc.Handle, s.next, l.N)
		return
	}
	s.next++
	s.inlineStep(l)
	rs, rely, marks := s.lineStep(l)
	if s.gapStep(l, rs, marks) {
		return
	}
	s.decisionStep(l.N, rs, rely, marks)
}

// flagsStep returns the flags of a line: recorded ranges (reversed ranges
// taken as written backwards) and inline markup.
func (s *Decider) flagsStep(l LineFacts) []FlagKind {
	ks := s.kinds[:0]
	for _, f := range s.doc.Flags {
		if min(f.From, f.To) <= l.N && l.N <= max(f.From, f.To) {
			ks = appendUnique(ks, f.Kind)
		}
	}
	for _, k := range l.Flags {
		ks = appendUnique(ks, k)
	}
	s.kinds = ks
	return ks
}

// inlineStep follows the runs of consecutive lines carrying the same
// inline flag, for the audit entry.
func (s *Decider) inlineStep(l LineFacts) {
	for k := range s.open {
		if !slices.Contains(l.Flags, k) {
			delete(s.open, k)
		}
	}
	for _, k := range l.Flags {
		if idx, ok := s.open[k]; ok {
			s.inline[idx].To = l.N
			continue
		}
		s.open[k] = len(s.inline)
		s.inline = append(s.inline, Flag{Kind: k, From: l.N, To: l.N, Inline: true})
	}
}

// lineStep decides one line: the meeting, its flags, its speaker, their
// consent, and for analysis what leaves marked. It returns the reasons the
// line may not leave (most decisive first), the consent it relies on if it
// leaves, and its analysis marks.
func (s *Decider) lineStep(l LineFacts) ([]reason, []relied, []Rule) {
	rs := s.meetingStep(s.rsBuf[:0])
	rs, off := lineFlagsStep(rs, s.flagsStep(l))
	var speakers []string
	if !l.Blank && l.SpeakerKind == SpeakerParticipant {
		s.one[0] = l.Participant // lineSpeakers, without a slice per line
		speakers = s.one[:]
	} else {
		speakers = lineSpeakers(l, s.doc.Participants, s.unlabelledTranscript)
	}
	rs, rely := s.speakerStep(rs, s.relyBuf[:0], l, speakers, off)
	rs, rely = s.consentStep(rs, rely, speakers, off)
	s.rsBuf, s.relyBuf = rs[:0], rely[:0]
	slices.SortStableFunc(rs, func(a, b reason) int {
		return cmp.Or(cmp.Compare(rank(a.rule), rank(b.rule)), cmp.Compare(a.who, b.who))
	})
	rs, marks := s.purposeStep(slices.Compact(rs), speakers)
	return rs, rely, marks
}

// meetingStep: every line of a do-not-quote meeting is withheld from
// publication.
func (s *Decider) meetingStep(rs []reason) []reason {
	if s.dnqMeeting {
		return append(rs, reason{RuleDNQMeeting, ""})
	}
	return rs
}

// lineFlagsStep turns a line's flags into reasons; off says the line is off
// the record (its speakers' consent then needs off-record).
func lineFlagsStep(rs []reason, flags []FlagKind) (_ []reason, off bool) {
	for _, k := range flags {
		switch k {
		case FlagStruck:
			rs = append(rs, reason{RuleStruck, ""})
		case FlagConfidential:
			rs = append(rs, reason{RuleConfidential, ""})
		case FlagDNQ:
			rs = append(rs, reason{RuleDNQ, ""})
		case FlagOffRecord:
			off = true
		default:
			// An unknown flag kind is a restriction we do not
			// understand: hold the line back rather than guess.
			rs = append(rs, reason{RuleConfidential, ""})
		}
	}
	return rs, off
}

// speakerStep: an unknown speaker's words never leave; others' words
// leave only from the notes of an open meeting; the researcher's and
// speakerless lines off the record need the participants' off-record
// consent. Participants' own words are decided by consentStep.
func (s *Decider) speakerStep(rs []reason, rely []relied, l LineFacts, speakers []string, off bool) ([]reason, []relied) {
	switch {
	case l.Blank, speakers != nil:
		// No words (only flags apply), or participants' words.
	case l.SpeakerKind == SpeakerUnknown:
		rs = append(rs, reason{RuleUnknownSpeaker, ""})
	case l.SpeakerKind == SpeakerOther:
		if !s.othersAllowed {
			rs = append(rs, reason{RuleOtherSpeaker, ""})
		}
		if off {
			rs = append(rs, reason{RuleOffRecord, ""})
		}
	default: // researcher, or header and notes with no speaker
		if off {
			if len(s.doc.Participants) == 0 {
				rs = append(rs, reason{RuleOffRecord, ""})
			}
			for _, p := range s.doc.Participants {
				if s.req.Records[p].Has(ScopeOffRecord) {
					rely = append(rely, relied{p, s.offOnly})
				} else {
					rs = append(rs, reason{RuleOffRecord, p})
				}
			}
		}
	}
	return rs, rely
}

// consentStep: each participant speaking must have consent that covers
// the exit's purpose (and off-record for an off-record line).
func (s *Decider) consentStep(rs []reason, rely []relied, speakers []string, off bool) ([]reason, []relied) {
	for _, p := range speakers {
		k := speakerKey{p, off}
		v, ok := s.verdicts[k]
		if !ok {
			v = speakerRules(s.req.Records[p], s.req.Purpose, off)
			s.verdicts[k] = v
		}
		for _, r := range v {
			rs = append(rs, reason{r, p})
		}
		if len(v) == 0 {
			rely = append(rely, relied{p, s.needed[btoi(off)]})
		}
	}
	return rs, rely
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// purposeStep: analysis keeps what only may not be quoted, marked.
func (s *Decider) purposeStep(rs []reason, speakers []string) ([]reason, []Rule) {
	if s.analysis {
		return analysisMarks(rs, s.req.Records, speakers)
	}
	return rs, nil
}

// gapStep: a blank line between two lines that do not leave is part of
// the gap. A blank line without reasons waits (held reports so) for the
// next line that is not one; that line decides the lines waiting.
func (s *Decider) gapStep(l LineFacts, rs []reason, marks []Rule) (held bool) {
	if l.Blank && len(rs) == 0 {
		if s.blankFrom == 0 {
			s.blankFrom, s.blankMarks = l.N, s.blankMarks[:0]
		}
		if marks != nil || len(s.blankMarks) > 0 {
			for len(s.blankMarks) < l.N-s.blankFrom {
				s.blankMarks = append(s.blankMarks, nil)
			}
			s.blankMarks = append(s.blankMarks, marks)
		}
		return true
	}
	s.flushGap(l.N, len(rs) > 0)
	s.hasPrev = len(rs) > 0
	if s.hasPrev {
		s.prev = rs[0]
	}
	return false
}

// flushGap decides the blank lines waiting before line next: between two
// lines that do not leave they take the first one's reason.
func (s *Decider) flushGap(next int, nextWithheld bool) {
	if s.blankFrom == 0 {
		return
	}
	var gap []reason
	if s.hasPrev && nextWithheld {
		gap = []reason{s.prev}
	}
	for i := s.blankFrom; i < next; i++ {
		var marks []Rule
		if k := i - s.blankFrom; k < len(s.blankMarks) {
			marks = s.blankMarks[k]
		}
		s.decisionStep(i, gap, nil, marks)
	}
	s.blankFrom, s.blankMarks = 0, s.blankMarks[:0]
}

// decisionStep turns line i's reasons into its decision: one action, the
// line counted where it is refused (a quote) or withheld and for the
// consent it relies on.
func (s *Decider) decisionStep(i int, rs []reason, rely []relied, marks []Rule) {
	if i < s.lo || i > s.hi {
		return
	}
	ld := LineDecision{N: i}
	if len(rs) == 0 {
		for _, r := range rely {
			s.used[r.who] |= r.scopes
		}
		ld.Marks = marks
	} else {
		addLine(s.withheld, reasonKey(rs[0]), i)
		ld.Rule = rs[0].rule
		ld.Participant = rs[0].who
		ld.Action = actionFor(ld.Rule)
		ld.Rules = make([]Rule, 0, len(rs))
		for _, r := range rs {
			if !slices.Contains(ld.Rules, r.rule) {
				ld.Rules = append(ld.Rules, r.rule)
			}
			if s.req.Mode == ModeQuote {
				addLine(s.refused, reasonKey(r), i)
			}
		}
	}
	if s.emit != nil {
		s.emit(ld)
	}
}

// maxListedRanges bounds the line ranges a reason lists: a document that
// withholds every other turn of a 200 MB transcript would otherwise keep
// (and print) hundreds of thousands of them. The rest are counted.
const maxListedRanges = 200

// A lineSet is the lines withheld (or refused) for one reason: the first
// maxListedRanges ranges listed, the rest counted.
type lineSet struct {
	ranges          [][2]int
	more, moreLines int // ranges and lines beyond the list
	last            int // the last line added
}

// addLine adds line n (at or after the last) to m[k].
func addLine(m map[reasonKey]*lineSet, k reasonKey, n int) {
	ls := m[k]
	if ls == nil {
		ls = &lineSet{}
		m[k] = ls
	}
	switch r := len(ls.ranges); {
	case ls.more == 0 && r > 0 && ls.ranges[r-1][1] >= n-1:
		ls.ranges[r-1][1] = max(ls.ranges[r-1][1], n)
	case r < maxListedRanges:
		ls.ranges = append(ls.ranges, [2]int{n, n})
	case n > ls.last:
		if ls.more == 0 || n > ls.last+1 {
			ls.more++
		}
		ls.moreLines++
	}
	ls.last = max(ls.last, n)
}

// Finish decides the lines still waiting and returns the Decision, its
// Lines left empty (emit had them): the refusals (a quote) and
// withholdings explained, the consent relied on, the flags applied.
func (s *Decider) Finish() Decision {
	if s.early != nil {
		return *s.early
	}
	if s.n < 0 {
		s.n, s.hi = s.next-1, s.next-1
	}
	if s.bad == nil && s.next != s.n+1 {
		s.bad = fmt.Errorf("%w: document %s: %d lines given for %d", ErrBadRequest, s.doc.Handle, s.next-1, s.n)
	}
	if s.bad != nil {
		return requestRefusal(s.bad)
	}
	s.flushGap(s.n+1, false)
	var d Decision
	// The flags that touch lo..hi: recorded ranges (clamped) and runs of
	// inline markup.
	for _, f := range s.doc.Flags {
		a, b := max(min(f.From, f.To), 1), min(max(f.From, f.To), s.n)
		if a <= b && a <= s.hi && b >= s.lo {
			d.FlagsApplied = append(d.FlagsApplied, f)
		}
	}
	for _, f := range s.inline {
		if f.To >= s.lo && f.From <= s.hi {
			d.FlagsApplied = append(d.FlagsApplied, f)
		}
	}
	slices.SortStableFunc(d.FlagsApplied, func(a, b Flag) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
	})
	d.Refusals = s.explain(s.refused)
	d.Withheld = s.explain(s.withheld)
	for _, p := range slices.Sorted(maps.Keys(s.used)) {
		cur, _ := s.req.Records[p].Current()
		d.ReliedOn = append(d.ReliedOn, Reliance{Participant: p, ConsentSeq: cur.Seq, Form: cur.Form, Scopes: s.used[p].list()})
	}
	return d
}

// explain turns line ranges by reason into refusals, in the rules' order.
func (s *Decider) explain(m map[reasonKey]*lineSet) []*Refusal {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b reasonKey) int {
		return cmp.Or(cmp.Compare(rank(a.rule), rank(b.rule)), cmp.Compare(a.rule, b.rule), cmp.Compare(a.who, b.who))
	})
	var out []*Refusal
	for _, k := range keys {
		ref := lineRefusal(k.rule, k.who, s.req)
		ls := m[k]
		ref.Lines, ref.MoreRanges, ref.MoreLines = ls.ranges, ls.more, ls.moreLines
		if ls.more > 0 {
			ref.Through = ls.last
		}
		out = append(out, ref)
	}
	return out
}

// A scopeSet is a set of valid scopes, one bit per scopeRank.
type scopeSet uint16

func setOf(scopes ...Scope) scopeSet {
	var s scopeSet
	for _, sc := range scopes {
		if i := scopeRank(sc); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

// list returns the scopes in s in canonical order.
func (s scopeSet) list() []Scope {
	var out []Scope
	for i, sc := range allScopes {
		if s&(1<<i) != 0 {
			out = append(out, sc)
		}
	}
	return out
}

// relied is one participant's consent a line relies on.
type relied struct {
	who    string
	scopes scopeSet
}

func appendUnique[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// analysisMarks splits, for an analysis exit, the rules that keep a line out
// of quotation but not out of analysis (do-not-quote flags and meetings)
// from those that withhold it for every purpose. It returns the latter, and
// the marks of a line that leaves: those do-not-quote rules, and
// quote-consent if a speaker may not be quoted.
func analysisMarks(rs []reason, records map[string]*Record, speakers []string) ([]reason, []Rule) {
	var marks []Rule
	rest := rs[:0:0]
	for _, r := range rs {
		if r.rule == RuleDNQ || r.rule == RuleDNQMeeting {
			marks = appendUnique(marks, r.rule)
		} else {
			rest = append(rest, r)
		}
	}
	if len(rest) > 0 {
		return rest, nil
	}
	for _, p := range speakers {
		if !records[p].Has(ScopeQuote) {
			marks = appendUnique(marks, RuleQuoteConsent)
		}
	}
	return rest, marks
}

// lineSpeakers returns the participants whose words a line holds: its
// speaker, or for a transcript without labels every participant it
// concerns; nil for a blank line and for anyone else's words.
func lineSpeakers(l LineFacts, participants []string, unlabelledTranscript bool) []string {
	switch {
	case l.Blank:
		return nil
	case l.SpeakerKind == SpeakerParticipant:
		return []string{l.Participant}
	case l.SpeakerKind == SpeakerNone && unlabelledTranscript && len(participants) > 0:
		return participants
	}
	return nil
}

// speakerRules returns the rules that stop a participant's words from
// leaving — every missing scope, so that one refusal names all that is
// needed — or nil if they may leave.
func speakerRules(r *Record, purpose Scope, off bool) []Rule {
	_, erased := r.erasure() // final, even under a consent recorded after it by an earlier release
	switch st := r.Status(); {
	case st == StatusWithdrawn || st == StatusErased || erased:
		return []Rule{RuleWithdrawn}
	case st == StatusNoConsent || !r.Has(ScopeParticipate):
		return []Rule{RuleParticipateConsent}
	}
	var out []Rule
	if !r.Has(ScopeQuote) && purpose != PurposeAnalysis {
		out = append(out, RuleQuoteConsent)
	}
	if purpose != "" && purpose != PurposeAnalysis && !r.Has(purpose) {
		out = append(out, RulePurposeConsent)
	}
	if off && !r.Has(ScopeOffRecord) {
		out = append(out, RuleOffRecord)
	}
	return out
}

func kindRefusal(doc DocFacts) *Refusal {
	ref := &Refusal{Rule: RuleKind}
	switch doc.Kind {
	case KindRecording:
		ref.Msg = fmt.Sprintf("%s is a recording; recordings never leave through the gate", docName(doc))
		ref.Remedy = "ingest a transcript of it and export that"
	case KindConsentForm:
		ref.Msg = fmt.Sprintf("%s is a consent form; consent forms never leave through the gate", docName(doc))
		ref.Remedy = "none; the consent register is available with 'consent report'"
	default:
		ref.Msg = fmt.Sprintf("%s has unknown kind %q", docName(doc), clip(doc.Kind, 16))
		ref.Remedy = "correct the document's kind in the catalogue"
	}
	return ref
}

func docName(doc DocFacts) string {
	if doc.Handle == "" {
		return "the document"
	}
	return "document " + doc.Handle
}

// lineRefusal explains why lines fall under rule for participant who.
func lineRefusal(rule Rule, who string, req Request) *Refusal {
	ref := &Refusal{Rule: rule, Participant: who}
	r := req.Records[who]
	if who == "" {
		who = "a speaker with no handle"
	}
	cur, hasConsent := r.Current()
	switch rule {
	case RuleParticipateConsent:
		switch {
		case r == nil:
			ref.Msg = fmt.Sprintf("%s has no consent record", who)
		case !hasConsent:
			ref.Msg = fmt.Sprintf("%s has no consent recorded", who)
		default:
			ref.Msg = fmt.Sprintf("%s has not consented to participate (consent %d lacks scope participate)", who, cur.Seq)
		}
		ref.Remedy = fmt.Sprintf("record consent for %s with --scope participate,quote", who)
		if ref.Participant == "" {
			ref.Remedy = "label the speaker with a registered participant's handle"
		}
	case RuleWithdrawn:
		w, _ := r.wholeWithdrawal()
		ref.Msg = fmt.Sprintf("%s withdrew on %s (withdrawal %d); their words never leave", who, w.Date, w.Seq)
		ref.Remedy = fmt.Sprintf("none unless %s consents again (record new consent)", who)
		if e, ok := r.erasure(); ok {
			ref.Msg = fmt.Sprintf("%s withdrew and asked for erasure on %s (withdrawal %d); their words never leave", who, e.Date, e.Seq)
			ref.Remedy = "none; erasure is final"
		}
	case RuleQuoteConsent:
		if cur.Grants(ScopeQuote) {
			ref.Msg = fmt.Sprintf("%s withdrew consent to quotation (scope quote)", who)
		} else {
			ref.Msg = fmt.Sprintf("%s has not consented to quotation (scope quote)", who)
		}
		ref.Remedy = fmt.Sprintf("record new consent for %s with --scope quote, or paraphrase", who)
	case RulePurposeConsent:
		verb := "has not consented to"
		if cur.Grants(req.Purpose) {
			verb = "withdrew consent to"
		}
		ref.Msg = fmt.Sprintf("%s %s %s (scope %s)", who, verb, req.Purpose, req.Purpose)
		ref.Remedy = fmt.Sprintf("record new consent for %s with --scope %s", who, req.Purpose)
	case RuleOffRecord:
		if ref.Participant == "" {
			ref.Msg = "off-record lines with no consenting participant to rely on"
			ref.Remedy = "link the document to the participant concerned and record their consent with --scope off-record"
		} else {
			verb := "has not consented to"
			if cur.Grants(ScopeOffRecord) {
				verb = "withdrew consent to"
			}
			ref.Msg = fmt.Sprintf("%s %s use of off-record words (scope off-record)", who, verb)
			ref.Remedy = fmt.Sprintf("record new consent for %s with --scope off-record", who)
		}
	case RuleStruck:
		ref.Msg = "lines were struck at a participant's request and never leave"
		ref.Remedy = "none; choose another passage"
	case RuleConfidential:
		ref.Msg = "confidential lines never leave, not even paraphrased"
		ref.Remedy = "none; choose another passage"
	case RuleDNQ:
		ref.Msg = "lines are marked do-not-quote"
		ref.Remedy = "paraphrase instead, or remove the dnq flag if it was set in error"
	case RuleDNQMeeting:
		h := "the meeting"
		if req.Doc.Meeting != nil && req.Doc.Meeting.Handle != "" {
			h = "meeting " + req.Doc.Meeting.Handle
		}
		ref.Msg = fmt.Sprintf("%s was observed on condition that it is not quoted", h)
		ref.Remedy = "paraphrase instead; nothing of it leaves verbatim"
	case RuleUnknownSpeaker:
		ref.Msg = "lines begin with a speaker label that names nobody registered, or more than one person (or continue such a turn)"
		ref.Remedy = "register the speaker (participant add, researcher add, or entity add person) with the label as name or alias; if two people share the label, or it is not a speaker, relabel or reword the lines in a new version (ingest --version-of)"
	case RuleOtherSpeaker:
		ref.Msg = "lines are spoken by someone who is not a registered participant"
		ref.Remedy = "register the speaker as a participant with quote consent, or choose another passage"
	default:
		ref.Msg = "lines may not leave"
	}
	if req.Doc.Kind == KindDocument && ref.Participant != "" && (rule == RuleParticipateConsent || rule == RuleQuoteConsent || rule == RulePurposeConsent) {
		// A document's unlabelled text is its participants' words.
		ref.Remedy += fmt.Sprintf("; if the document is not %s's words, unlink them (doc unlink %s --participant %s)", ref.Participant, req.Doc.Handle, ref.Participant)
	}
	return ref
}

// A Marker stands in an export for a run of consecutive lines that do not
// leave. Text says how many lines are missing and, for do-not-quote lines
// only, why; for every other reason it is neutral, so that a marker does not
// reveal that something was struck, confidential or withdrawn. An exit
// builds markers as its lines stream past: NewMarker at a line that does
// not leave, Add for each following line that Joins it, Close at the end of
// the run.
type Marker struct {
	From  int    `json:"from"`
	To    int    `json:"to"`
	Rule  Rule   `json:"rule"`
	Rules []Rule `json:"rules"`
	Text  string `json:"text"`
}

func markerText(r Rule, n int) string {
	lines := "lines"
	if n == 1 {
		lines = "line"
	}
	if r == RuleDNQ || r == RuleDNQMeeting {
		return fmt.Sprintf("[not for quotation: %d %s withheld]", n, lines)
	}
	return fmt.Sprintf("[withheld: %d %s]", n, lines)
}

func dnqLike(r Rule) bool { return r == RuleDNQ || r == RuleDNQMeeting }

// NewMarker starts a marker at a line that does not leave.
func NewMarker(l LineDecision) Marker {
	return Marker{From: l.N, To: l.N, Rule: l.Rule, Rules: []Rule{l.Rule}}
}

// Joins reports whether l, a line that does not leave, goes on the run of
// lines m stands for: it follows m's last line and shares its wording.
func (m Marker) Joins(l LineDecision) bool {
	return l.Action != Keep && l.N == m.To+1 && dnqLike(m.Rule) == dnqLike(l.Rule)
}

// Add puts line l (which Joins m) in m.
func (m *Marker) Add(l LineDecision) {
	m.To = l.N
	m.Rules = appendUnique(m.Rules, l.Rule)
}

// Close sets the marker's Text once its run is complete.
func (m *Marker) Close() { m.Text = markerText(m.Rule, m.To-m.From+1) }
