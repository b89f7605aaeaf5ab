package redact

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// RegistryEntry is one fixed pseudonym. Name is the normalised canonical
// name (see NormaliseName).
type RegistryEntry struct {
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	Pseudonym Pseudonym `json:"pseudonym"`
	// Explicit records that a researcher chose the pseudonym.
	Explicit bool `json:"explicit,omitempty"`
}

// Registry fixes pseudonyms once given, so a pseudonym never changes. It is
// JSON-serialisable; the vault stores it (encrypted) in its catalogue. The
// zero value is an empty registry. A Registry is not safe for concurrent
// mutation.
//
// Family names are unique among persons while any is free (after that only
// the full name is unique); given names likewise.
type Registry struct {
	entries map[string]RegistryEntry
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{entries: make(map[string]RegistryEntry)} }

func regKey(kind Kind, normName string) string { return string(kind) + ":" + normName }

// Lookup returns the pseudonym fixed for the entity of this kind and name
// (any case, spacing or normalisation form of the name).
func (r *Registry) Lookup(kind Kind, name string) (Pseudonym, bool) {
	if r == nil {
		return Pseudonym{}, false
	}
	e, ok := r.entries[regKey(kind, canonicalName(kind, name))]
	return e.Pseudonym, ok
}

// Set fixes p as the pseudonym of the named entity, as an explicit choice.
func (r *Registry) Set(kind Kind, name string, p Pseudonym) {
	n := canonicalName(kind, name)
	if r.entries == nil {
		r.entries = make(map[string]RegistryEntry)
	}
	r.entries[regKey(kind, n)] = RegistryEntry{Kind: kind, Name: n, Pseudonym: p, Explicit: true}
}

// Entries returns the registry's entries sorted by kind and name.
func (r *Registry) Entries() []RegistryEntry {
	out := make([]RegistryEntry, 0, len(r.entries))
	for _, e := range r.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Len returns the number of fixed pseudonyms.
func (r *Registry) Len() int { return len(r.entries) }

type registryJSON struct {
	Version int             `json:"version"`
	Entries []RegistryEntry `json:"entries"`
}

const registryVersion = 1

// MarshalJSON encodes the registry with a format version.
func (r *Registry) MarshalJSON() ([]byte, error) {
	return json.Marshal(registryJSON{Version: registryVersion, Entries: r.Entries()})
}

// ErrRegistryFormat reports a registry that cannot be decoded.
var ErrRegistryFormat = errors.New("invalid pseudonym registry")

// UnmarshalJSON decodes a registry written by MarshalJSON.
func (r *Registry) UnmarshalJSON(b []byte) error {
	var v registryJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%w: %w", ErrRegistryFormat, err)
	}
	if v.Version != registryVersion {
		return fmt.Errorf("%w: unsupported version %d", ErrRegistryFormat, v.Version)
	}
	r.entries = make(map[string]RegistryEntry, len(v.Entries))
	for i, e := range v.Entries {
		if !e.Kind.Valid() || e.Name == "" || e.Pseudonym.isZero() {
			return fmt.Errorf("%w: entry %d is incomplete", ErrRegistryFormat, i+1)
		}
		k := regKey(e.Kind, e.Name)
		if _, dup := r.entries[k]; dup {
			return fmt.Errorf("%w: entry %d repeats an earlier one", ErrRegistryFormat, i+1)
		}
		r.entries[k] = e
	}
	return nil
}

// canonicalName is the normalised canonical name; for persons leading titles
// are dropped so "Dr Carol Smith" and "Carol Smith" are one person.
func canonicalName(kind Kind, name string) string {
	if kind == KindPerson {
		words := strings.Fields(norm.NFC.String(name))
		for len(words) > 1 && isTitle(words[0]) {
			words = words[1:]
		}
		name = strings.Join(words, " ")
	}
	return NormaliseName(name)
}

// HMACMessage returns the message that is keyed for an entity: kind ":"
// normalised canonical name.
func HMACMessage(kind Kind, name string) []byte {
	return []byte(string(kind) + ":" + canonicalName(kind, name))
}

