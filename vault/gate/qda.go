package gate

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"runtime"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/qdpx"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault"
)

// flagCodes are the codes that make withheld passages visible in QDA
// software, by the rule that withheld them.
var flagCodes = []struct {
	rule  policy.Rule
	name  string
	color string
}{
	{policy.RuleDNQ, "fieldvault: not for quotation", "#D97706"},
	{policy.RuleDNQMeeting, "fieldvault: do-not-quote meeting", "#B45309"},
	{policy.RuleOffRecord, "fieldvault: off the record", "#7C3AED"},
	{policy.RuleConfidential, "fieldvault: withheld", "#6B7280"},
	{ruleDoNotQuote, "fieldvault: do not quote", "#DC2626"},
}

// ruleDoNotQuote names the code of text that leaves for analysis only.
const ruleDoNotQuote policy.Rule = "do-not-quote"

// codeFor maps a marker's rule to its code: do-not-quote and off-record
// markers are named; every other reason (struck, confidential, withdrawn,
// consent) shares the neutral "withheld" code, as the marker text does.
func codeFor(r policy.Rule) int {
	switch r {
	case policy.RuleDNQ:
		return 0
	case policy.RuleDNQMeeting:
		return 1
	case policy.RuleOffRecord:
		return 2
	}
	return 3
}

