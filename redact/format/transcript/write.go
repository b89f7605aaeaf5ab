package transcript

import (
	"bufio"
	"encoding/xml"
	"fmt"
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
	// Continued says the block goes on with the previous block's lines as
	// one paragraph: a long run of lines is written in pieces without
	// holding it whole. A piece may not start or end with a blank line.
	Continued bool
	// Lines ties each line of Text to the document line it came from (the
	// vault's citation number, its time, its label); nil when the text is
	// not a document's lines (a chapter, an attribution). A marker has one
	// LineRef covering the lines it stands for.
	Lines []LineRef
}

// LineRef describes one output line of a Block.
type LineRef struct {
	N, To   int           // the document's line number; To > N for a marker covering N-To
	Start   time.Duration // the line's cue or speaker-label time
	HasTime bool
	Label   int  // length in bytes of the line's leading speaker label with its colon ("Leila:"), 0 if none
	Row     bool // a table row whose cells are separated by " | "
	Note    bool // a footnote or endnote line (set smaller in .docx)
}

// WriteOptions are the choices of an export beyond its format.
type WriteOptions struct {
	// Timestamps shows each line's time ("[00:01:23] ") in Markdown, text
	// and .docx.
	Timestamps bool
	// Title, if set, heads a .docx with a title block and puts the handle
	// and page numbers in its header and footer.
	Title *Title
}

// Title is the title block of an exported document.
type Title struct {
	Handle, Kind, Date string
	Participants       []string // pseudonyms
}

// A Writer writes blocks one at a time in a format (FormatMarkdown,
// FormatText, FormatDocx, FormatVTT or FormatSRT), holding none of them:
// an exit streams its blocks through it.
type Writer struct {
	block func(Block)
	close func() error
	ew    *errWriter
}

// NewWriter starts writing format f to w. Close finishes the file.
func NewWriter(w io.Writer, f Format, opt WriteOptions) (*Writer, error) {
	ew := &errWriter{w: bufio.NewWriterSize(w, 64<<10)}
	bw := &Writer{ew: ew, close: ew.flush}
	switch f {
	case FormatMarkdown:
		md := &mdWriter{ew: ew, opt: opt}
		bw.block = md.block
	case FormatText:
		tw := &textWriter{ew: ew, opt: opt}
		bw.block = tw.block
	case FormatDocx:
		d, err := newDocxWriter(w, opt)
		if err != nil {
			return nil, err
		}
		bw.ew, bw.block, bw.close = d.ew, d.block, d.close
	case FormatVTT, FormatSRT:
		cw := &capWriter{ew: ew, f: f}
		bw.block, bw.close = cw.block, cw.close
	default:
		return nil, fmt.Errorf("cannot write format %q", f)
	}
	return bw, nil
}

// Block writes the next block. Write errors are kept for Close; Block
// returns the first of them early so a caller can stop.
func (w *Writer) Block(bl Block) error {
	w.block(bl)
	return w.ew.err
}

// Close writes the end of the file and flushes it.
func (w *Writer) Close() error { return w.close() }

// lineRef returns the reference of line k of a block, if it has one.
func (bl Block) lineRef(k int) (LineRef, bool) {
	if k < len(bl.Lines) {
		return bl.Lines[k], true
	}
	return LineRef{}, false
}

// clock formats a time as HH:MM:SS (00:01:23), whole seconds.
func clock(d time.Duration) string {
	d = d.Truncate(time.Second) // a clip cut at the shown time starts before the words
	return fmt.Sprintf("%02d:%02d:%02d", int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second))
}

