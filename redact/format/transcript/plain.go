package transcript

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// maxLineBytes bounds one line of a text, WebVTT or SRT file (limits.go).
const maxLineBytes = MaxLineBytes

const bom = "\ufeff"

// splitLines is a bufio.SplitFunc ending lines at "\n", "\r\n" or "\r".
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	// The first "\r" or "\n": two byte searches (a "\r" is rare) are
	// quicker than one over a set.
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		i = len(data)
	}
	if j := bytes.IndexByte(data[:i], '\r'); j >= 0 {
		i = j
	}
	if i < len(data) {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		return 0, nil, nil
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// lineReader yields the lines of a UTF-8 text file, checking the encoding.
// It reads a few lines ahead (readAheadBytes, readAheadLines) and turns
// them into one string, so a line costs no allocation of its own; a line
// it returns shares that string with its neighbours.
type lineReader struct {
	f  Format
	sc *bufio.Scanner
	r  *readErr
	n  int // lines returned

	buf  []byte // the lines read ahead, as read
	text string // buf as a string
	ends []int  // where each line read ahead ends in text
	k    int    // the next line of ends to return
	read int    // lines read from sc
	err  error  // what ends the lines read ahead: an error, or io.EOF
	// held, if not empty, is a line read and checked that did not fit
	// in the last lines read ahead (sc.Bytes, valid until sc scans
	// again); it starts the next ones.
	held []byte
}

// readAheadBytes and readAheadLines bound what a lineReader reads ahead
// (but for one line that is longer). readAheadBytes is the largest size
// class of Go's small objects: the string of a few lines ahead is not
// rounded up to whole pages, as one a byte longer would be (a fifth more
// memory at 32 KiB and a line).
const (
	readAheadBytes = 32 << 10
	readAheadLines = 512
)

// readErr remembers the first error its reader returned other than io.EOF.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

func newLineReader(f Format, r io.Reader) *lineReader {
	re := &readErr{r: r}
	sc := bufio.NewScanner(re)
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	sc.Split(splitLines)
	return &lineReader{f: f, sc: sc, r: re}
}

// next returns the next line and its 1-based number; ok is false at the end.
// After a read error no line is returned (the scanner would hand over the
// line it was in the middle of as if it were whole).
func (lr *lineReader) next() (line string, n int, ok bool, err error) {
	if lr.k == len(lr.ends) {
		if lr.err == nil {
			lr.fill()
		}
		if lr.k == len(lr.ends) {
			if lr.err == io.EOF {
				return "", 0, false, nil
			}
			return "", 0, false, lr.err
		}
	}
	start := 0
	if lr.k > 0 {
		start = lr.ends[lr.k-1]
	}
	line = lr.text[start:lr.ends[lr.k]]
	lr.k++
	lr.n++
	return line, lr.n, true, nil
}

// fill reads the next lines ahead, up to the end of the text or the first
// error, which next returns once the lines before it are taken.
func (lr *lineReader) fill() {
	lr.buf, lr.ends, lr.k = lr.buf[:0], lr.ends[:0], 0
	if len(lr.held) > 0 {
		lr.buf = append(lr.buf, lr.held...)
		lr.ends = append(lr.ends, len(lr.buf))
		lr.held = nil
	}
	for len(lr.buf) < readAheadBytes && len(lr.ends) < readAheadLines {
		if !lr.sc.Scan() || lr.r.err != nil {
			lr.err = io.EOF
			switch err := lr.sc.Err(); {
			case lr.r.err != nil:
				lr.err = &ParseError{Format: lr.f, Line: lr.read + 1, Msg: "reading failed", Err: lr.r.err}
			case errors.Is(err, bufio.ErrTooLong):
				le := &LimitError{Limit: "line length (bytes)", Max: maxLineBytes}
				lr.err = &ParseError{Format: lr.f, Line: lr.read + 1, Msg: le.Error(), Err: le}
			case err != nil:
				lr.err = &ParseError{Format: lr.f, Line: lr.read + 1, Msg: "reading failed", Err: err}
			}
			break
		}
		lr.read++
		b := lr.sc.Bytes()
		if lr.read == 1 {
			b = bytes.TrimPrefix(b, []byte(bom))
		}
		if col, bad := checkText(b); bad != "" {
			lr.err = &ParseError{Format: lr.f, Line: lr.read, Col: col, Msg: bad}
			break
		}
		if len(lr.ends) > 0 && len(lr.buf)+len(b) > readAheadBytes {
			lr.held = b // not empty: it starts the next lines ahead
			break
		}
		lr.buf = append(lr.buf, b...)
		lr.ends = append(lr.ends, len(lr.buf))
	}
	lr.text = string(lr.buf)
	if cap(lr.buf) > 4*readAheadBytes {
		lr.buf = nil // a long line: do not keep its buffer
	}
}

// checkText returns the column and a description of the first byte sequence
// that is not text, or "" if all is well.
func checkText(b []byte) (int, string) {
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return 0, "" // the usual case, in two quick passes
	}
	col := 0
	for i := 0; i < len(b); {
		col++
		c := b[i]
		if c < utf8.RuneSelf {
			if c == 0 {
				return col, "NUL byte: this is not a text file"
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return col, "not valid UTF-8 (save the file as UTF-8 and ingest it again)"
		}
		i += size
	}
	return 0, ""
}

func parsePlain(r io.Reader, b *builder) error {
	lr := newLineReader(b.format, r)
	for {
		line, n, ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := b.add(rawLine{text: line, src: n, exact: true}); err != nil {
			return err
		}
	}
}

// DetectFormat tells the format of a file from its name's extension,
// confirmed by the first bytes of its content (head; any length, possibly
// empty). It returns false if the file is not a text format this package
// parses, or if the content contradicts the extension.
//
// A .docx must start as a zip archive (and not an OpenDocument one; Parse
// checks for word/document.xml), a .vtt with the "WEBVTT" header, an .srt
// with a cue number or timing line; .txt/.text and .md/.markdown must be
// UTF-8 without NUL bytes, or UTF-16 with a byte-order mark (which Parse
// decodes); other encodings are refused (NotTextReason says why).
func DetectFormat(filename string, head []byte) (Format, bool) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".txt", ".text":
		return FormatText, isTextHead(head)
	case ".md", ".markdown":
		return FormatMarkdown, isTextHead(head)
	case ".vtt":
		return FormatVTT, isVTTHead(head)
	case ".srt":
		return FormatSRT, isSRTHead(head)
	case ".docx":
		return FormatDocx, bytes.HasPrefix(head, []byte("PK\x03\x04")) &&
			!bytes.Contains(head[:min(len(head), 80)], []byte("mimetypeapplication/vnd.oasis"))
	}
	return "", false
}

