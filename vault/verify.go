package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/fieldvault/fieldvault/vault/store"
)

// VerifyReport is what verify found. Problems are errors (exit 4); Notes are
// leftovers of an interrupted command that the next writer cleans up.
type VerifyReport struct {
	Documents int      `json:"documents"`
	Objects   int      `json:"objects"`
	Bytes     int64    `json:"bytes"`
	ReadData  bool     `json:"read_data"`
	Problems  []string `json:"problems"`
	Notes     []string `json:"notes"`
	// Unread counts objects this identity is not a recipient of (an ethics
	// officer's identity cannot read raw material): present, not checked.
	Unread int `json:"unread"`
}

// OK reports whether no problem was found.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

// Verify is VerifyContext without a deadline.
func (s *Study) Verify(readData bool) (*VerifyReport, error) {
	return s.VerifyContext(context.Background(), readData)
}

// VerifyContext checks that the catalogue and the objects agree, that the
// pseudonym key matches its pin, and reports stray files. With readData
// every object is decrypted and its size and SHA-256 compared with the
// catalogue, and a Transit key is asked for its check value. It needs a
// raw-class identity for readData.
func (s *Study) VerifyContext(ctx context.Context, readData bool) (*VerifyReport, error) {
	l, err := acquireContext(ctx, s.Dir, false)
	if err != nil {
		return nil, err
	}
	defer l.release()
	rep := &VerifyReport{ReadData: readData}
	cat, err := s.Catalog()
	if err != nil {
		if errors.Is(err, ErrIntegrity) {
			rep.Problems = append(rep.Problems, trimIntegrity(err))
			return rep, nil
		}
		return nil, err
	}
	rep.Documents = len(cat.Documents)
	present, err := s.presence(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range cat.Documents {
		for _, v := range d.Versions {
			if v.Object == "" {
				continue // erased
			}
			rep.Objects++
			rep.Bytes += v.Size
			where := fmt.Sprintf("%s v%d (object %s)", d.Handle, v.N, v.Object)
			problem, err := present(v.Object)
			if err != nil {
				return nil, err
			}
			if problem != "" {
				rep.Problems = append(rep.Problems, where+": "+problem)
				continue
			}
			if !readData {
				continue
			}
			if err := readObject(s.objects(ctx), v, s.Identity, s.listed(v.Class), ctxWriter{ctx, io.Discard}); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err() // interrupted: no report rather than a false one
				}
				if errors.Is(err, ErrNotRecipient) {
					rep.Unread++
					continue
				}
				var se *store.Error
				if errors.As(err, &se) && !errors.Is(err, fs.ErrNotExist) {
					// The object store failed (unreachable, access
					// denied), not the object: no report rather than a
					// false one.
					return nil, err
				}
				rep.Problems = append(rep.Problems, where+": "+trimIntegrity(err))
			}
		}
	}
	if rep.Unread > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d object(s) are encrypted to recipients other than this identity (raw material, for an ethics officer): present, but their content was not checked", rep.Unread))
	}
	in, err := s.rekeyIntent()
	if err == nil && in != nil {
		err = checkIntent(cat, in)
	}
	if err != nil {
		rep.Problems = append(rep.Problems, trimIntegrity(err))
	} else if in != nil {
		rep.Notes = append(rep.Notes, "a re-encryption to changed recipients was interrupted ("+rekeyFile+"); the next command that changes the vault finishes it")
	}
	if s.Store != nil {
		if err := s.verifyStrays(ctx, cat, rep); err != nil {
			return nil, err
		}
	} else {
		strays, err := s.strays(cat)
		if err != nil {
			return nil, err
		}
		for _, p := range strays {
			rep.Notes = append(rep.Notes, p+" is not referenced by the catalogue (left by an interrupted command or an unfinished erase); the next command that changes the vault removes it")
		}
	}
	if !s.hasLocalKey(ctx) && s.Config.KeyProvider.Type == ProviderLocal {
		rep.Problems = append(rep.Problems, "the pseudonym key "+LocalKeyFile+" is missing")
	} else {
		s.verifyKey(ctx, cat, rep)
	}
	return rep, nil
}