// Errors returned by Assign and Compile; they name entity IDs, never names.
var (
	ErrInvalidEntity = errors.New("invalid entity")
	ErrExhausted     = errors.New("no free pseudonym left")
)

func validate(e Entity) error {
	if !e.Kind.Valid() {
		return fmt.Errorf("%w %s: unknown kind %q", ErrInvalidEntity, e.ID, string(e.Kind))
	}
	if canonicalName(e.Kind, e.Name) == "" {
		return fmt.Errorf("%w %s: empty name", ErrInvalidEntity, e.ID)
	}
	return nil
}

// Assign gives every entity not yet in the registry its pseudonym, calling
// k.HMAC exactly once for all missing names (not at all if none is missing),
// with messages kind ":" normalised canonical name. Explicit Pseudonym
// overrides are recorded (and replace a derived entry). A derived candidate
// that collides with a pseudonym already in the registry, or that is a word
// of any alias in entities, steps to the next candidate. Missing names are
// assigned in order of their messages, so the result does not depend on the
// order of entities.
func Assign(ctx context.Context, k Keyer, reg *Registry, entities []Entity) error {
	if reg == nil {
		return errors.New("assign pseudonyms: nil registry")
	}
	if reg.entries == nil {
		reg.entries = make(map[string]RegistryEntry)
	}
	avoid := make(map[string]bool)
	type missing struct {
		kind Kind
		name string
	}
	var todo []missing
	seen := make(map[string]bool)
	for _, e := range entities {
		if err := validate(e); err != nil {
			return err
		}
		for _, a := range entityAliases(e) {
			for _, w := range strings.Fields(a.text) {
				avoid[NormaliseName(w)] = true
			}
		}
	}
	for _, e := range entities {
		name := canonicalName(e.Kind, e.Name)
		key := regKey(e.Kind, name)
		if e.Pseudonym != "" {
			p := parsePseudonym(e.Kind, e.Pseudonym)
			reg.entries[key] = RegistryEntry{Kind: e.Kind, Name: name, Pseudonym: p, Explicit: true}
			continue
		}
		if _, ok := reg.entries[key]; ok || seen[key] {
			continue
		}
		seen[key] = true
		todo = append(todo, missing{e.Kind, name})
	}
	if len(todo) == 0 {
		return nil
	}
	sort.Slice(todo, func(i, j int) bool { return regKey(todo[i].kind, todo[i].name) < regKey(todo[j].kind, todo[j].name) })
	msgs := make([][]byte, len(todo))
	for i, m := range todo {
		msgs[i] = []byte(regKey(m.kind, m.name))
	}
	macs, err := k.HMAC(ctx, msgs)
	if err != nil {
		return fmt.Errorf("computing pseudonym keys: %w", err)
	}
	if len(macs) != len(msgs) {
		return fmt.Errorf("computing pseudonym keys: keyer returned %d results for %d messages", len(macs), len(msgs))
	}
	used := newUsedSet(reg)
	used.freeFamilies = 0
	for _, f := range familyNames {
		if !avoid[NormaliseName(f)] {
			used.freeFamilies++
		}
	}
	added := make(map[string]RegistryEntry, len(todo))
	for i, m := range todo {
		if len(macs[i]) < 16 {
			return fmt.Errorf("computing pseudonym keys: result %d is %d bytes, want 32", i+1, len(macs[i]))
		}
		p, err := derive(m.kind, m.name, macs[i], used, avoid)
		if err != nil {
			return err
		}
		used.add(m.kind, p)
		added[regKey(m.kind, m.name)] = RegistryEntry{Kind: m.kind, Name: m.name, Pseudonym: p}
	}
	for key, e := range added { // commit only when every name succeeded
		reg.entries[key] = e
	}
	return nil
}

type usedSet struct {
	given, family, full map[string]bool
	freeFamilies        int // family names not excluded as alias words
}

