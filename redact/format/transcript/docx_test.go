package transcript

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// fixtureDocument is the body of testdata/interview.docx: a name split
// across runs (with a spell-check mark between), tracked changes, a
// comment, a table, a text box inside mc:AlternateContent, a field, a line
// break, a deleted paragraph mark, markup split across runs, a footnote.
const fixtureDocument = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + wNS + ` xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" mc:Ignorable="wps"><w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Interview 3, Ashcombe (synthetic)</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Interviewer:</w:t></w:r><w:r><w:t xml:space="preserve"> When did you arrive?</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Ros</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:b/></w:rPr><w:t>alind</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> Quill:</w:t></w:r><w:commentRangeStart w:id="0"/><w:r><w:t xml:space="preserve"> In </w:t></w:r><w:del w:id="1" w:author="Wilhelmina Tharp" w:date="2025-03-01T10:00:00Z"><w:r><w:delText>Scarrow, near Hob Farm</w:delText></w:r></w:del><w:ins w:id="2" w:author="Wilhelmina Tharp" w:date="2025-03-01T10:00:00Z"><w:r><w:t>the spring of 2004</w:t></w:r></w:ins><w:r><w:t>, with my sister.</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>
<w:p><w:r><w:t>We rented a flat above the bakery.</w:t></w:r><w:r><w:br/></w:r><w:r><w:t>It was cold</w:t><w:tab/><w:t>and damp.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>
<w:p/>
<w:p><w:pPr><w:rPr><w:del w:id="3" w:author="Wilhelmina Tharp" w:date="2025-03-01T10:00:00Z"/></w:rPr></w:pPr><w:r><w:t xml:space="preserve">This paragraph was </w:t></w:r></w:p>
<w:p><w:r><w:t>joined by accepting a deleted paragraph mark.</w:t></w:r></w:p>
<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>
<w:tr><w:tc><w:p><w:r><w:t>Year</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Event</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>2004</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Moved</w:t></w:r></w:p><w:p><w:r><w:t>to Ashcombe</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Interviewer:</w:t></w:r><w:r><w:t xml:space="preserve"> And the </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/hidden" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>residents' group</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>?</w:t></w:r></w:p>
<w:p><w:r><w:t>Rosalind Quill: [d</w:t></w:r><w:r><w:t>nq]Gideon Marsh ran it</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Text box words</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:t>Fallback words</w:t></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
<w:p><w:r><w:t>like a private club.[/dnq] Mostly.</w:t></w:r><w:moveFrom w:id="4" w:author="x" w:date="2025-03-01T10:00:00Z"><w:r><w:t>moved away</w:t></w:r></w:moveFrom></w:p>
<w:p><w:r><w:t>Note: transcript checked by participant.</w:t></w:r></w:p>
<w:sectPr><w:headerReference w:type="default" r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></w:sectPr>
</w:body></w:document>`

// fixtureParts are the other parts of testdata/interview.docx, holding the
// identifying details that must not reach any line.
var fixtureParts = []struct{ name, body string }{
	{"[Content_Types].xml", docxContentTypes},
	{"_rels/.rels", docxRootRels},
	{"docProps/core.xml", `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Wilhelmina Tharp</dc:creator><cp:lastModifiedBy>Wilhelmina Tharp</cp:lastModifiedBy></cp:coreProperties>`},
	{"docProps/app.xml", `<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>Brackenford Research Ltd</Company></Properties>`},
	{"word/header1.xml", `<?xml version="1.0"?><w:hdr ` + wNS + `><w:p><w:r><w:t>Header: Rosalind Quill, 12 Orchard Row</w:t></w:r></w:p></w:hdr>`},
	{"word/footer1.xml", `<?xml version="1.0"?><w:ftr ` + wNS + `><w:p><w:r><w:t>Footer words</w:t></w:r></w:p></w:ftr>`},
	{"word/comments.xml", `<?xml version="1.0"?><w:comments ` + wNS + `><w:comment w:id="0" w:author="Wilhelmina Tharp"><w:p><w:r><w:t>Comment words: check the sister's name</w:t></w:r></w:p></w:comment></w:comments>`},
	{"word/footnotes.xml", `<?xml version="1.0"?><w:footnotes ` + wNS + `><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Footnote words about Rosalind Quill.</w:t></w:r></w:p></w:footnote></w:footnotes>`},
	{"word/endnotes.xml", `<?xml version="1.0"?><w:endnotes ` + wNS + `><w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote><w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> Endnote, first paragraph.</w:t></w:r></w:p><w:p><w:r><w:t>Second paragraph [dnq]of the endnote[/dnq].</w:t></w:r></w:p></w:endnote></w:endnotes>`},
}

