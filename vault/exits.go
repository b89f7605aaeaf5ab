package vault

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// What the exit pipeline (vault/gate) uses of the store: the catalogue
// read in a change (Study.Update), a version's decrypted, parsed lines
// streamed (Study.StreamLines) with each line's speaker resolved as it
// goes (Catalog.SpeakerTracker) and the facts the policy decides on
// (Catalog.DocFacts, LineSpeaker.Facts), output staged and delivered
// under the change (Tx.StageOutput, Tx.Deliver), the key's pin checked
// before delivery, audit entries (Tx.Audit, Tx.AuditAlways, RefusalEntry)
// and exit counts. The store knows nothing of what an exit decides.

// Context is the change's context: long work inside a change stops when
// the command is interrupted.
func (tx *Tx) Context() context.Context { return tx.ctx }

// CountExit records, with an exit's audit entry, that it let out these
// participants' words (for the consent report's counts).
func (tx *Tx) CountExit(participants []string) { tx.Cat.countExit(participants, tx.Now()) }

// RequirePinnedKey is run by every exit before it delivers: the pseudonym
// key must be pinned and match its pin (an unpinned vault is pinned now,
// audited, in the exit's change).
func (tx *Tx) RequirePinnedKey() error { return tx.s.requirePinnedKey(tx) }

// StageOutput writes an exit's output to a temp file beside path (never
// inside the vault; path checked with CheckOutput first) and renames it
// into place when the change is delivered; the exit's audit entry commits
// only once it is.
func (tx *Tx) StageOutput(path string, fill func(io.Writer) error) error {
	return tx.s.stageOutput(tx, path, fill)
}

// StageOutputSum is StageOutput for output that fill hashes as it writes:
// known gives the SHA-256 once fill returns, so it is not computed twice.
func (tx *Tx) StageOutputSum(path string, known func() string, fill func(io.Writer) error) error {
	_, err := tx.s.stageOutputFile(tx, path, known, fill)
	return err
}

// PrecheckOutput checks an output path before an exit's work starts ("" is
// a stream and always passes).
func (s *Study) PrecheckOutput(path string, force bool) error { return s.precheckOutput(path, force) }

// PseudonymOf returns a participant's pseudonym from the registry.
func (c *Catalog) PseudonymOf(p *Participant) (string, bool) { return c.pseudonymOf(p) }

// LineSpeaker is who speaks a line of a document, as the register says:
// the kind and handle the policy decides on, and for a registered
// researcher the line's text with their role label for their name (Text)
// and that label (Role).
type LineSpeaker struct {
	Kind        policy.SpeakerKind
	Participant string
	Text, Role  string
}

// A SpeakerTracker resolves the lines of a document to their speakers one
// at a time, in order, against the register, holding only the turn in
// force and the labels it has looked up.
type SpeakerTracker struct{ t *speakerTracker }

// SpeakerTracker starts resolving the lines of document d.
func (c *Catalog) SpeakerTracker(rd *redact.Redactor, d *Document) *SpeakerTracker {
	return c.SpeakerTrackers(rd)(d)
}

// SpeakerTrackers is SpeakerTracker for the many documents of one exit:
// the register's index of speaker names is built once and shared, only
// read, by the trackers it starts, which may run side by side.
func (c *Catalog) SpeakerTrackers(rd *redact.Redactor) func(d *Document) *SpeakerTracker {
	ix := c.speakerIndex(rd)
	return func(d *Document) *SpeakerTracker {
		dx := *ix
		if len(d.Participants) == 1 {
			dx.sole = d.Participants[0]
		}
		return &SpeakerTracker{dx.tracker()}
	}
}

// Next resolves the document's next line.
func (t *SpeakerTracker) Next(l transcript.Line) LineSpeaker {
	w := t.t.next(l)
	return LineSpeaker{Kind: w.kind, Participant: w.participant, Text: w.text, Role: w.role}
}

// Facts are the few facts about line l the policy decides on, with w its
// speaker.
func (w LineSpeaker) Facts(l transcript.Line) policy.LineFacts {
	lf := policy.LineFacts{N: l.N, Blank: strings.TrimSpace(l.Text) == "", SpeakerKind: w.Kind, Participant: w.Participant}
	if len(l.Flags) > 0 {
		lf.Flags = slices.Clone(l.Flags)
	}
	return lf
}

