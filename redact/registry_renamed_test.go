package redact

import "testing"

func TestRegistryRenamed(t *testing.T) {
	r, err := NewRegistryLocale(LocaleEN)
	if err != nil {
		t.Fatal(err)
	}
	derived := Pseudonym{Given: "Walter", Family: "Penrose"}
	r.entries[regKey(KindPerson, canonicalName(KindPerson, "Bramwell Ashdown"))] = RegistryEntry{Kind: KindPerson, Name: canonicalName(KindPerson, "Bramwell Ashdown"), Pseudonym: derived}
	r.Set(KindPlace, "Wexcombe", Pseudonym{Name: "Brackelcote"})
	for _, tc := range []struct {
		name          string
		kind          Kind
		old, new      string
		want          Pseudonym
		explicit      bool
		oldStillThere bool
	}{
		{"derived person keeps pseudonym, stays derived", KindPerson, "Bramwell Ashdown", "Dr Bramwell Ashdown-Vey", derived, false, false},
		{"explicit place stays explicit", KindPlace, "Wexcombe", "Wexcombe Parva", Pseudonym{Name: "Brackelcote"}, true, false},
		{"no entry: unchanged", KindOrg, "Nowhere Trust", "Somewhere Trust", Pseudonym{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := r.Renamed(tc.kind, tc.old, tc.new)
			if c.Locale() != r.Locale() || c.Len() != r.Len() {
				t.Fatalf("locale %q len %d, want %q %d", c.Locale(), c.Len(), r.Locale(), r.Len())
			}
			got, ok := c.Lookup(tc.kind, tc.new)
			if ok != (tc.want != Pseudonym{}) || got != tc.want {
				t.Fatalf("Lookup(new) = %v %v, want %v", got, ok, tc.want)
			}
			if _, ok := c.Lookup(tc.kind, tc.old); ok != tc.oldStillThere {
				t.Errorf("Lookup(old) found %v", ok)
			}
			for _, e := range c.Entries() {
				if e.Kind == tc.kind && e.Pseudonym == tc.want && e.Explicit != tc.explicit {
					t.Errorf("explicit = %v, want %v", e.Explicit, tc.explicit)
				}
			}
			if _, ok := r.Lookup(tc.kind, tc.old); !ok && tc.want != (Pseudonym{}) {
				t.Error("the original registry changed")
			}
		})
	}
}
