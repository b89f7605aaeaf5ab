package vault

import (
	"context"
	"fmt"
	"golang.org/x/text/unicode/norm"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
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
	if !req.Kind.Valid() {
		return fmt.Errorf("%w: unknown flag %q (dnq, confidential, struck, off-record)", ErrInvalid, req.Kind)
	}
	if req.From < 1 || req.To < req.From {
		return fmt.Errorf("%w: --lines must be A-B with 1 ≤ A ≤ B", ErrInvalid)
	}
	return s.Write(ctx, func(tx *Tx) error {
		d, err := tx.Cat.Doc(req.Doc)
		if err != nil {
			return err
		}
		v := d.Latest()
		if req.Version != 0 {
			if v, err = d.Version(req.Version); err != nil {
				return err
			}
		}
		if !IsTextKind(d.Kind) || v.Format == FormatBinary {
			return fmt.Errorf("%w: document %s is not text; flags apply to lines of text documents", ErrInvalid, d.Handle)
		}
		if req.To > v.Lines {
			return fmt.Errorf("%w: document %s v%d has %d lines; --lines %d-%d is out of range", ErrInvalid, d.Handle, v.N, v.Lines, req.From, req.To)
		}
		v.Flags = append(v.Flags, policy.Flag{Kind: req.Kind, From: req.From, To: req.To, Reason: req.Reason, Who: s.actor(), When: tx.Now().UTC()})
		tx.Audit(Entry{Action: "flag", Handles: []string{d.Handle}, Participants: d.Participants,
			Flags: []string{fmt.Sprintf("%s:%d-%d:%s", d.Handle, req.From, req.To, req.Kind)}, Detail: map[string]string{"version": fmt.Sprint(v.N)}})
		return nil
	})
}

// ScanFile scans a file outside the vault for residual identifiers, knowing
// the study's names (so they are not reported as possible names).
func (s *Study) ScanFile(path string) ([]redact.Finding, error) {
	data, err := ReadInput(path, "file")
	if err != nil {
		return nil, err
	}
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	rd, err := cat.Redactor()
	if err != nil {
		return nil, err
	}
	return redact.Scan(norm.NFC.String(string(data)), rd), nil
}

// ScanDoc shows what the residual scan finds in a document as it would
// leave (after the gate and pseudonymisation), without letting it out.
func (s *Study) ScanDoc(handle string) ([]redact.Finding, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	rd, err := cat.Redactor()
	if err != nil {
		return nil, err
	}
	g, err := s.gate(cat, rd, handle, 0, policy.ModeExport, 0, 0, "")
	if err != nil {
		return nil, err
	}
	return origin{handle, sourceLines(g.blocks)}.locate(redact.Scan(plain(g.blocks), rd)), nil
}

// Lines returns a text document's parsed lines with their numbers, for the
// researcher's own view (open --lines).
func (s *Study) Lines(ctx context.Context, handle string, version int) ([]string, error) {
	var out []string
	err := s.Write(ctx, func(tx *Tx) error {
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
		td, err := s.parseVersion(v)
		if err != nil {
			return err
		}
		for _, l := range td.Lines {
			out = append(out, fmt.Sprintf("%5d  %s", l.N, l.Text))
		}
		tx.Audit(Entry{Action: "open", Handles: []string{d.Handle}, Participants: d.Participants,
			Hashes: map[string]string{"object": v.SHA256}, Detail: map[string]string{"version": fmt.Sprint(v.N), "view": "lines"}})
		return nil
	})
	return out, err
}
