package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/urfave/cli/v2"
)

// The gate's exits (export, quote, render, check) and the commands around
// them (flag, scan, pseudonym).

var formatFlag = func() cli.Flag {
	return &cli.StringFlag{Name: "format", Usage: "output `FORMAT`: md, txt, docx, vtt or srt (default: from -o's extension, else md)"}
}

// forceFlag lets an exit, open or report replace an existing output file.
var forceFlag = func() cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: "replace an existing output file"}
}

// acceptResidualFlag lets an exit pass high-confidence residual findings.
var acceptResidualFlag = func() cli.Flag {
	return &cli.BoolFlag{Name: "accept-residual", Usage: "let high-confidence residual identifiers pass (audited)"}
}

var purposeFlag = func(analysis bool) cli.Flag {
	usage := "`PURPOSE` beyond the thesis: publish, present or archive (needs that consent too)"
	if analysis {
		usage = "`PURPOSE`: analysis (your working copy: needs participate consent; do-not-quote text kept, marked), or publish, present, archive"
	}
	return &cli.StringFlag{Name: "purpose", Usage: usage}
}

// parsePurpose reads --purpose: publication purposes everywhere, analysis
// only where the exit is the researcher's working copy.
func parsePurpose(c *cli.Context, analysis bool) (policy.Scope, error) {
	p := policy.Scope(c.String("purpose"))
	switch p {
	case "", policy.ScopePublish, policy.ScopePresent, policy.ScopeArchive:
		return p, nil
	case policy.PurposeAnalysis:
		if analysis {
			return p, nil
		}
	}
	if analysis {
		return "", badValue(c, "purpose", string(p), "expected analysis, publish, present or archive")
	}
	return "", badValue(c, "purpose", string(p), "expected publish, present or archive (analysis is for export and export-qda)")
}

func exitRequest(c *cli.Context, e *env, exit gate.Exit, doc string) (gate.Request, error) {
	version, err := versionFlag(c)
	if err != nil {
		return gate.Request{}, err
	}
	req := gate.Request{Exit: exit, Doc: doc, Version: version, Format: c.String("format"), Output: c.String("output"),
		W: e.stdout, Force: c.Bool("force"), AcceptResidual: c.Bool("accept-residual"), Timestamps: c.Bool("timestamps")}
	if err := vault.CheckOutputTarget(req.Output); err != nil {
		return req, err // a directory, a missing directory: before the format
	}
	if err := checkFormat(c, req.Format, req.Output); err != nil {
		return req, err
	}
	if req.Format == gate.OutDocx && req.Output == "" {
		return req, usagef("%s: --format docx needs -o FILE", c.Command.Name)
	}
	if req.Purpose, err = parsePurpose(c, c.Command.Name == "export"); err != nil {
		return req, err
	}
	if c.Bool("json") && req.Output == "" {
		return req, usagef("%s: --json prints the exit report on standard output, so it needs -o FILE", c.Command.Name)
	}
	return req, nil
}

// checkFormat checks the output format chosen by --format or -o's extension.
func checkFormat(c *cli.Context, format, output string) error {
	_, err := gate.FormatFor(format, output)
	switch {
	case err == nil:
		return nil
	case format != "":
		return usagef("%s: --format: %v", cmdName(c), err)
	}
	return usagef("%s: -o %q: %v", cmdName(c), clip(output), err)
}

