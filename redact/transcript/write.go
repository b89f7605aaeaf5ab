package transcript

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strings"
	"time"
)

// Block is a paragraph of output. A turn's label may be bold in docx and
// Markdown.
type Block struct {
	Speaker string // written as "Speaker:" before the text, "" for none
	Text    string // may hold several lines ("\n")
	Marker  bool   // a "[not for quotation: 12 lines withheld]" style marker, rendered in italics
	Quote   bool   // block quote
}

// blockLines splits a block's text into lines, normalising line endings.
func blockLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

type errWriter struct {
	w   *bufio.Writer
	err error
}

func (e *errWriter) str(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *errWriter) flush() error {
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}

// WriteText writes blocks as plain text: one paragraph per block, separated
// by a blank line (blank lines at the start and end of a block's text are
// left out, in every writer); a speaker's label as "Speaker: " before the first line;
// quote blocks indented by four spaces.
func WriteText(w io.Writer, blocks []Block) error {
	ew := &errWriter{w: bufio.NewWriter(w)}
	for i, bl := range blocks {
		if i > 0 {
			ew.str("\n")
		}
		lines := trimBlankEdges(blockLines(bl.Text))
		if len(lines) == 0 {
			lines = []string{""}
		}
		for k, l := range lines {
			if bl.Quote {
				ew.str("    ")
			}
			if k == 0 && bl.Speaker != "" {
				ew.str(bl.Speaker + ":")
				if l != "" {
					ew.str(" ")
				}
			}
			ew.str(l)
			ew.str("\n")
		}
	}
	return ew.flush()
}

// WriteMarkdown writes blocks as CommonMark: one paragraph per block,
// separated by a blank line; the speaker's label in bold ("**Carol:** …");
// markers in italics; quote blocks as "> " block quotes; the lines of a block
// joined by hard line breaks. Text is escaped so that it renders as written.
func WriteMarkdown(w io.Writer, blocks []Block) error {
	ew := &errWriter{w: bufio.NewWriter(w)}
	for i, bl := range blocks {
		if i > 0 {
			ew.str("\n")
		}
		lines := trimBlankEdges(blockLines(bl.Text))
		if len(lines) == 0 {
			lines = []string{""}
		}
		for k, l := range lines {
			if bl.Quote {
				ew.str("> ")
			}
			if k == 0 && bl.Speaker != "" {
				ew.str("**" + mdEscape(bl.Speaker, false) + ":**")
				if l != "" {
					ew.str(" ")
				}
			}
			e := mdEscape(strings.TrimLeft(l, " \t"), !(k == 0 && bl.Speaker != ""))
			if bl.Marker && e != "" {
				e = "*" + e + "*"
			}
			ew.str(e)
			if k < len(lines)-1 {
				ew.str("\\")
			}
			ew.str("\n")
		}
	}
	return ew.flush()
}

func trimBlankEdges(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// mdEscape backslash-escapes what Markdown would otherwise interpret.
// lineStart says the text starts a line, where block syntax applies.
func mdEscape(s string, lineStart bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<':
			b.WriteByte('\\')
		case '&':
			if i+1 < len(s) && (isASCIIAlnum(s[i+1]) || s[i+1] == '#') {
				b.WriteByte('\\')
			}
		case '#', '>', '-', '+', '=', '|', '~':
			if lineStart && i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			if lineStart && i > 0 && i <= 9 && isDigits(s[:i]) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// zipTime is the fixed modification time of every entry WriteDocx writes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	docxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	docxHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`
	docxTail = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`
)

// WriteDocx writes blocks as a minimal Word document (A4): one paragraph per
// block, the speaker's label in bold, markers in italics, quote blocks
// indented, a block's lines separated by line breaks. The package holds
// only [Content_Types].xml, _rels/.rels and word/document.xml: no document
// properties (no author, company or last-modified-by), no styles; entry
// times are fixed so the bytes are deterministic.
func WriteDocx(w io.Writer, blocks []Block) error {
	zw := zip.NewWriter(w)
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	}
	for _, p := range [...]struct{ name, body string }{
		{"[Content_Types].xml", docxContentTypes},
		{"_rels/.rels", docxRootRels},
	} {
		f, err := create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	f, err := create("word/document.xml")
	if err != nil {
		return err
	}
	if err := writeDocumentXML(f, blocks); err != nil {
		return err
	}
	return zw.Close()
}

func writeDocumentXML(w io.Writer, blocks []Block) error {
	ew := &errWriter{w: bufio.NewWriter(w)}
	ew.str(docxHead)
	for _, bl := range blocks {
		ew.str("<w:p>")
		if bl.Quote {
			ew.str(`<w:pPr><w:ind w:left="720" w:right="720"/></w:pPr>`)
		}
		if bl.Speaker != "" {
			ew.str(`<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">`)
			ew.str(xmlText(bl.Speaker + ":"))
			ew.str(`</w:t></w:r>`)
			if len(trimBlankEdges(blockLines(bl.Text))) > 0 {
				ew.str(`<w:r><w:t xml:space="preserve"> </w:t></w:r>`)
			}
		}
		rPr := ""
		if bl.Marker {
			rPr = `<w:rPr><w:i/></w:rPr>`
		}
		if lines := trimBlankEdges(blockLines(bl.Text)); len(lines) > 0 {
			for k, l := range lines {
				ew.str("<w:r>" + rPr)
				if k > 0 {
					ew.str("<w:br/>")
				}
				for j, seg := range strings.Split(l, "\t") {
					if j > 0 {
						ew.str("<w:tab/>")
					}
					if seg != "" {
						ew.str(`<w:t xml:space="preserve">` + xmlText(seg) + `</w:t>`)
					}
				}
				ew.str("</w:r>")
			}
		}
		ew.str("</w:p>")
	}
	ew.str(docxTail)
	return ew.flush()
}

// xmlText escapes s for XML character data; characters XML cannot hold
// become U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // strings.Builder never fails
	return b.String()
}