func newUsedSet(reg *Registry) *usedSet {
	u := &usedSet{given: map[string]bool{}, family: map[string]bool{}, full: map[string]bool{}}
	for _, e := range reg.entries {
		u.add(e.Kind, e.Pseudonym)
	}
	return u
}

func (u *usedSet) add(k Kind, p Pseudonym) {
	if k == KindPerson {
		u.given[NormaliseName(p.Given)] = true
		u.family[NormaliseName(p.Family)] = true
	}
	u.full[string(k)+":"+NormaliseName(p.String())] = true
}

// derive picks the pseudonym for one entity from its MAC.
func derive(k Kind, name string, mac []byte, used *usedSet, avoid map[string]bool) (Pseudonym, error) {
	a := binary.BigEndian.Uint64(mac[0:8])
	b := binary.BigEndian.Uint64(mac[8:16])
	if k == KindPerson {
		givenList := givenAll
		_, first, _ := splitPerson(strings.Fields(name))
		if l, ok := genderOf[first]; ok {
			givenList = *l
		}
		g, ok := pick(givenList, a, func(s string) bool { return !used.given[NormaliseName(s)] && !avoid[NormaliseName(s)] })
		if !ok {
			g, ok = pick(givenList, a, func(s string) bool { return !avoid[NormaliseName(s)] })
		}
		if !ok {
			return Pseudonym{}, fmt.Errorf("%w for kind %s", ErrExhausted, k)
		}
		f0 := int(b % uint64(len(familyNames)))
		for i := range len(familyNames) {
			f := familyNames[(f0+i)%len(familyNames)]
			nf := NormaliseName(f)
			if avoid[nf] || used.full["person:"+NormaliseName(g+" "+f)] {
				continue
			}
			if used.family[nf] && len(used.family) < used.freeFamilies {
				continue
			}
			return Pseudonym{Given: g, Family: f}, nil
		}
		return Pseudonym{}, fmt.Errorf("%w for kind %s", ErrExhausted, k)
	}
	n := neutralCandidates(k)
	start := int(a % uint64(n))
	for round := 1; round < 1000; round++ {
		for i := range n {
			c := neutralName(k, (start+i)%n)
			if round > 1 {
				c += " " + strconv.Itoa(round)
			}
			bad := used.full[string(k)+":"+NormaliseName(c)]
			for _, w := range strings.Fields(c) {
				if nw := NormaliseName(w); avoid[nw] && !fixedWords[nw] {
					bad = true
				}
			}
			if !bad {
				return Pseudonym{Name: c}, nil
			}
		}
	}
	return Pseudonym{}, fmt.Errorf("%w for kind %s", ErrExhausted, k)
}

// fixedWords are the fixed parts of the neutral forms ("Meeting", "Trust").
var fixedWords = func() map[string]bool {
	m := map[string]bool{"meeting": true, "item": true}
	for _, f := range orgForms {
		m[NormaliseName(f)] = true
	}
	return m
}()

func pick(list []string, h uint64, ok func(string) bool) (string, bool) {
	start := int(h % uint64(len(list)))
	for i := range len(list) {
		if s := list[(start+i)%len(list)]; ok(s) {
			return s, true
		}
	}
	return "", false
}

// Clone returns an independent copy of the registry.
func (r *Registry) Clone() *Registry {
	c := NewRegistry()
	for k, v := range r.entries {
		c.entries[k] = v
	}
	return c
}

// Preview returns the pseudonym e would be given: the registry's if one is
// fixed, otherwise the one Assign would derive now (with one HMAC call).
// The registry is not changed. Used by `fieldvault pseudonym NAME`.
func Preview(ctx context.Context, k Keyer, reg *Registry, e Entity) (Pseudonym, error) {
	c := reg.Clone()
	if err := Assign(ctx, k, c, []Entity{e}); err != nil {
		return Pseudonym{}, err
	}
	p, _ := c.Lookup(e.Kind, e.Name)
	return p, nil
}
