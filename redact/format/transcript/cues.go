package transcript

import (
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

type srcLine struct {
	text string
	n    int
}

func hasKeyword(line, kw string) bool {
	if !strings.HasPrefix(line, kw) {
		return false
	}
	rest := line[len(kw):]
	return rest == "" || rest[0] == ' ' || rest[0] == '\t'
}

const (
	vttTimingHint = "malformed cue timing (expected HH:MM:SS.mmm --> HH:MM:SS.mmm)"
	srtTimingHint = "malformed cue timing (expected HH:MM:SS,mmm --> HH:MM:SS,mmm)"
)

// A cueRun takes the lines of a block of cues one at a time, as the WebVTT
// parsing algorithm reads them: a line holding "-->" starts a cue, the
// lines up to the next one or the end of the block are its text. It holds
// one cue's lines at a time, at most MaxCueBytes of them.
type cueRun struct {
	st     *rollState
	format Format
	ts     func(string) (time.Duration, bool)
	hint   string
	// next reports whether the last of a cue's lines, just before the
	// next timing line, belongs to that cue (its identifier or number).
	next    func(payload []srcLine) bool
	open    bool
	start   time.Duration
	payload []srcLine
	size    int
}

// timing ends the cue in progress, if any, and starts one at timing line l.
func (c *cueRun) timing(l srcLine) error {
	if c.open {
		p := c.payload
		if c.next(p) {
			p = p[:len(p)-1]
		}
		if err := c.st.cue(c.start, p); err != nil {
			return err
		}
	}
	start, err := parseTiming(c.format, l, c.ts, c.hint)
	if err != nil {
		return err
	}
	c.open, c.start, c.payload, c.size = true, start, c.payload[:0], 0
	return nil
}

// line takes the block's next line.
func (c *cueRun) line(l srcLine) error {
	if strings.Contains(l.text, "-->") {
		return c.timing(l)
	}
	if c.size += len(l.text); c.size > MaxCueBytes {
		return c.st.b.budget.limit(c.format, l.n, "cue length (bytes)", MaxCueBytes)
	}
	c.payload = append(c.payload, l)
	return nil
}

// end ends the block: the cue in progress takes every line left.
func (c *cueRun) end() error {
	if !c.open {
		return nil
	}
	c.open = false
	return c.st.cue(c.start, c.payload)
}

// vttIdentifier: a line after a whitespace-only line, just before a timing
// line, is the next cue's identifier.
func vttIdentifier(p []srcLine) bool {
	return len(p) >= 2 && strings.TrimSpace(p[len(p)-2].text) == ""
}

// srtNumber: a cue number just before the next timing line is not text.
func srtNumber(p []srcLine) bool {
	return len(p) >= 1 && isDigits(strings.TrimSpace(p[len(p)-1].text))
}

// parseVTT reads a WebVTT file a line at a time. Blocks are runs of lines
// ended by an empty line (the WebVTT parsing algorithm: YouTube's captions
// hold lines of one space inside their cues); whitespace-only lines before
// a block are not part of it.
func parseVTT(r io.Reader, b *builder) error {
	lr := newLineReader(FormatVTT, r)
	st := &rollState{b: b, clean: vttCueText}
	c := &cueRun{st: st, format: FormatVTT, ts: parseVTTTimestamp, hint: vttTimingHint, next: vttIdentifier}
	const (
		between = iota // between blocks
		header         // the header block, before any cue in it
		skip           // a NOTE, STYLE or REGION block
		ident          // a block that started with a line other than a timing line
		cues           // a block of cues
	)
	state, first, notes, identLine := between, true, 0, 0
	for {
		line, n, ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok || line == "" {
			switch state {
			case ident:
				return &ParseError{Format: FormatVTT, Line: identLine, Msg: "expected a cue timing line (HH:MM:SS.mmm --> HH:MM:SS.mmm)"}
			case cues:
				if err := c.end(); err != nil {
					return err
				}
			}
			state = between
			if !ok {
				break
			}
			continue
		}
		l := srcLine{text: line, n: n}
		switch state {
		case between:
			switch {
			case strings.TrimSpace(line) == "":
				// whitespace-only lines before a block
			case first:
				first = false
				if n != 1 || !hasKeyword(line, "WEBVTT") {
					return &ParseError{Format: FormatVTT, Line: 1, Msg: "missing WEBVTT header on the first line"}
				}
				state = header
			case hasKeyword(line, "NOTE"):
				notes++
				state = skip
			case hasKeyword(line, "STYLE"), hasKeyword(line, "REGION"):
				state = skip
			case strings.Contains(line, "-->"):
				if err := c.timing(l); err != nil {
					return err
				}
				state = cues
			default:
				state, identLine = ident, n // the cue identifier
			}
		case header:
			// Header metadata lines are not carried; a cue written
			// without the blank line after the header is.
			if strings.Contains(line, "-->") {
				if err := c.timing(l); err != nil {
					return err
				}
				state = cues
			}
		case ident:
			if !strings.Contains(line, "-->") {
				return &ParseError{Format: FormatVTT, Line: n, Msg: "expected a cue timing line (HH:MM:SS.mmm --> HH:MM:SS.mmm)"}
			}
			if err := c.timing(l); err != nil {
				return err
			}
			state = cues
		case cues:
			if err := c.line(l); err != nil {
				return err
			}
		}
	}
	if first {
		return &ParseError{Format: FormatVTT, Line: 1, Msg: "missing WEBVTT header (the file is empty)"}
	}
	if notes > 0 {
		b.dropped = append(b.dropped, plural(notes, "NOTE block (comments)", "NOTE blocks (comments)"))
	}
	return nil
}

// rollState carries what one cue needs to know of the cue before it.
//
// Rolling (roll-up) captions, as YouTube writes its automatic captions and
// as broadcast CEA-608 conversions do, show each spoken line several times:
// a cue repeats the line(s) the previous cue ended with, then adds the new
// line at the bottom; YouTube's short "settling" cues repeat the last line
// above an empty (one-space) row. A file is taken to be rolling once a cue
// carries inline timestamps (<00:00:01.000>, only karaoke-style captions
// have them) or a cue of two or more lines starts with the line the
// previous cue ended with. From then on, the longest run of lines at the
// start of a cue that equals the end of the previous cue is a repeat and
// left out, so each spoken line appears once, with the start of the cue
// that first showed it. A cue that is not settling (its last row has text,
// and it has as many rows as the previous cue or more) always adds its last
// line, so a line spoken twice in a row is kept twice.
type rollState struct {
	b       *builder
	clean   func(string) (voice, text string) // the format's cue text cleaner
	prev    []string                          // the previous cue's text lines, whitespace-normalised
	rolling bool
}

// cue removes whitespace-only lines and, in rolling captions, the lines
// repeated from the previous cue, then emits what is left.
func (st *rollState) cue(start time.Duration, payload []srcLine) error {
	kept := payload[:0:0]
	shown := make([]string, 0, len(payload))
	settling := len(payload) > 0 && strings.TrimSpace(payload[len(payload)-1].text) == ""
	for _, pl := range payload {
		if strings.TrimSpace(pl.text) == "" {
			continue
		}
		if !st.rolling && hasInlineTimestamp(pl.text) {
			st.rolling = true
		}
		_, text := st.clean(pl.text)
		kept = append(kept, pl)
		shown = append(shown, strings.Join(strings.Fields(text), " "))
	}
	if !st.rolling && len(st.prev) > 0 && len(shown) > 0 {
		// A cue of two or more lines starting with the line the previous
		// cue ended with, or a settling cue repeating that line.
		st.rolling = (len(shown) >= 2 || settling) && shown[0] == st.prev[len(st.prev)-1]
	}
	if st.rolling {
		k := overlap(st.prev, shown)
		if !settling && k > 0 && len(shown) >= len(st.prev) && k == len(shown) {
			k--
		}
		kept = kept[k:]
	}
	st.prev = shown
	return emitCue(st.b, start, kept, st.clean)
}

// overlap returns the length of the longest run of lines that ends prev and
// starts cur.
func overlap(prev, cur []string) int {
	for k := min(len(prev), len(cur)); k > 0; k-- {
		if slices.Equal(prev[len(prev)-k:], cur[:k]) {
			return k
		}
	}
	return 0
}

// hasInlineTimestamp reports whether a cue text line holds a WebVTT
// timestamp tag such as <00:00:01.000> or <01.000>.
func hasInlineTimestamp(s string) bool {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			return false
		}
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j > 0 && s[0] >= '0' && s[0] <= '9' {
			if _, ok := parseVTTTimestamp(s[:j]); ok {
				return true
			}
		}
	}
}

