package redact_test

import (
	"context"
	"fmt"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault/keys/local"
)

func Example() {
	ents := []redact.Entity{
		{ID: "P01", Kind: redact.KindPerson, Name: "Carol Jacklin-Jarvis", Pseudonym: "Leila Hartwell", Aliases: []string{"Caz"}},
		{ID: "E01", Kind: redact.KindPlace, Name: "Milton Keynes"},
		{ID: "E02", Kind: redact.KindOrg, Name: "Milton Keynes Council"},
	}
	key := make([]byte, local.KeySize) // use local.GenerateKey() for real studies
	k, _ := local.New(key)
	reg := redact.NewRegistry()
	if err := redact.Assign(context.Background(), k, reg, ents); err != nil {
		fmt.Println(err)
		return
	}
	r, err := redact.Compile(ents, reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	out := r.Redact("Then CAROL said Ms Jacklin-Jarvis's office at Milton Keynes Council moved.")
	fmt.Println(out)
	for _, f := range redact.Scan(out+" Call 07700 900123.", r) {
		fmt.Println(f.Kind, f.Confidence, f.Masked())
	}
	// Output:
	// Then LEILA said Ms Hartwell's office at Siskin Collective moved.
	// phone high 0**** ******
}
