package transcript

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Limits on the work a parser does, whatever its input: an ingest of a
// hostile file (a 744 KB .docx holding tens of millions of empty
// paragraphs, a caption file of two million cues) stops at the first limit
// it passes, with a *ParseError whose Err is a *LimitError naming the
// limit.
//
// Parsers stream: no limit is there to bound what a parse holds (one line,
// one cue, one XML token at a time), but what follows from a document's
// size. Each is far above what a real 10-hour recording's transcript
// needs: at a brisk 180 words a minute, ten hours is about 108,000 words,
// 650 KB of text; an automatic caption file of it has about 12,000 cues
// (one every three seconds) and a Word transcript a few thousand to 40,000
// paragraphs with some 200,000 runs. The text and line limits let in a
// 200 MB transcript (lines of 100 bytes or more) and a caption file of a
// million cues, and are set by what the vault keeps per line: an ingest
// that carries flags onto a new version diffs the two versions by a hash
// and a few indexes a line (about 25 bytes a line of both, 40 while it
// sorts), so at MaxLines that stays under 100 MiB (208 MiB of RSS
// measured) of the 256 MiB an ingest may use; MaxTags bounds the flag
// ranges inline markup can set, which the catalogue records.
const (
	// MaxLines bounds the parsed lines of a document (paragraphs of a
	// .docx, cues and cue splits of WebVTT/SRT, lines of text).
	MaxLines = 2_000_000
	// MaxLineBytes bounds one line (a paragraph, a cue, a text line) in
	// bytes of UTF-8.
	MaxLineBytes = 1 << 20
	// MaxTextBytes bounds the text of all lines of a document together.
	MaxTextBytes = 256 << 20
	// MaxCueBytes bounds the text lines of one WebVTT or SRT cue together
	// (a cue is one line unless a speaker changes inside it).
	MaxCueBytes = MaxLineBytes
	// MaxCues bounds the cues of a WebVTT or SRT file (empty ones too): a
	// million cues, a cue a second for 280 hours, with room to spare.
	MaxCues = 1_500_000
	// MaxTags bounds the inline markup tags a document opens ([dnq],
	// [confidential], [off-record]); each may start a flag range.
	MaxTags = 250_000
	// MaxRuns bounds the runs (w:r) of a .docx body.
	MaxRuns = 4_000_000
	// MaxElements bounds the XML elements of a .docx's word/document.xml.
	MaxElements = 8_000_000
)

// checkEvery is how often (in lines, cues or XML tokens) a parse checks
// whether its context was cancelled: often enough to stop within a small
// fraction of a second on a slow machine.
const checkEvery = 1024

// LimitError reports that a document passed one of the limits above.
type LimitError struct {
	Limit string // "lines", "line length (bytes)", "text size (bytes)", "cues", "markup tags", "runs", "XML elements", …
	Max   int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("more than the %s limit of %d (far more than a 10-hour transcript; split the file or check that it is what you meant to ingest)", e.Limit, e.Max)
}

// ErrLimit matches every *LimitError.
var ErrLimit = errors.New("parser limit reached")

// Is makes errors.Is(err, ErrLimit) true for a *LimitError.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// budget counts a parse's work against the limits and watches its context.
type budget struct {
	ctx                                                context.Context
	lines, text, cues, tags, runs, elts, depth, tokens int
}

func (b *budget) limit(f Format, line int, name string, max int) *ParseError {
	le := &LimitError{Limit: name, Max: max}
	return &ParseError{Format: f, Line: line, Msg: le.Error(), Err: le}
}

// cancelled reports a cancelled context every checkEvery calls of tick.
func (b *budget) cancelled(f Format, n int) error {
	if n%checkEvery != 0 || b.ctx == nil {
		return nil
	}
	if err := b.ctx.Err(); err != nil {
		return &ParseError{Format: f, Msg: "interrupted", Err: err}
	}
	return nil
}

// line counts a parsed line of n bytes.
func (b *budget) line(f Format, src, n int) error {
	b.lines++
	b.text += n
	switch {
	case b.lines > MaxLines:
		return b.limit(f, src, "lines", MaxLines)
	case n > MaxLineBytes:
		return b.limit(f, src, "line length (bytes)", MaxLineBytes)
	case b.text > MaxTextBytes:
		return b.limit(f, src, "text size (bytes)", MaxTextBytes)
	}
	return b.cancelled(f, b.lines)
}

// cue counts a WebVTT or SRT cue.
func (b *budget) cue(f Format, src int) error {
	b.cues++
	if b.cues > MaxCues {
		return b.limit(f, src, "cues", MaxCues)
	}
	return b.cancelled(f, b.cues)
}

// tag counts an opening markup tag on source line src.
func (b *budget) tag(f Format, src int) error {
	if b.tags++; b.tags > MaxTags {
		return b.limit(f, src, "markup tags", MaxTags)
	}
	return nil
}

// ContextReader reads r until ctx is cancelled: every read checks ctx
// first, so a text parse, or a copy (the vault's ingest of a file), stops
// soon after a cancel (SIGINT, SIGTERM) with ctx's error. One definition
// for the parser and the vault, which imports this package.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// MaxDepth bounds the nesting of a .docx's XML (Word writes a few dozen
// levels; nested tables some more).
const MaxDepth = 2_000

// maxTokenBytes bounds the bytes of .docx XML between one '<' or '>' and
// the next: the size of any one tag, text run or comment the XML decoder
// would hold in memory at once.
const maxTokenBytes = 4 * MaxLineBytes

// docxToken counts an XML token of a .docx body; pending is the length of
// the paragraph being assembled.
func (b *budget) docxToken(start, end, run bool, pending int) error {
	switch {
	case start:
		b.elts++
		b.depth++
		if run {
			b.runs++
		}
	case end:
		b.depth--
	}
	switch {
	case b.elts > MaxElements:
		return b.limit(FormatDocx, 0, "XML elements", MaxElements)
	case b.depth > MaxDepth:
		return b.limit(FormatDocx, 0, "XML nesting depth", MaxDepth)
	case b.runs > MaxRuns:
		return b.limit(FormatDocx, 0, "runs", MaxRuns)
	case pending > MaxLineBytes:
		return b.limit(FormatDocx, 0, "line length (bytes)", MaxLineBytes)
	}
	b.tokens++
	return b.cancelled(FormatDocx, b.tokens)
}

// tokenBound fails a read once more than maxTokenBytes pass without a '<'
// or '>', so that no single XML token grows past it in memory.
type tokenBound struct {
	r   io.Reader
	run int
}

// errTokenTooLong is returned by tokenBound.
var errTokenTooLong = &LimitError{Limit: "XML token size (bytes)", Max: maxTokenBytes}

func (t *tokenBound) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for _, c := range p[:n] {
		if c == '<' || c == '>' {
			t.run = 0
		} else if t.run++; t.run > maxTokenBytes {
			return 0, errTokenTooLong
		}
	}
	return n, err
}

// skip consumes the rest of the element just started, counting its tokens
// against the budget as the walk does (xml.Decoder.Skip would not).
func (w *docxWalker) skip() error {
	for depth := 1; depth > 0; {
		tok, err := w.d.Token()
		if err != nil {
			return err
		}
		_, start := tok.(xml.StartElement)
		_, end := tok.(xml.EndElement)
		if start {
			depth++
		} else if end {
			depth--
		}
		if err := w.b.budget.docxToken(start, end, false, 0); err != nil {
			return err
		}
	}
	return nil
}
