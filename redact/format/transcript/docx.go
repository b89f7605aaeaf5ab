package transcript

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

const (
	// maxDocxEntries bounds the number of entries of a .docx zip.
	maxDocxEntries = 10000
	// maxDocumentXML bounds the uncompressed size of word/document.xml
	// (a zip bomb guard; a 1,000-page transcript is a few tens of MiB).
	maxDocumentXML = 512 << 20
	// maxDocxBytes bounds a .docx read from a stream that is not seekable.
	maxDocxBytes = 1 << 30
)

const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

type sizedReaderAt interface {
	io.ReaderAt
	Size() int64
}

type statReaderAt interface {
	io.ReaderAt
	Stat() (fs.FileInfo, error)
}

func docxError(part, msg string, err error) *ParseError {
	return &ParseError{Format: FormatDocx, Part: part, Msg: msg, Err: err}
}

// parseDocx extracts the text of word/document.xml, streaming its XML, so
// memory stays within a small multiple of the file's size.
func parseDocx(r io.Reader, b *builder) error {
	var ra io.ReaderAt
	var size int64
	switch s := r.(type) {
	case sizedReaderAt: // bytes.Reader, strings.Reader, io.SectionReader
		ra, size = s, s.Size()
	case statReaderAt: // os.File
		fi, err := s.Stat()
		if err != nil {
			return docxError("", "reading failed", err)
		}
		ra, size = s, fi.Size()
	default:
		data, err := io.ReadAll(io.LimitReader(r, maxDocxBytes+1))
		if err != nil {
			return docxError("", "reading failed", err)
		}
		if len(data) > maxDocxBytes {
			return docxError("", "file larger than 1 GiB", nil)
		}
		ra, size = bytes.NewReader(data), int64(len(data))
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return docxError("", "not a zip archive, so not a .docx (a .doc or a password-protected file? save it as .docx without a password)", err)
	}
	if len(zr.File) > maxDocxEntries {
		return docxError("", "zip archive has too many entries for a .docx", nil)
	}
	var main, footnotes, endnotes *zip.File
	var props, comments bool
	var headers, footers int
	for _, f := range zr.File {
		switch name := f.Name; {
		case name == "word/document.xml":
			main = f
		case name == "word/footnotes.xml":
			footnotes = f
		case name == "word/endnotes.xml":
			endnotes = f
		case strings.HasPrefix(name, "docProps/"):
			props = true
		case strings.HasPrefix(name, "word/header") && strings.HasSuffix(name, ".xml"):
			headers++
		case strings.HasPrefix(name, "word/footer") && strings.HasSuffix(name, ".xml"):
			footers++
		case name == "word/comments.xml":
			comments = true
		}
	}
	if main == nil {
		return docxError("", "zip archive has no word/document.xml, so it is not a Word document", nil)
	}
	w, err := walkPart(b, main, "document", "")
	if err != nil {
		return err
	}
	// Footnotes and endnotes follow the body as numbered note lines.
	notes := map[string]int{}
	for _, n := range [...]struct {
		f          *zip.File
		root, kind string
	}{{footnotes, "footnotes", "footnote"}, {endnotes, "endnotes", "endnote"}} {
		if n.f == nil {
			continue
		}
		nw, err := walkPart(b, n.f, n.root, n.kind)
		if err != nil {
			return err
		}
		notes[n.kind] = nw.notes
	}
	d := &b.dropped
	if w.deletions > 0 {
		*d = append(*d, plural(w.deletions, "tracked deletion (tracked changes taken as accepted)", "tracked deletions (tracked changes taken as accepted)"))
	}
	switch {
	case w.comments > 0:
		*d = append(*d, plural(w.comments, "comment", "comments"))
	case comments:
		*d = append(*d, "comments")
	}
	// Notes referenced from the body but missing from their part.
	if k := w.footnotes - notes["footnote"]; k > 0 && footnotes == nil {
		*d = append(*d, plural(k, "footnote (its part is missing)", "footnotes (their part is missing)"))
	}
	if k := w.endnotes - notes["endnote"]; k > 0 && endnotes == nil {
		*d = append(*d, plural(k, "endnote (its part is missing)", "endnotes (their part is missing)"))
	}
	if headers > 0 {
		*d = append(*d, plural(headers, "header", "headers"))
	}
	if footers > 0 {
		*d = append(*d, plural(footers, "footer", "footers"))
	}
	if props {
		*d = append(*d, "document properties")
	}
	return nil
}

