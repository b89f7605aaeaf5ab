package transcript

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fieldvault/fieldvault/policy"
)

// Format names a text format this package parses.
type Format string

// The formats Parse understands. The values are the usual file extensions.
const (
	FormatText     Format = "txt"
	FormatMarkdown Format = "md"
	FormatVTT      Format = "vtt"
	FormatSRT      Format = "srt"
	FormatDocx     Format = "docx"
)

// The flags inline markup sets on lines ([dnq], [confidential],
// [off-record]), in their canonical order. The flag kinds are policy's
// (policy.FlagKind), defined once there.
var allFlags = [...]policy.FlagKind{policy.FlagDNQ, policy.FlagConfidential, policy.FlagOffRecord}

// Line is one numbered line of a parsed document.
type Line struct {
	N          int               // 1-based citation number
	Text       string            // the line's text with inline markup tags removed (speaker label kept as written)
	Speaker    string            // speaker label in force for this line as written ("Carol", "Interviewer"), "" if none yet
	Turn       bool              // this line starts a turn (carries the label)
	Flags      []policy.FlagKind // inline-markup flags covering any part of this line, in canonical order
	MarkupOnly bool              // the line held only markup tags (so exports can drop it)
	Start      time.Duration     // cue start for VTT/SRT, a service speaker line's time (0 otherwise)
	HasTime    bool              // Start is meaningful
	Note       bool              // a .docx footnote or endnote line, after the body ("[footnote 1] …"); nobody's turn
	Row        bool              // a .docx table row, its cells joined by " | "
}

