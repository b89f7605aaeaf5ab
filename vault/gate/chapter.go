package gate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
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
			for p := range g.quoters {
				who[p] = true
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
	if me, ok := err.(*MovedError); ok {
		return me.Items
	}
	return nil
}

// ChapterProblems returns the problems of a refused render or check.
func ChapterProblems(err error) []ChapterProblem {
	if ce, ok := err.(*chapterError); ok {
		return ce.Problems
	}
	if me, ok := err.(*MovedError); ok {
		var out []ChapterProblem
		for _, m := range me.Moved {
			out = append(out, ChapterProblem{Line: m.ChapterLine, Directive: fmt.Sprintf("quote %s:%d-%d", m.Doc, m.From, m.To),
				Rule: RuleMovedQuote, Msg: m.Reason()})
		}
		return out
	}
	return nil
}

// MovedError refuses a check: quotes of the chapter cite lines that a new
// version of their document moved or changed since its last render.
type MovedError struct {
	Moved []vault.MovedQuote
	Items []ChapterItem
}

func (e *MovedError) Error() string {
	var b strings.Builder
	n := "1 quote"
	if len(e.Moved) != 1 {
		n = fmt.Sprintf("%d quotes", len(e.Moved))
	}
	fmt.Fprintf(&b, "%s: %s of the chapter cite lines that a new version moved or changed since it was last rendered", policy.ErrRefused, n)
	for _, m := range e.Moved {
		b.WriteString("\n  " + m.String())
	}
	return b.String()
}

func (e *MovedError) Is(target error) bool { return target == policy.ErrRefused }

// RuleMovedQuote is the rule a moved quote refuses by in the audit log.
const RuleMovedQuote = "moved-quote"

