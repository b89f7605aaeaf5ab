package redact

import (
	"errors"
	"fmt"
)

// ErrPseudonymTaken reports a pseudonym that would stand for two people, or
// that is someone's real name or alias. The error names entity IDs only.
var ErrPseudonymTaken = errors.New("pseudonym not available")

// CheckPseudonyms checks the entities whose IDs are in changed (just added
// or edited) against all of them: a pseudonym (chosen, or fixed in reg)
// must not be another entity's pseudonym of the same kind, nor the name or
// an alias of any entity (its own included), and a name or alias must not
// be another entity's pseudonym. Otherwise an exit could not tell who is
// who, and the redactor would refuse the dictionary (ErrPseudonymConflict).
func CheckPseudonyms(entities []Entity, reg *Registry, changed map[string]bool) error {
	pseud := make([]Pseudonym, len(entities))
	full := map[string][]int{}  // full pseudonym view → entities
	forms := map[string][]int{} // any form of a pseudonym → entities
	aliases := map[string]int{} // name or alias view → first entity
	for i, e := range entities {
		if e.Pseudonym != "" {
			pseud[i] = entityPseudonym(e)
		} else {
			pseud[i], _ = reg.Lookup(e.Kind, e.Name)
		}
		if v := MatchView(pseud[i].String()); v != "" {
			full[v] = append(full[v], i)
		}
		for _, f := range []string{pseud[i].String(), pseud[i].Given, pseud[i].Family} {
			if v := MatchView(f); v != "" {
				forms[v] = append(forms[v], i)
			}
		}
		for _, a := range entityAliases(e) {
			if a.off || a.variant {
				continue
			}
			if v := MatchView(a.text); v != "" {
				if _, ok := aliases[v]; !ok || changed[e.ID] {
					aliases[v] = i
				}
			}
		}
	}
	for i, e := range entities {
		if !changed[e.ID] {
			continue
		}
		for _, o := range full[MatchView(pseud[i].String())] {
			if o != i && entities[o].Kind == e.Kind {
				if e.Pseudonym == "" && MatchView(e.Name) == MatchView(entities[o].Name) {
					// The same name derives the same pseudonym: most likely
					// one person registered twice.
					return fmt.Errorf("%w: %s has the same name as %s (registered twice?); use %s, or if they are two people give %s its own --pseudonym and aliases that tell them apart", ErrPseudonymTaken, e.ID, entities[o].ID, entities[o].ID, e.ID)
				}
				return fmt.Errorf("%w: the pseudonym of %s is already the pseudonym of %s; choose another pseudonym", ErrPseudonymTaken, e.ID, entities[o].ID)
			}
		}
		p := pseud[i]
		for _, f := range []string{p.String(), p.Given, p.Family} {
			if o, ok := aliases[MatchView(f)]; ok && f != "" {
				if o == i {
					return fmt.Errorf("%w: the pseudonym of %s is its own name or alias; choose another pseudonym", ErrPseudonymTaken, e.ID)
				}
				return fmt.Errorf("%w: the pseudonym of %s is the name or an alias of %s; choose another pseudonym", ErrPseudonymTaken, e.ID, entities[o].ID)
			}
		}
		for _, a := range entityAliases(e) {
			if a.off || a.variant {
				continue
			}
			for _, o := range forms[MatchView(a.text)] {
				if o != i {
					return fmt.Errorf("%w: the name or an alias of %s is the pseudonym of %s; if they are one person, add the name as an alias there, otherwise change that pseudonym first", ErrPseudonymTaken, e.ID, entities[o].ID)
				}
			}
		}
	}
	return nil
}

// Clashing lists the entities not in changed whose generated pseudonym (not
// a chosen one) has a form — the whole, the given or the family name — equal
// to a name or alias of an entity in changed. Such a pseudonym was drawn
// before the new name was registered; while it has not left the study it
// can be drawn again (Registry.Without, then Assign), which avoids the new
// name.
func Clashing(entities []Entity, reg *Registry, changed map[string]bool) []Entity {
	names := map[string]bool{}
	for _, e := range entities {
		if !changed[e.ID] {
			continue
		}
		for _, a := range entityAliases(e) {
			if !a.off && !a.variant {
				if v := MatchView(a.text); v != "" {
					names[v] = true
				}
			}
		}
	}
	var out []Entity
	for _, e := range entities {
		if changed[e.ID] || e.Pseudonym != "" {
			continue
		}
		p, ok := reg.Lookup(e.Kind, e.Name)
		if !ok {
			continue
		}
		for _, f := range []string{p.String(), p.Given, p.Family} {
			if f != "" && names[MatchView(f)] {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
