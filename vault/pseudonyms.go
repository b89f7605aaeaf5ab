package vault

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fieldvault/fieldvault/redact"
)

// dictionary lists everything the study pseudonymises: participants (as
// persons), entities and meetings.
func (c *Catalog) dictionary() []redact.Entity {
	out := make([]redact.Entity, 0, len(c.Participants)+len(c.Researchers)+len(c.Entities)+len(c.Meetings))
	for _, p := range c.Participants {
		out = append(out, redact.Entity{ID: p.Handle, Kind: redact.KindPerson, Name: p.Name, Aliases: p.Aliases, Pseudonym: p.Pseudonym, FamilyFirst: p.FamilyFirst})
	}
	// The study team: their turns leave under the role label, and their
	// names inside anyone's words ("Thanks, Siân") under a pseudonym.
	for _, r := range c.Researchers {
		out = append(out, redact.Entity{ID: r.Handle, Kind: redact.KindPerson, Name: r.Name, Aliases: r.Aliases})
	}
	for _, e := range c.Entities {
		out = append(out, redact.Entity{ID: e.Handle, Kind: e.Kind, Name: e.Name, Aliases: e.Aliases, Pseudonym: e.Pseudonym, FamilyFirst: e.FamilyFirst})
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
			if strings.EqualFold(e.ID, handleOrName) {
				p, ok := cat.Pseudonyms.Lookup(e.Kind, e.Name)
				if !ok {
					return redact.Pseudonym{}, "", integrity("%s has no pseudonym in the registry", e.ID)
				}
				return p, e.ID, nil
			}
		}
		var known []string
		for _, e := range cat.dictionary() {
			known = append(known, e.ID)
		}
		return redact.Pseudonym{}, "", notFound("participant, entity or meeting", handleOrName, known)
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

// PseudonymAnswer is what `fieldvault pseudonym` says about a handle or
// a name.
type PseudonymAnswer struct {
	Handle string // a handle asked about
	// Written is what the gate writes for the name asked about, as it
	// stands in running text (a registered given name alone becomes the
	// pseudonym's given name, "R. Quixwort" the pseudonym's initial and
	// family name); for a handle, the full pseudonym.
	Written string
	// Matched lists the handles whose names or aliases the name matched;
	// Partly is set when some of its words matched nobody.
	Matched []string
	Partly  bool
	// AsWord: the name is a registered part that is an ordinary word,
	// written in lower case, which an exit leaves as it is; AsName is what
	// the capitalised form becomes.
	AsWord bool
	AsName string
	// Hypothetical: nothing registered matched; Written is the pseudonym a
	// new entry of Kind with this name would get now.
	Hypothetical bool
	Kind         redact.Kind
}

// Pseudonym answers for a handle, or for a name: registered people,
// entities and their aliases first (the answer is exactly what an exit
// writes for that form), otherwise hypothetically for a new entry of kind.
func (s *Study) Pseudonym(ctx context.Context, query string, kind redact.Kind) (*PseudonymAnswer, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	if ValidHandle(query) {
		if e := cat.EntityByHandle(query); e != nil {
			p, _, err := s.PseudonymFor(ctx, query, e.Kind)
			if err != nil {
				return nil, err
			}
			return &PseudonymAnswer{Handle: e.ID, Written: p.InOrder(e.FamilyFirst), Kind: e.Kind}, nil
		}
		var known []string
		for _, e := range cat.dictionary() {
			known = append(known, e.ID)
		}
		// A handle nobody has: say so (with the nearest), never answer as if
		// it were a name.
		return nil, notFound("participant, entity or meeting", query, known)
	}
	rd, err := cat.Redactor()
	if err != nil {
		return nil, err
	}
	out, ids, whole := rd.RedactName(query)
	if len(ids) > 0 {
		a := &PseudonymAnswer{Written: out, Matched: dedupe(ids), Partly: !whole}
		if e := cat.EntityByHandle(a.Matched[0]); e != nil {
			a.Kind = e.Kind
		}
		return a, nil
	}
	if c := capitalise(query); c != query {
		if out, ids, _ := rd.RedactName(c); len(ids) > 0 {
			return &PseudonymAnswer{Written: strings.TrimSpace(query), Matched: dedupe(ids), AsWord: true, AsName: out}, nil
		}
	}
	p, _, err := s.PseudonymFor(ctx, query, kind)
	if err != nil {
		return nil, err
	}
	return &PseudonymAnswer{Written: p.String(), Hypothetical: true, Kind: kind}, nil
}

// capitalise upper-cases the first letter of every word.
func capitalise(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

// EntityByHandle finds a participant (as a person), an entity or a meeting.
func (c *Catalog) EntityByHandle(h string) *redact.Entity {
	for _, e := range c.dictionary() {
		if strings.EqualFold(e.ID, h) { // handles are case-insensitive on input
			return &e
		}
	}
	return nil
}
