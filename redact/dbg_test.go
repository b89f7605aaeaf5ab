package redact

import (
	"os"
	"strings"
	"testing"
)

func TestDbg(t *testing.T) {
	in := os.Getenv("DBG")
	for _, f := range Scan(strings.ReplaceAll(in, `\n`, "\n"), nil) {
		t.Logf("%s %v %.2f %d:%d %q", f.Kind, f.Confidence, f.Score, f.Line, f.Col, f.Text)
	}
}