func exitFlags(analysis bool) []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` (default: standard output)"},
		&cli.IntFlag{Name: "version", Usage: "document version `N` (default: the latest)"},
		formatFlag(),
		purposeFlag(analysis),
		&cli.BoolFlag{Name: "json", Usage: "print the exit report (what left, what was withheld and why) as JSON; needs -o"},
		forceFlag(),
		acceptResidualFlag(),
		&cli.BoolFlag{Name: "timestamps", Usage: "show each line's cue or speaker time (md, txt, docx)"},
	}, revealFlags()...)
}

func exportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "let a whole document out through the gate, pseudonymised",
		ArgsUsage: "DOC",
		Description: "Withheld lines (withdrawn, struck, confidential, do-not-quote, off-record without\n" +
			"consent, unknown speakers) become neutral markers; the rest is pseudonymised and\n" +
			"scanned. Your terminal gets the withheld source lines, the rule and the fix.\n" +
			"--purpose analysis is your working copy: participants who agreed to take part but\n" +
			"not to be quoted, and do-not-quote lines and meetings, are kept between\n" +
			"\"" + gate.MarkDNQOpen + "\" markers. Audited.",
		Flags: exitFlags(true),
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one DOC handle")
			if err != nil {
				return err
			}
			req, err := exitRequest(c, e, gate.ExitExport, a[0])
			if err != nil {
				return err
			}
			res, reveal, err := e.runGate(c, req)
			if err != nil {
				return err
			}
			return e.reportExit(c, "export", req.Output, res, reveal)
		},
	}
}

func quoteCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "quote",
		Usage:     "let a line range out as a block quote with attribution",
		ArgsUsage: "DOC:A-B",
		Description: "Refused (exit 3) if any line of the range may not leave verbatim: consent,\n" +
			"withdrawal, struck, confidential, do-not-quote, off-record, unknown speaker. Audited.",
		Flags: exitFlags(false),
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one DOC:A-B reference (such as D12:120-134)")
			if err != nil {
				return err
			}
			doc, from, to, err := gate.ParseQuoteRef(a[0])
			if err != nil {
				return badArg(c, a[0], "expected DOC:A-B, like D12:120-134 (one line: D12:120-120)")
			}
			req, err := exitRequest(c, e, gate.ExitQuote, doc)
			if err != nil {
				return err
			}
			req.From, req.To = from, to
			res, reveal, err := e.runGate(c, req)
			if err != nil {
				return err
			}
			return e.reportExit(c, "quote", req.Output, res, reveal)
		},
	}
}

const directivesHelp = "Directives: {{quote D12:120-134}} (a block quote with attribution; one line is\n" +
	"D12:120-120), {{pseudonym P07}} (a participant's pseudonym) and {{entity E3}} (an\n" +
	"entity's or meeting's pseudonym)."

func renderCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "render",
		Usage:     "fill a chapter draft's quotes and pseudonyms through the gate",
		ArgsUsage: "CHAPTER.md",
		Description: "Writes the chapter with every directive filled through the gate.\n" + directivesHelp +
			"\nThe whole chapter, prose included, is pseudonymised and scanned; any refusal fails\n" +
			"the whole render and lists every directive that cannot stand. Audited, with the\n" +
			"chapter line of every quote.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the rendered chapter to `FILE`"},
			purposeFlag(false),
			formatFlag(),
			forceFlag(),
			acceptResidualFlag(),
		}, revealFlags()...),
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one CHAPTER.md")
			if err != nil {
				return err
			}
			req := gate.Request{Exit: gate.ExitRender, Chapter: a[0], Output: c.String("output"), Format: c.String("format"),
				Force: c.Bool("force"), AcceptResidual: c.Bool("accept-residual"), W: e.stdout}
			if err := vault.CheckOutputTarget(req.Output); err != nil {
				return err
			}
			if err := checkFormat(c, req.Format, req.Output); err != nil {
				return err
			}
			switch f, _ := gate.FormatFor(req.Format, req.Output); {
			case f == gate.OutVTT || f == gate.OutSRT:
				return usagef("render: a chapter has no timings; write md, txt or docx")
			}
			if req.Purpose, err = parsePurpose(c, false); err != nil {
				return err
			}
			res, reveal, err := e.runGate(c, req)
			if err != nil {
				return err
			}
			where := req.Output
			if where == "" {
				where = "standard output"
			}
			fmt.Fprintf(e.stderr, "rendered %s: %s from %s, %s, sha256 %s\n", where,
				plural(res.Quotes, "quote", "quotes"), plural(len(res.Documents), "document", "documents"),
				plural(res.Bytes, "byte", "bytes"), res.SHA256)
			e.reportFindings(res.Warnings, res.Accepted, reveal)
			return nil
		},
	}
}

func checkCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "re-validate a chapter against today's consent and flags (writes nothing)",
		ArgsUsage: "CHAPTER.md",
		Description: "Run it whenever consent changes: every directive of the chapter goes through the\n" +
			"gate again as render would, and nothing is written. Exit 3 names every directive\n" +
			"that may no longer stand.\n" + directivesHelp + "\n--list shows every directive instead: the\n" +
			"document and lines it cites, whose words they are, the consent it relies on, and\n" +
			"whether it stands today (exit 3 still when one does not).",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "list", Usage: "list every quote and pseudonym directive"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON: the problems, or with --list every directive"},
			purposeFlag(false),
		}, revealFlags()...),
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one CHAPTER.md")
			if err != nil {
				return err
			}
			req := gate.Request{Exit: gate.ExitCheck, Chapter: a[0]}
			if req.Purpose, err = parsePurpose(c, false); err != nil {
				return err
			}
			reveal, err := revealFor(c, e.stderr)
			if err != nil {
				return err
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			res, err := gate.Run(c.Context, s, req)
			items := gate.ChapterItems(err)
			if res != nil {
				items = res.Items
			}
			switch {
			case c.Bool("list") && (err == nil || items != nil):
				if jerr := printChapterItems(e, items, c.Bool("json")); jerr != nil {
					return jerr
				}
			case c.Bool("json"):
				probs := gate.ChapterProblems(err)
				if probs == nil {
					probs = []gate.ChapterProblem{}
				}
				if jerr := writeJSON(e.stdout, probs); jerr != nil {
					return jerr
				}
			}
			if err != nil {
				return e.exitFailed(err, reveal)
			}
			if !c.Bool("json") && !c.Bool("list") {
				fmt.Fprintf(e.stdout, "%s: all %s from %s stand\n", a[0], plural(res.Quotes, "quote", "quotes"),
					plural(len(res.Documents), "document", "documents"))
			}
			e.reportFindings(res.Warnings, nil, reveal)
			return nil
		},
	}
}

// printChapterItems lists a chapter's directives as a table or JSON.
func printChapterItems(e *env, items []gate.ChapterItem, asJSON bool) error {
	if items == nil {
		items = []gate.ChapterItem{}
	}
	if asJSON {
		return writeJSON(e.stdout, items)
	}
	t := newTable(e.stdout, "LINE", "DIRECTIVE", "DOC", "LINES", "PARTICIPANTS", "CONSENT", "STANDS")
	for _, it := range items {
		var cons []string
		for _, r := range it.Consents {
			cons = append(cons, fmt.Sprintf("%s#%d (form %s: %s)", r.Participant, r.ConsentSeq, r.Form, joinScopes(r.Scopes)))
		}
		stands := "yes"
		if !it.Stands {
			stands = "NO: " + it.Rule
		}
		t.row(fmt.Sprint(it.Line), it.Directive, it.Doc, it.Lines, strings.Join(it.Participants, " "), strings.Join(cons, "; "), stands)
	}
	return t.flush()
}

// reportExit prints, on stderr, what left and what was withheld and why
// (stdout may carry the text itself); with --json, the same report as JSON
// on stdout.
func (e *env) reportExit(c *cli.Context, action, output string, res *gate.Result, reveal bool) error {
	if c.Bool("json") {
		return writeJSON(e.stdout, newExitView(action, output, res))
	}
	e.printExit(action, output, res, reveal)
	return nil
}

// printExit is reportExit's report for the terminal, on stderr.
func (e *env) printExit(action, output string, res *gate.Result, reveal bool) {
	where := "standard output"
	if output != "" {
		where = output
	}
	fmt.Fprintf(e.stderr, "%s: wrote %s to %s, sha256 %s", action, plural(res.Bytes, "byte", "bytes"), where, res.SHA256)
	if res.Withheld > 0 {
		fmt.Fprintf(e.stderr, "; %s withheld", plural(res.Withheld, "line", "lines"))
	}
	if res.Marked > 0 {
		fmt.Fprintf(e.stderr, "; %s for analysis only (do not quote)", plural(res.Marked, "line", "lines"))
	}
	fmt.Fprintln(e.stderr)
	e.reportReasons(res.Reasons)
	if len(res.ReliedOn) > 0 {
		var parts []string
		for _, r := range res.ReliedOn {
			parts = append(parts, fmt.Sprintf("%s#%d (form %s)", r.Participant, r.ConsentSeq, r.Form))
		}
		fmt.Fprintf(e.stderr, "  relied on consent: %s\n", strings.Join(parts, ", "))
	}
	e.reportFindings(res.Warnings, res.Accepted, reveal)
}

// reportReasons tells the researcher, never the output, which source lines
// were withheld, by which rule, and how to let them out.
func (e *env) reportReasons(reasons []gate.WithheldLines) {
	for _, r := range reasons {
		fmt.Fprintf(e.stderr, "  withheld: %s\n", r)
	}
}

func (e *env) reportFindings(warnings, accepted []redact.Finding, reveal bool) {
	for _, f := range accepted {
		fmt.Fprintf(e.stderr, "  accepted %s\n", describeFinding(f, reveal))
	}
	for _, f := range warnings {
		fmt.Fprintf(e.stderr, "  check %s\n", describeFinding(f, reveal))
	}
}

// describeFinding says what a finding is and where: its kind, confidence,
// output line and column, the document and source line where known, and
// the flagged text in clear or masked.
func describeFinding(f redact.Finding, reveal bool) string {
	where := fmt.Sprintf("output line %d col %d", f.Line, f.Col)
	if f.Doc != "" {
		where += ", " + f.Doc
		if f.SourceLine > 0 {
			where += fmt.Sprintf(" line %d", f.SourceLine)
		}
	}
	return fmt.Sprintf("%s (%s) at %s: %s", f.Kind, f.Confidence, where, shownText(f, reveal))
}

func shownText(f redact.Finding, reveal bool) string {
	if reveal {
		return f.Text
	}
	return f.Masked()
}

// revealFlags choose how flagged words are shown: in clear on a terminal,
// masked otherwise (a pipe, a file, a log), unless forced.
func revealFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "reveal", Usage: "show flagged words in clear even when the output is not a terminal"},
		&cli.BoolFlag{Name: "mask", Usage: "mask flagged words even on a terminal"},
	}
}

// revealFor decides whether findings written to w are shown in clear.
func revealFor(c *cli.Context, w any) (bool, error) {
	switch {
	case c.Bool("reveal") && c.Bool("mask"):
		return false, usagef("%s: give at most one of --reveal and --mask", c.Command.Name)
	case c.Bool("reveal"):
		return true, nil
	case c.Bool("mask"):
		return false, nil
	}
	return isTerminal(w), nil
}

// runGate runs an exit through the gate: it reads --reveal and --mask,
// opens the study and runs req; a refusal comes back with its findings
// reported as exitFailed does. reveal is how the caller shows findings.
func (e *env) runGate(c *cli.Context, req gate.Request) (res *gate.Result, reveal bool, err error) {
	if reveal, err = revealFor(c, e.stderr); err != nil {
		return nil, false, err
	}
	s, err := e.openStudy(c)
	if err != nil {
		return nil, reveal, err
	}
	if res, err = gate.Run(c.Context, s, req); err != nil {
		return nil, reveal, e.exitFailed(err, reveal)
	}
	return res, reveal, nil
}

// exitFailed reports a residual refusal's findings before the error, so
// the researcher sees what was withheld and where.
func (e *env) exitFailed(err error, reveal bool) error {
	var re *gate.ResidualError
	if errors.As(err, &re) {
		for _, f := range re.Findings {
			fmt.Fprintf(e.stderr, "  blocked %s\n", describeFinding(f, reveal))
		}
	}
	return err
}

func flagCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "flag",
		Usage:     "restrict a line range of a document: do not quote, confidential, struck, off the record",
		ArgsUsage: "DOC",
		Description: "A flag is named by its kind and exact line range. --clear KIND removes a recorded flag\n" +
			"(the only way withheld lines become quotable again); --amend with the flag's kind\n" +
			"corrects its reason. Both need --reason, are audited, and keep the flag as it was in\n" +
			"the document's flag history ('doc show').",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "lines", Usage: "line range `A-B` (see 'open --lines'; one line is A-A)"},
			&cli.IntFlag{Name: "version", Usage: "document version `N` (default: the latest)"},
			&cli.BoolFlag{Name: "dnq", Usage: "do not quote"},
			&cli.BoolFlag{Name: "confidential", Usage: "confidential: never leaves, not even paraphrased"},
			&cli.BoolFlag{Name: "strike", Usage: "struck at a participant's request"},
			&cli.BoolFlag{Name: "off-record", Usage: "said off the record: needs off-record consent"},
			&cli.StringFlag{Name: "clear", Usage: "remove the recorded flag of `KIND` (dnq, confidential, struck, off-record) on exactly these lines"},
			&cli.BoolFlag{Name: "amend", Usage: "correct the reason of the recorded flag of the given kind on exactly these lines"},
			&cli.StringFlag{Name: "reason", Usage: "why (`TEXT`, kept in the encrypted catalogue)"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one DOC handle")
			if err != nil {
				return err
			}
			doc := a[0]
			if err := handleArg(c, doc, "D12"); err != nil {
				return err
			}
			from, to, err := linesFlag(c, doc)
			if err != nil {
				return err
			}
			reason, err := need(c, "reason")
			if err != nil {
				return err
			}
			var kinds []policy.FlagKind
			for flag, kind := range map[string]policy.FlagKind{"dnq": policy.FlagDNQ, "confidential": policy.FlagConfidential,
				"strike": policy.FlagStruck, "off-record": policy.FlagOffRecord} {
				if c.Bool(flag) {
					kinds = append(kinds, kind)
				}
			}
			if c.IsSet("clear") {
				if len(kinds) > 0 || c.Bool("amend") {
					return usagef("flag: --clear KIND goes alone (not with --amend, --dnq, --confidential, --strike, --off-record)")
				}
				kind := policy.FlagKind(c.String("clear"))
				if kind == "strike" {
					kind = policy.FlagStruck
				}
				if !kind.Valid() {
					return usagef("flag: --clear takes a kind: dnq, confidential, struck, off-record")
				}
				kinds = []policy.FlagKind{kind}
			} else if len(kinds) != 1 {
				return usagef("flag: give exactly one of --dnq, --confidential, --strike, --off-record")
			}
			version, err := versionFlag(c)
			if err != nil {
				return err
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			if c.IsSet("clear") || c.Bool("amend") {
				req := vault.FlagChangeRequest{Doc: doc, Version: version, From: from, To: to, Kind: kinds[0], Reason: reason, Amend: c.Bool("amend")}
				if err := s.ChangeFlag(c.Context, req); err != nil {
					return err
				}
				what := "cleared"
				if req.Amend {
					what = "corrected the reason of"
				}
				fmt.Fprintf(e.stdout, "%s the %s flag on %s lines %d-%d\n", what, req.Kind, strings.ToUpper(req.Doc), req.From, req.To)
				return nil
			}
			req := vault.FlagRequest{Doc: doc, Version: version, From: from, To: to, Kind: kinds[0], Reason: reason}
			if err := s.Flag(c.Context, req); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "flagged %s lines %d-%d %s\n", req.Doc, req.From, req.To, req.Kind)
			return nil
		},
	}
}

func scanCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "list residual identifiers in a file, or in a document as it would leave",
		ArgsUsage: "FILE|DOC",
		Description: "Kinds: email, phone, postcode, ni-number, url, date; names nobody registered as\n" +
			"person, place, org or possible-name; author citations as citation (never blocking).\n" +
			"Flagged words are shown in clear on a terminal and masked otherwise (--reveal, --mask).",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON: kind, confidence, score, line, col, length, doc, source_line, text"},
			purposeFlag(true),
		}, revealFlags()...),
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one FILE or DOC handle")
			if err != nil {
				return err
			}
			purpose, err := parsePurpose(c, true) // a DOC is scanned as it would leave for it
			if err != nil {
				return err
			}
			reveal, err := revealFor(c, e.stdout)
			if err != nil {
				return err
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			var found []redact.Finding
			if _, statErr := os.Stat(a[0]); statErr != nil && vault.ValidHandle(a[0]) {
				var res *gate.Result
				if res, err = gate.Run(c.Context, s, gate.Request{Exit: gate.ExitScan, Doc: a[0], Purpose: purpose}); err == nil {
					found = res.Findings
				}
			} else {
				found, err = gate.ScanFile(s, a[0])
			}
			if err != nil {
				return err
			}
			type view struct {
				Kind       string  `json:"kind"`
				Confidence string  `json:"confidence"`
				Score      float32 `json:"score"`
				Line       int     `json:"line"`
				Col        int     `json:"col"`
				Length     int     `json:"length"`
				Doc        string  `json:"doc,omitempty"`
				SourceLine int     `json:"source_line,omitempty"`
				Text       string  `json:"text"`
				Masked     bool    `json:"masked"`
			}
			views := make([]view, 0, len(found))
			for _, f := range found {
				views = append(views, view{f.Kind, f.Confidence.String(), f.Score, f.Line, f.Col, utf8.RuneCountInString(f.Text),
					f.Doc, f.SourceLine, shownText(f, reveal), !reveal})
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, views)
			}
			if len(views) == 0 {
				fmt.Fprintf(e.stdout, "%s: no residual identifiers found\n", a[0])
				return nil
			}
			t := newTable(e.stdout, "LINE", "COL", "SOURCE", "KIND", "CONFIDENCE", "TEXT")
			for _, v := range views {
				src := "-"
				if v.SourceLine > 0 {
					src = fmt.Sprintf("%s:%d", v.Doc, v.SourceLine)
				}
				t.row(fmt.Sprint(v.Line), fmt.Sprint(v.Col), src, v.Kind, v.Confidence, v.Text)
			}
			return t.flush()
		},
	}
}

func pseudonymCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "pseudonym",
		Usage:     "the pseudonym a handle has, or what an exit writes for a name",
		ArgsUsage: "HANDLE|NAME",
		Description: "A NAME is looked up among registered names and aliases first, and the answer is\n" +
			"exactly what an exit writes for that form (a given name alone becomes the pseudonym's\n" +
			"given name). A name nobody registered gets a hypothetical answer: the pseudonym a new\n" +
			"entry of --kind with that name would get now.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "kind", Value: string(redact.KindPerson), Usage: "`KIND` of a name not yet registered: " + "person, place, org, meeting, other"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one HANDLE or NAME")
			if err != nil {
				return err
			}
			kind := redact.Kind(c.String("kind"))
			if !kind.Valid() {
				return badValue(c, "kind", string(kind), "expected one of "+vault.EntityKindList())
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			ans, err := s.Pseudonym(c.Context, a[0], kind)
			if err != nil {
				return err
			}
			switch {
			case ans.Handle != "":
				fmt.Fprintf(e.stdout, "%s: %s\n", ans.Handle, ans.Written)
			case ans.AsWord:
				fmt.Fprintf(e.stdout, "%s\n", ans.Written)
				fmt.Fprintf(e.stderr, "an exit leaves this form as written: a registered name part of %s that is an ordinary word is replaced only where it is clearly a name; capitalised, it becomes %q\n", strings.Join(ans.Matched, ", "), ans.AsName)
			case ans.Hypothetical:
				fmt.Fprintf(e.stdout, "%s\n", ans.Written)
				fmt.Fprintf(e.stderr, "hypothetical: no registered name or alias matches; this is the pseudonym a new %s of this name would get now\n", ans.Kind)
			default:
				fmt.Fprintf(e.stdout, "%s\n", ans.Written)
				note := "what an exit writes for this form of the name of " + strings.Join(ans.Matched, ", ")
				if ans.Partly {
					note += "; only part of it is registered, the rest is written as it stands"
				}
				fmt.Fprintln(e.stderr, note)
			}
			return nil
		},
	}
}

// exitView is an exit's report for scripts: what left, what was withheld
// and why, the consent relied on, and residual findings masked (the JSON
// may end up in a file).
type exitView struct {
	Action   string               `json:"action"`
	Output   string               `json:"output"`
	SHA256   string               `json:"sha256"`
	Bytes    int                  `json:"bytes"`
	Withheld int                  `json:"withheld_lines"`
	Marked   int                  `json:"analysis_only_lines"`
	Reasons  []gate.WithheldLines `json:"withheld"`
	ReliedOn []policy.Reliance    `json:"relied_on"`
	Findings []findingView        `json:"findings"`
}

type findingView struct {
	Kind       string `json:"kind"`
	Line       int    `json:"line"`
	Col        int    `json:"col"`
	Confidence string `json:"confidence"`
	Masked     string `json:"masked"`
	Accepted   bool   `json:"accepted,omitempty"`
}

func newExitView(action, output string, res *gate.Result) exitView {
	v := exitView{Action: action, Output: output, SHA256: res.SHA256, Bytes: res.Bytes, Withheld: res.Withheld, Marked: res.Marked,
		Reasons: res.Reasons, ReliedOn: res.ReliedOn, Findings: []findingView{}}
	if v.Reasons == nil {
		v.Reasons = []gate.WithheldLines{}
	}
	if v.ReliedOn == nil {
		v.ReliedOn = []policy.Reliance{}
	}
	for i, f := range append(append([]redact.Finding{}, res.Accepted...), res.Warnings...) {
		v.Findings = append(v.Findings, findingView{f.Kind, f.Line, f.Col, f.Confidence.String(), f.Masked(), i < len(res.Accepted)})
	}
	return v
}
