package transcript

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzSecret is seeded into inputs; no error may ever quote it.
const fuzzSecret = "Zebedee"

func fuzzParse(t *testing.T, f Format, data []byte) {
	doc, err := Parse(f, bytes.NewReader(data))
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v (%T) is not a *ParseError", err, err)
		}
		if pe.Format != f {
			t.Fatalf("error format %q, want %q", pe.Format, f)
		}
		if strings.Contains(err.Error(), fuzzSecret) {
			t.Fatalf("error %q quotes the input", err)
		}
		return
	}
	checkDoc(t, doc)
	for _, l := range doc.Lines {
		if l.MarkupOnly && strings.TrimSpace(l.Text) != "" {
			t.Fatalf("line %d is markup-only but has text", l.N)
		}
		if strings.ContainsAny(l.Text, "\r\n") {
			t.Fatalf("line %d holds a line ending", l.N)
		}
	}
}

func addFixtureSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readFixture(f, n))
	}
}

func FuzzParseVTT(f *testing.F) {
	addFixtureSeeds(f, "teams.vtt", "zoom.vtt", "youtube.vtt", "zoom-names.vtt")
	for _, s := range []string{
		"WEBVTT",
		"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Zebedee Quist>[dnq]hi</v>\n\n00:02.000 --> 00:03.000\n<v.loud Ann>x[/dnq]",
		"WEBVTT\n\nNOTE Zebedee\n\n00:00:01.000 --> 00:00:0x.000\nZebedee",
		"WEBVTT\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000 line:0\r\n<c>&amp;</c><00:00:01.500>a<",
		"\ufeffWEBVTT\n00:01.000-->00:02.000\nx\n00:03.000 --> 00:02.000\ny",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatVTT, data) })
}

func FuzzParseSRT(f *testing.F) {
	addFixtureSeeds(f, "interview.srt", "captions-colon.srt")
	for _, s := range []string{
		"1\n00:00:01,000 --> 00:00:02,000\nZebedee: <i>hi</i> {\\an8}\n",
		"1\n00:00:01.000 --> 00:00:02.000\n- Ann: a\n- Zebedee: b\n2\n00:00:03,000 --> 00:00:04,000\n[dnq]",
		"x\n\n",
		"1\n\n2\n00:00:01,000 --> 00:00:00,500\n",
		"1\r00:00:01,000 --> 00:00:02,000\r<font color=\"red\">[confidential]x[/confidential]</font>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatSRT, data) })
}

func FuzzParseDocx(f *testing.F) {
	addFixtureSeeds(f, "interview.docx", "otter.docx", "speaker-table.docx")
	var buf bytes.Buffer
	if err := WriteDocx(&buf, exportBlocks); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04Zebedee"))
	f.Add(buildZip(f, []struct{ name, body string }{{"word/document.xml", "<w:document " + wNS + "><w:body><w:p><w:r><w:t>Zebedee [dnq]</w:t></w:r></w:p></w:body></w:document>"}}))
	f.Add(buildZip(f, []struct{ name, body string }{{"word/document.xml", "<w:document " + wNS + "><w:body><w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:br/><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl><w:p><w:pPr><w:rPr><w:del/></w:rPr></w:pPr></w:p></w:body></w:document>"}}))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatDocx, data) })
}

// FuzzParseDocxXML fuzzes the text extraction itself, with the XML placed
// in a valid zip (random bytes rarely get past the zip reader).
func FuzzParseDocxXML(f *testing.F) {
	f.Add(fixtureDocument)
	f.Add("<w:document " + wNS + "><w:body><w:p><w:r><w:t>a</w:t><w:br w:type=\"page\"/><w:t>[dnq]b</w:t></w:r></w:p><w:p><w:r><w:t>[/dnq]</w:t></w:r></w:p></w:body></w:document>")
	// A name paragraph, a time paragraph, then a transcript table.
	f.Add("<w:document " + wNS + "><w:body><w:p><w:r><w:t>Zebedee</w:t></w:r></w:p><w:p><w:r><w:t>0:03</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>0:01</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Zebedee</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>[dnq]x</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc/><w:tc><w:p><w:r><w:t>y[/dnq]</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>Zebedee</w:t></w:r></w:p></w:body></w:document>")
	f.Add("<w:document " + wNS + "><w:p>outside body</w:p></w:document>")
	f.Fuzz(func(t *testing.T, xmlText string) {
		data := buildZip(t, []struct{ name, body string }{{"word/document.xml", xmlText}})
		fuzzParse(t, FormatDocx, data)
	})
}

