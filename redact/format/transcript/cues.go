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

// readBlocks calls fn with each run of non-blank lines (a WebVTT or SRT
// block). With emptyOnly, only an empty line ends a block, as the WebVTT
// parsing algorithm says: YouTube's captions hold lines of one space inside
// their cues.
func readBlocks(lr *lineReader, emptyOnly bool, fn func([]srcLine) error) error {
	var block []srcLine
	for {
		line, n, ok, err := lr.next()
		if err != nil {
			return err
		}
		blank := line == ""
		if !emptyOnly {
			blank = strings.TrimSpace(line) == ""
		}
		if !ok || blank {
			if len(block) > 0 {
				if err := fn(block); err != nil {
					return err
				}
				block = block[:0]
			}
			if !ok {
				return nil
			}
			continue
		}
		block = append(block, srcLine{text: line, n: n})
	}
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

func parseVTT(r io.Reader, b *builder) error {
	lr := newLineReader(FormatVTT, r)
	notes, first := 0, true
	st := &rollState{b: b, clean: vttCueText}
	err := readBlocks(lr, true, func(block []srcLine) error {
		for len(block) > 0 && strings.TrimSpace(block[0].text) == "" {
			block = block[1:] // whitespace-only lines before a block
		}
		if len(block) == 0 {
			return nil
		}
		if first {
			first = false
			if block[0].n != 1 || !hasKeyword(block[0].text, "WEBVTT") {
				return &ParseError{Format: FormatVTT, Line: 1, Msg: "missing WEBVTT header on the first line"}
			}
			// Header metadata lines are not carried; a cue written
			// without the blank line after the header is.
			for i := 1; i < len(block); i++ {
				if strings.Contains(block[i].text, "-->") {
					return st.cues(block[i:])
				}
			}
			return nil
		}
		switch {
		case hasKeyword(block[0].text, "NOTE"):
			notes++
			return nil
		case hasKeyword(block[0].text, "STYLE"), hasKeyword(block[0].text, "REGION"):
			return nil
		}
		if !strings.Contains(block[0].text, "-->") {
			if len(block) < 2 || !strings.Contains(block[1].text, "-->") {
				n := block[0].n
				if len(block) > 1 {
					n = block[1].n
				}
				return &ParseError{Format: FormatVTT, Line: n, Msg: "expected a cue timing line (HH:MM:SS.mmm --> HH:MM:SS.mmm)"}
			}
			block = block[1:] // the cue identifier
		}
		return st.cues(block)
	})
	if err != nil {
		return err
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

// cues handles a block starting with a timing line. A later line holding
// "-->" starts another cue, as in the WebVTT parsing algorithm; a line just
// before it that follows a whitespace-only line is that cue's identifier.
func (st *rollState) cues(block []srcLine) error {
	for len(block) > 0 {
		start, err := parseTiming(FormatVTT, block[0], parseVTTTimestamp, vttTimingHint)
		if err != nil {
			return err
		}
		j := 1
		for j < len(block) && !strings.Contains(block[j].text, "-->") {
			j++
		}
		end := j
		if j < len(block) && end >= 3 && strings.TrimSpace(block[end-2].text) == "" {
			end-- // an identifier after a whitespace-only separator line
		}
		if err := st.cue(start, block[1:end]); err != nil {
			return err
		}
		block = block[j:]
	}
	return nil
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

func parseSRT(r io.Reader, b *builder) error {
	lr := newLineReader(FormatSRT, r)
	st := &rollState{b: b, clean: srtCueText} // YouTube's SRT captions roll too
	return readBlocks(lr, false, func(block []srcLine) error {
		if !strings.Contains(block[0].text, "-->") {
			if !isDigits(strings.TrimSpace(block[0].text)) {
				return &ParseError{Format: FormatSRT, Line: block[0].n, Msg: "expected a subtitle number or a timing line"}
			}
			if len(block) < 2 || !strings.Contains(block[1].text, "-->") {
				return &ParseError{Format: FormatSRT, Line: block[0].n + 1, Msg: "expected a timing line after the subtitle number (HH:MM:SS,mmm --> HH:MM:SS,mmm)"}
			}
			block = block[1:]
		}
		for len(block) > 0 {
			start, err := parseTiming(FormatSRT, block[0], parseSRTTimestamp, srtTimingHint)
			if err != nil {
				return err
			}
			j := 1
			for j < len(block) && !strings.Contains(block[j].text, "-->") {
				j++
			}
			// A cue number just before the next timing line is not text.
			end := j
			if j < len(block) && end > 1 && isDigits(strings.TrimSpace(block[end-1].text)) {
				end--
			}
			if err := st.cue(start, block[1:end]); err != nil {
				return err
			}
			block = block[j:]
		}
		return nil
	})
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
