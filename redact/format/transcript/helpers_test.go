package transcript

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files and generated fixtures in testdata/")

// golden compares got with testdata/name, rewriting it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// dump renders a document for golden files, one line per parsed line:
// number, start time, T for a turn, M for markup only, flags, speaker, text.
func dump(doc *Document) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "format: %s\n", doc.Format)
	for _, d := range doc.Dropped {
		fmt.Fprintf(&b, "dropped: %s\n", d)
	}
	for _, l := range doc.Lines {
		ts := "-"
		if l.HasTime {
			ts = fmtTime(l.Start)
		}
		mark := "."
		if l.Turn {
			mark = "T"
		}
		if l.MarkupOnly {
			mark += "M"
		}
		if l.Note {
			mark += "N"
		}
		if l.Row {
			mark += "R"
		}
		fl := make([]string, len(l.Flags))
		for i, f := range l.Flags {
			fl[i] = string(f)
		}
		fmt.Fprintf(&b, "%3d %s %-2s {%s} [%s] %q\n", l.N, ts, mark, strings.Join(fl, ","), l.Speaker, l.Text)
	}
	return []byte(b.String())
}

func fmtTime(d time.Duration) string {
	h := d / time.Hour
	m := d % time.Hour / time.Minute
	s := d % time.Minute / time.Second
	ms := d % time.Second / time.Millisecond
	return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, ms)
}

// checkDoc asserts the invariants every parsed document keeps.
func checkDoc(tb testing.TB, doc *Document) {
	tb.Helper()
	speaker := ""
	outer, inRows := "", false // a table's turns end with it
	for i, l := range doc.Lines {
		if l.N != i+1 {
			tb.Fatalf("line %d has N = %d", i+1, l.N)
		}
		if l.Row != inRows {
			if l.Row {
				outer = speaker
			} else {
				speaker = outer
			}
			inRows = l.Row
		}
		if l.Note {
			if l.Speaker != "" || l.Turn {
				tb.Fatalf("note line %d has speaker %q", l.N, l.Speaker)
			}
			speaker = ""
			continue
		}
		if !l.Turn && strings.HasPrefix(strings.TrimLeft(l.Text, " \t"), ">>") {
			speaker = "" // a caption's speaker change without a name
		}
		if l.Turn {
			if l.Speaker == "" {
				tb.Fatalf("line %d starts a turn with no speaker", l.N)
			}
			speaker = l.Speaker
		} else if l.Speaker != speaker {
			tb.Fatalf("line %d: speaker %q, want %q in force", l.N, l.Speaker, speaker)
		}
		if l.Start < 0 {
			tb.Fatalf("line %d: negative start", l.N)
		}
	}
}

// parseErr asserts err is a *ParseError and returns it.
func parseErr(tb testing.TB, err error) *ParseError {
	tb.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		tb.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	return pe
}

// docxRoundTrip writes blocks with WriteDocx and parses the result.
func docxRoundTrip(tb testing.TB, blocks []Block) *Document {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteDocx(&buf, blocks); err != nil {
		tb.Fatal(err)
	}
	back, err := Parse(FormatDocx, bytes.NewReader(buf.Bytes()))
	if err != nil {
		tb.Fatal(err)
	}
	return back
}

// fixtureUpToDate keeps a generated fixture in testdata/ in step with its
// builder, rewriting it with -update.
func fixtureUpToDate(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if !bytes.Equal(got, readFixture(tb, name)) {
		tb.Errorf("testdata/%s is out of date; run go test -update", name)
	}
}

// writeDocumentXML writes blocks as a .docx and copies its
// word/document.xml to w.
func writeDocumentXML(w io.Writer, blocks []Block, opt WriteOptions) error {
	var buf bytes.Buffer
	if err := Write(&buf, FormatDocx, blocks, opt); err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return err
	}
	f, err := zr.Open("word/document.xml")
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
