package transcript

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The .docx writer. A document's lines (blocks with Lines) are laid out as
// an appendix: a two-column table without borders, the vault's line number
// in a narrow grey column beside each line, speaker labels bold, markers in
// italics with the range of lines they stand for, table rows as small
// tables. Blocks without Lines (a chapter's prose, an attribution) are
// ordinary paragraphs. With a Title the document opens with a title block
// and carries the handle in its header and "D12 · page N of M" in its
// footer; without one it has neither header nor footer.
//
// The package holds no document properties (no author, company or
// last-modified-by); entry times are fixed so the bytes are deterministic.

const (
	docxHdrFtrRels = `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>`
	docxRels       = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` + docxHdrFtrRels + `</Relationships>`
	docxHdrFtrTypes = `<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>`
	docxTypesFull   = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` + docxHdrFtrTypes + `</Types>`
	docxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Liberation Serif" w:hAnsi="Liberation Serif" w:eastAsia="Liberation Serif" w:cs="Liberation Serif"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:rFonts w:ascii="Liberation Sans" w:hAnsi="Liberation Sans"/><w:b/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>`
	docxDocHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`
	docxPage = `<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1304" w:bottom="1304" w:left="1304" w:header="708" w:footer="567" w:gutter="0"/>`
	// A4 less the margins, in twentieths of a point.
	docxTextWidth = 11906 - 2*1304
	docxNumWidth  = 737
	grey          = `<w:color w:val="6E6E6E"/>`
	sans          = `<w:rFonts w:ascii="Liberation Sans" w:hAnsi="Liberation Sans"/>`
)

// docxWriter streams word/document.xml into the zip, the other parts
// written first: a Word document (A4), with a title block if
// WriteOptions.Title is set.
type docxWriter struct {
	zw *zip.Writer
	*docxDoc
}

func newDocxWriter(w io.Writer, opt WriteOptions) (*docxWriter, error) {
	zw := zip.NewWriter(w)
	create := func(name, body string) (io.Writer, error) {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
		if err == nil && body != "" {
			_, err = io.WriteString(f, body)
		}
		return f, err
	}
	types, rels := docxTypesFull, docxRels
	if opt.Title == nil {
		// No header or footer: nothing the parser would report as dropped.
		types = strings.Replace(types, docxHdrFtrTypes, "", 1)
		rels = strings.Replace(rels, docxHdrFtrRels, "", 1)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", types},
		{"_rels/.rels", docxRootRels},
		{"word/_rels/document.xml.rels", rels},
		{"word/styles.xml", docxStyles},
	}
	if opt.Title != nil {
		parts = append(parts, struct{ name, body string }{"word/header1.xml", docxHeader(opt.Title)},
			struct{ name, body string }{"word/footer1.xml", docxFooter(opt.Title)})
	}
	for _, p := range parts {
		if _, err := create(p.name, p.body); err != nil {
			return nil, err
		}
	}
	f, err := create("word/document.xml", "")
	if err != nil {
		return nil, err
	}
	d := &docxWriter{zw: zw, docxDoc: &docxDoc{ew: &errWriter{w: bufio.NewWriterSize(f, 64<<10)}, opt: opt}}
	d.ew.str(docxDocHead)
	if opt.Title != nil {
		d.title(opt.Title)
	}
	return d, nil
}

func (d *docxWriter) close() error {
	d.endTable()
	d.ew.str(`<w:sectPr>`)
	if d.opt.Title != nil {
		d.ew.str(`<w:headerReference w:type="default" r:id="rId2"/><w:footerReference w:type="default" r:id="rId3"/>`)
	}
	d.ew.str(docxPage + `</w:sectPr></w:body></w:document>`)
	if err := d.ew.flush(); err != nil {
		return err
	}
	return d.zw.Close()
}

func docxHeader(t *Title) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="right"/></w:pPr>`)
	b.WriteString(textRun(t.Handle+" · "+t.Kind+" · pseudonymised", sans+grey+`<w:sz w:val="16"/>`))
	b.WriteString(`</w:p></w:hdr>`)
	return b.String()
}

func docxFooter(t *Title) string {
	run := func(s string) string {
		return `<w:r><w:rPr>` + sans + grey + `<w:sz w:val="16"/></w:rPr><w:t xml:space="preserve">` + xmlText(s) + `</w:t></w:r>`
	}
	field := func(instr string) string {
		return `<w:fldSimple w:instr="` + instr + `">` + run("1") + `</w:fldSimple>`
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>`)
	b.WriteString(run(t.Handle + " · page "))
	b.WriteString(field("PAGE") + run(" of ") + field("NUMPAGES"))
	b.WriteString(`</w:p></w:ftr>`)
	return b.String()
}

type docxDoc struct {
	ew      *errWriter
	opt     WriteOptions
	inTable bool
}

func (d *docxDoc) block(bl Block) {
	if len(bl.Lines) > 0 {
		d.rows(bl)
	} else {
		d.endTable()
		d.paragraph(bl)
	}
}

func (d *docxDoc) title(t *Title) {
	kind := t.Kind
	if kind == "" {
		kind = "document"
	}
	d.ew.str(`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>` + textRun(t.Handle+": "+kind, "") + `</w:p>`)
	var facts []string
	if t.Date != "" {
		facts = append(facts, "Date: "+t.Date)
	}
	if len(t.Participants) > 0 {
		facts = append(facts, "Participants: "+strings.Join(t.Participants, ", "))
	}
	if len(facts) > 0 {
		d.ew.str(`<w:p><w:pPr><w:spacing w:after="60"/></w:pPr>` + textRun(strings.Join(facts, "    "), sans+`<w:sz w:val="20"/>`) + `</w:p>`)
	}
	note := "Names of people, places and organisations are pseudonyms. The numbers beside the text are the vault's line numbers: cite line 9 as " + t.Handle + ":9."
	d.ew.str(`<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="6" w:color="A6A6A6"/></w:pBdr><w:spacing w:after="240"/></w:pPr>` + textRun(note, sans+grey+`<w:sz w:val="17"/>`) + `</w:p>`)
}

