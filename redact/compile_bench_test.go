package redact_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/redacttest"
)

// BenchmarkCompile compiles the dictionary of the export benchmark
// (1,000 people, a full name and three aliases each), which every exit
// compiles once.
func BenchmarkCompile(b *testing.B) {
	ents := make([]redact.Entity, 1000)
	for i := range ents {
		name, aliases := redacttest.Person(i)
		ents[i] = redact.Entity{ID: fmt.Sprintf("P%d", i+1), Kind: redact.KindPerson, Name: name, Aliases: aliases}
	}
	reg := redact.NewRegistry()
	if err := redact.Assign(context.Background(), redacttest.New("compile"), reg, ents); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := redact.Compile(ents, reg); err != nil {
			b.Fatal(err)
		}
	}
}