// utf16BOM reports the byte order a UTF-16 byte-order mark at the start
// of head gives (Windows Notepad's "Unicode" is little-endian).
func utf16BOM(head []byte) (unicode.Endianness, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return unicode.LittleEndian, true
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return unicode.BigEndian, true
	}
	return unicode.LittleEndian, false
}

// decodeUTF16 returns r read as UTF-8: a text file that starts with a
// UTF-16 byte-order mark is decoded (the mark dropped), any other is r
// itself. An unpaired surrogate reads as U+FFFD.
func decodeUTF16(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	head, _ := br.Peek(2)
	e, ok := utf16BOM(head)
	if !ok {
		return br
	}
	br.Discard(2)
	return transform.NewReader(br, unicode.UTF16(e, unicode.IgnoreBOM).NewDecoder())
}

// utf16Head decodes the head of a file that starts with a UTF-16
// byte-order mark to UTF-8, so that its format can be told; any other head
// is returned as it is.
func utf16Head(head []byte) []byte {
	e, ok := utf16BOM(head)
	if !ok {
		return head
	}
	body := head[2 : 2+(len(head)-2)/2*2]
	out, _, err := transform.Bytes(unicode.UTF16(e, unicode.IgnoreBOM).NewDecoder(), body)
	if err != nil {
		return nil
	}
	// A head cut inside a surrogate pair ends in U+FFFD: drop it.
	return bytes.TrimSuffix(out, []byte("\ufffd"))
}

// NotTextReason says, for a file DetectFormat refused although its name
// is that of a text format (.txt, .md, .srt, .vtt), what is wrong with its
// content and what to do, in one line without the content; "" if nothing
// is wrong with its encoding.
func NotTextReason(head []byte) string {
	if _, ok := utf16BOM(head); ok {
		return ""
	}
	n := min(len(head), 512)
	evenNUL, oddNUL := 0, 0
	for i := 0; i < n; i++ {
		if head[i] == 0 {
			if i%2 == 0 {
				evenNUL++
			} else {
				oddNUL++
			}
		}
	}
	if n >= 4 && (evenNUL > n/4 || oddNUL > n/4) {
		return "it looks like UTF-16 text without a byte-order mark: save it as UTF-8 (or as UTF-16 with a byte-order mark) and ingest it again"
	}
	if evenNUL+oddNUL > 0 {
		return "it holds NUL bytes, so it is not a text file"
	}
	if !isTextHead(head) {
		return "it is not UTF-8 (text saved as Windows-1252 or Latin-1, say): save it as UTF-8 and ingest it again"
	}
	return ""
}

// NotDocxReason says, for a file named .docx that DetectFormat refused,
// what it is and what to do, in one line; "" if it cannot tell.
func NotDocxReason(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "it is a Word 97-2003 .doc or a password-protected .docx: save it in Word as .docx without a password and ingest it again"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "it is an OpenDocument file (.odt), not Word: save it as .docx and ingest it again"
	case bytes.HasPrefix(head, []byte("{\\rtf")):
		return "it is Rich Text (.rtf), not Word: save it as .docx and ingest it again"
	}
	return ""
}

func isTextHead(head []byte) bool {
	if _, ok := utf16BOM(head); ok {
		head = utf16Head(head)
	}
	// The head may end inside a multi-byte character.
	for k := 0; k < utf8.UTFMax && len(head) > 0; k++ {
		if utf8.Valid(head) {
			break
		}
		head = head[:len(head)-1]
	}
	return utf8.Valid(head) && bytes.IndexByte(head, 0) < 0
}

func isVTTHead(head []byte) bool {
	head = bytes.TrimPrefix(utf16Head(head), []byte(bom))
	if !bytes.HasPrefix(head, []byte("WEBVTT")) {
		return false
	}
	if len(head) == 6 {
		return true
	}
	switch head[6] {
	case ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func isSRTHead(head []byte) bool {
	if !isTextHead(head) {
		return false
	}
	head = bytes.TrimPrefix(utf16Head(head), []byte(bom))
	for len(head) > 0 {
		var line []byte
		i := bytes.IndexAny(head, "\r\n")
		if i < 0 {
			line, head = head, nil
		} else {
			line, head = head[:i], head[i+1:]
		}
		t := strings.TrimSpace(string(line))
		if t == "" {
			continue
		}
		return isDigits(t) || strings.Contains(t, "-->") || (i < 0 && len(t) < 10 && isDigits(t[:1]))
	}
	return true
}