// walkPart streams one WordprocessingML part (word/document.xml, or the
// footnotes or endnotes part when noteKind is "footnote" or "endnote")
// into b.
func walkPart(b *builder, f *zip.File, root, noteKind string) (*docxWalker, error) {
	part := f.Name
	if f.UncompressedSize64 > maxDocumentXML {
		return nil, docxError(part, "larger than 512 MiB uncompressed", nil)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, docxError(part, "cannot be read from the zip archive", err)
	}
	defer rc.Close()
	lim := &io.LimitedReader{R: rc, N: maxDocumentXML + 1}
	w := &docxWalker{b: b, d: xml.NewDecoder(&tokenBound{r: lim}), part: part, root: root, noteKind: noteKind}
	if err := w.walk(); err != nil {
		var pe *ParseError
		var le *LimitError
		switch {
		case errors.As(err, &pe):
			return nil, pe
		case errors.As(err, &le):
			return nil, docxError(part, le.Error(), le)
		case lim.N <= 0:
			return nil, docxError(part, "larger than 512 MiB uncompressed", nil)
		case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, docxError(part, "corrupt zip entry", err)
		default:
			pe := docxError(part, "malformed XML", nil)
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				pe.Line = se.Line
				pe.Msg = "malformed XML (XML line numbering)"
			}
			return nil, pe
		}
	}
	return w, nil
}

// docxWalker walks the body of a WordprocessingML document.
//
// Paragraphs become lines; w:br and w:cr inside a paragraph start a new line
// (a page or column break only if the line has text); runs are joined;
// w:ins and w:moveTo are kept, w:del and w:moveFrom dropped; a paragraph
// whose mark is a tracked deletion joins the next paragraph; field
// instructions are dropped and field results kept; tables give one line per
// row, cells joined with " | " (a cell's paragraphs joined with a space,
// nested tables flattened into their cell).
type docxWalker struct {
	b    *builder
	d    *xml.Decoder
	line strings.Builder
	cell strings.Builder

	part, root string   // the zip entry and its root element's name
	noteKind   string   // "footnote" or "endnote" in a notes part, else ""
	notes      int      // notes read from a notes part
	notePrefix string   // "[footnote 2] ", until the note's first line is out
	boxes      []string // text of paragraphs holding the open text boxes
	boxLines   []string // text box lines waiting for their anchoring paragraph
	row        bool     // the line being emitted is a table row

	inT, inPPr   bool
	markDeleted  bool // the current paragraph's mark is a tracked deletion
	pendingJoin  bool // the previous paragraph continues into this one
	tblDepth     int
	cells        []string
	body, sawDoc bool

	deletions, comments, footnotes, endnotes int
}

func isW(n xml.Name) bool { return n.Space == nsW || n.Space == nsWStrict }

func (w *docxWalker) emit() error {
	s := w.line.String()
	w.line.Reset()
	if w.noteKind != "" && w.notePrefix != "" {
		if strings.TrimSpace(s) == "" {
			return nil // the note has not started yet
		}
		s, w.notePrefix = w.notePrefix+strings.TrimLeft(s, " \t"), ""
	}
	if len(w.boxes) > 0 {
		w.boxLines = append(w.boxLines, s) // after the anchoring paragraph
		return nil
	}
	if err := w.b.add(rawLine{text: s, src: w.b.nextSrc(), note: w.noteKind != "", row: w.row}); err != nil {
		return err
	}
	for len(w.boxLines) > 0 {
		s := w.boxLines[0]
		w.boxLines = w.boxLines[1:]
		if err := w.b.add(rawLine{text: s, src: w.b.nextSrc(), note: w.noteKind != ""}); err != nil {
			return err
		}
	}
	return nil
}

func (w *docxWalker) walk() error {
	for {
		tok, err := w.d.Token()
		if err == io.EOF {
			if !w.sawDoc {
				return docxError(w.part, "not a WordprocessingML document", nil)
			}
			if w.pendingJoin {
				w.pendingJoin = false
				return w.emit()
			}
			return nil
		}
		if err != nil {
			return err
		}
		st, isStart := tok.(xml.StartElement)
		_, isEnd := tok.(xml.EndElement)
		if err := w.b.budget.docxToken(isStart, isEnd, isStart && isW(st.Name) && st.Name.Local == "r", w.line.Len()+w.cell.Len()+3*len(w.cells)); err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := w.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			if err := w.end(t); err != nil {
				return err
			}
		case xml.CharData:
			if w.inT {
				w.text(string(t))
			}
		}
	}
}

// lineEnds are characters that would break a parsed line in two; in .docx
// and WebVTT text they read as spaces (as Word shows a newline inside w:t).
var lineEnds = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\v", " ", "\f", " ")

