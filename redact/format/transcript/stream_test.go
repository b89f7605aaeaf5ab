package transcript

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseLinesMatchesParse: the streamed parse hands over the same lines
// in the same order as Parse for every fixture, and says how many.
func TestParseLinesMatchesParse(t *testing.T) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range files {
		ext := strings.TrimPrefix(filepath.Ext(p), ".")
		f := Format(ext)
		switch f {
		case FormatText, FormatMarkdown, FormatVTT, FormatSRT, FormatDocx:
		default:
			continue
		}
		n++
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			want, werr := Parse(f, bytes.NewReader(data))
			var got []Line
			sum, gerr := ParseLines(context.Background(), f, bytes.NewReader(data), func(l Line) error {
				got = append(got, l)
				return nil
			})
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("errors differ: Parse %v, ParseLines %v", werr, gerr)
			}
			if werr != nil {
				return
			}
			if !reflect.DeepEqual(got, want.Lines) {
				t.Errorf("lines differ from Parse")
			}
			if sum.Lines != len(want.Lines) || !reflect.DeepEqual(sum.Dropped, want.Dropped) {
				t.Errorf("summary = %d lines, dropped %q; want %d, %q", sum.Lines, sum.Dropped, len(want.Lines), want.Dropped)
			}
		})
	}
	if n == 0 {
		t.Fatal("no fixtures")
	}
}

// TestParseLinesStops: an error from the callback ends the parse and comes
// back unchanged; the limits hold as in Parse.
func TestParseLinesStops(t *testing.T) {
	stop := errors.New("stop here")
	seen := 0
	_, err := ParseLines(context.Background(), FormatText, strings.NewReader("a\nb\nc\n"), func(l Line) error {
		seen++
		if l.N == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 2 {
		t.Errorf("err = %v after %d lines; want the callback's error after 2", err, seen)
	}
	long := strings.Repeat("x\n", MaxLines+1)
	_, err = ParseLines(context.Background(), FormatText, strings.NewReader(long), func(Line) error { return nil })
	if !errors.Is(err, ErrLimit) {
		t.Errorf("err = %v; want the lines limit", err)
	}
}

// TestWriterPieces: a run of lines written in pieces (Continued) gives the
// same file as the run written whole, in every format.
func TestWriterPieces(t *testing.T) {
	var lines []string
	var refs []LineRef
	for i := range 40 {
		text := "Leila: line of words number " + strings.Repeat("x", i%7)
		if i%5 == 3 {
			text = "" // blank lines inside the run
		}
		lines = append(lines, text)
		refs = append(refs, LineRef{N: i + 2, Start: time.Duration(i) * time.Second, HasTime: i%2 == 0, Label: 6 * btoi(text != "")})
	}
	marker := Block{Text: "[withheld: 1 line]", Marker: true, Lines: []LineRef{{N: 1, HasTime: true}}}
	whole := []Block{marker, {Text: strings.Join(lines, "\n"), Lines: refs}, {Text: "(end)"}}
	pieces := []Block{marker}
	for from := 0; from < len(lines); {
		to := from + 1
		for to < len(lines) && (to-from < 4 || lines[to-1] == "" || lines[to] == "") {
			to++
		}
		pieces = append(pieces, Block{Text: strings.Join(lines[from:to], "\n"), Lines: refs[from:to], Continued: from > 0})
		from = to
	}
	pieces = append(pieces, Block{Text: "(end)"})
	for _, f := range []Format{FormatMarkdown, FormatText, FormatDocx, FormatVTT, FormatSRT} {
		for _, ts := range []bool{false, true} {
			var a, b bytes.Buffer
			opt := WriteOptions{Timestamps: ts}
			if err := Write(&a, f, whole, opt); err != nil {
				t.Fatal(err)
			}
			if err := Write(&b, f, pieces, opt); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s (timestamps %v): pieces differ from the whole run", f, ts)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
