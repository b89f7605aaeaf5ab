package redact

import (
	"fmt"
	"reflect"
	"testing"
)

// TestAllAliases: the aliases of a large dictionary, worked out on two
// goroutines, are each entity's own, in order, as on one.
func TestAllAliases(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 1001} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var ents []Entity
			for i := range n {
				ents = append(ents, Entity{ID: fmt.Sprintf("P%d", i), Kind: KindPerson, Name: fmt.Sprintf("Given%03d Family%03d-Hope", i, i), Aliases: []string{fmt.Sprintf("G%d", i)}})
			}
			got := allAliases(ents)
			if len(got) != n {
				t.Fatalf("%d alias lists for %d entities", len(got), n)
			}
			for i, e := range ents {
				if want := entityAliases(e); !reflect.DeepEqual(got[i], want) {
					t.Fatalf("entity %d: aliases %v, want %v", i, got[i], want)
				}
			}
		})
	}
}
