package vault

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// FlagRequest flags a line range of a document version.
type FlagRequest struct {
	Doc      string
	Version  int // 0 = latest
	From, To int
	Kind     policy.FlagKind
	Reason   string
}

// Flag records a flag (dnq, confidential, struck, off-record) on a line
// range of a document version. The flag's reason stays in the encrypted
// catalogue; the audit log records the range and kind.
func (s *Study) Flag(ctx context.Context, req FlagRequest) error {
	if err := checkFlagArgs(req.Kind, req.From, req.To); err != nil {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		d, v, err := tx.Cat.docVersion(req.Doc, req.Version)
		if err != nil {
			return err
		}
		if !policy.IsTextKind(d.Kind) || v.Format == FormatBinary {
			return fmt.Errorf("%w: document %s is not text; flags apply to lines of text documents", ErrInvalid, d.Handle)
		}
		if req.To > v.Lines {
			return fmt.Errorf("%w: document %s v%d has %d lines; --lines %d-%d is out of range", ErrInvalid, d.Handle, v.N, v.Lines, req.From, req.To)
		}
		for _, f := range v.Flags {
			if f.Kind == req.Kind && f.From == req.From && f.To == req.To {
				// A second identical flag would outlive a --clear of the
				// first, which would then say the lines were cleared.
				return fmt.Errorf("%w: %s v%d lines %d-%d are already flagged %s; to correct its reason use --amend", ErrInvalid, d.Handle, v.N, req.From, req.To, req.Kind)
			}
		}
		f := policy.Flag{Kind: req.Kind, From: req.From, To: req.To, Reason: req.Reason, Who: s.actor(), When: tx.Now().UTC()}
		v.Flags = append(v.Flags, f)
		e := Entry{Action: "flag", Handles: []string{d.Handle}, Participants: d.Participants,
			Flags: []string{fmt.Sprintf("%s:%d-%d:%s", d.Handle, req.From, req.To, req.Kind)}, Detail: map[string]string{"version": fmt.Sprint(v.N)}}
		// A flag on an earlier version follows the text into every later one.
		carried, err := s.carryLater(d, v, f)
		if err != nil {
			return err
		}
		for _, c := range carried {
			e.Flags = append(e.Flags, fmt.Sprintf("%s:%d-%d:%s", d.Handle, c.From, c.To, c.Kind))
		}
		if len(carried) > 0 {
			e.Detail["carried_to"] = fmt.Sprint(d.Latest().N)
		}
		tx.Audit(e)
		return nil
	})
}

// carryLater maps flag f, just set on version v, onto every later text
// version of d in turn, recording it there, and returns the flags added.
func (s *Study) carryLater(d *Document, v *Version, f policy.Flag) ([]policy.Flag, error) {
	var added []policy.Flag
	if _, err := s.carryThrough(d, v, f, func(next *Version, f policy.Flag, carries []Carry) {
		next.Flags = append(next.Flags, f)
		next.Carried = append(next.Carried, carries...)
		added = append(added, f)
	}); err != nil {
		return nil, err
	}
	return added, nil
}

// How carryThrough ended.
const (
	carriedToLatest = iota // the flag reached the latest version
	carryAtBinary          // a binary version stopped it
	carryGone              // its lines were gone and it placed nowhere
)

// carryThrough maps flag f, on version prev of d, onto each later text
// version in turn as ingest carries flags (carryLines), calling step with
// each version reached, the flag there and what happened to it. Each
// version's lines are hashed once.
func (s *Study) carryThrough(d *Document, prev *Version, f policy.Flag, step func(next *Version, f policy.Flag, carries []Carry)) (int, error) {
	var prevHashes []uint64
	for _, next := range d.Versions {
		if next.N <= prev.N {
			continue
		}
		if next.Format == FormatBinary || prev.Format == FormatBinary {
			return carryAtBinary, nil
		}
		var err error
		if prevHashes == nil {
			if prevHashes, err = lineHashes(s.versionLines(prev), prev.Lines); err != nil {
				return 0, err
			}
		}
		nextHashes, err := lineHashes(s.versionLines(next), next.Lines)
		if err != nil {
			return 0, err
		}
		flags, carries, err := carryLines(s.versionLines(prev), s.versionLines(next), prevHashes, nextHashes, prev.N, []policy.Flag{f}, nil, nil)
		if err != nil {
			return 0, err
		}
		if len(flags) == 0 {
			return carryGone, nil
		}
		f = flags[0]
		step(next, f, carries)
		prev, prevHashes = next, nextHashes
	}
	return carriedToLatest, nil
}

// OpenLines writes a text document's parsed lines with their numbers to
// w, for the researcher's own view (open --lines). It holds no line: the
// version is streamed once to verify and parse it and, once the open is on
// record, again to write it.
func (s *Study) OpenLines(ctx context.Context, handle string, version int, w io.Writer) error {
	return s.Write(ctx, func(tx *Tx) error {
		d, err := tx.Cat.Doc(handle)
		if err != nil {
			return err
		}
		v := d.Latest()
		if version != 0 {
			if v, err = d.Version(version); err != nil {
				return err
			}
		}
		if err := s.streamLines(v, func(transcript.Line) error { return nil }); err != nil {
			return err
		}
		tx.Audit(Entry{Action: "open", Handles: []string{d.Handle}, Participants: d.Participants,
			Hashes: map[string]string{"object": v.SHA256}, Detail: map[string]string{"version": fmt.Sprint(v.N), "view": "lines"}})
		tx.DeliverStream(w, func(w io.Writer) error { return s.writeLines(v, w) })
		return nil
	})
}

// writeLines streams version v's lines to w, each after its number.
func (s *Study) writeLines(v *Version, w io.Writer) error {
	bw := bufio.NewWriter(w)
	err := s.streamLines(v, func(l transcript.Line) error {
		if _, err := fmt.Fprintf(bw, "%5d  %s\n", l.N, l.Text); err != nil {
			return fmt.Errorf("writing the lines: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the lines: %w", err)
	}
	return nil
}
