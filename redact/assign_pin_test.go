package redact

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// pinEntities is a large, varied study: synthetic persons (far more than
// there are given or family names, so both lists run out), persons with
// real given names (gendered lists) and with aliases that are list names
// (avoided words), and enough places, organisations, meetings and others to
// need numbered rounds.
func pinEntities(persons int) []Entity {
	var ents []Entity
	for i, n := range benchNames(persons) {
		ents = append(ents, Entity{ID: fmt.Sprintf("P%05d", i), Kind: KindPerson, Name: n})
	}
	for i := range 300 {
		g := givenFemale[(i*7)%len(givenFemale)]
		if i%2 == 1 {
			g = givenMale[(i*11)%len(givenMale)]
		}
		e := Entity{ID: fmt.Sprintf("G%03d", i), Kind: KindPerson, Name: "Dr " + g + " " + familyNames[(i*13)%len(familyNames)]}
		if i%3 == 0 {
			e.Aliases = []string{familyNames[(i*17)%len(familyNames)], givenAll[(i*19)%len(givenAll)]}
		}
		ents = append(ents, e)
	}
	for i := range 160 {
		ents = append(ents,
			Entity{ID: fmt.Sprintf("O%03d", i), Kind: KindOrg, Name: randomName(uint64(i)+7) + " Trust"},
			Entity{ID: fmt.Sprintf("L%03d", i), Kind: KindPlace, Name: randomName(uint64(i) + 77)},
			Entity{ID: fmt.Sprintf("M%03d", i), Kind: KindMeeting, Name: randomName(uint64(i)+777) + " Meeting"},
			Entity{ID: fmt.Sprintf("X%03d", i), Kind: KindOther, Name: randomName(uint64(i) + 7777)})
	}
	ents = append(ents, Entity{ID: "A1", Kind: KindOrg, Name: "Oak Kestrel Fund", Aliases: []string{"Oak", "Kestrel", "Heron"}})
	return ents
}

// registryDigest hashes every entry of reg.
func registryDigest(reg *Registry) string {
	h := sha256.New()
	for _, e := range reg.Entries() {
		fmt.Fprintf(h, "%s:%s=%q|%q|%q\n", e.Kind, e.Name, e.Pseudonym.Given, e.Pseudonym.Family, e.Pseudonym.Name)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestAssignPinned pins pseudonyms derived from fixed keys, so a change to
// how candidates are stepped cannot silently move anyone's pseudonym.
func TestAssignPinned(t *testing.T) {
	zero := keyerFunc(func(msgs [][]byte) [][]byte {
		out := make([][]byte, len(msgs))
		for i := range out {
			out[i] = make([]byte, 32)
		}
		return out
	})
	tests := []struct {
		name    string
		k       Keyer
		persons int
		digest  string
		pins    map[string]string // entity ID → pseudonym
	}{
		{"key11/10k", testKey(t, 11), 10_000, "8ab0821801548263a65b7754b6cdc7bbfb044a1aa3906dc51192136ffb759f2a",
			map[string]string{"P00000": "Jazmyne Leuschke", "P00001": "Ila Baafi", "P00011": "Muhammad Fisher", "A1": "Plover Network"}},
		{"zero/1500", zero, 1_500, "b11662a31d41c9b53f7d8c207cb2af574b686aec3a54a6ed8dc348201a9a317e",
			map[string]string{"P00000": "Isobel Abernathy", "P00001": "Anahi Bonsu", "P00003": "Judy Abernathy", "A1": "Jet Trust"}},
		{"zero/neutral", zero, -2, "7f115bf8b3ad9f062433f7ae8e50038039d54525ff5d8c945e37003aaf2b21c8",
			map[string]string{"E01": "Brackelholt 8", "E02": "Granite Foundation", "M01": "Meeting Foxglove 4", "A1": "Meeting Dunlin 4"}},
		{"study", testKey(t, 1), -1, "bb97d84eed155704a251c77f452ab2020bc5cb31723bd7b1acf508a673848c20",
			map[string]string{"P01": "Wendy Moloi", "P04": "Angeline Amoa", "P06": "Asha Penrose", "E01": "Ambelmoor", "E02": "Egret Forum", "M01": "Meeting Harrier", "E04": "Item Alder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ents := loadStudy(t)
			switch {
			case tt.persons >= 0:
				ents = pinEntities(tt.persons)
			case tt.persons == -2: // more than one round of every neutral list
				ents = append(ents, Entity{ID: "A1", Kind: KindMeeting, Name: "Walnut Wren", Aliases: []string{"2", "Walnut"}})
				for i := range 1_500 {
					ents = append(ents,
						Entity{ID: fmt.Sprintf("L%04d", i), Kind: KindPlace, Name: randomName(uint64(i) + 3)},
						Entity{ID: fmt.Sprintf("O%04d", i), Kind: KindOrg, Name: randomName(uint64(i) + 33)})
				}
				for i := range 300 {
					ents = append(ents,
						Entity{ID: fmt.Sprintf("M%04d", i), Kind: KindMeeting, Name: randomName(uint64(i) + 333)},
						Entity{ID: fmt.Sprintf("X%04d", i), Kind: KindOther, Name: randomName(uint64(i) + 3333)})
				}
			}
			reg := NewRegistry()
			if err := Assign(context.Background(), tt.k, reg, ents); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range ents {
				p, ok := reg.Lookup(e.Kind, e.Name)
				if !ok {
					t.Fatalf("%s: no pseudonym", e.ID)
				}
				if want, ok := tt.pins[e.ID]; ok && p.String() != want {
					t.Errorf("%s: pseudonym %q, want %q", e.ID, p.String(), want)
				}
				if len(got) < 12 || strings.HasPrefix(e.ID, "A") {
					got = append(got, fmt.Sprintf("%q: %q", e.ID, p.String()))
				}
			}
			if d := registryDigest(reg); d != tt.digest {
				t.Errorf("registry digest %s, want %s\nfirst pseudonyms: %s", d, tt.digest, strings.Join(got, ", "))
			}
		})
	}
}

func BenchmarkAssign(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("persons=%d", n), func(b *testing.B) {
			ents := make([]Entity, 0, n)
			for i, name := range benchNames(n) {
				ents = append(ents, Entity{ID: fmt.Sprintf("P%05d", i), Kind: KindPerson, Name: name})
			}
			k := testKey(b, 11)
			b.ResetTimer()
			for range b.N {
				if err := Assign(context.Background(), k, NewRegistry(), ents); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