func (d *docxDoc) startTable() {
	if d.inTable {
		return
	}
	d.inTable = true
	d.ew.str(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(docxTextWidth) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="113" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid><w:gridCol w:w="` +
		strconv.Itoa(docxNumWidth) + `"/><w:gridCol w:w="` + strconv.Itoa(docxTextWidth-docxNumWidth) + `"/></w:tblGrid>`)
}

func (d *docxDoc) endTable() {
	if d.inTable {
		d.ew.str(`</w:tbl><w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>`)
		d.inTable = false
	}
}

// rows writes a block's lines as numbered table rows.
func (d *docxDoc) rows(bl Block) {
	lines := blockLines(bl.Text)
	for k, l := range lines {
		ref, _ := bl.lineRef(k)
		if strings.TrimSpace(l) == "" && !bl.Marker {
			continue // blank lines of the source keep their numbers, not a row
		}
		d.startTable()
		num := ""
		switch {
		case ref.To > ref.N && ref.N > 0:
			num = fmt.Sprintf("%d–%d", ref.N, ref.To)
		case ref.N > 0:
			num = strconv.Itoa(ref.N)
		}
		d.ew.str(`<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(docxNumWidth) + `" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:jc w:val="right"/><w:spacing w:before="20" w:after="60"/></w:pPr>`)
		if num != "" {
			d.ew.str(textRun(num, sans+grey+`<w:sz w:val="16"/>`))
		}
		d.ew.str(`</w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(docxTextWidth-docxNumWidth) + `" w:type="dxa"/></w:tcPr>`)
		ppr := `<w:pPr><w:spacing w:after="60"/>`
		if bl.Quote {
			ppr += `<w:ind w:left="567"/>`
		}
		ppr += `</w:pPr>`
		stamp := bl.stamp(k, d.opt)
		switch {
		case ref.Row && !bl.Marker:
			if stamp != "" {
				d.ew.str(`<w:p>` + ppr + textRun(stamp, sans+grey+`<w:sz w:val="18"/>`) + `</w:p>`)
			}
			d.rowTable(strings.Split(strings.TrimSpace(l), " | "))
		default:
			d.ew.str(`<w:p>` + ppr)
			if stamp != "" {
				d.ew.str(textRun(stamp, sans+grey+`<w:sz w:val="18"/>`))
			}
			text := strings.TrimLeft(l, " \t")
			label := ""
			if k == 0 && bl.Speaker != "" {
				label = bl.Speaker + ":"
			} else if ref.Label > 0 && ref.Label <= len(text) {
				label, text = text[:ref.Label], strings.TrimLeft(text[ref.Label:], " \t")
			}
			if label != "" {
				d.ew.str(textRun(label, `<w:b/>`))
				if text != "" {
					d.ew.str(textRun(" ", ""))
				}
			}
			rpr := ""
			switch {
			case bl.Marker:
				rpr = `<w:i/>` + grey
			case ref.Note:
				rpr = `<w:sz w:val="19"/>`
			}
			d.ew.str(textRun(text, rpr))
			d.ew.str(`</w:p>`)
		}
		d.ew.str(`</w:tc></w:tr>`)
	}
}

// rowTable writes a source table row as a small bordered table.
func (d *docxDoc) rowTable(cells []string) {
	width := (docxTextWidth - docxNumWidth - 120) / len(cells)
	d.ew.str(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(width*len(cells)) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		d.ew.str(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>`)
	}
	d.ew.str(`</w:tblBorders><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>`)
	for range cells {
		d.ew.str(`<w:gridCol w:w="` + strconv.Itoa(width) + `"/>`)
	}
	d.ew.str(`</w:tblGrid><w:tr>`)
	for _, c := range cells {
		d.ew.str(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(width) + `" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr>` + textRun(strings.TrimSpace(c), `<w:sz w:val="20"/>`) + `</w:p></w:tc>`)
	}
	// A cell must end with a paragraph.
	d.ew.str(`</w:tr></w:tbl><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="40" w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>`)
}

// paragraph writes a block without line references as one paragraph, its
// lines separated by line breaks.
func (d *docxDoc) paragraph(bl Block) {
	ew := d.ew
	ew.str("<w:p>")
	if bl.Quote {
		ew.str(`<w:pPr><w:ind w:left="720" w:right="720"/></w:pPr>`)
	}
	lines := trimBlankEdges(blockLines(bl.Text))
	if bl.Speaker != "" {
		ew.str(textRun(bl.Speaker+":", `<w:b/>`))
		if len(lines) > 0 {
			ew.str(textRun(" ", ""))
		}
	}
	rPr := ""
	if bl.Marker {
		rPr = `<w:i/>`
	}
	for k, l := range lines {
		if k > 0 {
			ew.str("<w:r><w:br/></w:r>")
		}
		ew.str(textRun(l, rPr))
	}
	ew.str("</w:p>")
}

// textRun is a run of text with the given run properties; tabs become
// w:tab.
func textRun(s, rPr string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("<w:r>")
	if rPr != "" {
		b.WriteString("<w:rPr>" + rPr + "</w:rPr>")
	}
	for j, seg := range strings.Split(s, "\t") {
		if j > 0 {
			b.WriteString("<w:tab/>")
		}
		if seg != "" {
			b.WriteString(`<w:t xml:space="preserve">` + xmlText(seg) + `</w:t>`)
		}
	}
	b.WriteString("</w:r>")
	return b.String()
}
