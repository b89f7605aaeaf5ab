package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/fieldvault/fieldvault/vault"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// Output formats of the gate's exits. Nothing else is written: any other
// format or output extension is refused before anything is read.
const (
	OutMarkdown = "md"
	OutText     = "txt"
	OutDocx     = "docx"
	OutVTT      = "vtt" // captions with the original timings
	OutSRT      = "srt"
	OutQDPX     = "qdpx" // export-qda only
)

// OutputFormats are the formats export, quote and render write.
func OutputFormats() []string { return []string{OutMarkdown, OutText, OutDocx, OutVTT, OutSRT} }

// ErrFormatChoice: an output format or extension fieldvault does not write.
// The CLI checks the choice first and reports it as a usage error (exit 2).
var ErrFormatChoice = errors.New("unsupported output format")

// Exit names what leaves through the gate.
type Exit string

// The exits. Each is one Request through Run.
const (
	ExitExport  Exit = "export"     // a whole document, withheld lines as markers
	ExitQuote   Exit = "quote"      // a line range as a block quote with attribution
	ExitRender  Exit = "render"     // a chapter with its directives filled in
	ExitCheck   Exit = "check"      // a chapter re-checked against today's consent and flags; nothing written
	ExitQDA     Exit = "export-qda" // a REFI-QDA project of documents, for analysis
	ExitScan    Exit = "scan"       // the residual scan of a document as it would leave; nothing leaves
	ExitDeposit Exit = "deposit"    // an archive package of every document that may leave
)

// Request is one exit through the gate: what leaves, for which purpose,
// and where to. Every option travels here; Run reads those of its exit.
type Request struct {
	Exit     Exit
	Doc      string   // export, quote, scan: the document
	Version  int      // export, quote: 0 = latest
	From, To int      // quote: the line range
	Docs     []string // export-qda: the documents
	All      bool     // export-qda: every text document that may leave
	Chapter  string   // render, check: path of the chapter draft (Markdown)
	// Purpose is the exit's purpose: "" is the exit's own (publication for
	// export, quote, render and check; analysis for export-qda; archive for
	// deposit); scan DOC scans as the document would leave for it.
	Purpose        policy.Scope
	Format         string    // output format; "" = from Output's extension
	Output         string    // file to create; "" = W
	W              io.Writer // used when Output is ""
	Force          bool      // replace an existing output file
	AcceptResidual bool      // let high-confidence residual identifiers pass (audited)
	Timestamps     bool      // show each line's cue or label time (md, txt, docx)
}

// Run lets one request out through the gate: decrypt → parse → decide →
// pseudonymise → scan → write → audit. The output is staged and delivered
// only as the exit's audit entry commits; a refusal is audited and
// returned as an error matching policy.ErrRefused.
func Run(ctx context.Context, s *vault.Study, req Request) (*Result, error) {
	switch req.Exit {
	case ExitExport:
		return exit(ctx, s, "export", req, policy.ModeExport)
	case ExitQuote:
		return exit(ctx, s, "quote", req, policy.ModeQuote)
	case ExitRender, ExitCheck:
		return render(ctx, s, req)
	case ExitQDA:
		return exportQDA(ctx, s, req)
	case ExitScan:
		res, err := scanDoc(s, req)
		return res, s.SayRole(err)
	case ExitDeposit:
		return deposit(ctx, s, req)
	}
	return nil, fmt.Errorf("%w: no exit %q", vault.ErrInvalid, req.Exit)
}

// Result says what left (or, for scan, what the scan found).
type Result struct {
	SHA256   string
	Bytes    int
	Withheld int              // lines withheld or dropped
	Warnings []redact.Finding // possible names and other low-confidence findings
	Accepted []redact.Finding // high-confidence findings let through with AcceptResidual
	ReliedOn []policy.Reliance
	// Reasons says, for the researcher only, which source lines were
	// withheld and why; the output's markers stay neutral.
	Reasons []WithheldLines
	Marked  int // lines that left for analysis only, marked "do not quote"

	Quotes    int                // render, check: quotes filled in
	Items     []ChapterItem      // render, check: every directive (ChapterItems has them when refused)
	Documents []string           // render, check, export-qda: the documents cited or included
	Skipped   []string           // export-qda: documents that never leave, with why
	Files     []DepositFile      // deposit: the data files
	Excluded  []DepositExclusion // deposit: documents left out, with why
	Findings  []redact.Finding   // scan: what the residual scan finds
}

