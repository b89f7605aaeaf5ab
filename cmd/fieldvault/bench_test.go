package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/vault"
)

// BenchmarkParseParticipantsCSV parses a 10,000-participant import file.
func BenchmarkParseParticipantsCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("handle,name,aliases,org,role,pseudonym\n")
	for i := 1; i <= 10000; i++ {
		fmt.Fprintf(&sb, "P%d,Given%d Family%d,G%d;Dr Family%d,Org %d,role,\n", i, i, i, i, i, i%50)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		reqs, err := vault.ParseParticipantsCSV(strings.NewReader(in))
		if err != nil || len(reqs) != 10000 {
			b.Fatalf("got %d requests, err %v", len(reqs), err)
		}
	}
}

// BenchmarkRunParticipantList measures one in-process command on a vault
// of 1,000 participants: open, decrypt the catalogue, print the table.
func BenchmarkRunParticipantList(b *testing.B) {
	dir, identity := newStudy(b)
	var sb strings.Builder
	sb.WriteString("handle,name\n")
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&sb, "P%d,Given%d Family%d\n", i, i, i)
	}
	csvPath := dir + ".csv"
	if err := writeFile(csvPath, sb.String()); err != nil {
		b.Fatal(err)
	}
	if code, _, stderr := runCLI(b, "--vault", dir, "--identity", identity, "participant", "import", csvPath); code != 0 {
		b.Fatalf("import: exit %d: %s", code, stderr)
	}
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := runCLI(b, "--vault", dir, "--identity", identity, "participant", "list"); code != 0 {
			b.Fatalf("list: exit %d: %s", code, stderr)
		}
	}
}
