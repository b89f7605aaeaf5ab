package redact

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// redactLines pushes text through a LineRedactor a line at a time and
// joins what comes out.
func redactLines(tb testing.TB, r *Redactor, text string) string {
	tb.Helper()
	var out []string
	lr := r.Lines(func(l string) error { out = append(out, l); return nil })
	in := strings.Split(text, "\n")
	for _, l := range in {
		if err := lr.Line(l); err != nil {
			tb.Fatal(err)
		}
	}
	if err := lr.End(); err != nil {
		tb.Fatal(err)
	}
	if len(out) != len(in) {
		tb.Fatalf("LineRedactor gave %d lines for %d", len(out), len(in))
	}
	return strings.Join(out, "\n")
}

// TestLineRedactorAcrossLines: names broken across a line end, hyphenated
// or not, are matched line by line as in one text; runs are independent.
func TestLineRedactorAcrossLines(t *testing.T) {
	r, err := Compile([]Entity{
		{ID: "P01", Kind: KindPerson, Name: "Carol Jacklin-Jarvis", Pseudonym: "Leila Hartwell", Aliases: []string{"CJJ", "Caz"}},
		{ID: "P02", Kind: KindPerson, Name: "Ellie Dunmore", Pseudonym: "Nia Okafor"},
	}, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		"We met Ellie\nDunmore at the depot.",
		"Carol Jacklin-\nJarvis came too.\n\nThen Caz spoke.",
		"ELLIE\nDUNMORE and Ellie.",
		"Nothing to see.",
		"",
		"A line\nCarol\n",
	} {
		if got, want := redactLines(t, r, text), r.Redact(text); got != want {
			t.Errorf("%q: LineRedactor = %q, Redact = %q", text, got, want)
		}
	}
}

// TestLineRedactorSentenceStarts: whether a name that is also an ordinary
// word starts a sentence is judged across the line end as in one text.
func TestLineRedactorSentenceStarts(t *testing.T) {
	r, err := Compile([]Entity{
		{ID: "P01", Kind: KindPerson, Name: "Hope Barnes", Pseudonym: "Nia Cole"},
	}, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		"He said \"Stop.\"\nHope came.",
		"He met Mr.\nHope there.",
		"It was late and\n(Hope was there).",
		"Stop.\n\n  \nHope said so.",
	} {
		if got, want := redactLines(t, r, text), r.Redact(text); got != want {
			t.Errorf("%q: LineRedactor = %q, Redact = %q", text, got, want)
		}
	}
}

// scanLines runs a LineScanner over text's lines.
func scanLines(text string, known *Redactor) []Finding {
	s := NewLineScanner(known)
	for _, l := range strings.Split(text, "\n") {
		s.Line(l, 0)
	}
	return s.Findings()
}

// TestLineScannerMatchesScan: a scan a line at a time finds what Scan and
// SentenceStartNames find in the whole text, in the same order.
func TestLineScannerMatchesScan(t *testing.T) {
	r := commonStudy(t)
	var texts []string
	for _, name := range []string{"scan.txt", "rules.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	texts = append(texts, "Stop.\n\nHope said so. Call 07700 900123\nor write to a.b@example.org.", "He said \"Stop.\"\nHope came.")
	for i, text := range texts {
		want := append(Scan(text, r), SentenceStartNames(text, r)...)
		got := scanLines(text, r)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("text %d: LineScanner found %d, Scan %d (or they differ)", i, len(got), len(want))
		}
		if len(want) == 0 {
			t.Errorf("text %d: nothing found; the test would pass on anything", i)
		}
	}
}
