package redact

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestLocaleLists: an en-GB registry draws person pseudonyms from the
// en-GB lists and keeps its locale through JSON; a registry without a
// locale (every vault made before locales) stays on the en lists.
func TestLocaleLists(t *testing.T) {
	gb := personIndex(LocaleGB)
	if len(gb.lists[listAll]) < 1000 || len(gb.familyList) < 150 {
		t.Fatalf("en-GB lists: %d given, %d family names", len(gb.lists[listAll]), len(gb.familyList))
	}
	for _, n := range append(slices.Clone(gb.lists[listAll]), gb.familyList...) {
		if IsCommonWord(n) {
			t.Errorf("en-GB name %q is an ordinary word", n)
		}
	}
	var ents []Entity
	for i := range 200 {
		ents = append(ents, Entity{ID: fmt.Sprintf("P%03d", i), Kind: KindPerson, Name: fmt.Sprintf("Person%d Example%d", i, i)})
	}
	reg, err := NewRegistryLocale(LocaleGB)
	if err != nil {
		t.Fatal(err)
	}
	if err := Assign(context.Background(), testKey(t, 3), reg, ents); err != nil {
		t.Fatal(err)
	}
	for _, e := range reg.Entries() {
		if !slices.Contains(gb.lists[listAll], e.Pseudonym.Given) || !slices.Contains(gb.familyList, e.Pseudonym.Family) {
			t.Errorf("%s: %q is not drawn from the en-GB lists", e.Name, e.Pseudonym)
		}
	}
	b, err := json.Marshal(reg)
	if err != nil {
		t.Fatal(err)
	}
	var back Registry
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Locale() != LocaleGB || back.Len() != reg.Len() || back.Clone().Locale() != LocaleGB || back.Without(KindPerson, "x").Locale() != LocaleGB {
		t.Errorf("locale after a JSON round trip = %q", back.Locale())
	}
	legacy := NewRegistry()
	if b, _ := json.Marshal(legacy); strings.Contains(string(b), "locale") || legacy.Locale() != LocaleEN {
		t.Errorf("a registry without a locale changed: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"version":1,"locale":"xx-YY","entries":[]}`), &back); err == nil {
		t.Error("unknown locale accepted")
	}
	if _, err := NewRegistryLocale("fr"); err == nil {
		t.Error("NewRegistryLocale(fr) accepted")
	}
}

// TestOrgArticle: an organisation named with "The" gets a pseudonym with
// "The", and "the" as written stays lower-case in running text.
func TestOrgArticle(t *testing.T) {
	ents := []Entity{
		{ID: "E1", Kind: KindOrg, Name: "The Wexcombe Larder"},
		{ID: "E2", Kind: KindOrg, Name: "Brindle Rovers"},
	}
	reg := NewRegistry()
	if err := Assign(context.Background(), testKey(t, 5), reg, ents); err != nil {
		t.Fatal(err)
	}
	p1, _ := reg.Lookup(KindOrg, "The Wexcombe Larder")
	p2, _ := reg.Lookup(KindOrg, "Brindle Rovers")
	if !strings.HasPrefix(p1.Name, "The ") || strings.HasPrefix(p2.Name, "The ") {
		t.Fatalf("pseudonyms %q and %q", p1, p2)
	}
	r, err := Compile(ents, reg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Redact("We went to the Wexcombe Larder."), "We went to the "+strings.TrimPrefix(p1.Name, "The ")+"."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestOrgAliasArticle: an alias written with its article ("the Council")
// is matched with the article in lower case, and the pseudonym takes the
// article as the form had it; an alias without one takes none.
func TestOrgAliasArticle(t *testing.T) {
	ents := []Entity{
		{ID: "E1", Kind: KindOrg, Name: "Wexcombe Borough Council", Aliases: []string{"the Council"}},
		{ID: "E2", Kind: KindOrg, Name: "The Wexcombe Larder", Aliases: []string{"Larder"}},
	}
	reg := NewRegistry()
	if err := Assign(context.Background(), testKey(t, 7), reg, ents); err != nil {
		t.Fatal(err)
	}
	r, err := Compile(ents, reg)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := reg.Lookup(KindOrg, "Wexcombe Borough Council")
	p2, _ := reg.Lookup(KindOrg, "The Wexcombe Larder")
	bare2 := strings.TrimPrefix(p2.Name, "The ")
	tests := []struct{ in, want string }{
		{"We see people the Council never sees.", "We see people the " + p1.Name + " never sees."},
		{"We see people the council never sees.", "We see people the council never sees."},
		{"She phoned Larder staff.", "She phoned " + bare2 + " staff."},
		{"The Wexcombe Larder opened.", p2.Name + " opened."},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := r.Redact(r.Redact(tt.in)); again != r.Redact(tt.in) {
			t.Errorf("not idempotent on %q: %q", tt.in, again)
		}
	}
}