func (w *docxWalker) text(s string) {
	if strings.ContainsAny(s, "\r\n\v\f") {
		s = lineEnds.Replace(s)
	}
	if w.tblDepth > 0 {
		w.cell.WriteString(s)
	} else {
		w.line.WriteString(s)
	}
}

func (w *docxWalker) start(t xml.StartElement) error {
	if !w.sawDoc {
		if !isW(t.Name) || t.Name.Local != w.root {
			return docxError(w.part, "not a WordprocessingML document", nil)
		}
		w.sawDoc = true
		w.body = w.noteKind != "" // a notes part has no w:body
		return nil
	}
	if t.Name.Space == nsMC && t.Name.Local == "Fallback" {
		return w.skip() // the same content as the mc:Choice
	}
	if !isW(t.Name) {
		return nil
	}
	if w.inPPr {
		if t.Name.Local == "del" {
			w.markDeleted = true
		}
		return nil
	}
	switch t.Name.Local {
	case "body":
		w.body = true
	case "p":
		w.markDeleted = false
		if w.tblDepth > 0 {
			w.cellSpace()
		} else if !w.pendingJoin {
			w.line.Reset()
		}
		w.pendingJoin = false
	case "pPr":
		w.inPPr = true
	case "rPr", "instrText", "delInstrText", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr":
		return w.skip()
	case "t":
		w.inT = true
	case "del", "moveFrom":
		w.deletions++
		return w.skip()
	case "delText":
		return w.skip()
	case "txbxContent":
		// A text box's paragraphs are lines of their own, after the
		// paragraph that anchors the box.
		w.boxes = append(w.boxes, w.line.String())
		w.line.Reset()
	case "footnote", "endnote":
		if t.Name.Local != w.noteKind {
			return nil
		}
		for _, a := range t.Attr {
			if a.Name.Local == "type" && a.Value != "normal" {
				return w.skip() // separators and continuation notices
			}
		}
		w.notes++
		w.notePrefix = fmt.Sprintf("[%s %d] ", w.noteKind, w.notes)
	case "commentReference":
		w.comments++
	case "footnoteReference":
		w.footnotes++
	case "endnoteReference":
		w.endnotes++
	case "tab", "ptab":
		w.text("\t")
	case "noBreakHyphen":
		w.text("-")
	case "br", "cr":
		return w.lineBreak(t)
	case "tbl":
		if w.tblDepth == 0 && w.pendingJoin {
			w.pendingJoin = false
			if err := w.emit(); err != nil {
				return err
			}
		}
		w.tblDepth++
	case "tr":
		if w.tblDepth == 1 {
			w.cells = w.cells[:0]
		}
	case "tc":
		if w.tblDepth == 1 {
			w.cell.Reset()
		} else {
			w.cellSpace()
		}
	}
	return nil
}

// cellSpace separates paragraphs, breaks and nested cells inside a table
// cell with one space.
func (w *docxWalker) cellSpace() {
	s := w.cell.String()
	if s != "" && s[len(s)-1] != ' ' {
		w.cell.WriteByte(' ')
	}
}

func (w *docxWalker) lineBreak(t xml.StartElement) error {
	page := false
	for _, a := range t.Attr {
		if a.Name.Local == "type" && (a.Value == "page" || a.Value == "column") {
			page = true
		}
	}
	if w.tblDepth > 0 {
		w.cellSpace()
		return nil
	}
	if page && w.line.Len() == 0 {
		return nil
	}
	return w.emit()
}

func (w *docxWalker) end(t xml.EndElement) error {
	if !isW(t.Name) {
		return nil
	}
	switch t.Name.Local {
	case "txbxContent":
		if n := len(w.boxes); n > 0 {
			w.line.Reset()
			w.line.WriteString(w.boxes[n-1])
			w.boxes = w.boxes[:n-1]
		}
	case "footnote", "endnote":
		if t.Name.Local == w.noteKind && w.notePrefix != "" {
			// A note without text still takes its number.
			w.notePrefix = ""
		}
	case "pPr":
		w.inPPr = false
	case "t":
		w.inT = false
	case "p":
		if w.tblDepth > 0 || !w.body {
			return nil
		}
		if w.markDeleted {
			w.pendingJoin = true
			return nil
		}
		return w.emit()
	case "tc":
		if w.tblDepth == 1 {
			w.cells = append(w.cells, strings.TrimSpace(w.cell.String()))
		}
	case "tr":
		if w.tblDepth == 1 {
			w.line.Reset()
			w.line.WriteString(strings.Join(w.cells, " | "))
			w.row = true
			defer func() { w.row = false }()
			return w.emit()
		}
	case "tbl":
		w.tblDepth--
	}
	return nil
}
