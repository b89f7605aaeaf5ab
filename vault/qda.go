package vault

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault/qdpx"
	"github.com/google/uuid"
)

// QDARequest asks for a REFI-QDA project of pseudonymised documents.
type QDARequest struct {
	Docs           []string
	All            bool // every text document that may leave
	Output         string
	Force          bool
	AcceptResidual bool
}

// QDAResult says what the project holds.
type QDAResult struct {
	ExitResult
	Documents []string
	Skipped   []string // documents that never leave (recordings, consent forms, erased), with why
}

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
}

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
func (s *Study) ExportQDA(ctx context.Context, req QDARequest) (*QDAResult, error) {
	if !req.All && len(req.Docs) == 0 {
		return nil, fmt.Errorf("%w: name documents with --doc or pass --all", ErrInvalid)
	}
	res := &QDAResult{}
	err := s.Update(ctx, func(tx *Tx) error {
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
				if d.Erased || !IsTextKind(d.Kind) || d.Latest().Format == FormatBinary {
					res.Skipped = append(res.Skipped, d.Handle+": "+d.Kind+" material never leaves through the gate")
					continue
				}
				handles = append(handles, d.Handle)
			}
		}
		var gs []*gated
		caseSources := map[string][]string{}
		meetingSources := map[string][]string{}
		for _, h := range handles {
			g, err := s.gate(cat, rd, h, 0, policy.ModeExport, 0, 0, "")
			if err != nil {
				if isRefusal(err) {
					tx.AuditAlways(refusalEntry("export-qda", []string{h}, err))
				}
				return err
			}
			gs = append(gs, g)
			src := qdpx.Source{GUID: guid("source", h), Name: fmt.Sprintf("%s (%s)", h, g.doc.Kind)}
			var text strings.Builder
			text.Grow(int(g.ver.Size))
			for i, b := range g.blocks {
				start := text.Len()
				text.WriteString(b.Text)
				if b.Marker {
					c := flagCodes[codeFor(g.rules[i])]
					cs, ce := qdpx.Offsets(text.String(), start, text.Len())
					src.Selections = append(src.Selections, qdpx.Selection{
						GUID: guid("sel", fmt.Sprintf("%s:%d", h, start)), Name: b.Text, Start: cs, End: ce, CodeGUID: guid("code", string(c.rule)),
					})
				}
				text.WriteString("\n")
			}
			src.Text = text.String()
			// Scan each source as it leaves: high-confidence findings in any
			// of them block the whole project.
			if err := scanOut(src.Text, rd, req.AcceptResidual, &res.ExitResult); err != nil {
				tx.AuditAlways(refusalEntry("export-qda", append(res.Documents, h), err))
				return err
			}
			p.Sources = append(p.Sources, src)
			res.Documents = append(res.Documents, h)
			for _, r := range g.decision.ReliedOn {
				caseSources[r.Participant] = append(caseSources[r.Participant], src.GUID)
			}
			if g.doc.Meeting != "" {
				meetingSources[g.doc.Meeting] = append(meetingSources[g.doc.Meeting], src.GUID)
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
		if err := s.deliver(tx, ExitRequest{Output: req.Output, Force: req.Force}, out); err != nil {
			return err
		}
		e := exitEntry("export-qda", gs, &res.ExitResult)
		for _, g := range gs {
			e.Hashes["source:"+g.doc.Handle] = sha([]byte(p.Sources[indexOf(res.Documents, g.doc.Handle)].Text))
		}
		tx.Audit(e)
		tx.Cat.countExit(e.Participants, tx.Now())
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
