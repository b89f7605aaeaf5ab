package transcript

import (
	"archive/zip"
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
)

// exportBlocks is a pseudonymised export as the gate would build it.
var exportBlocks = []Block{
	{Text: "Interview 3 (pseudonymised extract)"},
	{Speaker: "Interviewer", Text: "When did you arrive?"},
	{Speaker: "Ruth Hale", Text: "In the spring of 2004, with my sister.\nWe rented a flat above the bakery.\nIt was cold\tand damp."},
	{Text: "[not for quotation: 2 lines withheld]", Marker: true},
	{Speaker: "Interviewer", Text: ""},
	{Text: "# not a heading, *not emphasis*, <b>not html</b>, [not](a link), AT&T &amp; 1. not a list\n- not a bullet\n> not a quote", Quote: true},
	{Speaker: "Ruth Hale", Text: "\n\nLeading and trailing blank lines.\n\n"},
}

func TestWriteGolden(t *testing.T) {
	tests := []struct {
		name  string
		write func(io.Writer, []Block) error
	}{
		{"export.md.golden", WriteMarkdown},
		{"export.txt.golden", WriteText},
		{"export.document.xml.golden", func(w io.Writer, b []Block) error { return writeDocumentXML(w, b, WriteOptions{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf, exportBlocks); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

func TestWriteEmpty(t *testing.T) {
	for name, write := range map[string]func(io.Writer, []Block) error{"md": WriteMarkdown, "txt": WriteText} {
		var buf bytes.Buffer
		if err := write(&buf, nil); err != nil || buf.Len() != 0 {
			t.Errorf("%s: wrote %q, %v for no blocks; want nothing", name, buf.String(), err)
		}
	}
	var buf bytes.Buffer
	if err := WriteDocx(&buf, nil); err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(FormatDocx, bytes.NewReader(buf.Bytes()))
	if err != nil || len(doc.Lines) != 0 {
		t.Errorf("empty docx parsed to %v, %v", doc, err)
	}
}

func TestMdEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"*x* _y_ `z`", `\*x\* \_y\_ \` + "`" + `z\` + "`"},
		{"snake_case_name", "snake_case_name"},
		{"[a](b)", `\[a\](b)`},
		{"[not for quotation: 2 lines withheld]", "[not for quotation: 2 lines withheld]"},
		{"[x]: /url", `\[x\]: /url`},
		{"<b> <3 a < b </i> <!-- c", `\<b> <3 a < b \</i> \<!-- c`},
		{`back\slash \* \`, `back\slash \\\* \\`},
		{"# h", `\# h`},
		{"#hashtag", "#hashtag"},
		{"####### seven", "####### seven"},
		{"a # b", "a # b"},
		{"12. list", `12\. list`},
		{"3) list", `3\) list`},
		{"2024. A year", `2024\. A year`},
		{"1.5 million", "1.5 million"},
		{"1234567890. long", "1234567890. long"},
		{"AT&T &amp; &#38; &x", `AT&T \&amp; \&#38; &x`},
		{"a & b", "a & b"},
		{"- x", `\- x`},
		{"-5 degrees", "-5 degrees"},
		{"---", `\---`},
		{"+ y", `\+ y`},
		{"> q", `\> q`},
		{"a > b", "a > b"},
		{"~~struck~~ ~x", `\~\~struck\~\~ ~x`},
		{"a | b", `a \| b`},
		{"![img](x)", `\!\[img\](x)`},
		// Past the first eight bytes, at and around each eight-byte step.
		{"1234567*", `1234567\*`},
		{"12345678*", `12345678\*`},
		{"123456789*", `123456789\*`},
		{"abcdefgh_ijk", "abcdefgh_ijk"},
		{"abcdefgh _ijk", `abcdefgh \_ijk`},
		{"a plain line of words, then a|b and x*y", `a plain line of words, then a\|b and x\*y`},
		{"abcdefghijklmnop~", "abcdefghijklmnop~"},
		{"abcdefghijklmno~~", `abcdefghijklmno\~\~`},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in, true); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteDocxPackage(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteDocx(&a, exportBlocks); err != nil {
		t.Fatal(err)
	}
	if err := WriteDocx(&b, exportBlocks); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("WriteDocx is not deterministic")
	}
	if f, ok := DetectFormat("export.docx", a.Bytes()[:64]); !ok || f != FormatDocx {
		t.Errorf("DetectFormat on WriteDocx output = %q, %v", f, ok)
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(zipTime) {
			t.Errorf("%s modified %v, want %v", f.Name, f.Modified, zipTime)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, meta := range []string{"creator", "lastModifiedBy", "Company", "Manager", "dc:", "cp:"} {
			if bytes.Contains(body, []byte(meta)) {
				t.Errorf("%s holds metadata %q", f.Name, meta)
			}
		}
	}
	want := []string{"[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/styles.xml", "word/document.xml"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("parts %q, want %q", names, want)
	}
	doc, err := Parse(FormatDocx, bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Dropped) != 0 {
		t.Errorf("our own docx drops %q", doc.Dropped)
	}
}

// TestRoundTrip parses each text fixture, writes its lines as blocks in
// every output format and parses the result again: the lines' text,
// speakers and turns survive.
func TestRoundTrip(t *testing.T) {
	for _, file := range []string{"interview.txt", "teams.vtt", "zoom.vtt", "interview.srt", "interview.docx"} {
		t.Run(file, func(t *testing.T) {
			f, _ := DetectFormat(file, readFixture(t, file))
			doc, err := Parse(f, bytes.NewReader(readFixture(t, file)))
			if err != nil {
				t.Fatal(err)
			}
			// One block per line, the label split off as the gate does.
			var blocks []Block
			type tl struct {
				text, speaker string
				turn          bool
			}
			var want []tl
			for _, l := range doc.Lines {
				if l.MarkupOnly || l.Note {
					continue // notes have their own round trip (TestDocxNotes)
				}
				bl := Block{Text: l.Text}
				if l.Turn && !l.Row { // a row's label is its first cell
					label, rest, ok := ParseLabel(l.Text)
					if !ok || label != l.Speaker {
						t.Fatalf("line %d: turn text does not start with its label", l.N)
					}
					bl = Block{Speaker: label, Text: rest}
				}
				blocks = append(blocks, bl)
				if l.Row {
					// Written as a paragraph, a table row continues the
					// turn in force: its speaker was its first cell's.
					speaker := ""
					if len(want) > 0 {
						speaker = want[len(want)-1].speaker
					}
					want = append(want, tl{strings.TrimSpace(l.Text), speaker, false})
					continue
				}
				want = append(want, tl{strings.TrimSpace(l.Text), l.Speaker, l.Turn})
			}
			collect := func(doc *Document, skipBlank bool) []tl {
				var got []tl
				for _, l := range doc.Lines {
					if skipBlank && l.Text == "" {
						continue
					}
					got = append(got, tl{strings.TrimSpace(l.Text), l.Speaker, l.Turn})
				}
				return got
			}
			back := docxRoundTrip(t, blocks)
			// Speakers in force before the first turn differ only if the
			// source had unlabelled lines first; both start with none.
			if got := collect(back, false); !reflect.DeepEqual(got, want) {
				t.Errorf("docx round trip:\n got %+v\nwant %+v", got, want)
			}
			var buf bytes.Buffer
			if err := WriteText(&buf, blocks); err != nil {
				t.Fatal(err)
			}
			back, err = Parse(FormatText, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			wantNonBlank := want[:0:0]
			for _, w := range want {
				if w.text != "" {
					wantNonBlank = append(wantNonBlank, w)
				}
			}
			if got := collect(back, true); !reflect.DeepEqual(got, wantNonBlank) {
				t.Errorf("text round trip:\n got %+v\nwant %+v", got, wantNonBlank)
			}
			// Markdown escapes the text and bolds labels: speakers and
			// turns survive, and the text once unescaped.
			buf.Reset()
			if err := WriteMarkdown(&buf, blocks); err != nil {
				t.Fatal(err)
			}
			back, err = Parse(FormatMarkdown, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			got := collect(back, true)
			for i := range got {
				got[i].text = mdUnescape(strings.Replace(got[i].text, ":**", ":", 1))
				got[i].text = strings.TrimPrefix(got[i].text, "**")
			}
			if !reflect.DeepEqual(got, wantNonBlank) {
				t.Errorf("markdown round trip:\n got %+v\nwant %+v", got, wantNonBlank)
			}
		})
	}
}

// mdUnescape removes CommonMark backslash escapes.
func mdUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_[]<>#-+=|~.)&", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// TestCaptionRoundTrip writes each caption fixture back as WebVTT and SRT,
// one block per line with its LineRef as the gate builds them, and parses
// the result: the same lines, speakers and start times.
func TestCaptionRoundTrip(t *testing.T) {
	for _, file := range []string{"teams.vtt", "zoom.vtt", "youtube.vtt", "interview.srt", "otter.txt", "teams-docx.txt"} {
		f, _ := DetectFormat(file, readFixture(t, file))
		doc, err := Parse(f, bytes.NewReader(readFixture(t, file)))
		if err != nil {
			t.Fatal(err)
		}
		var text []string
		var refs []LineRef
		for _, l := range doc.Lines {
			if l.MarkupOnly {
				continue
			}
			text = append(text, l.Text)
			r := LineRef{N: l.N, Start: l.Start, HasTime: l.HasTime}
			if l.Turn {
				r.Label = len(l.Speaker) + 1
			}
			refs = append(refs, r)
		}
		blocks := []Block{{Text: strings.Join(text, "\n"), Lines: refs}}
		for _, out := range []Format{FormatVTT, FormatSRT} {
			var buf bytes.Buffer
			if err := Write(&buf, out, blocks, WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			back, err := Parse(out, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%s as %s: %v\n%s", file, out, err, buf.Bytes())
			}
			// Every timed line starts a caption at its time, with its words
			// (untimed lines before the first time join the first caption,
			// which the parser may split at a speaker label).
			for _, l := range doc.Lines {
				if !l.HasTime || l.MarkupOnly {
					continue
				}
				found := false
				for _, b := range back.Lines {
					if b.Start == l.Start && strings.Contains(b.Text, strings.TrimSpace(l.Text)) {
						found = true
					}
				}
				if !found {
					t.Errorf("%s as %s: no caption at %v holds %q:\n%s", file, out, l.Start, l.Text, buf.Bytes())
				}
			}
			for _, b := range back.Lines {
				if !b.HasTime {
					t.Errorf("%s as %s: line %d has no time", file, out, b.N)
				}
			}
		}
	}
}
