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
	"sync"

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
	locale  string // "" = LocaleEN, the lists of registries made before locales
}

// NewRegistry returns an empty registry drawing from the LocaleEN lists
// (as every registry did before locales existed).
func NewRegistry() *Registry { return &Registry{entries: make(map[string]RegistryEntry)} }

// NewRegistryLocale returns an empty registry drawing person pseudonyms
// from the lists of locale.
func NewRegistryLocale(locale string) (*Registry, error) {
	if !ValidLocale(locale) {
		return nil, fmt.Errorf("unknown locale %q (one of %s)", locale, strings.Join(Locales(), ", "))
	}
	r := NewRegistry()
	if locale != LocaleEN {
		r.locale = locale
	}
	return r, nil
}

// Locale returns the locale the registry draws new pseudonyms from.
func (r *Registry) Locale() string {
	if r == nil || r.locale == "" {
		return LocaleEN
	}
	return r.locale
}

// Without returns a copy of the registry without the entry of (kind, name),
// so that a new pseudonym can be given.
func (r *Registry) Without(kind Kind, name string) *Registry {
	c := r.Clone()
	delete(c.entries, regKey(kind, canonicalName(kind, name)))
	return c
}

// Renamed returns a copy of the registry in which the entry of (kind, old)
// belongs to the new name, as it was (pseudonym, explicit or derived): a
// corrected name keeps the pseudonym already given. Without an entry for
// old it returns an unchanged copy.
func (r *Registry) Renamed(kind Kind, old, name string) *Registry {
	c := r.Clone()
	e, ok := c.entries[regKey(kind, canonicalName(kind, old))]
	if !ok {
		return c
	}
	delete(c.entries, regKey(kind, canonicalName(kind, old)))
	e.Name = canonicalName(kind, name)
	c.entries[regKey(kind, e.Name)] = e
	return c
}

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
	Locale  string          `json:"locale,omitempty"`
	Entries []RegistryEntry `json:"entries"`
}

const registryVersion = 1