// FuzzParseDocxNotes fuzzes the footnotes part beside a small body: notes
// are never turns, never carry a speaker, and come after the body.
func FuzzParseDocxNotes(f *testing.F) {
	f.Add(otterFootnotes)
	f.Add(fixtureParts[len(fixtureParts)-2].body)
	f.Add("<w:footnotes " + wNS + "><w:footnote w:id=\"1\"><w:p><w:r><w:t>Zebedee: [dnq]x</w:t></w:r></w:p></w:footnote></w:footnotes>")
	f.Fuzz(func(t *testing.T, xmlText string) {
		data := buildZip(t, []struct{ name, body string }{
			{"word/document.xml", "<w:document " + wNS + "><w:body><w:p><w:r><w:t>Carol: hello</w:t></w:r></w:p></w:body></w:document>"},
			{"word/footnotes.xml", xmlText},
		})
		fuzzParse(t, FormatDocx, data)
		doc, err := Parse(FormatDocx, bytes.NewReader(data))
		if err != nil {
			return
		}
		for i, l := range doc.Lines {
			if (i == 0) == l.Note {
				t.Fatalf("line %d: note %v", l.N, l.Note)
			}
		}
	})
}

func FuzzParseMarkup(f *testing.F) {
	addFixtureSeeds(f, "interview.txt", "fieldnotes.md", "crlf.txt", "otter.txt", "rev.txt", "trint.txt", "nvivo.txt", "prose-times.txt",
		"zoom-live.txt", "zoom-chat.txt", "whisperx.txt", "teams-names.txt")
	for _, s := range []string{
		"[dnq]Zebedee[/dnq]",
		"[dnq][confidential]x[/dnq][/confidential]",
		"[off-record]\nZebedee\n",
		"[/dnq]",
		"[dn[dnq]q][/dnq]",
		"**Zebedee:** [DNQ]a\r\nb[/dnq]\rc",
		"\xff\x00",
		"\xff\xfeZ\x00:\x00 \x00\x00\xd8",         // UTF-16 ending in half a surrogate pair
		"Zebedee\n0:03\n[dnq]x\nQuist, Zebedee\n", // a name line, a time line
		"Zebedee\n",                               // a held name line at the end
		"[Zebedee Quist] 1:02\n10:01:02 From Z to Everyone:\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzParse(t, FormatText, data)
		fuzzParse(t, FormatMarkdown, data)
	})
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func TestFuzzSeedsPresent(t *testing.T) {
	for _, n := range []string{"teams.vtt", "zoom.vtt", "youtube.vtt", "interview.srt", "interview.docx", "otter.docx", "interview.txt", "otter.txt", "rev.txt", "trint.txt", "nvivo.txt", "fieldnotes.md",
		"zoom-names.vtt", "captions-colon.srt", "zoom-live.txt", "zoom-chat.txt", "whisperx.txt", "teams-names.txt", "speaker-table.docx"} {
		if len(readFixture(t, n)) == 0 {
			t.Errorf("seed fixture %s is empty", n)
		}
	}
}

func FuzzParseLabel(f *testing.F) {
	for _, s := range []string{"Carol: hi", "**Anna van Dijk**: ja", "Note: x", "https://x", "Élodie : oui", "Speaker 2:", "**:**", "",
		"Amy Li (she/her) (Guest): hi", "de la Cruz: sí", "al-Sayed: x", "Carol ((x)): y", "Dafydd ap Rhys ():",
		"[00:01:23] Amy Li: hi", "Speaker 1 (00:01): x", "(1:2) A: b",
		"[SPEAKER_01]: x", "[Speaker 2] x", "[Music]", "Zebedee\tx", "Amy:\u00a0hi", "Amy\u00a0Li: x",
		"[00:00:12.345 --> 00:00:15.000] SPEAKER_01: x", "[0:00 --> 1", "[:]", "[1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		label, rest, ok := ParseLabel(line)
		if !ok {
			if label != "" || rest != "" {
				t.Fatalf("ParseLabel(%q) refused but returned %q, %q", line, label, rest)
			}
			return
		}
		name, notes := SplitAnnotations(label)
		if label == "" || name == "" || len(strings.Fields(name)) > maxLabelWords || len(notes) > maxAnnotations || strings.ContainsAny(name, ":*\t\r\n") || strings.ContainsAny(label, "*\t\r\n") {
			t.Fatalf("ParseLabel(%q) gave label %q", line, label)
		}
		// A label is a prefix the loose rule accepts too.
		if l2, _, ok2 := LoosePrefix(line); !ok2 || l2 != label {
			t.Fatalf("ParseLabel(%q) = %q but LoosePrefix gives %q, %v", line, label, l2, ok2)
		}
		if !strings.HasSuffix(line, rest) || !strings.Contains(line, label) {
			t.Fatalf("ParseLabel(%q) = %q, %q: not parts of the line", line, label, rest)
		}
		// The rule is stable: the label written back parses the same.
		if l2, r2, ok2 := ParseLabel(label + ": " + rest); !ok2 || l2 != label || r2 != strings.TrimLeft(rest, " \t") {
			t.Fatalf("ParseLabel(%q) = %q, %q but the rewritten line gives %q, %q, %v", line, label, rest, l2, r2, ok2)
		}
	})
}
