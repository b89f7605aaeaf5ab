package gate

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/qdpx"
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
		caseSources := map[string][]string{}
		meetingSources := map[string][]string{}
		// The per-document work (decrypt, parse, decide, pseudonymise, scan)
		// is independent: spread it over the cores, then assemble in order.
		type done struct {
			g   *gated
			src qdpx.Source
			res Result
			err error
		}
		results := make([]done, len(handles))
		work := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < min(runtime.GOMAXPROCS(0), len(handles)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					r := &results[i]
					if r.g, r.err = gate(s, cat, rd, handles[i], 0, policy.ModeExport, 0, 0, req.Purpose); r.err != nil {
						continue
					}
					r.src = qdaSource(r.g, guid)
					r.err = scanOut(r.src.Text, rd, req.AcceptResidual, &r.res, origin{handles[i], sourceLines(r.g.blocks)})
				}
			}()
		}
		for i := range handles {
			work <- i
		}
		close(work)
		wg.Wait()
		for i, h := range handles {
			r := results[i]
			if r.err != nil {
				if isRefusal(r.err) {
					tx.AuditAlways(refusalEntry("export-qda", append(res.Documents, h), r.err))
				}
				return r.err
			}
			gs = append(gs, r.g)
			res.Reasons = append(res.Reasons, r.g.reasons()...)
			res.Marked += r.g.markedLines()
			res.Warnings = append(res.Warnings, r.res.Warnings...)
			res.Accepted = append(res.Accepted, r.res.Accepted...)
			p.Sources = append(p.Sources, r.src)
			res.Documents = append(res.Documents, h)
			for _, rel := range r.g.decision.ReliedOn {
				caseSources[rel.Participant] = append(caseSources[rel.Participant], r.src.GUID)
			}
			if r.g.doc.Meeting != "" {
				meetingSources[r.g.doc.Meeting] = append(meetingSources[r.g.doc.Meeting], r.src.GUID)
			}
		}
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
			c := qdpx.Case{GUID: guid("case", ph), Name: ps.String(), Attributes: map[string]string{}, SourceGUIDs: caseSources[ph]}
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
		var buf bytes.Buffer
		if err := qdpx.Write(&buf, p); err != nil {
			return fmt.Errorf("writing the QDA project: %w", err)
		}
		out := buf.Bytes()
		res.SHA256, res.Bytes = sha(out), len(out)
		for _, g := range gs {
			res.Withheld += g.withheld
		}
		if err := deliver(s, tx, Request{Output: req.Output, Force: req.Force}, out); err != nil {
			return err
		}
		e := exitEntry("export-qda", gs, res)
		e.Detail["purpose"] = string(req.Purpose)
		for _, g := range gs {
			e.Hashes["source:"+g.doc.Handle] = sha([]byte(p.Sources[indexOf(res.Documents, g.doc.Handle)].Text))
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

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// qdaSource lays a gated document out as a QDA text source, with a coded
// selection over every marker (offsets in code points, counted as it goes).
func qdaSource(g *gated, guid func(kind, h string) string) qdpx.Source {
	h := g.doc.Handle
	src := qdpx.Source{GUID: guid("source", h), Name: fmt.Sprintf("%s (%s)", h, g.doc.Kind)}
	var text strings.Builder
	text.Grow(int(g.ver.Size))
	runes := 0
	for i, b := range g.blocks {
		n := utf8.RuneCountInString(b.Text)
		if !b.Marker && i < len(g.marked) && g.marked[i] {
			c := flagCodes[len(flagCodes)-1]
			src.Selections = append(src.Selections, qdpx.Selection{
				GUID: guid("sel", fmt.Sprintf("%s:%d", h, text.Len())), Name: "do not quote", Start: runes, End: runes + n, CodeGUID: guid("code", string(c.rule)),
			})
		}
		if b.Marker {
			c := flagCodes[codeFor(g.rules[i])]
			src.Selections = append(src.Selections, qdpx.Selection{
				GUID: guid("sel", fmt.Sprintf("%s:%d", h, text.Len())), Name: b.Text, Start: runes, End: runes + n, CodeGUID: guid("code", string(c.rule)),
			})
		}
		text.WriteString(b.Text)
		text.WriteByte('\n')
		runes += n + 1
	}
	src.Text = text.String()
	return src
}
