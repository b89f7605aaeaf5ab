package vault

import (
	"context"
	"io"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// What the exit pipeline (vault/gate) uses of the store: the catalogue
// read in a change (Study.Update), a version's decrypted, parsed text and
// the facts per line the policy decides on (Catalog.DocFacts,
// Study.LineFacts),
// output staged and delivered under the change (Tx.StageOutput,
// Tx.Deliver), the key's pin checked before delivery, audit entries
// (Tx.Audit, Tx.AuditAlways, RefusalEntry) and exit counts. The store knows
// nothing of what an exit decides.

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

// PrecheckOutput checks an output path before an exit's work starts ("" is
// a stream and always passes).
func (s *Study) PrecheckOutput(path string, force bool) error { return s.precheckOutput(path, force) }

// ParseVersion decrypts and parses a text version (the object's hash is
// checked as it is read).
func (s *Study) ParseVersion(v *Version) (*transcript.Document, error) { return s.parseVersion(v) }

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

// speakers resolves every line of a parsed document to its speaker against
// the register (registry first; see speakers.go). sole, if set, is the one
// participant of a document that concerns exactly one: generic labels
// such as "A:" are theirs.
func (c *Catalog) speakers(rd *redact.Redactor, lines []transcript.Line, sole string) []LineSpeaker {
	ix := c.speakerIndex(rd)
	ix.sole = sole
	who := ix.speakers(lines)
	out := make([]LineSpeaker, len(who))
	for i, w := range who {
		out[i] = LineSpeaker{Kind: w.kind, Participant: w.participant, Text: w.text, Role: w.role}
	}
	return out
}

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

// LineFacts reads a text version and resolves each line to its speaker
// and inline flags, into facts.Lines: the few facts per line the policy
// decides on. It returns the parsed lines and who speaks each (a
// researcher's line carries the text with their role label).
func (s *Study) LineFacts(cat *Catalog, rd *redact.Redactor, d *Document, v *Version, facts *policy.DocFacts) ([]transcript.Line, []LineSpeaker, error) {
	td, err := s.parseVersion(v)
	if err != nil {
		return nil, nil, err
	}
	sole := ""
	if len(d.Participants) == 1 {
		sole = d.Participants[0]
	}
	who := cat.speakers(rd, td.Lines, sole)
	facts.Lines = make([]policy.LineFacts, len(td.Lines))
	for i, l := range td.Lines {
		lf := policy.LineFacts{N: l.N, Blank: strings.TrimSpace(l.Text) == ""}
		lf.Flags = append(lf.Flags, l.Flags...)
		lf.SpeakerKind, lf.Participant = who[i].Kind, who[i].Participant
		facts.Lines[i] = lf
	}
	return td.Lines, who, nil
}

// IntegrityDetail is an integrity error's message without its
// "integrity problem: " prefix, for a line in a longer report.
func IntegrityDetail(err error) string { return trimIntegrity(err) }

// TempPrefix begins the name of every temp file the store writes, beside
// an exit's output too; none is left once a command ends.
const TempPrefix = tempPrefix
