package redact

import (
	"context"
	"testing"
)

// familyFirstEntities are invented people whose names are registered
// family name first (Entity.FamilyFirst).
var familyFirstEntities = []Entity{
	{ID: "F01", Kind: KindPerson, Name: "Wang Xiuying", FamilyFirst: true, Pseudonym: "Hartley Mei"},
	{ID: "F02", Kind: KindPerson, Name: "Nagy Zsófia", FamilyFirst: true, Pseudonym: "Bramwell Kata"},
	{ID: "F03", Kind: KindPerson, Name: "Nguyễn Thị Minh Khai", FamilyFirst: true, Pseudonym: "Pickering Lan"},
	{ID: "F04", Kind: KindPerson, Name: "Kim Min-jun", FamilyFirst: true, Pseudonym: "Alder Joon"},
	{ID: "F05", Kind: KindPerson, Name: "Dr Tanaka Hiroshi", FamilyFirst: true, Aliases: []string{"Hiro"}, Pseudonym: "Yardley Kenji"},
	{ID: "F06", Kind: KindPerson, Name: "Ngozi Okonkwo", Pseudonym: "Ada Pemberton"},
}

// TestFamilyFirst: a name registered family name first has its first word
// as the family name: a title with it, and the given name alone, get the
// pseudonym's family and given names, and the full name is written in the
// order it was (family first as registered, given first where the text
// has it so). A name registered given first is read as before.
func TestFamilyFirst(t *testing.T) {
	r, err := Compile(familyFirstEntities, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{
		{"Wang Xiuying said so to Ms Wang.", "Hartley Mei said so to Ms Hartley."},
		{"Xiuying, Xiuying Wang, WANG XIUYING", "Mei, Mei Hartley, HARTLEY MEI"},
		{"Nagy Zsófia and Zsofia; Mrs Nagy's book", "Bramwell Kata and Kata; Mrs Bramwell's book"},
		{"Zsófia Nagy", "Kata Bramwell"},
		{"Nguyễn Thị Minh Khai, Ms Nguyen, Minh Khai, Khai", "Pickering Lan, Ms Pickering, Lan, Lan"},
		{"Minh Khai Nguyễn and Khai Nguyen", "Lan Pickering and Lan Pickering"},
		{"Kim Min-jun, Mr Kim, Min-jun, Minjun", "Alder Joon, Mr Alder, Joon, Joon"},
		{"Dr Tanaka Hiroshi, Prof. Tanaka, Hiro, Hiroshi Tanaka", "Dr Yardley Kenji, Prof. Yardley, Kenji, Kenji Yardley"},
		{"Tanaka, H. (2021) and H. Tanaka", "Yardley, K. (2021) and K. Yardley"},
		{"the Tanakas and Ngozi Okonkwo, Ms Okonkwo", "the Yardleys and Ada Pemberton, Ms Pemberton"},
	} {
		checkRedacts(t, r, c[0], c[1])
	}
}

// TestFamilyFirstKeepsPseudonym: registering the order does not change
// the pseudonym a name is given (its key is the name), and a chosen
// pseudonym is read in the name's order.
func TestFamilyFirstKeepsPseudonym(t *testing.T) {
	k := testKey(t, 7)
	for _, name := range []string{"Wang Xiuying", "Nagy Zsófia", "Nguyễn Thị Minh Khai"} {
		given := Entity{ID: "P1", Kind: KindPerson, Name: name}
		ff := given
		ff.FamilyFirst = true
		p1, err := Preview(context.Background(), k, NewRegistry(), given)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := Preview(context.Background(), k, NewRegistry(), ff)
		if err != nil {
			t.Fatal(err)
		}
		if p1.Family != p2.Family {
			t.Errorf("%s: family-first family pseudonym %q, given-first %q", name, p2.Family, p1.Family)
		}
	}
	chosen := Entity{ID: "P1", Kind: KindPerson, Name: "Wang Xiuying", FamilyFirst: true, Pseudonym: "Li Mei"}
	reg := NewRegistry()
	if err := Assign(context.Background(), k, reg, []Entity{chosen}); err != nil {
		t.Fatal(err)
	}
	p, _ := reg.Lookup(KindPerson, chosen.Name)
	if p.Family != "Li" || p.Given != "Mei" || p.InOrder(true) != "Li Mei" {
		t.Errorf("chosen pseudonym read as %+v (%q)", p, p.InOrder(true))
	}
}