// stamp is the time prefix of line k with Timestamps on, else "".
func (bl Block) stamp(k int, opt WriteOptions) string {
	if r, ok := bl.lineRef(k); ok && opt.Timestamps && r.HasTime {
		return "[" + clock(r.Start) + "] "
	}
	return ""
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

// textWriter writes blocks as plain text: one paragraph per block,
// separated by a blank line (blank lines at the start and end of a block's
// text are left out, in every writer); a speaker's label as "Speaker: "
// before the first line; quote blocks indented by four spaces.
type textWriter struct {
	ew  *errWriter
	opt WriteOptions
	n   int
}

func (t *textWriter) block(bl Block) {
	ew := t.ew
	if t.n > 0 && !bl.Continued {
		ew.str("\n")
	}
	t.n++
	lines, first := blockText(bl)
	for k, l := range lines {
		if bl.Quote {
			ew.str("    ")
		}
		ew.str(bl.stamp(first+k, t.opt))
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

// blockText returns a block's lines without blank lines at its edges (at
// least one line), and the index of the first in the block's Text.
func blockText(bl Block) ([]string, int) {
	all := blockLines(bl.Text)
	first := 0
	for first < len(all) && strings.TrimSpace(all[first]) == "" {
		first++
	}
	lines := trimBlankEdges(all[first:])
	if len(lines) == 0 {
		return []string{""}, 0
	}
	return lines, first
}

// mdWriter writes blocks as CommonMark that reads cleanly raw: one
// paragraph per line, separated by blank lines; the speaker's label in bold
// ("**Leila:** …"); markers in italics; quote blocks as "> " block quotes.
// Only what would change the meaning is escaped (see mdEscape).
type mdWriter struct {
	ew        *errWriter
	opt       WriteOptions
	n         int
	prevQuote bool
}

func (m *mdWriter) block(bl Block) {
	ew := m.ew
	lines, first := blockText(bl)
	for k, l := range lines {
		l = strings.TrimSpace(l)
		label := ""
		switch r, _ := bl.lineRef(first + k); {
		case k == 0 && bl.Speaker != "":
			label = bl.Speaker + ":"
		case r.Label > 0 && r.Label <= len(l):
			label, l = l[:r.Label], strings.TrimLeft(l[r.Label:], " \t")
		}
		if l == "" && label == "" {
			continue // a blank line of the source: no empty paragraph
		}
		if m.n > 0 {
			if bl.Quote && m.prevQuote {
				ew.str(">\n")
			} else {
				ew.str("\n")
			}
		}
		m.n, m.prevQuote = m.n+1, bl.Quote
		if bl.Quote {
			ew.str("> ")
		}
		stamp := bl.stamp(first+k, m.opt)
		ew.str(stamp)
		if label != "" {
			ew.str("**") // three writes: no string of its own a line
			ew.str(mdEscape(label, false))
			ew.str("**")
			if l != "" {
				ew.str(" ")
			}
		}
		e := mdEscape(l, label == "" && stamp == "")
		if bl.Marker && e != "" {
			e = "*" + e + "*"
		}
		ew.str(e)
		ew.str("\n")
	}
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

// mdEscape backslash-escapes what CommonMark (and GitHub's tables and
// strikethrough) would otherwise interpret, and nothing else, so the raw
// file reads as the words. lineStart says the text starts a paragraph,
// where block syntax applies (headings, lists, quotes, breaks, fences).
func mdEscape(s string, lineStart bool) string {
	linky := strings.Contains(s, "](") || strings.Contains(s, "][") || strings.Contains(s, "]:")
	var b strings.Builder
	last, changed := 0, false
	for i := 0; i < len(s); i++ {
		if i > 0 {
			// Most bytes: nothing to look at; eight at a time while none
			// is special (one test of the eight table entries together).
			t := &mdSpecial
			for i+8 <= len(s) && t[s[i]]|t[s[i+1]]|t[s[i+2]]|t[s[i+3]]|t[s[i+4]]|t[s[i+5]]|t[s[i+6]]|t[s[i+7]] == 0 {
				i += 8
			}
			for i < len(s) && t[s[i]] == 0 {
				i++
			}
			if i == len(s) {
				break
			}
		}
		c := s[i]
		esc := false
		switch c {
		case '\\':
			esc = i+1 == len(s) || isASCIIPunct(s[i+1])
		case '`', '*':
			esc = true
		case '_':
			// Intraword underscores never make emphasis.
			esc = i == 0 || i+1 == len(s) || !isWordByte(s[i-1]) || !isWordByte(s[i+1])
		case '~':
			esc = (i+1 < len(s) && s[i+1] == '~') || (i > 0 && s[i-1] == '~')
		case '[', ']':
			esc = linky
		case '<':
			esc = i+1 < len(s) && (isASCIIAlpha(s[i+1]) || strings.IndexByte("/!?", s[i+1]) >= 0)
		case '&':
			esc = entityAt(s[i+1:])
		case '|':
			esc = true // a GitHub table cell separator
		case '!':
			esc = i+1 < len(s) && s[i+1] == '[' && linky
		}
		if !esc && lineStart {
			esc = blockStart(s, i)
		}
		if esc {
			if !changed {
				b.Grow(len(s) + 8)
				changed = true
			}
			b.WriteString(s[last:i])
			b.WriteByte('\\')
			last = i
		}
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// mdSpecial marks the bytes mdEscape may escape anywhere in a line.
var mdSpecial = func() (t [256]uint8) {
	for _, c := range []byte("\\`*_~[]<&|!.)") {
		t[c] = 1
	}
	return t
}()

// blockStart reports whether the byte at i of a paragraph's first line
// would start block syntax: an ATX heading, a block quote, a list item or a
// thematic break. (Fences need backticks or "~~", escaped anyway; a setext
// underline needs a paragraph line above it, and every line is a paragraph
// of its own.)
func blockStart(s string, i int) bool {
	c := s[i]
	spaceAfter := func(j int) bool { return j >= len(s) || s[j] == ' ' || s[j] == '\t' }
	if i == 0 {
		switch c {
		case '>':
			return true
		case '#':
			n := 0
			for n < len(s) && s[n] == '#' {
				n++
			}
			return n <= 6 && spaceAfter(n)
		case '+', '-', '*':
			if spaceAfter(1) {
				return true
			}
			fallthrough
		case '_':
			return c != '+' && isBreak(s, c)
		}
		return false
	}
	// "1." or "1)" after up to nine digits, then a space, starts an
	// ordered list.
	return (c == '.' || c == ')') && i <= 9 && isDigits(s[:i]) && spaceAfter(i+1)
}

// isBreak reports whether s is a thematic break made of c.
func isBreak(s string, c byte) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// entityAt reports whether s (after a "&") is an entity or numeric
// character reference that CommonMark would decode.
func entityAt(s string) bool {
	j := strings.IndexByte(s, ';')
	if j <= 0 || j > 32 {
		return false
	}
	name := s[:j]
	if name[0] == '#' {
		name = name[1:]
		if name != "" && (name[0] == 'x' || name[0] == 'X') {
			name = name[1:]
		}
	}
	if name == "" {
		return false
	}
	for k := 0; k < len(name); k++ {
		if !isASCIIAlnum(name[k]) {
			return false
		}
	}
	return true
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

func isWordByte(c byte) bool { return isASCIIAlnum(c) || c >= 0x80 }

func isASCIIAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// zipTime is the fixed modification time of every entry of a .docx written.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	docxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
)

// xmlText escapes s for XML character data; characters XML cannot hold
// become U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // strings.Builder never fails
	return b.String()
}
