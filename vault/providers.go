package vault

import (
	"context"
	"fmt"

	"github.com/fieldvault/fieldvault/redact"
)

// Providers are the services outside the store that a study relies on: the
// pseudonym key and, for a team, a copy of the audit head. cmd chooses them
// for the study's config (vault/keys.For) and hands them to Open and Init;
// the store imports no key service.
type Providers struct {
	Key KeySource
	// Anchor keeps a copy of the audit head outside the vault; nil when
	// the head lives in the catalogue only.
	Anchor Anchor
}

// A KeySource is a key provider (vault/keys/local, vault/keys/hcvault):
// it makes a new study's key and opens it as a redact.Keyer, whose check
// value (KeyCheckValue) the store pins.
type KeySource interface {
	// NewKey returns a new study's key for the store to keep in
	// LocalKeyFile, age-encrypted to the raw recipients, or nil when the
	// key lives in a service.
	NewKey() ([]byte, error)
	// Keyer opens the key; stored reads what NewKey returned, decrypted.
	Keyer(ctx context.Context, stored func() ([]byte, error)) (redact.Keyer, error)
}

// An Anchor records the audit head outside the vault, so that a rollback of
// the whole vault directory is seen (hcvault keeps it in Vault's KV store).
type Anchor interface {
	AnchorHead(ctx context.Context, studyID string, seq uint64, hash string) error
	// AnchoredHead returns the head recorded; ok is false when none is.
	AnchoredHead(ctx context.Context, studyID string) (seq uint64, hash string, ok bool, err error)
}

// anchor records the audit head outside the vault after a commit. The
// change has already happened: a failure is reported as a note and the next
// command (or audit verify) anchors again.
func (s *Study) anchor(ctx context.Context, head AuditHead) {
	if s.providers.Anchor == nil {
		return
	}
	if err := s.providers.Anchor.AnchorHead(ctx, s.Config.StudyID, head.Seq, head.Hash); err != nil {
		s.note(fmt.Sprintf("the audit head could not be anchored in HashiCorp Vault (%v); the next command retries", err))
	}
}

// checkAnchorBeforeWrite is run by every change before it commits: the
// head anchored outside the vault must not be ahead of the catalogue's,
// nor at the same entry with another hash. Otherwise the vault was rolled
// back to an earlier copy (a withdrawal, a flag undone), and committing
// would also move the anchor back over the evidence. An anchor that
// cannot be read is a note: the commit's own anchoring reports it again.
func (s *Study) checkAnchorBeforeWrite(ctx context.Context, cat *Catalog) error {
	if s.providers.Anchor == nil {
		return nil
	}
	seq, hash, ok, err := s.providers.Anchor.AnchoredHead(ctx, s.Config.StudyID)
	if err != nil {
		s.note(fmt.Sprintf("the audit head anchored in HashiCorp Vault could not be read (%v); run 'fieldvault audit verify' once it can", err))
		return nil
	}
	switch {
	case !ok:
		return nil
	case seq > cat.Audit.Seq:
		return integrity("HashiCorp Vault anchored audit entry %d, the catalogue's head is entry %d: the vault was rolled back to an earlier copy; run 'fieldvault audit verify' and restore the latest backup", seq, cat.Audit.Seq)
	case seq == cat.Audit.Seq && hash != cat.Audit.Hash:
		return integrity("the catalogue's audit head (entry %d) differs from the one anchored in HashiCorp Vault: the vault was replaced by another copy; run 'fieldvault audit verify' and restore the latest backup", seq)
	}
	return nil
}

// checkAnchor compares the log with the anchored head: the anchored entry
// must still be in the log with the same hash.
func (s *Study) checkAnchor(ctx context.Context, rep *AuditReport, entries []Entry) {
	if s.providers.Anchor == nil {
		return
	}
	seq, hash, ok, err := s.providers.Anchor.AnchoredHead(ctx, s.Config.StudyID)
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("cannot compare with the head anchored in HashiCorp Vault: %v", err))
		return
	}
	if !ok {
		rep.Notes = append(rep.Notes, "no audit head is anchored in HashiCorp Vault yet")
		return
	}
	switch {
	case seq > uint64(len(entries)):
		p := &ChainProblem{Line: len(entries) + 1, Seq: uint64(len(entries)) + 1, What: fmt.Sprintf("missing: HashiCorp Vault anchored entry %d, the log holds %d (the vault was rolled back)", seq, len(entries))}
		rep.Problems = append(rep.Problems, p.Error())
		if rep.First == nil {
			rep.First = p
		}
	case seq > 0 && entries[seq-1].Hash != hash:
		p := &ChainProblem{Line: int(seq), Seq: seq, What: "differs from the head anchored in HashiCorp Vault (the log was rewritten)"}
		rep.Problems = append(rep.Problems, p.Error())
		if rep.First == nil {
			rep.First = p
		}
	default:
		rep.Anchor = fmt.Sprintf("matches the head anchored in HashiCorp Vault (entry %d)", seq)
	}
}