// fixtureSecrets must appear in no parsed line of testdata/interview.docx.
var fixtureSecrets = []string{"Wilhelmina", "Tharp", "Brackenford", "Orchard Row", "Scarrow", "Hob Farm",
	"Comment words", "Footer words", "Fallback words", "moved away", "HYPERLINK", "hidden"}

// buildZip writes a zip of the given parts, stored uncompressed with fixed
// times so the bytes do not depend on the compressor.
func buildZip(tb testing.TB, parts []struct{ name, body string }) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store, Modified: zipTime})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func buildFixtureDocx(tb testing.TB) []byte {
	parts := append([]struct{ name, body string }{}, fixtureParts[:2]...)
	parts = append(parts, struct{ name, body string }{"word/document.xml", fixtureDocument})
	parts = append(parts, fixtureParts[2:]...)
	return buildZip(tb, parts)
}

// TestDocxFixture keeps testdata/interview.docx in step with its builder.
func TestDocxFixture(t *testing.T) {
	fixtureUpToDate(t, "interview.docx", buildFixtureDocx(t))
}

func TestDocxContent(t *testing.T) {
	doc, err := Parse(FormatDocx, bytes.NewReader(readFixture(t, "interview.docx")))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range doc.Lines {
		for _, s := range fixtureSecrets {
			if strings.Contains(l.Text, s) || strings.Contains(l.Speaker, s) {
				t.Errorf("line %d carries %q, which is not body text", l.N, s)
			}
		}
	}
	wantDropped := []string{
		"2 tracked deletions (tracked changes taken as accepted)",
		"1 comment", "1 header", "1 footer", "document properties",
	}
	if !reflect.DeepEqual(doc.Dropped, wantDropped) {
		t.Errorf("Dropped = %q, want %q", doc.Dropped, wantDropped)
	}
	// The name split across three runs is one label.
	if l := doc.Lines[2]; !l.Turn || l.Speaker != "Rosalind Quill" || l.Text != "Rosalind Quill: In the spring of 2004, with my sister." {
		t.Errorf("line 3 = %+v", l)
	}
}

func TestDocxErrors(t *testing.T) {
	noDoc := buildZip(t, fixtureParts[:2])
	notXML := buildZip(t, []struct{ name, body string }{{"word/document.xml", "<w:document " + wNS + "><w:body><w:p>Zebedee</w:body>"}})
	notWord := buildZip(t, []struct{ name, body string }{{"word/document.xml", "<html><body>Zebedee</body></html>"}})
	badMarkup := buildZip(t, []struct{ name, body string }{{"word/document.xml", "<w:document " + wNS + "><w:body><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>Zebedee [/dnq]</w:t></w:r></w:p></w:body></w:document>"}})
	tests := []struct {
		name string
		in   []byte
		part string
		line int
		msg  string
	}{
		{"not a zip", []byte("Zebedee is not a zip"), "", 0, "not a zip archive, so not a .docx (a .doc or a password-protected file? save it as .docx without a password)"},
		{"empty", nil, "", 0, "not a zip archive, so not a .docx (a .doc or a password-protected file? save it as .docx without a password)"},
		{"no document", noDoc, "", 0, "zip archive has no word/document.xml, so it is not a Word document"},
		{"malformed xml", notXML, "word/document.xml", 1, "malformed XML (XML line numbering)"},
		{"not wordprocessingml", notWord, "word/document.xml", 0, "not a WordprocessingML document"},
		{"markup", badMarkup, "", 2, "[/dnq] closes nothing: no [dnq] is open"},
		{"truncated", buildFixtureDocx(t)[:300], "", 0, "not a zip archive, so not a .docx (a .doc or a password-protected file? save it as .docx without a password)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Both a seekable reader and a plain stream.
			for _, r := range []io.Reader{bytes.NewReader(tt.in), io.MultiReader(bytes.NewReader(tt.in))} {
				_, err := Parse(FormatDocx, r)
				if err == nil {
					t.Fatal("Parse succeeded, want an error")
				}
				pe := parseErr(t, err)
				if pe.Part != tt.part || pe.Line != tt.line || pe.Msg != tt.msg {
					t.Errorf("got part %q line %d %q; want part %q line %d %q", pe.Part, pe.Line, pe.Msg, tt.part, tt.line, tt.msg)
				}
				if strings.Contains(err.Error(), "Zebedee") {
					t.Errorf("error %q quotes the content", err)
				}
			}
		})
	}
}

