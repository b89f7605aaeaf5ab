package vault

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestSafeCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"P01", "P01"},
		{"Ottilie Varga", "Ottilie Varga"},
		{"2026-01-05", "2026-01-05"},
		{"=1+1", "'=1+1"},
		{`=HYPERLINK("http://example.invalid","x")`, `'=HYPERLINK("http://example.invalid","x")`},
		{"+SUM(1,2)", "'+SUM(1,2)"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"＝1+1", "'＝1+1"},
		{"a=1", "a=1"},
		{"'quoted", "'quoted"},
	} {
		if got := SafeCSVCell(tc.in); got != tc.want {
			t.Errorf("SafeCSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCSVWriterRoundTrip: a standard CSV reader gets every cell back, the
// dangerous ones with their quote, commas and quotes intact.
func TestCSVWriterRoundTrip(t *testing.T) {
	rows := [][]string{{"handle", "name"}, {"P01", `=HYPERLINK("x","y"), "z"`}, {"P02", "line\nbreak"}}
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got[1][1] != "'"+rows[1][1] || got[2][1] != rows[2][1] || len(got) != 3 {
		t.Errorf("read back %q", got)
	}
}
