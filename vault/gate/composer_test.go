package gate

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys/local"
)

// composerLines is a document of n lines for the composer: turns naming a
// registered person (a name broken across a line end now and then), blank
// lines, runs that leave marked and runs withheld.
func composerLines(n int) ([]transcript.Line, []policy.LineDecision) {
	var lines []transcript.Line
	var ds []policy.LineDecision
	for i := 1; i <= n; i++ {
		l := transcript.Line{N: i, Text: fmt.Sprintf("Tamsin: we met Tamsin Orrell at the depot, line %d", i), Speaker: "Tamsin", Turn: true}
		d := policy.LineDecision{N: i}
		switch {
		case i%97 == 0:
			l.Text, l.Turn = "", false
		case i%13 == 0:
			l.Text, l.Turn = "and then Tamsin", false
		case i%211 < 7:
			d.Action, d.Rule = policy.Withhold, policy.RuleConfidential
		case i%307 < 40:
			d.Marks = []policy.Rule{policy.RuleDNQ}
		}
		lines = append(lines, l)
		ds = append(ds, d)
	}
	return lines, ds
}

// TestComposerPipeline: with its second half on a goroutine of its own
// (pipeline), the composer emits the same blocks, in the same order, as
// it does on one goroutine; an error from emit stops it, comes back from
// line or end, and leaves no goroutine running.
func TestComposerPipeline(t *testing.T) {
	ents := []redact.Entity{{ID: "P1", Kind: redact.KindPerson, Name: "Tamsin Orrell"}}
	k, err := local.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	reg := redact.NewRegistry()
	if err := redact.Assign(ctx, k, reg, ents); err != nil {
		t.Fatal(err)
	}
	rd, err := redact.Compile(ents, reg)
	if err != nil {
		t.Fatal(err)
	}
	lines, ds := composerLines(5000)
	type emitted struct {
		b      transcript.Block
		rule   policy.Rule
		marked bool
	}
	run := func(pipeline bool, failAt int) ([]emitted, int, error) {
		var out []emitted
		c := newComposer(rd, 64, func(b transcript.Block, rule policy.Rule, marked bool) error {
			if len(out) == failAt {
				return errBoom
			}
			out = append(out, emitted{b, rule, marked})
			return nil
		})
		if pipeline {
			c.pipeline()
			defer c.close()
		}
		for i, l := range lines {
			if err := c.line(l, vault.LineSpeaker{}, ds[i]); err != nil {
				return out, c.withheld, err
			}
		}
		err := c.end()
		return out, c.withheld, err
	}
	want, withheld, err := run(false, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 100 {
		t.Fatalf("%d blocks: the document should give many", len(want))
	}
	for _, tc := range []struct {
		name   string
		failAt int
	}{
		{"whole document", -1},
		{"emit fails at the first block", 0},
		{"emit fails half-way", len(want) / 2},
		{"emit fails at the last block", len(want) - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, gotWithheld, err := run(true, tc.failAt)
			if tc.failAt < 0 {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) || gotWithheld != withheld {
					t.Errorf("pipeline: %d blocks (%d lines withheld), want the %d blocks (%d withheld) of one goroutine", len(got), gotWithheld, len(want), withheld)
				}
				return
			}
			if !errors.Is(err, errBoom) {
				t.Fatalf("error %v, want %v", err, errBoom)
			}
			if len(got) != tc.failAt || tc.failAt > 0 && !reflect.DeepEqual(got, want[:tc.failAt]) {
				t.Errorf("%d blocks before the error, want the first %d", len(got), tc.failAt)
			}
		})
	}
}

var errBoom = errors.New("boom")