// WithheldLines is one reason lines of a document did not leave: the rule,
// the source line ranges, the participant concerned (a handle) and how to
// let them out. Handles and numbers only, never a name or a word.
type WithheldLines struct {
	Doc         string      `json:"doc"`
	Rule        policy.Rule `json:"rule"`
	Lines       [][2]int    `json:"lines"`
	MoreRanges  int         `json:"more_ranges,omitempty"` // ranges beyond Lines (see policy.Refusal)
	MoreLines   int         `json:"more_lines,omitempty"`
	Through     int         `json:"through,omitempty"`
	Participant string      `json:"participant,omitempty"`
	Msg         string      `json:"msg"`
	Remedy      string      `json:"remedy,omitempty"`
}

// String is one line for the researcher's terminal.
func (w WithheldLines) String() string {
	noun := "lines"
	if len(w.Lines) == 1 && w.Lines[0][0] == w.Lines[0][1] && w.MoreRanges == 0 {
		noun = "line"
	}
	s := fmt.Sprintf("%s %s %s withheld (%s): %s", w.Doc, noun, policy.FormatRanges(w.Lines, w.MoreRanges, w.MoreLines, w.Through), w.Rule, w.Msg)
	if w.Remedy != "" {
		s += "; to permit: " + w.Remedy
	}
	return s
}

// reasons lists why lines of a gated document did not leave.
func (g *gated) reasons() []WithheldLines {
	var out []WithheldLines
	for _, r := range g.decision.Withheld {
		out = append(out, WithheldLines{Doc: g.doc.Handle, Rule: r.Rule, Lines: r.Lines, MoreRanges: r.MoreRanges, MoreLines: r.MoreLines, Through: r.Through, Participant: r.Participant, Msg: r.Msg, Remedy: r.Remedy})
	}
	return out
}

// markedLines counts the lines that leave for analysis only.
func (g *gated) markedLines() int { return g.nMarked }

// Neutral markers around text that leaves for analysis only.
const (
	MarkDNQOpen  = "[do not quote: for analysis only]"
	MarkDNQClose = "[end of do not quote]"
)

// ResidualError refuses an exit whose pseudonymised text still holds
// high-confidence identifiers (e-mail, phone, postcode, NI number).
type ResidualError struct{ Findings []redact.Finding }

func (e *ResidualError) Error() string {
	var parts []string
	for i, f := range e.Findings {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Findings)-5))
			break
		}
		where := fmt.Sprintf("%s at output line %d col %d", f.Kind, f.Line, f.Col)
		if f.Doc != "" && f.SourceLine > 0 {
			where += fmt.Sprintf(" (%s line %d)", f.Doc, f.SourceLine)
		}
		parts = append(parts, where)
	}
	return fmt.Sprintf("refused (residual): %d high-confidence identifier(s) left after pseudonymisation: %s; remove them from the source, flag the lines, or pass --accept-residual (audited)",
		len(e.Findings), strings.Join(parts, ", "))
}

// Is makes a residual block a refusal by policy (exit code 3).
func (e *ResidualError) Is(target error) bool { return target == policy.ErrRefused }