// parseSRT reads a SubRip file a line at a time; blocks are runs of lines
// that are not blank.
func parseSRT(r io.Reader, b *builder) error {
	lr := newLineReader(FormatSRT, r)
	st := &rollState{b: b, clean: srtCueText} // YouTube's SRT captions roll too
	c := &cueRun{st: st, format: FormatSRT, ts: parseSRTTimestamp, hint: srtTimingHint, next: srtNumber}
	const (
		between = iota // between blocks
		number         // a block that started with a subtitle number
		cues           // a block of cues
	)
	state, numLine := between, 0
	for {
		line, n, ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok || strings.TrimSpace(line) == "" {
			switch state {
			case number:
				return &ParseError{Format: FormatSRT, Line: numLine + 1, Msg: "expected a timing line after the subtitle number (HH:MM:SS,mmm --> HH:MM:SS,mmm)"}
			case cues:
				if err := c.end(); err != nil {
					return err
				}
			}
			state = between
			if !ok {
				return nil
			}
			continue
		}
		l := srcLine{text: line, n: n}
		switch state {
		case between:
			switch {
			case strings.Contains(line, "-->"):
				if err := c.timing(l); err != nil {
					return err
				}
				state = cues
			case !isDigits(strings.TrimSpace(line)):
				return &ParseError{Format: FormatSRT, Line: n, Msg: "expected a subtitle number or a timing line"}
			default:
				state, numLine = number, n
			}
		case number:
			if !strings.Contains(line, "-->") {
				return &ParseError{Format: FormatSRT, Line: numLine + 1, Msg: "expected a timing line after the subtitle number (HH:MM:SS,mmm --> HH:MM:SS,mmm)"}
			}
			if err := c.timing(l); err != nil {
				return err
			}
			state = cues
		case cues:
			if err := c.line(l); err != nil {
				return err
			}
		}
	}
}

