package redact

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// streamState is the redactor's state part-way through a text: the NFC
// text read but not yet decided (the start of what may be a name running
// on), and what the matcher needs to know of the text before it.
type streamState struct {
	r       *Redactor
	pending []byte
	prev    bool // the rune before pending is a word rune
	before  rune // the last rune that is not a space before pending
}

// run decides as much of pending as it can (all of it when final),
// appending the pseudonymised text to out.
func (st *streamState) run(final bool, out []byte) []byte {
	r, p := st.r, st.pending
	last := 0
	consumed, pw := r.m.scan(p, st.prev, final, r.acceptFn(p, st.before, false), func(s, e int, pi int32) {
		out = append(out, p[last:s]...)
		out = r.replace(out, p[s:e], pi)
		last = e
	})
	out = append(out, p[last:consumed]...)
	st.prev = pw
	st.before = contextRuneCaps(p[:consumed], st.before)
	st.pending = append(p[:0], p[consumed:]...)
	return out
}

// reset starts a new text.
func (st *streamState) reset() {
	st.pending, st.prev, st.before = st.pending[:0], false, 0
}

// A LineRedactor pseudonymises runs of lines one line at a time, exactly as
// Redact does the run's lines joined by "\n": a name broken across a line
// end (hyphenated or not) is still matched, and every line in gives one
// line out, in order, once what follows it is known. It holds at most a
// few KiB of text undecided (lineBatch, and a name running on), so memory
// does not grow with the run.
type LineRedactor struct {
	st        streamState
	out       []byte
	n         int // lines of the run so far
	emit      func(line string) error
	emitBytes func(line []byte) error
}

// Lines returns a LineRedactor that passes each pseudonymised line to emit
// as soon as it is decided.
func (r *Redactor) Lines(emit func(line string) error) *LineRedactor {
	return &LineRedactor{st: streamState{r: r}, emit: emit}
}

// LineBytes is Lines for a caller that copies each line where it goes:
// the line passed to emit is valid only until emit returns, and no line
// costs an allocation.
func (r *Redactor) LineBytes(emit func(line []byte) error) *LineRedactor {
	return &LineRedactor{st: streamState{r: r}, emitBytes: emit}
}

// Line adds the next line of the run (without its line end).
func (lr *LineRedactor) Line(text string) error {
	if lr.n > 0 {
		lr.st.pending = append(lr.st.pending, '\n')
	}
	lr.n++
	if isASCII(text) {
		lr.st.pending = append(lr.st.pending, text...)
	} else {
		lr.st.pending = norm.NFC.AppendString(lr.st.pending, text)
	}
	if len(lr.st.pending) < lineBatch {
		return nil // decided with the lines that follow, as Redact would
	}
	lr.out = lr.st.run(false, lr.out)
	return lr.flush(false)
}

// lineBatch is how much text a LineRedactor gathers before it decides
// what it can: a few lines at a time cost the matcher less than one.
const lineBatch = 16 << 10

// End finishes the run: the last lines are emitted and the next Line
// starts a new run, matched independently of this one.
func (lr *LineRedactor) End() error {
	if lr.n == 0 {
		return nil
	}
	lr.out = lr.st.run(true, lr.out)
	err := lr.flush(true)
	lr.st.reset()
	lr.out, lr.n = lr.out[:0], 0
	return err
}

// flush emits the complete lines of out (and, when final, the rest). The
// lines are cut from one string, so a flush allocates once, not per line.
func (lr *LineRedactor) flush(final bool) error {
	done := len(lr.out)
	if !final {
		done = bytes.LastIndexByte(lr.out, '\n') + 1
		if done == 0 {
			return nil
		}
	}
	if lr.emitBytes != nil {
		text := lr.out[:done]
		if !final {
			text = text[:len(text)-1]
		}
		for {
			i := bytes.IndexByte(text, '\n')
			if i < 0 {
				break
			}
			if err := lr.emitBytes(text[:i]); err != nil {
				return err
			}
			text = text[i+1:]
		}
		if err := lr.emitBytes(text); err != nil {
			return err
		}
		lr.out = append(lr.out[:0], lr.out[done:]...)
		return nil
	}
	text := string(lr.out[:done])
	if !final {
		text = text[:len(text)-1] // the last line's end: no line follows it yet
	}
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			break
		}
		if err := lr.emit(text[:i]); err != nil {
			return err
		}
		text = text[i+1:]
	}
	if err := lr.emit(text); err != nil {
		return err
	}
	lr.out = append(lr.out[:0], lr.out[done:]...)
	return nil
}

// A LineScanner is Scan followed by SentenceStartNames over a text given a
// line at a time: findings carry the line's number (from 1) and are in the
// order those two give. Memory is the findings, not the text.
type LineScanner struct {
	sc       lineScanner
	known    *Redactor
	n        int
	before   rune
	found    []Finding
	sentence []Finding
	buf      []byte
}

// NewLineScanner starts a scan; known is as for Scan.
func NewLineScanner(known *Redactor) *LineScanner {
	s := &LineScanner{known: known}
	s.sc.known = known
	s.sc.names.prevEnds = true
	return s
}

// Line scans the next line (without its line end). Its findings carry
// source as their SourceLine.
func (s *LineScanner) Line(line string, source int) {
	s.n++
	from := len(s.found)
	ascii := isASCII(line)
	if !ascii {
		line = norm.NFC.String(line)
	}
	for len(line) > 0 && (line[len(line)-1] == '\r' || line[len(line)-1] == '\n') {
		line = line[:len(line)-1]
	}
	s.found = s.sc.scan(s.found, line, s.n)
	for i := from; i < len(s.found); i++ {
		s.found[i].SourceLine = source
	}
	r := s.known
	if r == nil || !r.hasCommon {
		return
	}
	b := append(s.buf[:0], line...)
	s.buf = b
	// A name left at a sentence start is capitalised (acceptFn): a line
	// of plain ASCII without a capital letter holds none.
	if !ascii || hasUpperASCII(b) {
		r.m.scan(b, false, true, r.acceptFn(b, s.before, true), func(st, e int, p int32) {
			if r.pats[p].common == commonSingle {
				s.sentence = append(s.sentence, Finding{Kind: FindPossibleName, Line: s.n, Col: utf8.RuneCount(b[:st]) + 1, Confidence: Low, Text: string(b[st:e]), SourceLine: source})
			}
		})
	}
	s.before = contextRune(b, s.before)
}

func hasUpperASCII(b []byte) bool {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// Findings returns what the lines scanned so far hold.
func (s *LineScanner) Findings() []Finding {
	return append(s.found, s.sentence...)
}