// gated is one document version on its way through the gate: the
// policy's request and, once a pass has run, its decision and tallies.
type gated struct {
	doc     *vault.Document
	ver     *vault.Version
	req     policy.Request // the policy request, without the lines
	tracker newTracker     // nil for a document that is not text
	// text gives the version's lines to every pass (source), a .docx's
	// object fetched once for them all; close releases it.
	text *vault.VersionLines
	// each, if set, sees every line of the exit with its decision as a
	// pass decides it.
	each func(transcript.Line, policy.LineDecision)
	// pipeline: pass runs the composer's second half (pseudonymise and
	// emit) on a goroutine of its own (composer.pipeline); the emit it is
	// given must allow that.
	pipeline bool

	// counted says n and labelled are known: a first pass (count) read
	// the document's lines, and found for a quote whose words its lines
	// hold (quoters).
	counted  bool
	n        int
	labelled bool
	quoters  map[string]bool

	// hold, if set, is the bytes of lines left to hold (shared by the
	// quotes of a chapter): a pass then keeps the lines of the exit with
	// their speakers and decisions (held; heldAll once it held them all,
	// within the budget) for a write to replay instead of reading the
	// document again (replay).
	hold    *int
	held    []heldLine
	heldAll bool

	decision  policy.Decision // without Lines
	withheld  int
	nMarked   int                  // lines that leave marked "do not quote"
	lineRules map[policy.Rule]bool // the decisive rules of lines that do not leave
}

// tally counts a line's decision for the result and the audit entry.
func (g *gated) tally(d policy.LineDecision) {
	switch {
	case d.Action == policy.Keep && len(d.Marks) > 0:
		g.nMarked++
	case d.Action != policy.Keep && d.Rule != "":
		if g.lineRules == nil {
			g.lineRules = map[policy.Rule]bool{}
		}
		g.lineRules[d.Rule] = true
	}
}

// FormatFor picks the output format: the flag, else the output file's
// extension, else Markdown. An extension fieldvault does not write is an
// error, so that "-o notes.pdf" never holds Markdown.
func FormatFor(flag, output string) (string, error) {
	if flag != "" {
		if !slices.Contains(OutputFormats(), flag) {
			return "", fmt.Errorf("%w %q (%s)", ErrFormatChoice, flag, strings.Join(OutputFormats(), ", "))
		}
		return flag, nil
	}
	if output == "" {
		return OutMarkdown, nil
	}
	ext := strings.ToLower(filepath.Ext(output))
	switch ext {
	case ".markdown":
		return OutMarkdown, nil
	case ".md", ".txt", ".docx", ".vtt", ".srt":
		return ext[1:], nil
	}
	if ext == "" {
		return "", fmt.Errorf("%w: the output file has no extension (name it .md, .txt, .docx, .vtt or .srt, or pass --format)", ErrFormatChoice)
	}
	return "", fmt.Errorf("%w: cannot write %q files (name the output .md, .txt, .docx, .vtt or .srt, or pass --format)", ErrFormatChoice, ext)
}

// sortFindings sorts the residual scan's findings of an exit: high
// confidence ones refuse it unless accepted.
func sortFindings(found []redact.Finding, accept bool, res *Result) error {
	var high []redact.Finding
	for _, f := range found {
		if f.Confidence == redact.High {
			high = append(high, f)
		} else {
			res.Warnings = append(res.Warnings, f)
		}
	}
	if len(high) > 0 && !accept {
		return &ResidualError{Findings: high}
	}
	res.Accepted = append(res.Accepted, high...)
	return nil
}

