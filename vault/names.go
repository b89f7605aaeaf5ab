package vault

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/fieldvault/fieldvault/redact"
)

// checkAliases refuses an alias with fewer than two letters: "A" or "I"
// would rewrite ordinary words everywhere. "!Part" aliases switch a part
// off and are not matched, so they are not checked.
func checkAliases(what, handle string, aliases []string) error {
	for i, a := range aliases {
		a = strings.TrimSpace(a)
		if strings.HasPrefix(a, "!") {
			continue
		}
		a = strings.TrimPrefix(a, "=")
		n := 0
		for _, r := range a {
			if unicode.IsLetter(r) {
				n++
			}
		}
		if n < 2 {
			return fmt.Errorf("%w: alias %d of %s %s has fewer than two letters; such an alias would rewrite ordinary words, so it is refused", ErrInvalid, i+1, what, handle)
		}
	}
	return nil
}

// checkPseudonyms refuses a change to the register that would give two
// entries one pseudonym, or make a pseudonym someone's name or alias (or
// the other way round). changed holds the handles just added or edited.
func (c *Catalog) checkPseudonyms(set map[string]bool) error {
	if err := redact.CheckPseudonyms(c.dictionary(), c.Pseudonyms, set); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// NameWarnings says, for a name about to be registered, which of its parts
// are ordinary English words and what that means for matching. The lines
// name the parts: they are for the researcher's terminal only.
func NameWarnings(kind redact.Kind, name string, aliases []string) []string {
	parts := redact.CommonParts(redact.Entity{Kind: kind, Name: name, Aliases: aliases})
	if len(parts) == 0 {
		return nil
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = fmt.Sprintf("%q", p)
	}
	return []string{
		fmt.Sprintf("%s %s", strings.Join(q, ", "), map[bool]string{true: "is also an ordinary English word", false: "are also ordinary English words"}[len(q) == 1]),
		"  it is replaced only where capitalised and not at the start of a sentence, or beside another part of the name or a title (\"Mrs Hope\"), or as a speaker label;",
		"  the lower-case word is never replaced, and a capitalised one at a sentence start is reported by the exit's scan, not replaced",
	}
}

// SharedNames lists the groups of handles that share a name, an alias or a
// distinctive word of a place or organisation, for the groups that hold
// one of handles. In each group the first handle's pseudonym is what a
// shared form standing alone becomes.
func (s *Study) SharedNames(handles ...string) ([][]string, error) {
	_, rd, err := s.Redactor()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, g := range rd.Ambiguities() {
		for _, h := range handles {
			if slices.Contains(g, h) {
				out = append(out, g)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(strings.Join(a, " "), strings.Join(b, " ")) })
	return slices.CompactFunc(out, slices.Equal), nil
}

// Redactor reads the catalogue and compiles its matcher.
func (s *Study) Redactor() (*Catalog, *redact.Redactor, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, nil, err
	}
	rd, err := cat.Redactor()
	if err != nil {
		return nil, nil, err
	}
	return cat, rd, nil
}

// settlePseudonyms gives the names just registered (changed) their
// pseudonyms and checks them against everyone else's. A generated pseudonym
// drawn earlier that is one of the new names (a participant's pseudonym
// "Amy" before a participant called Amy joined) is drawn again, so long as
// nothing has left the study yet: no pseudonym has been seen outside it,
// and the registry fixes every pseudonym from the first exit on. After the
// first exit the clash is refused with one line (checkPseudonyms).
func (s *Study) settlePseudonyms(tx *Tx, changed ...string) error {
	if err := s.assignPseudonyms(tx); err != nil {
		return err
	}
	set := make(map[string]bool, len(changed))
	for _, h := range changed {
		set[h] = true
	}
	if len(tx.Cat.Exits) == 0 {
		clash := redact.Clashing(tx.Cat.dictionary(), tx.Cat.Pseudonyms, set)
		for _, e := range clash {
			tx.Cat.Pseudonyms = tx.Cat.Pseudonyms.Without(e.Kind, e.Name)
		}
		if len(clash) > 0 {
			if err := s.assignPseudonyms(tx); err != nil {
				return err
			}
			handles := make([]string, len(clash))
			for i, e := range clash {
				handles[i] = e.ID
			}
			tx.Audit(Entry{Action: "pseudonym-redraw", Handles: handles, Detail: map[string]string{"reason": "clash with a name registered before any exit"}})
		}
	}
	return tx.Cat.checkPseudonyms(set)
}