// StreamLines decrypts a text version and passes its parsed lines to fn
// in order, holding none of them; decryption runs on a goroutine of its
// own beside the parse and fn. The object's size and hash are verified at
// its end: fn may have seen lines of a damaged object before the integrity
// error comes back, so what fn produces must be staged, never delivered,
// until StreamLines returns nil. An error from fn is returned as is.
func (s *Study) StreamLines(v *Version, fn func(transcript.Line) error) error {
	return s.streamLines(v, fn)
}

// VersionLines gives the lines of text version v to every pass an exit
// makes over them (a quote counts its lines first; an analysis export
// finds its runs' ends), each Stream as StreamLines does. A .docx's
// object is fetched and verified by the first and kept for the next: on
// object storage its ciphertext, still encrypted, is copied once to a
// temp file (mode 0600; plaintext never reaches the disk), which Close
// removes. The exit calls Close when it ends, whatever happened.
func (s *Study) VersionLines(v *Version) *VersionLines {
	return &VersionLines{s: s, v: v}
}

// VersionLines is a text version's lines for the passes of one exit.
// It is for one goroutine at a time.
type VersionLines struct {
	s    *Study
	v    *Version
	kept docxAt
}

// Stream passes the version's lines to fn, as StreamLines does.
func (vl *VersionLines) Stream(fn func(transcript.Line) error) error {
	return vl.s.streamKept(vl.v, &vl.kept, fn)
}

// Close releases what the passes kept. It may be called more than once.
func (vl *VersionLines) Close() { vl.kept.close() }

// DocFacts are the catalogue's facts about a document version for the
// policy, lines not yet read.
func (c *Catalog) DocFacts(d *Document, v *Version) policy.DocFacts {
	facts := policy.DocFacts{Handle: d.Handle, Kind: d.Kind, Version: v.N, Participants: d.Participants, Flags: v.Flags}
	if d.Meeting != "" {
		if m, err := c.Meeting(d.Meeting); err == nil {
			facts.Meeting = &policy.MeetingFacts{Handle: m.Handle, DNQ: m.DNQ, Private: !m.Public}
		}
	}
	return facts
}

// theirLines streams a text version and returns the lines that hold
// participant p's words as the gate attributes them (policy's
// LineSpeakers), for a participant's record. It holds a bit a line, not
// the lines: whose words a line holds depends on whether any line of the
// document has a speaker, known only at its end, so both ways are kept
// until then.
func (s *Study) theirLines(cat *Catalog, rd *redact.Redactor, d *Document, v *Version, p string) (lineSet, error) {
	facts := cat.DocFacts(d, v)
	tr := cat.SpeakerTracker(rd, d)
	var ifLabelled, ifNot lineSet
	labelled := false
	err := s.streamLines(v, func(l transcript.Line) error {
		who := tr.Next(l)
		labelled = labelled || who.Kind != policy.SpeakerNone
		f := who.Facts(l)
		if slices.Contains(facts.LineSpeakers(f, true), p) {
			ifLabelled.add(l.N)
		}
		if slices.Contains(facts.LineSpeakers(f, false), p) {
			ifNot.add(l.N)
		}
		return nil
	})
	if err != nil {
		return lineSet{}, err
	}
	if labelled {
		return ifLabelled, nil
	}
	return ifNot, nil
}

// A lineSet is a set of line numbers, a bit each.
type lineSet struct {
	bits []uint64
	n    int
}

func (ls *lineSet) add(n int) {
	if n < 0 {
		return
	}
	i := n / 64
	if i >= len(ls.bits) {
		ls.bits = append(ls.bits, make([]uint64, i+1-len(ls.bits))...)
	}
	if ls.bits[i]&(1<<(n%64)) == 0 {
		ls.bits[i] |= 1 << (n % 64)
		ls.n++
	}
}

func (ls lineSet) has(n int) bool {
	i := n / 64
	return n >= 0 && i < len(ls.bits) && ls.bits[i]&(1<<(n%64)) != 0
}

// len is how many lines are in the set.
func (ls lineSet) len() int { return ls.n }

// IntegrityDetail is an integrity error's message without its
// "integrity problem: " prefix, for a line in a longer report.
func IntegrityDetail(err error) string { return trimIntegrity(err) }

// TempPrefix begins the name of every temp file the store writes, beside
// an exit's output too; none is left once a command ends.
const TempPrefix = tempPrefix