// parseTiming parses "start --> end [settings]" and returns the start.
func parseTiming(f Format, l srcLine, ts func(string) (time.Duration, bool), hint string) (time.Duration, error) {
	s := l.text
	col := func(i int) int { return utf8.RuneCountInString(s[:i]) + 1 }
	arrow := strings.Index(s, "-->")
	left := strings.TrimRight(s[:arrow], " \t")
	start, ok := ts(left)
	if !ok {
		return 0, &ParseError{Format: f, Line: l.n, Col: 1, Msg: hint}
	}
	i := arrow + 3
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != '\t' {
		j++
	}
	end, ok := ts(s[i:j])
	if !ok {
		return 0, &ParseError{Format: f, Line: l.n, Col: col(i), Msg: hint}
	}
	if end < start {
		return 0, &ParseError{Format: f, Line: l.n, Col: col(i), Msg: "cue ends before it starts"}
	}
	return start, nil
}

// parseClock parses [H…:]MM:SS<sep>mmm; hours are required if needHours.
func parseClock(s string, sep byte, needHours bool) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || (needHours && len(parts) != 3) {
		return 0, false
	}
	var h int64
	if len(parts) == 3 {
		if len(parts[0]) > 9 || !isDigits(parts[0]) {
			return 0, false
		}
		h = atoi(parts[0])
		parts = parts[1:]
	}
	m, sec := parts[0], parts[1]
	if len(m) != 2 || !isDigits(m) || atoi(m) > 59 {
		return 0, false
	}
	if len(sec) != 6 || sec[2] != sep || !isDigits(sec[:2]) || !isDigits(sec[3:]) || atoi(sec[:2]) > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(atoi(m))*time.Minute +
		time.Duration(atoi(sec[:2]))*time.Second + time.Duration(atoi(sec[3:]))*time.Millisecond
	return d, true
}