// ParseError reports malformed input. It never carries the input's content.
//
// Line is the line of the file for plain text, Markdown, WebVTT and SRT;
// for .docx, which has no lines of its own, it is the parsed line number (as
// shown by open --lines), and Part names the zip entry for structural
// errors. Col is the 1-based column (in characters) where it is exact, else 0.
type ParseError struct {
	Format    Format
	Part      string
	Line, Col int
	Msg       string
	// Err is the underlying cause where one exists and is free of content
	// (a read error, a zip structure error); nil otherwise.
	Err error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Format))
	if e.Part != "" {
		b.WriteString(" ")
		b.WriteString(e.Part)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ", column %d", e.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Summary is what a streamed parse says once every line has been seen.
type Summary struct {
	Lines int // lines passed to the callback
	// Dropped says what was not carried into the lines, e.g. "3 comments",
	// "document properties", "headers/footers". Never content.
	Dropped []string
}

// ParseLines reads a document of format f from r and calls fn with each
// line in order, retaining none of them: memory stays proportional to the
// longest line (a .docx, a zip archive, is read at offsets when r is an
// io.ReaderAt with a Size, as io.SectionReader is, and whole otherwise). It enforces
// the limits of limits.go (with a *ParseError wrapping a *LimitError) and
// stops, with a *ParseError wrapping ctx's error, soon after ctx is
// cancelled; an error from fn stops the parse and is returned as
// is. Parse errors are *ParseError. A document whose markup is found
// unbalanced at its end fails after fn has seen every line.
func ParseLines(ctx context.Context, f Format, r io.Reader, fn func(Line) error) (Summary, error) {
	b := newBuilder(f, fn)
	b.budget.ctx = ctx
	if f != FormatDocx {
		r = decodeUTF16(ctxReader{ctx, r})
	}
	var err error
	switch f {
	case FormatText, FormatMarkdown:
		err = parsePlain(r, b)
	case FormatVTT:
		err = parseVTT(r, b)
	case FormatSRT:
		err = parseSRT(r, b)
	case FormatDocx:
		err = parseDocx(r, b)
	default:
		return Summary{}, &ParseError{Format: f, Msg: "unsupported format"}
	}
	if err == nil {
		err = b.finish()
	}
	if err != nil {
		return Summary{}, err
	}
	return Summary{Lines: b.n, Dropped: b.dropped}, nil
}

// rawLine is a line of extracted text before markup and speakers are applied.
type rawLine struct {
	text    string
	voice   string // speaker from a WebVTT voice span, "" if none
	start   time.Duration
	hasTime bool
	src     int  // line reported in errors
	exact   bool // text is the source line as is, so columns are exact
	cue     bool // comes from a cue: consecutive cues of one speaker merge
	note    bool // a footnote or endnote: no speaker, no label
	row     bool // a table row
}

type openTag struct {
	flag      policy.FlagKind
	line, col int
}

// builder turns raw lines into Lines, applying markup and speaker rules.
type builder struct {
	budget  budget
	format  Format
	emit    func(Line) error
	n       int  // lines emitted
	lastCue bool // the last line emitted has a time
	dropped []string
	open    []openTag
	speaker string
	// cueTime is the start of a cue timing line in a text or .docx
	// transcript (Teams' older Word download), waiting for its name line.
	cueTime    time.Duration
	hasCueTime bool
	// held is a line holding only a name, waiting to see whether a line
	// holding only a time follows it (Teams' Word download: "Name", then
	// "0:03", then the words), which makes it a turn.
	held    rawLine
	hasHeld bool
	// outer is the speaker in force before the table rows being read: a
	// table's speakers are its rows', and the turn before it goes on
	// after it.
	outer  string
	inRows bool
	// labelledCues: a cue has begun with a speaker label, as every cue
	// of a Zoom or Otter caption file does; from then on a cue's prefix
	// is read as a meeting's display name (displayLabel).
	labelledCues bool
}

func newBuilder(f Format, emit func(Line) error) *builder {
	return &builder{format: f, emit: emit}
}

func (b *builder) errorf(line, col int, format string, args ...any) *ParseError {
	return &ParseError{Format: b.format, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// nextSrc is the parsed line number the next line given to add will have.
func (b *builder) nextSrc() int {
	if b.hasHeld {
		return b.n + 2
	}
	return b.n + 1
}

// add takes the next raw line. A line holding only a name is held until the
// line after it is seen: if that holds only a time, the name is a speaker
// line with that time.
func (b *builder) add(r rawLine) error {
	if b.hasHeld {
		h := b.held
		b.hasHeld, b.held = false, rawLine{}
		if d, ok := bareTime(r); ok {
			b.cueTime, b.hasCueTime = d, true
		}
		if err := b.addLine(h); err != nil {
			return err
		}
	}
	if !b.hasCueTime && nameOnly(r) {
		b.held, b.hasHeld = r, true
		return nil
	}
	return b.addLine(r)
}

// nameOnly reports whether r is a line of text holding only a name of two
// words or more (and no markup), which a time on the next line would make a
// speaker line. One word followed by a time is more often a schedule in
// field notes ("Arrival", "10:30") than a speaker; a registered one-word
// name alone on a line is still found by the gate (NameLine).
func nameOnly(r rawLine) bool {
	if r.cue || r.note || r.row || r.voice != "" || strings.ContainsAny(r.text, "[:") {
		return false
	}
	name := strings.TrimSpace(r.text)
	return strings.Contains(name, " ") && validTimedLabel(name) && !endsSentence(name)
}

// bareTime reports whether r holds only a service's time ("0:03",
// "1:02:03").
func bareTime(r rawLine) (time.Duration, bool) {
	if r.cue || r.note || r.row {
		return 0, false
	}
	d, _, ok := parseLabelTime(strings.TrimSpace(r.text))
	return d, ok
}

func (b *builder) addLine(r rawLine) error {
	if err := b.budget.line(b.format, r.src, len(r.text)); err != nil {
		return err
	}
	text, flags, tags, err := b.markup(r)
	if err != nil {
		return err
	}
	l := Line{
		N:       b.n + 1,
		Text:    text,
		Flags:   flags,
		Start:   r.start,
		HasTime: r.hasTime,
		Row:     r.row,
	}
	l.MarkupOnly = tags && strings.TrimSpace(text) == ""
	if r.row != b.inRows {
		if r.row {
			b.outer = b.speaker
		} else {
			b.speaker = b.outer
		}
		b.inRows = r.row
	}
	var label, rest string
	ok := false
	timed := false
	switch {
	case r.note:
		b.speaker = ""
		l.Note = true
	case r.voice != "":
		label, rest, ok = r.voice, strings.TrimLeft(text, " \t"), true
	case r.row:
		var cont bool
		if label, cont = rowLabel(text); cont {
			break // a row with an empty speaker cell continues the turn
		}
		ok = label != ""
		if !ok {
			label, rest, ok = ParseLabel(text)
		}
	case !r.cue:
		// A transcription service's "Name  0:09" line: a turn whose time
		// is the label's; its text is written "Name:" like any turn.
		var start time.Duration
		pending, hadCue := b.cueTime, b.hasCueTime
		if strings.TrimSpace(text) != "" {
			b.hasCueTime = false
		}
		if label, start, rest, timed = ParseTimedLabel(text); timed {
			ok = true
			l.Start, l.HasTime = start, true
			l.Text = strings.TrimRight(label+": "+rest, " ")
			break
		}
		if start, isCue := looseCueTiming(text); isCue {
			// "0:0:3.450 --> 0:0:7.120" on a line of its own: the name on
			// the next line takes its time.
			b.cueTime, b.hasCueTime = start, true
			break
		}
		if name := strings.TrimSpace(text); hadCue && name != "" && validTimedLabel(name) && !endsSentence(name) {
			label, ok, timed = name, true, true
			l.Start, l.HasTime = pending, true
			l.Text = name + ":"
			break
		}
		fallthrough
	default:
		label, rest, ok = ParseLabel(text)
		if r.cue {
			if ok {
				b.labelledCues = true
			} else if b.labelledCues {
				label, rest, ok = displayLabel(text)
			}
		}
	}
	switch {
	case ok && r.cue && label == b.speaker && b.lastIsCue():
		// A further cue of the speaker in force: one turn, the label once.
		l.Speaker = label
		l.Text = rest
	case ok:
		b.speaker = label
		l.Speaker = label
		l.Turn = true
		if r.voice != "" {
			l.Text = label + ": " + rest
		}
	case strings.HasPrefix(strings.TrimLeft(text, " \t"), ">>"):
		// A broadcast caption's speaker change without a name: the turn
		// in force ends, and nobody's begins.
		b.speaker = ""
		l.Speaker = ""
	default:
		l.Speaker = b.speaker
	}
	if l.MarkupOnly {
		// A voice span around nothing but markup: the turn is there, no words.
		l.Text = ""
	}
	b.n++
	b.lastCue = l.HasTime
	return b.emit(l)
}

// displayLabel reads the prefix of a cue in a caption file whose cues
// begin with speaker labels as the speaker's display name, which a meeting
// service lets people write as they like ("Gideon Marsh 🌻", "gideon",
// "Dr. Amy Li, PhD", "Amy | Larder"): up to the first ": " (or a final
// ":"), at most maxLabelBytes and eight words, holding a letter, no tab
// and no sentence break ("? ", "! "), and not a heading (Note, Date, …) or
// a link. Such a prefix that names nobody registered is withheld as an
// unknown speaker's, never given to the speaker before it.
func displayLabel(text string) (label, rest string, ok bool) {
	i := strings.Index(text, ": ")
	if i < 0 && strings.HasSuffix(text, ":") {
		i = len(text) - 1
	}
	if i <= 0 || i > maxLabelBytes {
		return "", "", false
	}
	name := strings.TrimRight(text[:i], " \u00a0")
	if name == "" || name[0] == ' ' || strings.ContainsAny(name, "\t:") || strings.Contains(name, "? ") ||
		strings.Contains(name, "! ") || len(strings.Fields(name)) > 8 || isExcludedLabel(strings.Fields(name)[0]) {
		return "", "", false
	}
	if !hasLetter(name) {
		return "", "", false
	}
	return name, strings.TrimLeft(text[i+1:], " \t"), true
}

// columnHeadings are the headings of a transcript table's speaker column,
// not speakers.
var columnHeadings = map[string]bool{"speaker": true, "speakers": true, "name": true, "who": true, "person": true}

// rowLabel reads a table row laid out as a transcript ("Speaker | Words",
// with an optional time column first): the first cell (after a time) is the
// speaker when it passes the label rule and words follow it in another
// cell. cont is true if that cell is empty while words follow: the row
// continues the turn in force.
func rowLabel(text string) (label string, cont bool) {
	cells := strings.Split(text, " | ")
	if len(cells) > 2 && isTimestamp(strings.Trim(strings.TrimSpace(cells[0]), "[]()")) {
		cells = cells[1:]
	}
	if len(cells) < 2 || !hasLetter(strings.Join(cells[1:], "")) {
		return "", false // no words: a table of times or figures
	}
	name := strings.TrimSpace(cells[0])
	name = strings.TrimSuffix(strings.TrimSuffix(name, ":"), " ")
	if name == "" {
		return "", true
	}
	if columnHeadings[strings.ToLower(name)] || !validTimedLabel(name) || endsSentence(name) {
		return "", false
	}
	return name, false
}

func (b *builder) lastIsCue() bool { return b.n > 0 && b.lastCue }

func (b *builder) finish() error {
	if b.hasHeld {
		b.hasHeld = false
		if err := b.addLine(b.held); err != nil {
			return err
		}
	}
	if len(b.open) > 0 {
		t := b.open[len(b.open)-1]
		return b.errorf(t.line, t.col, "[%s] is never closed", t.flag)
	}
	return nil
}

// matchTag reports whether s starts with an inline markup tag.
func matchTag(s string) (f policy.FlagKind, closing bool, n int, ok bool) {
	if len(s) < 3 || s[0] != '[' {
		return "", false, 0, false
	}
	i := 1
	if s[1] == '/' {
		closing = true
		i = 2
	}
	for _, g := range allFlags {
		end := i + len(g)
		if end < len(s) && s[end] == ']' && strings.EqualFold(s[i:end], string(g)) {
			return g, closing, end + 1, true
		}
	}
	return "", false, 0, false
}

// markup removes inline markup tags from the line, tracking open tags across
// lines, and returns the flags covering the line.
func (b *builder) markup(r rawLine) (string, []policy.FlagKind, bool, error) {
	var mask uint8
	for _, t := range b.open {
		mask |= flagBit(t.flag)
	}
	s := r.text
	if strings.IndexByte(s, '[') < 0 {
		return s, flagsOf(mask), false, nil
	}
	var out strings.Builder
	tags := false
	last := 0
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			break
		}
		i += j
		f, closing, n, ok := matchTag(s[i:])
		if !ok {
			i++
			continue
		}
		tags = true
		col := 0
		if r.exact {
			col = utf8.RuneCountInString(s[:i]) + 1
		}
		if closing {
			if len(b.open) == 0 {
				return "", nil, false, b.errorf(r.src, col, "[/%s] closes nothing: no [%s] is open", f, f)
			}
			top := b.open[len(b.open)-1]
			if top.flag != f {
				for _, t := range b.open {
					if t.flag == f {
						return "", nil, false, b.errorf(r.src, col, "[/%s] is wrongly nested: [%s] opened on line %d must close first", f, top.flag, top.line)
					}
				}
				return "", nil, false, b.errorf(r.src, col, "[/%s] closes nothing: no [%s] is open", f, f)
			}
			b.open = b.open[:len(b.open)-1]
		} else {
			for _, t := range b.open {
				if t.flag == f {
					return "", nil, false, b.errorf(r.src, col, "[%s] opened again inside the [%s] opened on line %d", f, f, t.line)
				}
			}
			if err := b.budget.tag(b.format, r.src); err != nil {
				return "", nil, false, err
			}
			b.open = append(b.open, openTag{flag: f, line: r.src, col: col})
			mask |= flagBit(f)
		}
		out.WriteString(s[last:i])
		i += n
		last = i
	}
	if !tags {
		return s, flagsOf(mask), false, nil
	}
	out.WriteString(s[last:])
	return out.String(), flagsOf(mask), true, nil
}

func flagBit(f policy.FlagKind) uint8 {
	for i, g := range allFlags {
		if g == f {
			return 1 << i
		}
	}
	return 0
}

func flagsOf(mask uint8) []policy.FlagKind {
	if mask == 0 {
		return nil
	}
	var fs []policy.FlagKind
	for i, g := range allFlags {
		if mask&(1<<i) != 0 {
			fs = append(fs, g)
		}
	}
	return fs
}
