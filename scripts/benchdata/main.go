// Command benchdata writes the input of scripts/bench.sh: a register of
// invented people (people.csv, for participant import), every name and
// alias one per line (aliases.txt, for grep -F -w -f) and an interview
// transcript naming them (interview.txt).
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fieldvault/fieldvault/redact/redacttest"
)

func main() {
	dir := flag.String("dir", ".", "directory to write into")
	people := flag.Int("people", 1000, "registered people")
	mb := flag.Int("mb", 20, "transcript size in MB (2^20 bytes)")
	flag.Parse()
	if err := write(*dir, *people, *mb<<20); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata:", err)
		os.Exit(1)
	}
}

func write(dir string, people, size int) error {
	var reg strings.Builder
	cw := csv.NewWriter(&reg)
	cw.Write([]string{"handle", "name", "aliases"})
	var names strings.Builder
	for i := range people {
		name, aliases := redacttest.Person(i)
		cw.Write([]string{fmt.Sprintf("P%d", i+1), name, strings.Join(aliases, ";")})
		names.WriteString(name + "\n")
		for _, a := range aliases {
			names.WriteString(a + "\n")
		}
	}
	cw.Flush()
	files := map[string]string{
		"people.csv":    reg.String(),
		"aliases.txt":   names.String(),
		"interview.txt": redacttest.Interview(people, size),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return err
		}
	}
	return nil
}