// RefusedBy says what a refused check's audit entry records: the chapter's
// own rule (no participant: their consent is not what refused).
func (e *MovedError) RefusedBy() ([]*policy.Refusal, []string) {
	return nil, []string{RuleMovedQuote}
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
//
// Every directive is decided first (fill): nothing is written unless all
// stand. The chapter is then written a line at a time, each quote
// written as a quote exit's is (chapter.write), from the lines its
// decision held.
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
	// The quotes of a document version share its lines (one fetch of a
	// .docx's object for all their passes), released when the render
	// ends, whatever happened.
	texts := map[string]*vault.VersionLines{}
	defer func() {
		for _, t := range texts {
			t.Close()
		}
	}()
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
		ch := &chapter{src: string(src), dirs: dirs, fills: make([]string, len(dirs)), quoted: make([]*gated, len(dirs))}
		res.Items = make([]ChapterItem, len(dirs))
		hold := quoteHoldBytes // the quotes' lines held from their decision to the write
		for i, d := range dirs {
			fill, g, prob := fill(s, cat, rd, d, req.Purpose, &hold, texts)
			res.Items[i] = chapterItem(cat, d, g, prob)
			if prob != nil {
				problems = append(problems, *prob)
				continue
			}
			if d.Verb == "quote" {
				quotes = append(quotes, fmt.Sprintf("%d:%s:%s:%s", d.Line, d.Doc, res.Items[i].Lines, strings.Join(res.Items[i].Participants, ",")))
			}
			ch.fills[i], ch.quoted[i] = fill, g
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
		format, ferr := "", error(nil) // a format the chapter cannot take, reported once it is scanned
		if req.Exit != ExitCheck {
			format, ferr = FormatFor(req.Format, req.Output)
			if ferr == nil && (format == OutVTT || format == OutSRT) {
				ferr = fmt.Errorf("%w: a chapter has no timings; render it as md, txt or docx", ErrFormatChoice)
			}
		}
		sc := redact.NewLineScanner(rd)
		verdict := func() error {
			err := sortFindings(sc.Findings(), req.AcceptResidual, res)
			if err != nil && req.Exit != ExitCheck {
				tx.AuditAlways(refusalEntry(action, docHandles(dirs), err))
			}
			return err
		}
		if req.Exit == ExitCheck || ferr != nil {
			if err := ch.write(s, cat, rd, sc, io.Discard, ""); err != nil {
				return err
			}
			if err := verdict(); err != nil {
				return err
			}
			if ferr != nil {
				return ferr
			}
			res.Documents = docHandles(dirs)
			if req.Exit == ExitCheck {
				// A new version of a quoted document may have moved the
				// lines the chapter's last render quoted: the directive
				// would now cite other words.
				var cited []vault.CitedQuote
				for _, it := range res.Items {
					if it.Verb == "quote" {
						cited = append(cited, vault.CitedQuote{Line: it.Line, Doc: it.Doc, Lines: it.Lines})
					}
				}
				moved, err := s.MovedQuotes(sha(src), cited)
				if err != nil {
					return err
				}
				if len(moved) > 0 {
					for _, m := range moved {
						for i := range res.Items {
							if it := &res.Items[i]; it.Verb == "quote" && it.Line == m.ChapterLine {
								it.Stands, it.Rule = false, RuleMovedQuote
							}
						}
					}
					err := &MovedError{Moved: moved, Items: res.Items}
					e := refusalEntry(action, res.Documents, err)
					e.Hashes = map[string]string{"chapter": sha(src)}
					tx.AuditAlways(e)
					return err
				}
			}
			tx.Audit(vault.Entry{Action: "check", Handles: res.Documents, Hashes: map[string]string{"chapter": sha(src)}, Detail: map[string]string{"quotes": fmt.Sprint(res.Quotes)}})
			return nil
		}
		hc := &hashCount{h: sha256.New()}
		sum := func() string { return hex.EncodeToString(hc.h.Sum(nil)) }
		fill := func(w io.Writer) error { return ch.write(s, cat, rd, sc, io.MultiWriter(w, hc), format) }
		if err := stage(s, tx, req.Output, req.Force, req.W, sum, fill, verdict); err != nil {
			return err
		}
		res.SHA256, res.Bytes = sum(), int(hc.n)
		res.Documents = docHandles(dirs)
		e := exitEntry("render", gs, res)
		e.Handles = res.Documents
		e.Hashes["chapter"] = sha(src)
		e.Detail["format"] = format
		e.Detail["destination"] = vault.OutputKind(req.Output)
		if req.Purpose != "" {
			e.Detail["purpose"] = string(req.Purpose)
		}
		// The chapter is its hash (Hashes["chapter"]), never its file
		// name: a researcher may name it after a participant.
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

// fill decides one directive: the text of a pseudonym or an entity, the
// gate of a quote (its lines counted and decided, nothing written yet;
// held for the write while hold, the bytes left to the chapter's quotes,
// allows; read through texts, the chapter's document versions), or the
// problem that stops it.
func fill(s *vault.Study, cat *vault.Catalog, rd *redact.Redactor, d Directive, purpose policy.Scope, hold *int, texts map[string]*vault.VersionLines) (string, *gated, *ChapterProblem) {
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
		return ps.InOrder(ent.FamilyFirst), nil, nil
	}
	if purpose == policy.PurposeAnalysis {
		return "", nil, prob("request", "a chapter is for publication; analysis is not a purpose of render or check", nil)
	}
	g, err := target{Doc: d.Doc, Mode: policy.ModeQuote, From: d.From, To: d.To, Purpose: purpose}.open(cat, rd)
	if err == nil {
		if rerr := quoteRange(g.doc.Handle, g.ver.N, g.ver.Lines, d.From, d.To); rerr != nil {
			return "", nil, prob("request", strings.TrimPrefix(rerr.Error(), vault.ErrInvalid.Error()+": "), nil)
		}
		key := fmt.Sprintf("%s@%d", g.doc.Handle, g.ver.N)
		if texts[key] == nil {
			texts[key] = s.VersionLines(g.ver)
		}
		g.text = texts[key] // the render closes it
		g.hold = hold       // the write replays the lines this pass decides, if they fit
		err = g.pass(s, rd, nil)
	}
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
	return "", g, nil
}

// A chapter is a chapter draft whose directives all stand: the text of
// each pseudonym and entity (fills) and the gate of each quote (quoted).
type chapter struct {
	src    string
	dirs   []Directive
	fills  []string
	quoted []*gated
}

// write writes the chapter with its directives filled in, as it goes: a
// quote goes through the gate's writer (writeExit) as a quote exit's
// Markdown, without the line ends at its end, from the lines its decision
// held (gated.replay) or, past quoteHoldBytes, streamed again. The text
// is passed on a line at a time through the redactor (the prose is the
// researcher's own, but it leaves too: pseudonymise it) to the residual
// scan sc and to w in format ("" writes nothing: a check). sc is the one scan of the quotes
// too: it sees them as they leave, inside the chapter's lines, and its
// findings are the render's (writeExit runs none of its own). Memory is a
// line and the quotes' held lines (at most quoteHoldBytes), not the
// chapter or the documents.
func (ch *chapter) write(s *vault.Study, cat *vault.Catalog, rd *redact.Redactor, sc *redact.LineScanner, w io.Writer, format string) error {
	out, err := chapterOut(w, format)
	if err != nil {
		return err
	}
	lr := rd.Lines(func(line string) error {
		sc.Line(line, 0)
		return out.line(line)
	})
	lw := &lineWriter{line: lr.Line}
	err = substitute(lw, ch.src, ch.dirs, func(k int, w io.Writer) error {
		g := ch.quoted[k]
		if g == nil {
			_, err := io.WriteString(w, ch.fills[k])
			return err
		}
		attribution := func() string { return attribution(cat, g) }
		_, _, err := writeExit(s, g, rd, &exitSink{}, &trimNL{w: w}, OutMarkdown, transcript.WriteOptions{}, attribution)
		return err
	})
	if err != nil {
		return err
	}
	if err := lw.Close(); err != nil {
		return err
	}
	if err := lr.End(); err != nil {
		return err
	}
	return out.close()
}

// chapterSink writes a chapter's lines in a format.
type chapterSink struct {
	line  func(string) error
	close func() error
}

// chapterOut writes a rendered chapter's lines to w in format: Markdown and
// text as they are, a .docx a paragraph a line (the blank lines at its end
// left out); "" writes nothing.
func chapterOut(w io.Writer, format string) (chapterSink, error) {
	switch format {
	case "":
		return chapterSink{line: func(string) error { return nil }, close: func() error { return nil }}, nil
	case OutDocx:
		tw, err := transcript.NewWriter(w, transcript.FormatDocx, transcript.WriteOptions{})
		if err != nil {
			return chapterSink{}, err
		}
		blank, wrote := 0, false
		line := func(l string) error {
			if l == "" {
				blank++ // written once a line follows that is not blank
				return nil
			}
			for ; blank > 0; blank-- {
				if err := tw.Block(transcript.Block{}); err != nil {
					return err
				}
			}
			wrote = true
			return tw.Block(transcript.Block{Text: l})
		}
		end := func() error {
			if !wrote {
				if err := tw.Block(transcript.Block{}); err != nil {
					return err
				}
			}
			return tw.Close()
		}
		return chapterSink{line: line, close: end}, nil
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	first := true
	line := func(l string) error {
		if !first {
			bw.WriteByte('\n')
		}
		first = false
		_, err := bw.WriteString(l)
		return err
	}
	return chapterSink{line: line, close: bw.Flush}, nil
}

// A lineWriter passes what is written to it on a line at a time, without
// line ends; Close passes the last line, which may be empty. The first
// error of line is kept (err) and returned by every write after it.
type lineWriter struct {
	part []byte
	line func(string) error
	err  error
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for l.err == nil {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.part = append(l.part, p...)
			break
		}
		l.part = append(l.part, p[:i]...)
		l.err = l.line(string(l.part))
		l.part, p = l.part[:0], p[i+1:]
	}
	if l.err != nil {
		return 0, l.err
	}
	return n, nil
}

// Close passes the last line.
func (l *lineWriter) Close() error {
	if l.err == nil {
		l.err = l.line(string(l.part))
	}
	return l.err
}

// trimNL writes to w what is written to it but the line ends at its end:
// a quote fills its directive without them.
type trimNL struct {
	w    io.Writer
	held int // line ends not yet written
}

func (t *trimNL) Write(p []byte) (int, error) {
	body := bytes.TrimRight(p, "\n")
	if len(body) > 0 {
		if _, err := t.w.Write(bytes.Repeat([]byte{'\n'}, t.held)); err != nil {
			return 0, err
		}
		t.held = 0
		if _, err := t.w.Write(body); err != nil {
			return 0, err
		}
	}
	t.held += len(p) - len(body)
	return len(p), nil
}

// substitute writes the chapter src to w with every directive replaced by
// what fill(k, w) writes for directive k, a line at a time.
func substitute(w io.Writer, src string, dirs []Directive, fill func(k int, w io.Writer) error) error {
	k, n := 0, 0
	for line := range strings.SplitSeq(src, "\n") {
		n++
		if n > 1 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		pos := 0
		for ; k < len(dirs) && dirs[k].Line == n; k++ {
			if _, err := io.WriteString(w, line[pos:dirs[k].Start]); err != nil {
				return err
			}
			if err := fill(k, w); err != nil {
				return err
			}
			pos = dirs[k].End
		}
		if _, err := io.WriteString(w, line[pos:]); err != nil {
			return err
		}
	}
	return nil
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
