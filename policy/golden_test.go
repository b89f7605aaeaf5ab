package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCase is the input of a golden test: a request with its consent
// records (synthetic; Request.Records is not part of Request's JSON) and the
// quote ranges to try.
type goldenCase struct {
	Request Request            `json:"request"`
	Records map[string]*Record `json:"records"`
	Quotes  [][2]int           `json:"quotes"`
}

type goldenQuote struct {
	Range    [2]int   `json:"range"`
	Decision Decision `json:"decision"`
	Error    string   `json:"error,omitempty"`
}

type goldenOut struct {
	Export  Decision      `json:"export"`
	Markers []Marker      `json:"markers"`
	Quotes  []goldenQuote `json:"quotes"`
}

// TestGolden runs every testdata/*.case.json through Decide in export mode
// and for each listed quote range, and compares the decisions, markers and
// refusal messages with testdata/*.golden (rewritten with -update).
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.case.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no golden cases in testdata/")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".case.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var c goldenCase
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			req := c.Request
			req.Records = c.Records
			req.Mode = ModeExport
			var out goldenOut
			out.Export = Decide(req)
			out.Markers = Markers(out.Export)
			for _, q := range c.Quotes {
				qr := req
				qr.Mode, qr.From, qr.To = ModeQuote, q[0], q[1]
				d := Decide(qr)
				gq := goldenQuote{Range: q, Decision: d}
				if err := d.Err(); err != nil {
					gq.Error = err.Error()
				}
				out.Quotes = append(out.Quotes, gq)
			}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from Decide's output; run go test ./policy -run TestGolden -update and review the diff\ngot:\n%s", golden, got)
			}
		})
	}
}