func trimIntegrity(err error) string {
	msg := err.Error()
	prefix := ErrIntegrity.Error() + ": "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

// VerifyAudit recomputes the audit chain and checks it against the head the
// catalogue recorded. With a checkpoint path it writes the checkpoint the
// first time and compares against it afterwards, so that a rewrite of the
// whole log (and catalogue) is detected too.
func (s *Study) VerifyAudit(ctx context.Context, checkpoint string) (*AuditReport, error) {
	l, err := acquire(s.Dir, false)
	if err != nil {
		return nil, err
	}
	defer l.release()
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	st, lines, err := s.readAuditLog()
	if err != nil {
		return nil, err
	}
	rep, entries := checkLog(st, lines, cat.Audit)
	all := append(entries, pendingAfter(cat.Audit, uint64(len(entries)))...)
	if rep.OK() {
		s.checkAnchor(ctx, rep, all)
	}
	if checkpoint == "" {
		return rep, nil
	}
	cp, err := readCheckpoint(checkpoint)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if !rep.OK() {
			return rep, nil // never checkpoint a damaged log
		}
		if len(all) == 0 {
			return nil, fmt.Errorf("%w: the audit log is empty; nothing to checkpoint", ErrInvalid)
		}
		last := all[len(all)-1]
		cp := Checkpoint{StudyID: cat.StudyID, Seq: last.Seq, Hash: last.Hash, Taken: s.Now().UTC()}
		data, _ := json.MarshalIndent(cp, "", "  ")
		if err := writeNew(s.FS, checkpoint, func(w io.Writer) error {
			_, err := w.Write(append(data, '\n'))
			return err
		}); err != nil {
			return nil, fmt.Errorf("writing checkpoint %s: %w", checkpoint, err)
		}
		rep.Checkpoint = fmt.Sprintf("wrote checkpoint %s at entry %d", checkpoint, cp.Seq)
		return rep, nil
	case err != nil:
		return nil, err
	}
	if cp.StudyID != cat.StudyID {
		rep.Problems = append(rep.Problems, fmt.Sprintf("checkpoint %s belongs to another study vault", checkpoint))
		return rep, nil
	}
	if cp.Seq > uint64(len(all)) {
		p := &ChainProblem{Line: len(all) + 1, Seq: uint64(len(all)) + 1, What: fmt.Sprintf("missing: the checkpoint of %s saw %d entries, the log holds %d", cp.Taken.Format(time.DateOnly), cp.Seq, len(all))}
		rep.Problems = append(rep.Problems, p.Error())
		if rep.First == nil {
			rep.First = p
		}
		return rep, nil
	}
	if got := all[cp.Seq-1]; got.Hash != cp.Hash {
		// Find the first entry the checkpoint's chain cannot vouch for: the
		// rewrite may start anywhere up to the checkpointed entry.
		p := &ChainProblem{Line: int(cp.Seq), Seq: cp.Seq, What: fmt.Sprintf("differs from the checkpoint taken %s (the log up to here was rewritten)", cp.Taken.Format(time.DateOnly))}
		rep.Problems = append(rep.Problems, p.Error())
		if rep.First == nil {
			rep.First = p
		}
		return rep, nil
	}
	rep.Checkpoint = fmt.Sprintf("matches checkpoint %s (entry %d)", checkpoint, cp.Seq)
	return rep, nil
}

func pendingAfter(head AuditHead, last uint64) []Entry {
	var out []Entry
	for _, e := range head.Pending {
		if e.Seq > last {
			out = append(out, e)
		}
	}
	return out
}

// AuditLog lists the entries that match the filter (committed entries still
// held in the catalogue included).
func (s *Study) AuditLog(f AuditFilter) ([]Entry, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	_, lines, err := s.readAuditLog()
	if err != nil {
		return nil, err
	}
	entries, prob := verifyChain(lines)
	if prob != nil {
		return nil, fmt.Errorf("%w: %s; run 'fieldvault audit verify'", ErrIntegrity, prob.Error())
	}
	entries = append(entries, pendingAfter(cat.Audit, uint64(len(entries)))...)
	var out []Entry
	for _, e := range entries {
		if f.match(e) {
			out = append(out, e)
		}
	}
	return out, nil
}
