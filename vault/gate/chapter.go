package gate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/vault"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// Directive is one {{…}} directive of a chapter draft.
type Directive struct {
	Line, Col int // 1-based position in the chapter
	Start     int // byte offsets of the whole directive in its line
	End       int
	Verb      string // "quote", "pseudonym" or "entity"
	Doc       string // quote: document handle
	From, To  int    // quote: line range
	Handle    string // pseudonym / entity: the handle
}

// DirectiveError is a malformed directive, named by its chapter position.
type DirectiveError struct {
	Line, Col int
	Msg       string
}

func (e *DirectiveError) Error() string {
	return fmt.Sprintf("chapter line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

var (
	directiveRE = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	quoteArgRE  = regexp.MustCompile(`^([A-Za-z]{1,4}[0-9]{1,6}):([0-9]{1,7})-([0-9]{1,7})$`)
)

// RangeForm describes a line range as every command and directive takes
// it: always A-B, so that a stray single number is not taken for one line.
const RangeForm = "expected a line range A-B, like 120-134 (one line: 120-120)"

// ParseDirectives finds every directive of a chapter. A malformed one is an
// error naming its line and column (never its text).
func ParseDirectives(chapter string) ([]Directive, error) {
	var out []Directive
	for i, line := range strings.Split(chapter, "\n") {
		if open := strings.Count(line, "{{"); open != strings.Count(line, "}}") {
			return nil, &DirectiveError{Line: i + 1, Col: strings.Index(line, "{{") + 1, Msg: "unbalanced {{ }} (a directive must open and close on one line)"}
		}
		for _, m := range directiveRE.FindAllStringSubmatchIndex(line, -1) {
			d := Directive{Line: i + 1, Col: len([]rune(line[:m[0]])) + 1, Start: m[0], End: m[1]}
			fields := strings.Fields(line[m[2]:m[3]])
			if len(fields) != 2 {
				return nil, &DirectiveError{Line: d.Line, Col: d.Col, Msg: "expected {{quote D12:120-134}}, {{pseudonym P07}} or {{entity E03}}"}
			}
			d.Verb = fields[0]
			switch d.Verb {
			case "quote":
				q := quoteArgRE.FindStringSubmatch(fields[1])
				if q == nil {
					return nil, &DirectiveError{Line: d.Line, Col: d.Col, Msg: "quote needs DOC:A-B, like {{quote D12:120-134}} (one line: D12:120-120)"}
				}
				d.Doc = q[1]
				d.From, _ = strconv.Atoi(q[2])
				d.To, _ = strconv.Atoi(q[3])
				if d.From < 1 || d.To < d.From {
					return nil, &DirectiveError{Line: d.Line, Col: d.Col, Msg: "quote line range must be A-B with 1 ≤ A ≤ B"}
				}
			case "pseudonym", "entity":
				if !vault.ValidHandle(fields[1]) {
					return nil, &DirectiveError{Line: d.Line, Col: d.Col, Msg: d.Verb + " needs a handle, like P07 or E03"}
				}
				d.Handle = fields[1]
			default:
				return nil, &DirectiveError{Line: d.Line, Col: d.Col, Msg: "unknown directive (quote, pseudonym or entity)"}
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// ParseQuoteRef parses "D12:120-134".
func ParseQuoteRef(ref string) (doc string, from, to int, err error) {
	ds, err := ParseDirectives("{{quote " + ref + "}}")
	if err != nil || len(ds) != 1 {
		return "", 0, 0, fmt.Errorf("%w: expected DOC:A-B, like D12:120-134 (one line: D12:120-120)", vault.ErrInvalid)
	}
	return ds[0].Doc, ds[0].From, ds[0].To, nil
}

// ChapterProblem is one directive that cannot stand.
type ChapterProblem struct {
	Line      int             `json:"line"`
	Col       int             `json:"col"`
	Directive string          `json:"directive"` // "quote D12:120-134" (handles and numbers only)
	Rule      string          `json:"rule"`
	Msg       string          `json:"msg"`
	Refusal   *policy.Refusal `json:"-"`
}

// ChapterItem is one directive of a chapter as 'check --list' shows it:
// what it cites, whose words those are, the consent it relies on, and
// whether the gate lets it stand today.
type ChapterItem struct {
	Line      int    `json:"line"`
	Col       int    `json:"col"`
	Directive string `json:"directive"` // "quote D12:120-134", "pseudonym P07"
	Verb      string `json:"verb"`
	Doc       string `json:"doc,omitempty"`
	Lines     string `json:"lines,omitempty"`  // "120-134"
	Handle    string `json:"handle,omitempty"` // pseudonym, entity
	// Participants are those whose words the quote holds (or the
	// participant a pseudonym names).
	Participants []string `json:"participants"`
	// Consents are the consent records the gate relied on.
	Consents []policy.Reliance `json:"consents"`
	Stands   bool              `json:"stands"`
	Rule     string            `json:"rule,omitempty"`   // why not, when it does not stand
	Reason   string            `json:"reason,omitempty"` // the gate's message
}

// chapterItem describes directive d from the gate's outcome for it.
func chapterItem(cat *vault.Catalog, d Directive, g *gated, prob *ChapterProblem) ChapterItem {
	it := ChapterItem{Line: d.Line, Col: d.Col, Directive: d.String(), Verb: d.Verb, Doc: d.Doc, Handle: d.Handle,
		Participants: []string{}, Consents: []policy.Reliance{}, Stands: prob == nil}
	who := map[string]bool{}
	if d.Verb == "quote" {
		it.Lines = fmt.Sprintf("%d-%d", d.From, d.To)
		if g != nil {
			for n, ps := range g.speakers {
				if n >= d.From && n <= d.To {
					for _, p := range ps {
						who[p] = true
					}
				}
			}
			for _, r := range g.decision.ReliedOn {
				who[r.Participant] = true
				it.Consents = append(it.Consents, r)
			}
		}
	} else if _, err := cat.Participant(d.Handle); err == nil {
		who[d.Handle] = true
	}
	if prob != nil {
		it.Rule, it.Reason = prob.Rule, prob.Msg
		if prob.Refusal != nil && prob.Refusal.Participant != "" {
			who[prob.Refusal.Participant] = true
		}
	}
	for p := range who {
		it.Participants = append(it.Participants, p)
	}
	sort.Strings(it.Participants)
	return it
}

// chapterError refuses a render: every problem, each with its chapter line.
type chapterError struct {
	Problems []ChapterProblem
	Items    []ChapterItem
}

func (e *chapterError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refused: %d directive(s) of the chapter cannot stand", len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  chapter line %d: {{%s}}: %s", p.Line, p.Directive, p.Msg)
	}
	return b.String()
}

func (e *chapterError) Is(target error) bool { return target == policy.ErrRefused }

// RefusedBy says what a refused render's audit entry records: the policy's
// refusals and the chapter's own rules.
func (e *chapterError) RefusedBy() ([]*policy.Refusal, []string) {
	var refs []*policy.Refusal
	var rules []string
	for _, p := range e.Problems {
		if p.Refusal != nil {
			refs = append(refs, p.Refusal)
		} else {
			rules = append(rules, p.Rule)
		}
	}
	return refs, rules
}

// ChapterItems returns every directive of a refused render or check.
func ChapterItems(err error) []ChapterItem {
	if ce, ok := err.(*chapterError); ok {
		return ce.Items
	}
	return nil
}

// ChapterProblems returns the problems of a refused render or check.
func ChapterProblems(err error) []ChapterProblem {
	if ce, ok := err.(*chapterError); ok {
		return ce.Problems
	}
	return nil
}

func (d Directive) String() string {
	if d.Verb == "quote" {
		return fmt.Sprintf("quote %s:%d-%d", d.Doc, d.From, d.To)
	}
	return d.Verb + " " + d.Handle
}

// render fills a chapter's directives through the gate; any refusal fails
// the whole render and lists every problem with its chapter line. The whole
// chapter (prose included) is pseudonymised and scanned. A check writes nothing
// and reports what may no longer stand.
func render(ctx context.Context, s *vault.Study, req Request) (*Result, error) {
	if req.Exit != ExitCheck && req.Output != "" && sameFile(req.Chapter, req.Output) {
		return nil, fmt.Errorf("%w: output %s is the chapter itself", vault.ErrInvalid, req.Output)
	}
	if req.Exit != ExitCheck {
		if err := s.PrecheckOutput(req.Output, req.Force); err != nil {
			return nil, err
		}
	}
	src, err := vault.ReadInput(req.Chapter, "chapter")
	if err != nil {
		return nil, err
	}
	dirs, err := ParseDirectives(string(src))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", vault.ErrInvalid, req.Chapter, err)
	}
	action := "render"
	if req.Exit == ExitCheck {
		action = "check"
	}
	res := &Result{}
	err = s.Update(ctx, func(tx *vault.Tx) error {
		cat := tx.Cat
		rd, err := cat.Redactor()
		if err != nil {
			return err
		}
		canonicalHandles(cat, dirs)
		var problems []ChapterProblem
		var gs []*gated
		var quotes []string
		fills := make([]string, len(dirs))
		res.Items = make([]ChapterItem, len(dirs))
		for i, d := range dirs {
			fill, g, prob := fill(s, cat, rd, d, req.Purpose)
			res.Items[i] = chapterItem(cat, d, g, prob)
			if prob != nil {
				problems = append(problems, *prob)
				continue
			}
			if d.Verb == "quote" {
				quotes = append(quotes, fmt.Sprintf("%d:%s:%s:%s", d.Line, d.Doc, res.Items[i].Lines, strings.Join(res.Items[i].Participants, ",")))
			}
			fills[i] = fill
			if g != nil {
				gs = append(gs, g)
				res.Quotes++
			}
		}
		if len(problems) > 0 {
			err := &chapterError{Problems: problems, Items: res.Items}
			e := refusalEntry(action, docHandles(dirs), err)
			e.Hashes = map[string]string{"chapter": sha(src)}
			tx.AuditAlways(e)
			return err
		}
		text := substitute(string(src), dirs, fills)
		// The prose is the researcher's own, but it leaves too: pseudonymise it.
		text = rd.Redact(text)
		if err := scanOut(text, rd, req.AcceptResidual, res, origin{}); err != nil {
			if req.Exit != ExitCheck {
				tx.AuditAlways(refusalEntry(action, docHandles(dirs), err))
			}
			return err
		}
		res.Documents = docHandles(dirs)
		if req.Exit == ExitCheck {
			tx.Audit(vault.Entry{Action: "check", Handles: res.Documents, Hashes: map[string]string{"chapter": sha(src)}, Detail: map[string]string{"quotes": fmt.Sprint(res.Quotes)}})
			return nil
		}
		format, err := FormatFor(req.Format, req.Output)
		if err != nil {
			return err
		}
		out := []byte(text)
		switch format {
		case OutDocx:
			var blocks []transcript.Block
			for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
				blocks = append(blocks, transcript.Block{Text: l})
			}
			if out, err = renderBlocks(OutDocx, blocks, transcript.WriteOptions{}); err != nil {
				return err
			}
		case OutVTT, OutSRT:
			return fmt.Errorf("%w: a chapter has no timings; render it as md, txt or docx", ErrFormatChoice)
		}
		res.SHA256, res.Bytes = sha(out), len(out)
		if err := deliver(s, tx, Request{Output: req.Output, Force: req.Force, W: req.W}, out); err != nil {
			return err
		}
		e := exitEntry("render", gs, res)
		e.Handles = res.Documents
		e.Hashes["chapter"] = sha(src)
		e.Detail["format"] = format
		if req.Purpose != "" {
			e.Detail["purpose"] = string(req.Purpose)
		}
		e.Detail["chapter"] = filepath.Base(req.Chapter)
		if len(quotes) > 0 {
			e.Detail["quotes"] = strings.Join(quotes, " ")
		}
		tx.Audit(e)
		tx.CountExit(e.Participants)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// fill produces one directive's text, or the problem that stops it.
func fill(s *vault.Study, cat *vault.Catalog, rd *redact.Redactor, d Directive, purpose policy.Scope) (string, *gated, *ChapterProblem) {
	prob := func(rule, msg string, ref *policy.Refusal) *ChapterProblem {
		return &ChapterProblem{Line: d.Line, Col: d.Col, Directive: d.String(), Rule: rule, Msg: msg, Refusal: ref}
	}
	switch d.Verb {
	case "pseudonym", "entity":
		// {{pseudonym H}} and {{entity H}} both name any registered
		// participant, entity or meeting.
		ent := cat.EntityByHandle(d.Handle)
		if ent == nil {
			if _, err := cat.Doc(d.Handle); err == nil {
				return "", nil, prob("unknown", fmt.Sprintf("%s is a document; cite its lines with {{quote %s:A-B}}", d.Handle, d.Handle), nil)
			}
			return "", nil, prob("unknown", fmt.Sprintf("no participant, entity or meeting with handle %s", d.Handle), nil)
		}
		ps, ok := cat.Pseudonyms.Lookup(ent.Kind, ent.Name)
		if !ok {
			return "", nil, prob("unknown", d.Handle+" has no pseudonym yet", nil)
		}
		return ps.String(), nil, nil
	}
	if purpose == policy.PurposeAnalysis {
		return "", nil, prob("request", "a chapter is for publication; analysis is not a purpose of render or check", nil)
	}
	g, err := gate(s, cat, rd, d.Doc, 0, policy.ModeQuote, d.From, d.To, purpose)
	if err != nil {
		// g, when the gate got as far as a decision, says whose words the
		// lines are (check --list); it never fills the directive.
		switch x := err.(type) {
		case *policy.Refused:
			var msgs []string
			for _, r := range x.Refusals {
				msgs = append(msgs, r.Error())
			}
			return "", g, prob(string(x.Refusals[0].Rule), strings.Join(msgs, "; "), x.Refusals[0])
		case *policy.Refusal:
			return "", g, prob(string(x.Rule), x.Error(), x)
		}
		return "", nil, prob("error", vault.IntegrityDetail(err), nil)
	}
	var buf bytes.Buffer
	transcript.WriteMarkdown(&buf, quoteBlocks(cat, g))
	return strings.TrimRight(buf.String(), "\n"), g, nil
}

// substitute replaces every directive with its fill.
func substitute(src string, dirs []Directive, fills []string) string {
	lines := strings.Split(src, "\n")
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		l := lines[d.Line-1]
		lines[d.Line-1] = l[:d.Start] + fills[i] + l[d.End:]
	}
	return strings.Join(lines, "\n")
}

// canonicalHandles rewrites the directives' handles as the catalogue spells
// them (handles are case-insensitive on input), so the audit log names each
// record one way.
func canonicalHandles(cat *vault.Catalog, dirs []Directive) {
	for i := range dirs {
		if d, err := cat.Doc(dirs[i].Doc); dirs[i].Doc != "" && err == nil {
			dirs[i].Doc = d.Handle
		}
		if e := cat.EntityByHandle(dirs[i].Handle); dirs[i].Handle != "" && e != nil {
			dirs[i].Handle = e.ID
		}
	}
}

func docHandles(dirs []Directive) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range dirs {
		if d.Verb == "quote" && !seen[d.Doc] {
			seen[d.Doc] = true
			out = append(out, d.Doc)
		}
	}
	return out
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