func atoi(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

func parseVTTTimestamp(s string) (time.Duration, bool) { return parseClock(s, '.', false) }

// parseSRTTimestamp accepts the SubRip comma and, as many tools write it, a
// full stop.
func parseSRTTimestamp(s string) (time.Duration, bool) {
	if d, ok := parseClock(s, ',', true); ok {
		return d, true
	}
	return parseClock(s, '.', true)
}

// emitCue turns a cue's text lines into raw lines: lines are joined with a
// space, except that a text line starting a new speaker starts a new line.
func emitCue(b *builder, start time.Duration, payload []srcLine, clean func(string) (voice, text string)) error {
	if err := b.budget.cue(b.format, cueLine(payload)); err != nil {
		return err
	}
	var cur rawLine
	var parts []string
	flush := func() error {
		text := strings.Join(parts, " ")
		parts = parts[:0]
		if strings.TrimSpace(text) == "" {
			return nil
		}
		cur.text = text
		return b.add(cur)
	}
	for k, pl := range payload {
		voice, text := clean(pl.text)
		newSpeaker := voice != "" && voice != cur.voice
		if voice == "" {
			_, _, newSpeaker = ParseLabel(text)
		}
		if k == 0 || newSpeaker {
			if k > 0 {
				if err := flush(); err != nil {
					return err
				}
			}
			cur = rawLine{voice: voice, start: start, hasTime: true, src: pl.n, cue: true}
		}
		parts = append(parts, text)
	}
	return flush()
}

// vttCueText removes WebVTT cue tags (<v Name>, <c>, <i>, <b>, <u>, <lang>,
// <ruby>, <rt>, timestamps) and character references, returning the first
// voice span's name.
func vttCueText(s string) (voice, text string) {
	if strings.IndexByte(s, '<') < 0 {
		return "", unescapeCue(s)
	}
	var out strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			out.WriteString(s)
			break
		}
		out.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			out.WriteString(s[i:])
			break
		}
		tag := s[i+1 : i+j]
		if voice == "" && len(tag) > 1 && tag[0] == 'v' && (tag[1] == ' ' || tag[1] == '\t' || tag[1] == '.') {
			if k := strings.IndexAny(tag, " \t"); k > 0 {
				voice = strings.TrimSpace(unescapeCue(tag[k:]))
			}
		}
		s = s[i+j+1:]
	}
	return voice, unescapeCue(out.String())
}

// unescapeCue resolves character references; one that stands for a line
// ending reads as a space, so a cue stays one line.
func unescapeCue(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	s = html.UnescapeString(s)
	if strings.ContainsAny(s, "\r\n\v\f") {
		s = lineEnds.Replace(s)
	}
	return s
}

// srtCueText removes the formatting tags SubRip files carry (<i>, <b>, <u>,
// <font …> and {\…} overrides); other angle brackets are text.
//
// A dialogue dash before a speaker label ("- Carol: …") is removed so that
// the label starts the line.
func srtCueText(s string) (voice, text string) {
	if rest, ok := strings.CutPrefix(s, "- "); ok {
		if _, _, isLabel := ParseLabel(rest); isLabel {
			s = rest
		}
	}
	if !strings.ContainsAny(s, "<{") {
		return "", s
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '{' && strings.HasPrefix(s[i:], "{\\") {
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				i += j + 1
				continue
			}
		}
		if c == '<' {
			if j := strings.IndexByte(s[i:], '>'); j > 0 && isSRTTag(s[i+1:i+j]) {
				i += j + 1
				continue
			}
		}
		out.WriteByte(c)
		i++
	}
	return "", out.String()
}

func isSRTTag(t string) bool {
	t = strings.ToLower(strings.TrimPrefix(t, "/"))
	switch t {
	case "i", "b", "u", "s", "font":
		return true
	}
	return strings.HasPrefix(t, "font ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// cueLine is the file line of a cue's first text line, 0 if it has none.
func cueLine(payload []srcLine) int {
	if len(payload) == 0 {
		return 0
	}
	return payload[0].n
}