// MarshalJSON encodes the registry with a format version.
func (r *Registry) MarshalJSON() ([]byte, error) {
	return json.Marshal(registryJSON{Version: registryVersion, Locale: r.locale, Entries: r.Entries()})
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
	if v.Locale != "" && (!ValidLocale(v.Locale) || v.Locale == LocaleEN) {
		return fmt.Errorf("%w: unknown locale %q", ErrRegistryFormat, v.Locale)
	}
	r.locale = v.Locale
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
		kind        Kind
		name        string
		familyFirst bool // the given name, whose gender picks the list, is last
	}
	var todo []missing
	seen := make(map[string]bool)
	for _, e := range entities {
		if err := validate(e); err != nil {
			return err
		}
		for _, a := range entityAliases(e) {
			if a.variant && reg.locale == "" {
				// Registries from before locales derive as they always
				// did; newer ones also avoid the words of variants (so a
				// surname part such as "Hale" stays matchable alone).
				continue
			}
			for _, w := range strings.Fields(a.text) {
				avoid[NormaliseName(w)] = true
			}
		}
	}
	for _, e := range entities {
		name := canonicalName(e.Kind, e.Name)
		key := regKey(e.Kind, name)
		if e.Pseudonym != "" {
			p := entityPseudonym(e)
			reg.entries[key] = RegistryEntry{Kind: e.Kind, Name: name, Pseudonym: p, Explicit: true}
			continue
		}
		if _, ok := reg.entries[key]; ok || seen[key] {
			continue
		}
		seen[key] = true
		todo = append(todo, missing{e.Kind, name, e.FamilyFirst})
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
	used := newUsedSet(reg, avoid)
	added := make(map[string]RegistryEntry, len(todo))
	for i, m := range todo {
		if len(macs[i]) < 16 {
			return fmt.Errorf("computing pseudonym keys: result %d is %d bytes, want 32", i+1, len(macs[i]))
		}
		p, err := derive(m.kind, m.name, m.familyFirst, macs[i], used, avoid)
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

// personNames numbers the distinct normalised given and family names of
// one locale's candidate lists, so that stepping through candidates looks
// up slices instead of normalising each name again.
type personNames struct {
	lists                 [3][]string      // givenAll, givenFemale, givenMale of the locale
	familyList            []string         // family names of the locale
	givenID               map[string]int32 // normalised given name → id
	givenNorm             []string         // id → normalised name
	given                 [3][]int32       // ids of lists[0], [1], [2]
	givenCount            [3][]int32       // by id: how often in each of those lists
	familyID              map[string]int32
	familyNorm            []string
	family                []int32 // ids of familyList
	givenJoin, familyJoin []bool  // by id: joining with a space commutes with NormaliseName
}

// The lists a given name is picked from: all, or by the gender the real
// given name has in the legacy (en) lists.
const (
	listAll = iota
	listFemale
	listMale
)

func newPersonNames(lists [3][]string, family []string) *personNames {
	ix := &personNames{lists: lists, familyList: family, givenID: map[string]int32{}, familyID: map[string]int32{}}
	ids := func(list []string, byName map[string]int32, norms *[]string, join *[]bool) []int32 {
		out := make([]int32, len(list))
		for i, n := range list {
			nn := NormaliseName(n)
			id, ok := byName[nn]
			if !ok {
				id = int32(len(*norms))
				byName[nn] = id
				*norms = append(*norms, nn)
				*join = append(*join, nn != "" && NormaliseName("a "+n) == "a "+nn && NormaliseName(n+" a") == nn+" a")
			}
			out[i] = id
		}
		return out
	}
	for l, list := range lists {
		ix.given[l] = ids(list, ix.givenID, &ix.givenNorm, &ix.givenJoin)
	}
	for l, list := range ix.given {
		ix.givenCount[l] = make([]int32, len(ix.givenNorm))
		for _, id := range list {
			ix.givenCount[l][id]++
		}
	}
	ix.family = ids(family, ix.familyID, &ix.familyNorm, &ix.familyJoin)
	return ix
}

// usedSet records the pseudonyms taken so far in one Assign.
type usedSet struct {
	ix           *personNames
	family, full map[string]bool // normalised family names; kind ":" normalised full form
	freeFamilies int             // family names not excluded as alias words
	// By id of personIndex: taken as a given or family name, or excluded
	// as a word of an alias.
	givenUsed, givenAvoid   []bool
	familyUsed, familyAvoid []bool
	givenFree               [3]int // by list: names neither taken nor avoided
	buf                     []byte
}

func newUsedSet(reg *Registry, avoid map[string]bool) *usedSet {
	ix := personIndex(reg.locale)
	u := &usedSet{ix: ix, family: map[string]bool{}, full: map[string]bool{},
		givenUsed: make([]bool, len(ix.givenNorm)), givenAvoid: make([]bool, len(ix.givenNorm)),
		familyUsed: make([]bool, len(ix.familyNorm)), familyAvoid: make([]bool, len(ix.familyNorm))}
	for id, n := range ix.givenNorm {
		u.givenAvoid[id] = avoid[n]
	}
	for id, n := range ix.familyNorm {
		u.familyAvoid[id] = avoid[n]
	}
	for l, list := range ix.given {
		for _, id := range list {
			if !u.givenAvoid[id] {
				u.givenFree[l]++
			}
		}
	}
	for _, id := range ix.family {
		if !u.familyAvoid[id] {
			u.freeFamilies++
		}
	}
	for _, e := range reg.entries {
		u.add(e.Kind, e.Pseudonym)
	}
	return u
}

func (u *usedSet) add(k Kind, p Pseudonym) {
	if k == KindPerson {
		if id, ok := u.ix.givenID[NormaliseName(p.Given)]; ok && !u.givenUsed[id] {
			u.givenUsed[id] = true
			if !u.givenAvoid[id] {
				for l := range u.givenFree {
					u.givenFree[l] -= int(u.ix.givenCount[l][id])
				}
			}
		}
		nf := NormaliseName(p.Family)
		u.family[nf] = true
		if id, ok := u.ix.familyID[nf]; ok {
			u.familyUsed[id] = true
		}
	}
	u.full[string(k)+":"+strings.TrimPrefix(NormaliseName(p.String()), "the ")] = true
}

// fullPerson reports whether the person pseudonym g f (given and family
// names with the ids gid and fid) is taken.
func (u *usedSet) fullPerson(g, f string, gid, fid int32) bool {
	if !u.ix.givenJoin[gid] || !u.ix.familyJoin[fid] {
		return u.full["person:"+NormaliseName(g+" "+f)]
	}
	u.buf = append(append(append(append(u.buf[:0], "person:"...), u.ix.givenNorm[gid]...), ' '), u.ix.familyNorm[fid]...)
	return u.full[string(u.buf)]
}

// derive picks the pseudonym for one entity from its MAC.
func derive(k Kind, name string, familyFirst bool, mac []byte, used *usedSet, avoid map[string]bool) (Pseudonym, error) {
	a := binary.BigEndian.Uint64(mac[0:8])
	b := binary.BigEndian.Uint64(mac[8:16])
	if k == KindPerson {
		ix := used.ix
		l := 0
		_, first, _ := splitPersonOrder(strings.Fields(name), familyFirst)
		if familyFirst {
			first = lastWord(first)
		}
		switch genderOf[first] {
		case &givenFemale:
			l = listFemale
		case &givenMale:
			l = listMale
		}
		givenList, ids := ix.lists[l], ix.given[l]
		gi := -1
		if used.givenFree[l] > 0 {
			gi = pick(len(ids), a, func(i int) bool { return !used.givenUsed[ids[i]] && !used.givenAvoid[ids[i]] })
		}
		if gi < 0 {
			gi = pick(len(ids), a, func(i int) bool { return !used.givenAvoid[ids[i]] })
		}
		if gi < 0 {
			return Pseudonym{}, fmt.Errorf("%w for kind %s", ErrExhausted, k)
		}
		g, gid := givenList[gi], ids[gi]
		familyNames := ix.familyList
		f0 := int(b % uint64(len(familyNames)))
		for i := range len(familyNames) {
			fi := (f0 + i) % len(familyNames)
			fid := ix.family[fi]
			if used.familyAvoid[fid] {
				continue
			}
			if used.familyUsed[fid] && len(used.family) < used.freeFamilies {
				continue
			}
			if used.fullPerson(g, familyNames[fi], gid, fid) {
				continue
			}
			return Pseudonym{Given: g, Family: familyNames[fi]}, nil
		}
		return Pseudonym{}, fmt.Errorf("%w for kind %s", ErrExhausted, k)
	}
	nx := neutralIndex(k)
	n := len(nx.norm)
	start := int(a % uint64(n))
	for round := 1; round < 1000; round++ {
		suffix, roundBad := "", false
		if round > 1 {
			suffix = strconv.Itoa(round)
			roundBad = avoid[suffix] && !fixedWords[suffix]
			suffix = " " + suffix
		}
		for i := range n {
			j := (start + i) % n
			bad := roundBad
			for _, nw := range nx.words[j] {
				if avoid[nw] && !fixedWords[nw] {
					bad = true
				}
			}
			if !bad {
				used.buf = append(append(append(append(used.buf[:0], k...), ':'), nx.norm[j]...), suffix...)
				bad = used.full[string(used.buf)]
			}
			if !bad {
				article := ""
				if k == KindOrg && strings.HasPrefix(name, "the ") {
					article = "The " // "The Wexcombe Larder" → "The Alder Trust"
				}
				return Pseudonym{Name: article + neutralName(k, j) + suffix}, nil
			}
		}
	}
	return Pseudonym{}, fmt.Errorf("%w for kind %s", ErrExhausted, k)
}

// neutralNames holds the candidates of one kind other than person,
// normalised, and the normalised words of each.
type neutralNames struct {
	norm  []string
	words [][]string
}

var neutralIndexes = func() map[Kind]func() *neutralNames {
	m := map[Kind]func() *neutralNames{}
	for _, k := range []Kind{KindPlace, KindOrg, KindMeeting, KindOther} {
		m[k] = sync.OnceValue(func() *neutralNames {
			n := neutralCandidates(k)
			nx := &neutralNames{norm: make([]string, n), words: make([][]string, n)}
			for i := range n {
				c := neutralName(k, i)
				if !isASCII(c) || strings.Join(strings.Fields(c), " ") != c {
					// The round suffix is appended to the normalised form.
					panic("redact: neutral candidate is not plain ASCII")
				}
				nx.norm[i] = NormaliseName(c)
				for _, w := range strings.Fields(c) {
					nx.words[i] = append(nx.words[i], NormaliseName(w))
				}
			}
			return nx
		})
	}
	return m
}()

func neutralIndex(k Kind) *neutralNames { return neutralIndexes[k]() }

// fixedWords are the fixed parts of the neutral forms ("Meeting", "Trust").
var fixedWords = func() map[string]bool {
	m := map[string]bool{"meeting": true, "item": true}
	for _, f := range orgForms {
		m[NormaliseName(f)] = true
	}
	return m
}()

// pick returns the first index i of n, from h mod n round, for which ok
// holds, or -1.
func pick(n int, h uint64, ok func(int) bool) int {
	start := int(h % uint64(n))
	for i := range n {
		if j := (start + i) % n; ok(j) {
			return j
		}
	}
	return -1
}

// Clone returns an independent copy of the registry.
func (r *Registry) Clone() *Registry {
	c := NewRegistry()
	if r == nil {
		return c
	}
	c.locale = r.locale
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
