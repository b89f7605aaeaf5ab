package gate

import (
	"errors"
	"fmt"
	"slices"

	"github.com/fieldvault/fieldvault/vault"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// target is one document version an exit lets out, and how: the options
// of a document's way through the gate, set by name.
type target struct {
	Doc      string // the document's handle
	Version  int    // 0 = the latest
	Mode     policy.Mode
	From, To int // a quote's line range
	Purpose  policy.Scope
	// Trackers, if set, starts the document's speaker tracker: an exit
	// of many documents builds the register's index once
	// (Catalog.SpeakerTrackers).
	Trackers func(*vault.Document) *vault.SpeakerTracker
}

// open finds the document version t names and sets up the gate for it.
// A document that is not text is decided (refused) here: no line is read.
func (t target) open(cat *vault.Catalog, rd *redact.Redactor) (*gated, error) {
	d, err := cat.Doc(t.Doc)
	if err != nil {
		return nil, err
	}
	v := d.Latest()
	if t.Version != 0 {
		if v, err = d.Version(t.Version); err != nil {
			return nil, err
		}
	}
	g := &gated{doc: d, ver: v}
	g.req = policy.Request{Mode: t.Mode, Doc: cat.DocFacts(d, v), From: t.From, To: t.To, Records: cat.Records(), Purpose: t.Purpose}
	if d.Erased || (policy.IsTextKind(d.Kind) && v.Format == vault.FormatBinary) {
		return nil, &policy.Refused{Refusals: []*policy.Refusal{{Rule: policy.RuleKind, Msg: fmt.Sprintf("document %s holds no text that can leave (erased, or not a text format)", d.Handle)}}}
	}
	if !policy.IsTextKind(d.Kind) {
		// Recordings and consent forms never leave: the policy says so with
		// its own rule; no line is read.
		g.decision = policy.Decide(g.req)
		return g, g.decision.Err()
	}
	// The register's index of speaker names is built once, here or by the
	// exit for all its documents, and serves every pass over d (a quote
	// counts its lines first, an analysis export finds its runs' ends).
	trackers := t.Trackers
	if trackers == nil {
		trackers = cat.SpeakerTrackers(rd)
	}
	g.tracker = func() *vault.SpeakerTracker { return trackers(d) }
	return g, nil
}

// pass streams the document through the gate once, holding none of it:
// each line is resolved to its speaker and decided as the parser hands it
// over (decideStream), and the lines of the exit go to g.each, if set,
// with their decisions and, if emit is set, through the composer to emit
// as the blocks that leave, runs of kept lines a piece of at most
// exitChunkLines lines at a time. With emit nil the pass only decides. A
// quote, or an export told so (count), learns the line count first; an
// export otherwise probes (decideStream). g.decision, the tallies and,
// with emit, g.withheld are set.
func (g *gated) pass(s *vault.Study, rd *redact.Redactor, emit func(transcript.Block, policy.Rule, bool) error) error {
	src := g.source(s)
	probe := g.req.Mode == policy.ModeExport && !g.counted
	if !probe && !g.counted {
		if err := g.count(src); err != nil {
			return err
		}
	}
	g.nMarked, g.lineRules, g.withheld = 0, nil, 0
	h := g.holder()
	var c *composer
	if emit != nil {
		c = newComposer(rd, exitChunkLines, emit)
		if g.pipeline {
			c.pipeline()
			defer c.close()
		}
	}
	line := func(l transcript.Line, who vault.LineSpeaker, d policy.LineDecision) error {
		g.tally(d)
		h.add(l, who, d)
		if g.each != nil {
			g.each(l, d)
		}
		if c == nil {
			return nil
		}
		return c.line(l, who, d)
	}
	var err error
	n := g.n
	if probe {
		n = -1 // known at the end
	}
	g.decision, err = decideStream(g.req, n, g.labelled, probe, g.tracker, src, line)
	if errors.Is(err, errProbe) {
		// No speaker in the first lines: count, then decide.
		if err = g.count(src); err == nil {
			h = g.holder()
			g.decision, err = decideStream(g.req, g.n, g.labelled, false, g.tracker, src, line)
		}
	}
	if err != nil {
		g.held = nil
		return err
	}
	h.done()
	if c == nil {
		return nil
	}
	if err := c.end(); err != nil {
		return err
	}
	g.withheld = c.withheld
	return nil
}

// count is a first pass: how many lines the document has and whether any
// has a speaker, which the policy needs before it reads a line, and for a
// quote whose words its lines hold (g.quoters), as the policy attributes
// them.
func (g *gated) count(src lineSource) error {
	tr := g.tracker()
	n, labelled := 0, false
	// Whose words a line holds depends on whether any line of the
	// document has a speaker, known at its end: both ways until then.
	var ifLabelled, ifNot map[string]bool
	if g.req.Mode == policy.ModeQuote {
		ifLabelled, ifNot = map[string]bool{}, map[string]bool{}
	}
	err := src(func(l transcript.Line) error {
		n++
		who := tr.Next(l)
		labelled = labelled || who.Kind != policy.SpeakerNone
		if ifLabelled != nil && g.req.From <= l.N && l.N <= g.req.To {
			f := who.Facts(l)
			for _, p := range g.req.Doc.LineSpeakers(f, true) {
				ifLabelled[p] = true
			}
			for _, p := range g.req.Doc.LineSpeakers(f, false) {
				ifNot[p] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	g.n, g.labelled, g.counted = n, labelled, true
	g.quoters = ifNot
	if labelled {
		g.quoters = ifLabelled
	}
	return nil
}

// quoteHoldBytes bounds the lines the quotes of a chapter hold between the
// pass that decides them and the write (gated.hold): a few quotes of a few
// lines, as chapters cite, are written without reading their documents
// again; a quote beyond it is read again, as an exit that holds nothing.
var quoteHoldBytes = 4 << 20

// heldLine is a line of the exit as a pass decided it.
type heldLine struct {
	l   transcript.Line
	who vault.LineSpeaker
	d   policy.LineDecision
}

// size is roughly what a held line costs.
func (h *heldLine) size() int {
	return len(h.l.Text) + len(h.l.Speaker) + len(h.who.Participant) + len(h.who.Text) + len(h.who.Role) + 256
}

// A lineHolder keeps the lines of one pass for g (gated.hold).
type lineHolder struct {
	g    *gated
	used int
	full bool // over the budget: nothing is held
}

// holder starts holding the lines of a pass, if g holds any.
func (g *gated) holder() *lineHolder {
	g.held, g.heldAll = nil, false
	if g.hold == nil {
		return nil
	}
	return &lineHolder{g: g}
}

func (h *lineHolder) add(l transcript.Line, who vault.LineSpeaker, d policy.LineDecision) {
	if h == nil || h.full {
		return
	}
	// The parser and the policy may reuse what the slices hold.
	l.Flags, d.Rules, d.Marks = slices.Clone(l.Flags), slices.Clone(d.Rules), slices.Clone(d.Marks)
	hl := heldLine{l, who, d}
	if h.used += hl.size(); h.used > *h.g.hold {
		h.full, h.g.held = true, nil
		return
	}
	h.g.held = append(h.g.held, hl)
}

// done ends a pass that decided every line: what it held stays, taken
// from the budget.
func (h *lineHolder) done() {
	if h == nil || h.full {
		return
	}
	*h.g.hold -= h.used
	h.g.heldAll = true
}

// replay writes the lines of the exit a pass held, as pass would write
// them with emit reading the document again: the same lines, speakers and
// decisions go through the composer. g.decision and the tallies stay
// those of the pass that held them; g.withheld is set. The lines are let
// go.
func (g *gated) replay(rd *redact.Redactor, emit func(transcript.Block, policy.Rule, bool) error) error {
	held := g.held
	g.held, g.heldAll = nil, false
	c := newComposer(rd, exitChunkLines, emit)
	for i := range held {
		if err := c.line(held[i].l, held[i].who, held[i].d); err != nil {
			return err
		}
	}
	if err := c.end(); err != nil {
		return err
	}
	g.withheld = c.withheld
	return nil
}
