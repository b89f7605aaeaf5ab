package transcript

import (
	"bytes"
	"strings"
	"testing"
)

// otterDocument is the body of testdata/otter.docx, laid out as Otter.ai and
// Rev write Word files: the speaker (bold) and the time on a paragraph of
// their own, the words in the paragraphs after it; a footnote added by the
// researcher.
const otterDocument = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + wNS + `><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Allotments 4 (synthetic)</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Speaker 1</w:t></w:r><w:r><w:t xml:space="preserve">  0:02</w:t></w:r></w:p>
<w:p><w:r><w:t>How long have you had the plot?</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Nnamdi Eze</w:t></w:r><w:r><w:t xml:space="preserve">  0:06</w:t></w:r></w:p>
<w:p><w:r><w:t>Eleven years. My father had it before me.</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Speaker 1 (00:00:14):</w:t></w:r></w:p>
<w:p><w:r><w:t>And the waiting list?</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Nnamdi Eze</w:t></w:r><w:r><w:tab/><w:t>0:18</w:t></w:r></w:p>
<w:p><w:r><w:t>Two years, they say.</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r></w:p>
</w:body></w:document>`

const otterFootnotes = `<?xml version="1.0"?><w:footnotes ` + wNS + `>` +
	`<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>` +
	`<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>` +
	`<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Nnamdi Eze's father was Chidi Eze.</w:t></w:r></w:p></w:footnote>` +
	`<w:footnote w:id="3"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Checked with the site secretary:</w:t></w:r></w:p><w:p><w:r><w:t>the list was 30 names long.</w:t></w:r></w:p></w:footnote>` +
	`</w:footnotes>`

func buildOtterDocx(tb testing.TB) []byte {
	return buildZip(tb, []struct{ name, body string }{
		fixtureParts[0], fixtureParts[1],
		{"word/document.xml", otterDocument},
		{"word/footnotes.xml", otterFootnotes},
	})
}

// TestOtterDocxFixture keeps testdata/otter.docx in step with its builder.
func TestOtterDocxFixture(t *testing.T) {
	fixtureUpToDate(t, "otter.docx", buildOtterDocx(t))
}

// TestDocxNotes checks that footnotes come after the body as numbered note
// lines nobody speaks, one line per paragraph, and that they survive a
// write and a second parse as text.
func TestDocxNotes(t *testing.T) {
	doc, err := Parse(FormatDocx, bytes.NewReader(buildOtterDocx(t)))
	if err != nil {
		t.Fatal(err)
	}
	checkDoc(t, doc)
	var notes []string
	body := true
	for _, l := range doc.Lines {
		if l.Note {
			body = false
			notes = append(notes, l.Text)
			continue
		}
		if !body {
			t.Errorf("body line %d after the notes", l.N)
		}
	}
	want := []string{"[footnote 1] Nnamdi Eze's father was Chidi Eze.", "[footnote 2] Checked with the site secretary:", "the list was 30 names long."}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notes %q, want %q", notes, want)
	}
	if len(doc.Dropped) != 0 {
		t.Errorf("Dropped = %q, want nothing", doc.Dropped)
	}
	var blocks []Block
	for _, l := range doc.Lines {
		blocks = append(blocks, Block{Text: l.Text})
	}
	back := docxRoundTrip(t, blocks)
	if len(back.Lines) != len(doc.Lines) {
		t.Fatalf("round trip: %d lines, want %d", len(back.Lines), len(doc.Lines))
	}
	for i, l := range back.Lines {
		if l.Text != doc.Lines[i].Text {
			t.Errorf("round trip line %d = %q, want %q", l.N, l.Text, doc.Lines[i].Text)
		}
	}
}
