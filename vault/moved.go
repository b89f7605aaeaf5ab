package vault

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
)

// A chapter cites lines of a document's latest version ({{quote D12:4-6}}).
// When a corrected transcript becomes a new version, lines move: the same
// directive would then quote other words, under the same attribution, and
// nothing in the gate would notice. MovedQuotes finds the chapter's last
// render in the audit log (its quotes and the versions they were taken
// from) and follows each quoted range onto the latest version by the same
// line diff that carries flags.

// MovedQuote is a quote of a chapter's last render whose lines are not the
// same lines of the document's latest version.
type MovedQuote struct {
	ChapterLine int    `json:"chapter_line"`
	Doc         string `json:"doc"`
	Rendered    int    `json:"rendered_version"`
	Latest      int    `json:"latest_version"`
	From, To    int    // the range quoted
	// NewFrom-NewTo is where the quoted text is now; How says whether it is
	// the same text (CarrySame), edited, replaced, or gone (CarryNearest).
	NewFrom, NewTo int
	How            string
}

func (m MovedQuote) String() string {
	now := fmt.Sprintf("{{quote %s:%d-%d}}", m.Doc, m.NewFrom, m.NewTo)
	switch m.How {
	case CarrySame:
		return fmt.Sprintf("chapter line %d: {{quote %s:%d-%d}} was rendered from %s v%d; in v%d those words are lines %d-%d: cite them as %s",
			m.ChapterLine, m.Doc, m.From, m.To, m.Doc, m.Rendered, m.Latest, m.NewFrom, m.NewTo, now)
	case CarryNearest:
		return fmt.Sprintf("chapter line %d: {{quote %s:%d-%d}} was rendered from %s v%d; v%d no longer holds those words (nearest: lines %d-%d): choose the passage again ('open %s --lines')",
			m.ChapterLine, m.Doc, m.From, m.To, m.Doc, m.Rendered, m.Latest, m.NewFrom, m.NewTo, m.Doc)
	default:
		return fmt.Sprintf("chapter line %d: {{quote %s:%d-%d}} was rendered from %s v%d; v%d changed those words (%s, now lines %d-%d): read them again ('open %s --lines') and cite them as %s",
			m.ChapterLine, m.Doc, m.From, m.To, m.Doc, m.Rendered, m.Latest, m.How, m.NewFrom, m.NewTo, m.Doc, now)
	}
}

// MovedQuotes lists the quotes of the last render of chapter (by its file
// name, as the audit log records it) that a later version of their
// document moved or changed, among those the chapter still cites as it did
// (current: its quote directives as "D12:120-134"; one already updated is
// not reported). A chapter never rendered, or whose documents have no later
// version, has none.
func (s *Study) MovedQuotes(chapter string, current []string) ([]MovedQuote, error) {
	entries, err := s.AuditLog(AuditFilter{Action: "render"})
	if err != nil {
		return nil, err
	}
	name := filepath.Base(chapter)
	var last *Entry
	for i := range entries {
		if e := &entries[i]; e.LetOut() && e.Detail["chapter"] == name {
			last = e
		}
	}
	if last == nil || last.Detail["quotes"] == "" {
		return nil, nil
	}
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	var out []MovedQuote
	for _, q := range strings.Fields(last.Detail["quotes"]) {
		parts := strings.Split(q, ":")
		if len(parts) != 4 {
			continue
		}
		if !slices.Contains(current, parts[1]+":"+parts[2]) {
			continue
		}
		line, err1 := strconv.Atoi(parts[0])
		rendered, err2 := strconv.Atoi(last.Detail["version:"+parts[1]])
		a, b, ok := strings.Cut(parts[2], "-")
		from, err3 := strconv.Atoi(a)
		to, err4 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || !ok {
			continue
		}
		d, err := cat.Doc(parts[1])
		if err != nil || d.Erased || d.Latest().N == rendered {
			continue
		}
		m, err := s.followRange(d, rendered, from, to)
		if err != nil {
			return nil, err
		}
		if m == nil || (m.How == CarrySame && m.NewFrom == from && m.NewTo == to) {
			continue
		}
		m.ChapterLine = line
		out = append(out, *m)
	}
	return out, nil
}

// followRange maps lines from-to of version n of d onto its latest version,
// version by version, as a flag on them would be carried.
func (s *Study) followRange(d *Document, n, from, to int) (*MovedQuote, error) {
	prev, err := d.Version(n)
	if err != nil {
		return nil, nil // the version is gone (a destroyed document): nothing to follow
	}
	m := &MovedQuote{Doc: d.Handle, Rendered: n, Latest: d.Latest().N, From: from, To: to, NewFrom: from, NewTo: to, How: CarrySame}
	f := policy.Flag{Kind: policy.FlagDNQ, From: from, To: to}
	for _, next := range d.Versions {
		if next.N <= n {
			continue
		}
		if next.Format == FormatBinary || prev.Format == FormatBinary {
			return nil, nil
		}
		ph, err := lineHashes(s.versionLines(prev), prev.Lines)
		if err != nil {
			return nil, err
		}
		nh, err := lineHashes(s.versionLines(next), next.Lines)
		if err != nil {
			return nil, err
		}
		flags, carries, err := carryLines(s.versionLines(prev), s.versionLines(next), ph, nh, prev.N, []policy.Flag{f}, nil, nil)
		if err != nil {
			return nil, err
		}
		if len(flags) == 0 {
			m.How = CarryNearest
			return m, nil
		}
		f = flags[0]
		m.NewFrom, m.NewTo = f.From, f.To
		if len(carries) > 0 && howRank[carries[0].How] > howRank[m.How] {
			m.How = carries[0].How
		}
		prev = next
	}
	return m, nil
}

// howRank orders what can happen to a quoted range across versions: the
// worst of its steps is what the researcher is told.
var howRank = map[string]int{CarrySame: 0, CarryEdited: 1, CarryReplaced: 2, CarryNearest: 3}
