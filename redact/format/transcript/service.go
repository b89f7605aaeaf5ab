package transcript

import (
	"strings"
	"time"
)

// Transcription services put the speaker and a time on a line of their own
// and the words on the lines after it:
//
//	Otter.ai     "Carol Mensah  0:09"        (two or more spaces, or a tab)
//	Rev          "Carol Mensah (00:01:23):"   "Carol Mensah: (00:01:23)"
//	Trint-style  "Carol Mensah [00:01:23]"   "[00:01:23] Carol Mensah:"
//	NVivo-style  "00:01:23 Carol Mensah"
//
// ParseTimedLabel recognises these lines. The name must pass the
// speaker-label rule (ParseLabel's words); the time is M:SS, MM:SS, H:MM:SS
// or HH:MM:SS with an optional fraction. So that field notes ("Lunch 12:30",
// "09:15 Registration", "Break (15:00)") are not taken for speakers, a form
// without a colon needs the hours (H:MM:SS) unless it is Otter's, whose
// name and time are set apart by two or more spaces or a tab. Words after
// a colon on the same line are the turn's first words.
func ParseTimedLabel(line string) (label string, start time.Duration, rest string, ok bool) {
	if !hasClockColon(line) {
		return "", 0, "", false // every form has a time, and a time "M:SS"
	}
	s := strings.TrimRight(line, " \t")
	if s == "" {
		return "", 0, "", false
	}
	// Forms that start with the time.
	if s[0] == '[' || isDigit(s[0]) {
		var tm string
		var after string
		bracket := s[0] == '['
		if bracket {
			i := strings.IndexByte(s, ']')
			if i < 0 {
				return "", 0, "", false
			}
			tm, after = s[1:i], s[i+1:]
		} else {
			i := strings.IndexAny(s, " \t")
			if i < 0 {
				return "", 0, "", false
			}
			tm, after = s[:i], s[i:]
		}
		d, hours, ok := parseLabelTime(tm)
		if !ok && bracket {
			// Zoom's saved live transcript: "[Carol Mensah] 10:01:02".
			name, tm := tm, strings.TrimSpace(after)
			if d, _, ok := parseLabelTime(tm); ok && after[0] == ' ' && validTimedLabel(name) {
				return name, d, "", true
			}
			return "", 0, "", false
		}
		if !ok || after == "" || (after[0] != ' ' && after[0] != '\t') {
			return "", 0, "", false
		}
		name := strings.TrimLeft(after, " \t")
		if l, r, ok := zoomChatLine(name); ok && hours {
			return l, d, r, true
		}
		if l, r, ok := ParseLabel(name); ok {
			return l, d, r, true
		}
		if hours && validLabel(name) && !endsSentence(name) {
			return name, d, "", true
		}
		return "", 0, "", false
	}
	// "Name: (00:01:23)" or "Name: [00:01:23] words": the time after the label.
	if l, r, ok := ParseLabel(s); ok && r != "" && (r[0] == '(' || r[0] == '[') {
		closing := ")"
		if r[0] == '[' {
			closing = "]"
		}
		if i := strings.Index(r, closing); i > 0 {
			// Words after the time need the hours, so that "Carol: (12:30)
			// we met" keeps its words as they are.
			if d, hours, ok := parseLabelTime(r[1:i]); ok {
				after := strings.TrimRight(r[i+1:], " \t")
				if after == "" || (hours && (after[0] == ' ' || after[0] == '\t')) {
					return l, d, strings.TrimLeft(after, " \t"), true
				}
			}
		}
	}
	// Forms that end with the time, possibly followed by a colon and words.
	body, words, colon := s, "", false
	i := strings.Index(s, "):")
	if j := strings.Index(s, "]:"); j > 0 && (i < 0 || j < i) {
		i = j
	}
	if i > 0 {
		body, words, colon = s[:i+1], strings.TrimLeft(s[i+2:], " \t"), true
		if words != "" && s[i+2] != ' ' && s[i+2] != '\t' {
			return "", 0, "", false
		}
	}
	last := body[len(body)-1]
	var name, tm string
	otter := false
	switch last {
	case ')', ']':
		open := byte('(')
		if last == ']' {
			open = '['
		}
		i := strings.LastIndexByte(body, open)
		if i <= 0 || (body[i-1] != ' ' && body[i-1] != '\t') {
			return "", 0, "", false
		}
		name, tm = strings.TrimRight(body[:i], " \t"), body[i+1:len(body)-1]
	default:
		if colon {
			return "", 0, "", false
		}
		i := strings.LastIndexAny(body, " \t")
		if i <= 0 {
			return "", 0, "", false
		}
		name, tm = body[:i], body[i+1:]
		trimmed := strings.TrimRight(name, " \t")
		gap := body[len(trimmed) : i+1]
		otter = len(gap) >= 2 || strings.Contains(gap, "\t")
		name = trimmed
	}
	d, hours, ok := parseLabelTime(tm)
	if !ok || !validTimedLabel(name) {
		return "", 0, "", false
	}
	if !colon && !hours && !otter {
		return "", 0, "", false
	}
	if !colon && endsSentence(name) {
		return "", 0, "", false
	}
	return name, d, words, true
}

