package vault

import (
	"fmt"
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
	return fmt.Sprintf("chapter line %d: {{quote %s:%d-%d}} %s", m.ChapterLine, m.Doc, m.From, m.To, m.Reason())
}

// Reason says what became of the quoted words and what to cite instead.
func (m MovedQuote) Reason() string {
	now := fmt.Sprintf("{{quote %s:%d-%d}}", m.Doc, m.NewFrom, m.NewTo)
	switch m.How {
	case CarrySame:
		return fmt.Sprintf("was rendered from %s v%d; in v%d those words are lines %d-%d: cite them as %s",
			m.Doc, m.Rendered, m.Latest, m.NewFrom, m.NewTo, now)
	case CarryNearest:
		return fmt.Sprintf("was rendered from %s v%d; v%d no longer holds those words (nearest: lines %d-%d): choose the passage again ('open %s --lines')",
			m.Doc, m.Rendered, m.Latest, m.NewFrom, m.NewTo, m.Doc)
	default:
		return fmt.Sprintf("was rendered from %s v%d; v%d changed those words (%s, now lines %d-%d): read them again ('open %s --lines') and cite them as %s",
			m.Doc, m.Rendered, m.Latest, m.How, m.NewFrom, m.NewTo, m.Doc, now)
	}
}

// CitedQuote is a quote directive of a chapter as it stands today.
type CitedQuote struct {
	Line  int    // chapter line
	Doc   string // "D12"
	Lines string // "120-134"
}

// renderedQuote is a quote of a render entry's "quotes" detail
// ("LINE:DOC:A-B:P1,P2").
type renderedQuote struct {
	line       int
	doc, lines string
}

func renderedQuotes(detail string) []renderedQuote {
	var out []renderedQuote
	for _, q := range strings.Fields(detail) {
		parts := strings.Split(q, ":")
		if len(parts) != 4 {
			continue
		}
		line, err := strconv.Atoi(parts[0])
		if err != nil {
			continue
		}
		out = append(out, renderedQuote{line, parts[1], parts[2]})
	}
	return out
}

// chapterRender finds a chapter's last render in the audit log by what the
// log holds of it, never its file name: the last render of exactly this
// text (chapterSum, the SHA-256 of the chapter as rendered; exact reports
// it), else the last render that quoted most of the chapter's current
// quote directives (a chapter edited since, or renamed). A chapter none of
// whose quotes was ever rendered has none.
func chapterRender(entries []Entry, chapterSum string, current []CitedQuote) (last *Entry, exact bool) {
	best := 0
	for i := range entries {
		e := &entries[i]
		if e.Action != "render" || !e.LetOut() {
			continue
		}
		if e.Hashes["chapter"] == chapterSum {
			last, exact = e, true
			continue
		}
		if exact {
			continue
		}
		shared := 0
		qs := renderedQuotes(e.Detail["quotes"])
		for _, c := range current {
			if slices.ContainsFunc(qs, func(q renderedQuote) bool { return q.doc == c.Doc && q.lines == c.Lines }) {
				shared++
			}
		}
		if shared > 0 && shared >= best {
			last, best = e, shared
		}
	}
	return last, exact
}

// MovedQuotes lists the quotes of a chapter (chapterSum: the SHA-256 of its
// text; current: its quote directives today) that cite lines a later
// version of their document moved or changed since the chapter's last
// render (chapterRender). A directive the render did not have as it is
// now (one already updated) is not reported; nor, in a chapter edited
// since, one that cites exactly where the words its chapter line quoted
// then are now (updated as the refusal said, though it reads as another
// quote of the render). Any other directive that reads as a quote of the
// render is taken to be it (the edit may have moved it), failing closed.
// A chapter never rendered, or whose documents have no later version, has
// none.
func (s *Study) MovedQuotes(chapterSum string, current []CitedQuote) ([]MovedQuote, error) {
	if len(current) == 0 {
		return nil, nil
	}
	entries, err := s.AuditLog(AuditFilter{Action: "render"})
	if err != nil {
		return nil, err
	}
	last, exact := chapterRender(entries, chapterSum, current)
	if last == nil {
		return nil, nil
	}
	rendered := renderedQuotes(last.Detail["quotes"])
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	var out []MovedQuote
	for _, c := range current {
		i := slices.IndexFunc(rendered, func(q renderedQuote) bool { return q.doc == c.Doc && q.lines == c.Lines })
		if i < 0 {
			continue
		}
		m, err := s.follow(cat, last, c.Doc, c.Lines)
		if err != nil {
			return nil, err
		}
		if m == nil || (m.How == CarrySame && m.NewFrom == m.From && m.NewTo == m.To) {
			continue
		}
		if !exact {
			// The chapter was edited since: a directive that now cites
			// exactly where the words quoted on its chapter line then
			// are (as the refusal told the researcher to) was updated,
			// though it reads as another quote of the render did.
			j := slices.IndexFunc(rendered, func(q renderedQuote) bool {
				return q.line == c.Line && q.doc == c.Doc && q.lines != c.Lines
			})
			if j >= 0 {
				was, err := s.follow(cat, last, rendered[j].doc, rendered[j].lines)
				if err != nil {
					return nil, err
				}
				if was != nil && was.How != CarryNearest && fmt.Sprintf("%d-%d", was.NewFrom, was.NewTo) == c.Lines {
					continue
				}
			}
		}
		m.ChapterLine = c.Line
		out = append(out, *m)
	}
	return out, nil
}

// follow maps the range lines ("A-B") of doc, as the render entry last
// quoted it, onto the document's latest version; nil when there is
// nothing to follow (no later version, a removed document).
func (s *Study) follow(cat *Catalog, last *Entry, doc, lines string) (*MovedQuote, error) {
	ver, err1 := strconv.Atoi(last.Detail["version:"+doc])
	a, b, ok := strings.Cut(lines, "-")
	from, err2 := strconv.Atoi(a)
	to, err3 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || err3 != nil || !ok {
		return nil, nil
	}
	d, err := cat.Doc(doc)
	if err != nil || d.Erased || d.Latest().N == ver {
		return nil, nil
	}
	return s.followRange(d, ver, from, to)
}

// followRange maps lines from-to of version n of d onto its latest version,
// version by version, as a flag on them would be carried.
func (s *Study) followRange(d *Document, n, from, to int) (*MovedQuote, error) {
	prev, err := d.Version(n)
	if err != nil {
		return nil, nil // the version is gone (a destroyed document): nothing to follow
	}
	m := &MovedQuote{Doc: d.Handle, Rendered: n, Latest: d.Latest().N, From: from, To: to, NewFrom: from, NewTo: to, How: CarrySame}
	end, err := s.carryThrough(d, prev, policy.Flag{Kind: policy.FlagDNQ, From: from, To: to}, func(_ *Version, f policy.Flag, carries []Carry) {
		m.NewFrom, m.NewTo = f.From, f.To
		if len(carries) > 0 && howRank[carries[0].How] > howRank[m.How] {
			m.How = carries[0].How
		}
	})
	switch {
	case err != nil:
		return nil, err
	case end == carryAtBinary:
		return nil, nil
	case end == carryGone:
		m.How = CarryNearest
	}
	return m, nil
}

// howRank orders what can happen to a quoted range across versions: the
// worst of its steps is what the researcher is told.
var howRank = map[string]int{CarrySame: 0, CarryEdited: 1, CarryReplaced: 2, CarryNearest: 3}