// ExportQDA writes a REFI-QDA project (.qdpx) whose sources passed through
// exactly the same gate as export. It is audited as one exit.
func exportQDA(ctx context.Context, s *vault.Study, req Request) (*Result, error) {
	if !req.All && len(req.Docs) == 0 {
		return nil, fmt.Errorf("%w: name documents with --doc or pass --all", vault.ErrInvalid)
	}
	if req.Purpose == "" {
		req.Purpose = policy.PurposeAnalysis
	}
	if err := s.PrecheckOutput(req.Output, req.Force); err != nil {
		return nil, err
	}
	res := &Result{}
	err := s.Update(ctx, func(tx *vault.Tx) error {
		cat := tx.Cat
		rd, err := cat.Redactor()
		if err != nil {
			return err
		}
		ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("fieldvault:"+cat.StudyID))
		guid := func(kind, h string) string { return uuid.NewSHA1(ns, []byte(kind+":"+h)).String() }
		p := qdpx.Project{
			Name: "fieldvault export", Origin: "fieldvault", CreatedAt: tx.Now().UTC(),
			Users: []qdpx.User{{GUID: guid("user", "researcher"), Name: "researcher"}},
		}
		for _, c := range flagCodes {
			p.Codes = append(p.Codes, qdpx.Code{GUID: guid("code", string(c.rule)), Name: c.name, Color: c.color})
		}
		handles := req.Docs
		if req.All {
			handles = nil
			for _, d := range cat.Documents {
				if d.Erased || !policy.IsTextKind(d.Kind) || d.Latest().Format == vault.FormatBinary {
					res.Skipped = append(res.Skipped, d.Handle+": "+d.Kind+" material never leaves through the gate")
					continue
				}
				handles = append(handles, d.Handle)
			}
		}
		var gs []*gated
		var texts []*qdaText
		caseSources := map[string][]string{}
		meetingSources := map[string][]string{}
		// One pass over each document (decrypt, parse, decide, pseudonymise,
		// scan) writes its text into its entry as it lays it out: its
		// length, hash and coded selections, which project.qde, the last
		// entry, holds. The documents are independent: they go side by
		// side over the cores (inOrder), a few at a time.
		type done struct {
			g   *gated
			qt  *qdaText
			res Result
		}
		results := make([]done, len(handles))
		trackers := cat.SpeakerTrackers(rd)
		// With fewer documents than cores, each one's redactor runs beside
		// its parser (composer.pipeline).
		pipeline := len(handles) < runtime.GOMAXPROCS(0)
		hc := &hashCount{h: sha256.New()}
		sum := func() string { return hex.EncodeToString(hc.h.Sum(nil)) }
		// Each document's selections wait in a spool until project.qde
		// is written, the last entry; the spools go however the export
		// ends.
		spools, err := newQDASpools()
		if err != nil {
			return err
		}
		defer spools.remove()
		fill := func(w io.Writer) error {
			qw := qdpx.NewWriter(io.MultiWriter(w, hc))
			// A document's entry is opened as its text comes, once open
			// (below) has found it: under the handle the catalogue gives it.
			open := func(i int) (io.Writer, error) { return qw.Text(guid("source", results[i].g.doc.Handle)) }
			pass := func(i int, w io.Writer) (bool, error) {
				r := &results[i]
				g, err := target{Doc: handles[i], Mode: policy.ModeExport, Purpose: req.Purpose, Trackers: trackers}.open(cat, rd)
				if err != nil {
					return false, err
				}
				defer g.close()
				r.g, g.pipeline = g, pipeline
				sels := qdpx.NewSelectionSpool(ns, "sel:"+g.doc.Handle+":", spools.store())
				defer sels.End() // a pass that fails leaves no file open
				qt := newQDAText(g, guid, w, redact.NewLineScanner(rd), sels)
				if err := g.pass(s, rd, qt.block); err != nil {
					return false, err
				}
				if err := qt.flush(); err != nil {
					return false, err
				}
				r.qt = qt
				return true, sortFindings(locate(handles[i], qt.sc.Findings()), req.AcceptResidual, &r.res)
			}
			err := inOrder(len(handles), false, open, pass, func(i int, _ bool, err error) error {
				h := handles[i]
				if err != nil {
					if isRefusal(err) {
						tx.AuditAlways(refusalEntry("export-qda", append(res.Documents, h), err))
					}
					return err
				}
				r := results[i]
				gs = append(gs, r.g)
				texts = append(texts, r.qt)
				res.Reasons = append(res.Reasons, r.g.reasons()...)
				res.Marked += r.g.markedLines()
				res.Warnings = append(res.Warnings, r.res.Warnings...)
				res.Accepted = append(res.Accepted, r.res.Accepted...)
				src := r.qt.source()
				p.Sources = append(p.Sources, src)
				res.Documents = append(res.Documents, h)
				for _, rel := range r.g.decision.ReliedOn {
					caseSources[rel.Participant] = append(caseSources[rel.Participant], src.GUID)
				}
				if r.g.doc.Meeting != "" {
					meetingSources[r.g.doc.Meeting] = append(meetingSources[r.g.doc.Meeting], src.GUID)
				}
				results[i] = done{} // the gate's state is in gs and texts now
				return nil
			})
			if err != nil {
				return err
			}
			addCases(cat, rd, guid, &p, caseSources, meetingSources)
			if err := qw.Close(p); err != nil {
				return fmt.Errorf("writing the QDA project: %w", err)
			}
			return nil
		}
		if err := stage(s, tx, req.Output, req.Force, nil, sum, fill, nil); err != nil {
			return err
		}
		for _, g := range gs {
			res.Withheld += g.withheld
		}
		res.SHA256, res.Bytes = sum(), int(hc.n)
		e := exitEntry("export-qda", gs, res)
		e.Detail["purpose"] = string(req.Purpose)
		for i, g := range gs {
			e.Hashes["source:"+g.doc.Handle] = texts[i].sum()
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

// addCases adds to p the cases (participants by pseudonym, with their
// shareable attributes as variables) and sets (meetings) of the sources
// written.
func addCases(cat *vault.Catalog, rd *redact.Redactor, guid func(kind, h string) string, p *qdpx.Project, caseSources, meetingSources map[string][]string) {
	vars := map[string]bool{}
	for _, ph := range sortedKeys(caseSources) {
		pt, err := cat.Participant(ph)
		if err != nil {
			continue
		}
		ps, ok := cat.Pseudonyms.Lookup(redact.KindPerson, pt.Name)
		if !ok {
			continue
		}
		c := qdpx.Case{GUID: guid("case", ph), Name: ps.InOrder(pt.FamilyFirst), Attributes: map[string]string{}, SourceGUIDs: caseSources[ph]}
		for _, field := range pt.Shareable {
			v := pt.Attributes[field]
			if field == "role" {
				v = pt.Role
			}
			if v != "" {
				c.Attributes[field] = rd.Redact(v)
				vars[field] = true
			}
		}
		p.Cases = append(p.Cases, c)
	}
	for _, v := range sortedKeys(vars) {
		p.Variables = append(p.Variables, qdpx.Variable{GUID: guid("var", v), Name: v, Type: qdpx.TypeText})
	}
	for _, mh := range sortedKeys(meetingSources) {
		m, err := cat.Meeting(mh)
		if err != nil {
			continue
		}
		ps, _ := cat.Pseudonyms.Lookup(redact.KindMeeting, m.Name)
		p.Sets = append(p.Sets, qdpx.Set{GUID: guid("set", mh), Name: ps.String(), MemberSourceGUIDs: meetingSources[mh]})
	}
}

// A qdaText lays a gated document out as a QDA text source as its blocks
// stream past: each block's text and a line end, with a coded selection
// over every marker and over every run of lines that leaves for analysis
// only (positions in code points, counted as it goes), each spooled as it
// ends (a run's when the next block is not in it), keyed by its first
// byte in the text: the selection's GUID is the study's name-based UUID of
// "sel:<handle>:<byte>". It hashes the text, writes it to w if set and
// scans it with sc if set.
type qdaText struct {
	h    string // the document's handle
	kind string
	guid func(kind, h string) string
	w    *bufio.Writer
	sc   *redact.LineScanner
	hash hash.Hash
	sels *qdpx.SelectionSpool

	bytes, runes int
	run          *qdpx.Selection // the selection of the marked run going on
	runKey       int
}

func newQDAText(g *gated, guid func(kind, h string) string, w io.Writer, sc *redact.LineScanner, sels *qdpx.SelectionSpool) *qdaText {
	q := &qdaText{h: g.doc.Handle, kind: g.doc.Kind, guid: guid, sc: sc, hash: sha256.New(), sels: sels}
	if w != nil {
		q.w = bufio.NewWriterSize(w, 64<<10)
	}
	return q
}

// endRun spools the selection of the marked run going on, if any.
func (q *qdaText) endRun() error {
	if q.run == nil {
		return nil
	}
	sel := *q.run
	q.run = nil
	return q.sels.Add(int64(q.runKey), sel)
}

// code is the GUID of the code of flagCodes[i].
func (q *qdaText) code(i int) string { return q.guid("code", string(flagCodes[i].rule)) }

// block takes the next block of the document (a composer's emit).
func (q *qdaText) block(b transcript.Block, rule policy.Rule, marked bool) error {
	n := utf8.RuneCountInString(b.Text)
	switch {
	case b.Marker:
		if err := q.endRun(); err != nil {
			return err
		}
		if err := q.sels.Add(int64(q.bytes), qdpx.Selection{
			Name: b.Text, Start: q.runes, End: q.runes + n, CodeGUID: q.code(codeFor(rule)),
		}); err != nil {
			return err
		}
	case marked && b.Continued && q.run != nil:
		q.run.End = q.runes + n // the run goes on: one selection
	case marked:
		if err := q.endRun(); err != nil {
			return err
		}
		q.run = &qdpx.Selection{Name: "do not quote", Start: q.runes, End: q.runes + n, CodeGUID: q.code(len(flagCodes) - 1)}
		q.runKey = q.bytes
	default:
		if err := q.endRun(); err != nil {
			return err
		}
	}
	if q.sc != nil {
		scanLines(q.sc, b)
	}
	q.hash.Write([]byte(b.Text))
	q.hash.Write([]byte{'\n'})
	if q.w != nil {
		q.w.WriteString(b.Text)
		if err := q.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	q.bytes += len(b.Text) + 1
	q.runes += n + 1
	return nil
}

// flush writes what is buffered and ends the spool of selections.
func (q *qdaText) flush() error {
	if err := q.endRun(); err != nil {
		return err
	}
	if err := q.sels.End(); err != nil {
		return err
	}
	if q.w == nil {
		return nil
	}
	return q.w.Flush()
}

// sum is the SHA-256 of the text laid out so far.
func (q *qdaText) sum() string { return hex.EncodeToString(q.hash.Sum(nil)) }

// source is the QDA source of the text laid out, for project.qde
// (qdpx.Writer.Close).
func (q *qdaText) source() qdpx.Source {
	return qdpx.Source{GUID: q.guid("source", q.h), Name: fmt.Sprintf("%s (%s)", q.h, q.kind), Length: q.runes, Spool: q.sels}
}