// zoomChatLine recognises the rest of a line of Zoom's saved chat after
// its time: "From Carol Mensah to Everyone:" (the message on the lines
// after it), "From  Carol Mensah : words" or "From Carol Mensah to
// Everyone : words". The sender is the label; the recipient is not carried
// (a direct message's recipient, "to Amy Li(Direct Message)", included).
func zoomChatLine(s string) (label, rest string, ok bool) {
	s, ok = strings.CutPrefix(s, "From ")
	if !ok {
		return "", "", false
	}
	head, rest, ok := strings.Cut(s, ":")
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return "", "", false
	}
	if i := strings.Index(head, " to "); i >= 0 {
		head = head[:i]
	}
	head = strings.TrimSpace(head)
	if !validTimedLabel(head) {
		return "", "", false
	}
	return head, strings.TrimLeft(rest, " \t"), true
}

// validTimedLabel is the label rule for a name a time or a line of its own
// sets apart, which may also be written surname first, as Teams shows an
// organisation's accounts ("Okafor, Adaeze", "Okafor, Adaeze (Guest)").
func validTimedLabel(name string) bool {
	if validLabel(name) {
		return true
	}
	family, given, ok := strings.Cut(name, ", ")
	return ok && !strings.Contains(given, ",") && validLabel(family) && validLabel(given) &&
		!strings.ContainsRune(family, '(')
}

// hasClockColon reports whether s holds a colon between two digits, as
// every time parseLabelTime takes does: most lines have none, and need no
// closer look.
func hasClockColon(s string) bool {
	for i := strings.IndexByte(s, ':'); i >= 0; {
		if i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1]) {
			return true
		}
		j := strings.IndexByte(s[i+1:], ':')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// endsSentence reports whether a would-be label ends like a sentence
// ("Okay.") rather than an initial ("Mary J.").
func endsSentence(name string) bool {
	if !strings.HasSuffix(name, ".") {
		return false
	}
	f := strings.Fields(name)
	return len([]rune(f[len(f)-1])) > 2
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseLabelTime parses a service's time stamp: [H…:]M…:SS with an optional
// fraction after "." or ",". hours says the hours were written.
func parseLabelTime(s string) (d time.Duration, hours, ok bool) {
	frac := ""
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if frac == "" || len(frac) > 3 || !isDigits(frac) {
			return 0, false, false
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false, false
	}
	for k, p := range parts {
		if !isDigits(p) || len(p) > 2 || (k > 0 && len(p) != 2) {
			return 0, false, false
		}
	}
	sec := atoi(parts[len(parts)-1])
	min := atoi(parts[len(parts)-2])
	if sec > 59 || (len(parts) == 3 && min > 59) {
		return 0, false, false
	}
	var h int64
	if len(parts) == 3 {
		h = atoi(parts[0])
	}
	d = time.Duration(h)*time.Hour + time.Duration(min)*time.Minute + time.Duration(sec)*time.Second
	if frac != "" {
		ms := atoi(frac)
		for i := len(frac); i < 3; i++ {
			ms *= 10
		}
		d += time.Duration(ms) * time.Millisecond
	}
	return d, len(parts) == 3, true
}

// looseCueTiming recognises a cue timing line as Teams wrote it into its
// older Word transcripts ("0:0:3.450 --> 0:0:7.120", hours, minutes and
// seconds of one or two digits) or as a WebVTT/SRT cue pasted into a
// document, and returns its start.
func looseCueTiming(line string) (time.Duration, bool) {
	a, b, ok := strings.Cut(strings.TrimSpace(line), "-->")
	if !ok {
		return 0, false
	}
	start, ok1 := parseLooseClock(strings.TrimSpace(a))
	end, ok2 := parseLooseClock(strings.TrimSpace(b))
	return start, ok1 && ok2 && end >= start
}

// parseLooseClock parses H:M:S or M:S with an optional fraction after "."
// or ",", each field of one or two digits (hours up to three).
func parseLooseClock(s string) (time.Duration, bool) {
	frac := ""
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if frac == "" || len(frac) > 3 || !isDigits(frac) {
			return 0, false
		}
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var d time.Duration
	for k, p := range parts {
		max := 2
		if k == 0 && len(parts) == 3 {
			max = 3
		}
		if !isDigits(p) || len(p) > max || (k > 0 && atoi(p) > 59) {
			return 0, false
		}
		d = d*60 + time.Duration(atoi(p))
	}
	d *= time.Second
	if frac != "" {
		ms := atoi(frac)
		for i := len(frac); i < 3; i++ {
			ms *= 10
		}
		d += time.Duration(ms) * time.Millisecond
	}
	return d, true
}
