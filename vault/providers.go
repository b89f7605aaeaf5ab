package vault

import (
	"context"
	"errors"
	"fmt"

	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
)

// transitConfig is the study's Transit key as package transit wants it.
func (s *Study) transitConfig() (hcvault.Config, bool) {
	t := s.Config.KeyProvider.Transit
	if s.Config.KeyProvider.Type != ProviderTransit || t == nil {
		return hcvault.Config{}, false
	}
	return hcvault.Config{Mount: t.Mount, Key: t.Key, KeyVersion: t.KeyVersion}, true
}

// anchor records the audit head in HashiCorp Vault after a commit (Vault
// provider only), so that a rollback of the whole vault directory is
// detected. The change has already happened: a failure is reported as a
// note and the next command (or audit verify) anchors again.
func (s *Study) anchor(ctx context.Context, head AuditHead) {
	cfg, ok := s.transitConfig()
	if !ok {
		return
	}
	if err := hcvault.AnchorHead(ctx, cfg, s.Config.StudyID, head.Seq, head.Hash); err != nil {
		s.note(fmt.Sprintf("the audit head could not be anchored in HashiCorp Vault (%v); the next command retries", err))
	}
}

// checkAnchor compares the log with the head anchored in Vault: the anchored
// entry must still be in the log with the same hash.
func (s *Study) checkAnchor(ctx context.Context, rep *AuditReport, entries []Entry) {
	cfg, ok := s.transitConfig()
	if !ok {
		return
	}
	a, err := hcvault.AnchoredHead(ctx, cfg, s.Config.StudyID)
	if errors.Is(err, hcvault.ErrNotAnchored) {
		rep.Notes = append(rep.Notes, "no audit head is anchored in HashiCorp Vault yet")
		return
	}
	if err != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("cannot compare with the head anchored in HashiCorp Vault: %v", err))
		return
	}
	switch {
	case a.Seq > uint64(len(entries)):
		p := &ChainProblem{Line: len(entries) + 1, Seq: uint64(len(entries)) + 1, What: fmt.Sprintf("missing: HashiCorp Vault anchored entry %d, the log holds %d (the vault was rolled back)", a.Seq, len(entries))}
		rep.Problems = append(rep.Problems, p.Error())
		if rep.First == nil {
			rep.First = p
		}
	case a.Seq > 0 && entries[a.Seq-1].Hash != a.Hash:
		p := &ChainProblem{Line: int(a.Seq), Seq: a.Seq, What: "differs from the head anchored in HashiCorp Vault (the log was rewritten)"}
		rep.Problems = append(rep.Problems, p.Error())
		if rep.First == nil {
			rep.First = p
		}
	default:
		rep.Anchor = fmt.Sprintf("matches the head anchored in HashiCorp Vault (entry %d)", a.Seq)
	}
}