// stage writes an exit's output with fill and delivers it only as the
// exit's audit entry commits: a file is written to a temp file beside it
// (refusing to overwrite an input or to write into the vault) and renamed
// into place then, standard output is spooled until then (spool). sum
// gives the SHA-256 of what fill wrote once it has; verdict, if set, runs
// then (the residual scan's findings sorted). No exit is delivered on an
// unpinned or swapped key: the pseudonym key is checked against its pin
// last.
func stage(s *vault.Study, tx *vault.Tx, output string, force bool, w io.Writer, sum func() string, fill func(io.Writer) error, verdict func() error) error {
	if verdict == nil {
		verdict = func() error { return nil }
	}
	if output == "" {
		if w == nil {
			return fmt.Errorf("%w: no output", vault.ErrInvalid)
		}
		// Standard output is staged too, until the exit commits.
		sp := &spool{}
		tx.OnCommit(sp.discard)
		tx.OnAbort(sp.discard)
		if err := fill(sp); err != nil {
			return err
		}
		if err := verdict(); err != nil {
			return err
		}
		if err := tx.RequirePinnedKey(); err != nil {
			return err
		}
		tx.DeliverStream(w, func(w io.Writer) error {
			if err := sp.copyTo(w); err != nil {
				return fmt.Errorf("writing the output: %w", err)
			}
			return nil
		})
		return nil
	}
	if err := s.CheckOutput(output, force); err != nil {
		return err
	}
	var ferr error
	err := tx.StageOutputSum(output, sum, func(w io.Writer) error {
		// The exit's own errors (a refusal, damage found at the end)
		// come back as they are, not as errors writing the file.
		ferr = fill(w)
		return nil
	})
	if ferr != nil {
		return ferr
	}
	if err != nil {
		return err
	}
	if err := verdict(); err != nil {
		return err
	}
	return tx.RequirePinnedKey()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// exitEntry builds the audit entry of an exit from the gate's decisions.
func exitEntry(action string, gs []*gated, res *Result) vault.Entry {
	e := vault.Entry{Action: action, Detail: map[string]string{}}
	parts := map[string]bool{}
	consents := map[string]bool{}
	rules := map[string]bool{}
	for _, g := range gs {
		if g == nil {
			continue
		}
		e.Handles = append(e.Handles, g.doc.Handle)
		e.Detail["version:"+g.doc.Handle] = fmt.Sprint(g.ver.N)
		for _, r := range g.decision.ReliedOn {
			parts[r.Participant] = true
			consents[fmt.Sprintf("%s#%d", r.Participant, r.ConsentSeq)] = true
		}
		for _, f := range g.decision.FlagsApplied {
			e.Flags = append(e.Flags, fmt.Sprintf("%s:%d-%d:%s", g.doc.Handle, f.From, f.To, f.Kind))
		}
		for r := range g.lineRules {
			rules[string(r)] = true
		}
	}
	e.Participants = sortedKeys(parts)
	e.Consents = sortedKeys(consents)
	e.Rules = sortedKeys(rules)
	if res != nil {
		e.Hashes = map[string]string{"output": res.SHA256}
		e.Detail["withheld_lines"] = fmt.Sprint(res.Withheld)
		if len(res.Accepted) > 0 {
			e.Detail["residual_accepted"] = fmt.Sprint(len(res.Accepted))
		}
	}
	return e
}

// RefusedBy says what a residual refusal's audit entry records.
func (e *ResidualError) RefusedBy() ([]*policy.Refusal, []string) { return nil, []string{"residual"} }

func exit(ctx context.Context, s *vault.Study, action string, req Request, mode policy.Mode) (*Result, error) {
	if err := s.PrecheckOutput(req.Output, req.Force); err != nil {
		return nil, err
	}
	res := &Result{}
	err := s.Update(ctx, func(tx *vault.Tx) error {
		err := letOut(s, tx, action, req, mode, res)
		if e, ok := vault.RefusalEntry(action, []string{req.Doc}, err); ok {
			tx.AuditAlways(e)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// letOut gates one export or quote, stages its output and records the
// exit. The document streams (streamExit): it is decided as it is written.
func letOut(s *vault.Study, tx *vault.Tx, action string, req Request, mode policy.Mode, res *Result) error {
	if mode == policy.ModeQuote && req.Purpose == policy.PurposeAnalysis {
		return fmt.Errorf("%w: a quote is for publication; analysis is a purpose of export and export-qda only", vault.ErrInvalid)
	}
	rd, err := tx.Cat.Redactor()
	if err != nil {
		return err
	}
	g, err := target{Doc: req.Doc, Version: req.Version, Mode: mode, From: req.From, To: req.To, Purpose: req.Purpose}.open(tx.Cat, rd)
	if err != nil {
		return err
	}
	defer g.close()
	if mode == policy.ModeQuote {
		if err := quoteRange(g.doc.Handle, g.ver.N, g.ver.Lines, req.From, req.To); err != nil {
			return err
		}
	}
	if err := tx.Context().Err(); err != nil {
		return err // interrupted: stop between the long stages
	}
	format, err := FormatFor(req.Format, req.Output)
	if err != nil {
		return err
	}
	opt := transcript.WriteOptions{Timestamps: req.Timestamps}
	if mode != policy.ModeQuote && format == OutDocx {
		opt.Title = exportTitle(tx.Cat, g)
	}
	var quoteEnd func() string
	if mode == policy.ModeQuote {
		quoteEnd = func() string { return attribution(tx.Cat, g) }
	}
	var found []redact.Finding
	fill := func(w io.Writer) error {
		var err error
		found, res.SHA256, res.Bytes, err = streamExit(s, g, rd, w, format, opt, quoteEnd)
		return err
	}
	verdict := func() error { return sortFindings(locate(g.doc.Handle, found), req.AcceptResidual, res) }
	if err := stage(s, tx, req.Output, req.Force, req.W, func() string { return res.SHA256 }, fill, verdict); err != nil {
		return err
	}
	res.Withheld, res.ReliedOn = g.withheld, g.decision.ReliedOn
	res.Reasons, res.Marked = g.reasons(), g.markedLines()
	e := exitEntry(action, []*gated{g}, res)
	e.Detail["format"] = format
	e.Detail["destination"] = vault.OutputKind(req.Output)
	if req.Purpose != "" {
		e.Detail["purpose"] = string(req.Purpose)
	}
	if mode == policy.ModeQuote {
		e.Detail["lines"] = fmt.Sprintf("%d-%d", req.From, req.To)
	}
	tx.Audit(e)
	tx.CountExit(e.Participants)
	return nil
}

// quoteRange checks a quote's lines against its document version's n
// lines: a range past the end is a mistyped citation (bad input, exit 1,
// not audited, as flag --lines is), not a refusal of the gate.
func quoteRange(doc string, version, n, from, to int) error {
	switch {
	case n == 0:
		return fmt.Errorf("%w: document %s v%d has no lines to quote", vault.ErrInvalid, doc, version)
	case from < 1 || to < from || to > n:
		return fmt.Errorf("%w: document %s v%d has %d lines; %s:%d-%d is out of range: quote lines within 1-%d (see 'open %s --lines')",
			vault.ErrInvalid, doc, version, n, doc, from, to, n, doc)
	}
	return nil
}

// exportTitle is the title block of an exported document: its handle,
// kind, date and the pseudonyms of its participants (never a real name).
func exportTitle(cat *vault.Catalog, g *gated) *transcript.Title {
	t := &transcript.Title{Handle: g.doc.Handle, Kind: g.doc.Kind, Date: g.doc.Date}
	for _, h := range g.doc.Participants {
		if p, err := cat.Participant(h); err == nil {
			if ps, ok := cat.Pseudonyms.Lookup(redact.KindPerson, p.Name); ok {
				t.Participants = append(t.Participants, ps.InOrder(p.FamilyFirst))
				continue
			}
		}
		t.Participants = append(t.Participants, h) // a handle, never a name
	}
	return t
}

func attribution(cat *vault.Catalog, g *gated) string {
	var who []string
	for _, r := range g.decision.ReliedOn {
		if p, err := cat.Participant(r.Participant); err == nil {
			if ps, ok := cat.Pseudonyms.Lookup(redact.KindPerson, p.Name); ok {
				who = append(who, ps.Given)
			}
		}
	}
	sort.Strings(who)
	kind := map[string]string{policy.KindTranscript: "interview", policy.KindFieldNotes: "field notes", policy.KindMeetingNotes: "meeting notes", policy.KindDocument: "document"}[g.doc.Kind]
	parts := append(who, kind)
	if len(g.doc.Date) >= 4 {
		parts = append(parts, g.doc.Date[:4])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
