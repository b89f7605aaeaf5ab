package vault

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fieldvault/fieldvault/redact"
)

// dictionary lists everything the study pseudonymises: participants (as
// persons), entities and meetings.
func (c *Catalog) dictionary() []redact.Entity {
	out := make([]redact.Entity, 0, len(c.Participants)+len(c.Entities)+len(c.Meetings))
	for _, p := range c.Participants {
		out = append(out, redact.Entity{ID: p.Handle, Kind: redact.KindPerson, Name: p.Name, Aliases: p.Aliases, Pseudonym: p.Pseudonym})
	}
	for _, e := range c.Entities {
		out = append(out, redact.Entity{ID: e.Handle, Kind: e.Kind, Name: e.Name, Aliases: e.Aliases, Pseudonym: e.Pseudonym})
	}
	for _, m := range c.Meetings {
		out = append(out, redact.Entity{ID: m.Handle, Kind: redact.KindMeeting, Name: m.Name, Aliases: m.Aliases})
	}
	return out
}

// assignPseudonyms gives every name not yet in the registry its pseudonym,
// with one call to the key provider for all of them. Nothing is written if
// the provider fails.
func (s *Study) assignPseudonyms(tx *Tx) error {
	if tx.Cat.Pseudonyms == nil {
		tx.Cat.Pseudonyms = redact.NewRegistry()
	}
	ents := tx.Cat.dictionary()
	missing := false
	for _, e := range ents {
		if _, ok := tx.Cat.Pseudonyms.Lookup(e.Kind, e.Name); !ok {
			missing = true
			break
		}
	}
	if !missing {
		return nil
	}
	k, err := s.txKeyer(tx)
	if err != nil {
		return err
	}
	if err := redact.Assign(tx.ctx, k, tx.Cat.Pseudonyms, ents); err != nil {
		return fmt.Errorf("assigning pseudonyms: %w", err)
	}
	return nil
}

// Redactor compiles the study's matcher from the catalogue.
func (c *Catalog) Redactor() (*redact.Redactor, error) {
	if c.Pseudonyms == nil {
		c.Pseudonyms = redact.NewRegistry()
	}
	return redact.Compile(c.dictionary(), c.Pseudonyms)
}

// PseudonymFor says what pseudonym a handle or a name gets. For a name not
// in the register it derives the pseudonym a new person of that name would
// get (without recording it).
func (s *Study) PseudonymFor(ctx context.Context, handleOrName string, kind redact.Kind) (redact.Pseudonym, string, error) {
	cat, err := s.Catalog()
	if err != nil {
		return redact.Pseudonym{}, "", err
	}
	if cat.Pseudonyms == nil {
		cat.Pseudonyms = redact.NewRegistry()
	}
	if ValidHandle(handleOrName) {
		for _, e := range cat.dictionary() {
			if e.ID == handleOrName {
				p, ok := cat.Pseudonyms.Lookup(e.Kind, e.Name)
				if !ok {
					return redact.Pseudonym{}, "", integrity("%s has no pseudonym in the registry", e.ID)
				}
				return p, e.ID, nil
			}
		}
	}
	k, err := s.keyer(ctx, cat)
	if err != nil {
		return redact.Pseudonym{}, "", err
	}
	p, err := redact.Preview(ctx, k, cat.Pseudonyms, redact.Entity{ID: "query", Kind: kind, Name: handleOrName})
	if err != nil {
		return redact.Pseudonym{}, "", err
	}
	return p, "", nil
}

// withoutEntry copies a registry, leaving out the entry of (kind, name).
func withoutEntry(reg *redact.Registry, kind redact.Kind, name string) (*redact.Registry, error) {
	skip := redact.NormaliseName(name)
	kept := struct {
		Version int                    `json:"version"`
		Entries []redact.RegistryEntry `json:"entries"`
	}{Version: 1, Entries: []redact.RegistryEntry{}}
	for _, e := range reg.Entries() {
		if e.Kind == kind && redact.NormaliseName(e.Name) == skip {
			continue
		}
		kept.Entries = append(kept.Entries, e)
	}
	data, err := json.Marshal(kept)
	if err != nil {
		return nil, err
	}
	out := redact.NewRegistry()
	if err := out.UnmarshalJSON(data); err != nil {
		return nil, integrity("the pseudonym registry: %v", err)
	}
	return out, nil
}