// TestDocxCorrupt flips bytes inside the stored document part: the zip
// checksum or the XML parser must refuse it.
func TestDocxCorrupt(t *testing.T) {
	in := buildFixtureDocx(t)
	i := bytes.Index(in, []byte("When did you arrive"))
	if i < 0 {
		t.Fatal("fixture text not found")
	}
	bad := bytes.Clone(in)
	bad[i] ^= 0x20
	_, err := Parse(FormatDocx, bytes.NewReader(bad))
	pe := parseErr(t, err)
	if pe.Msg != "corrupt zip entry" || !errors.Is(err, zip.ErrChecksum) {
		t.Errorf("got %v, want a corrupt zip entry wrapping zip.ErrChecksum", err)
	}
}

// TestDocxZipBomb checks the size cap: a highly compressible document.xml
// larger than the cap is refused without being inflated in memory.
func TestDocxZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 512 MiB")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "<w:document "+wNS+"><w:body><w:p><w:r><w:t>")
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range (maxDocumentXML >> 20) + 1 {
		w.Write(chunk)
	}
	io.WriteString(w, "</w:t></w:r></w:p></w:body></w:document>")
	zw.Close()
	// Lie about the size in the central directory is not possible with
	// archive/zip, so check both the declared size and the streaming cap.
	_, err = Parse(FormatDocx, bytes.NewReader(buf.Bytes()))
	pe := parseErr(t, err)
	if pe.Msg != "larger than 512 MiB uncompressed" {
		t.Errorf("got %v, want the size cap", err)
	}
}

func TestDocxTooManyEntries(t *testing.T) {
	parts := make([]struct{ name, body string }, maxDocxEntries+1)
	for i := range parts {
		parts[i].name = fmt.Sprintf("x/%d", i)
	}
	_, err := Parse(FormatDocx, bytes.NewReader(buildZip(t, parts)))
	if pe := parseErr(t, err); pe.Msg != "zip archive has too many entries for a .docx" {
		t.Errorf("got %v", err)
	}
}

// largeDocx builds a synthetic transcript of about pages pages (~500 words
// each) and returns it with the size of its document.xml.
func largeDocx(tb testing.TB, pages int) ([]byte, int) {
	tb.Helper()
	var blocks []Block
	speakers := []string{"Interviewer", "Rosalind Quill", "Gideon Marsh"}
	words := strings.Fields("we talked about the allotments bus route meetings chapel on Mill Lane and how residents group changed over years when new people arrived estate council grant library volunteers winter rent flat bakery sister school nursery market hall committee minutes treasurer accounts")
	seed := uint32(7)
	var sb strings.Builder
	for i := range pages * 10 {
		sb.Reset()
		for k := range 50 {
			seed = seed*1664525 + 1013904223 // a fixed LCG: varied but reproducible text
			if k > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[seed>>16%uint32(len(words))])
		}
		blocks = append(blocks, Block{Speaker: speakers[i%3], Text: sb.String()})
	}
	var buf bytes.Buffer
	if err := WriteDocx(&buf, blocks); err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			return buf.Bytes(), int(f.UncompressedSize64)
		}
	}
	tb.Fatal("no word/document.xml")
	return nil, 0
}

// TestDocxMemory parses a 1,000-page .docx and checks that the memory it
// keeps, and what it allocates in all, stay within small multiples of the
// file and of its document.xml.
func TestDocxMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large document")
	}
	in, xmlSize := largeDocx(t, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	doc, err := Parse(FormatDocx, bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if len(doc.Lines) != 10000 {
		t.Fatalf("%d lines, want 10000", len(doc.Lines))
	}
	var textSize int
	for _, l := range doc.Lines {
		textSize += len(l.Text)
	}
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	total := after.TotalAlloc - before.TotalAlloc
	t.Logf("docx %d bytes, document.xml %d bytes, text %d bytes; kept %d bytes (%.1f× file), allocated %d bytes in all (%.1f× document.xml)",
		len(in), xmlSize, textSize, kept, float64(kept)/float64(len(in)), total, float64(total)/float64(xmlSize))
	if kept > int64(3*textSize) {
		t.Errorf("parsed document keeps %d bytes for %d bytes of text", kept, textSize)
	}
	if total > uint64(10*xmlSize) {
		t.Errorf("parsing allocated %d bytes for a %d-byte document.xml", total, xmlSize)
	}
	runtime.KeepAlive(doc)
}

func BenchmarkParseDocx(b *testing.B) {
	in, xmlSize := largeDocx(b, 100)
	b.SetBytes(int64(xmlSize))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(FormatDocx, bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
