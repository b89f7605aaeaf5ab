package transcript

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// excludedLabelWords are first words that never make a speaker label, so
// that "Note: …", "Date: …" or "Present: …" in field notes are not taken
// for turns: in lower case, compared case-insensitively, ignoring a
// trailing full stop.
var excludedLabelWords = []string{
	"action", "actions", "address", "agenda", "apologies", "attendees", "bcc",
	"cc", "chapter", "comment", "comments", "date", "dates", "decision",
	"decisions", "duration", "e-mail", "email", "example", "fax", "file", "from",
	"ftp", "http", "https", "important", "interview", "item", "items", "location",
	"mailto", "minutes", "mobile", "nb", "next", "note", "notes", "outcome",
	"page", "part", "phone", "place", "present", "ps", "question", "re",
	"recording", "ref", "reference", "section", "see", "source", "status",
	"subject", "summary", "tel", "theme", "time", "times", "title", "to",
	"topic", "total", "transcribed", "transcriber", "transcript", "update",
	"venue", "warning", "web", "website",
	// Headings of field notes and memos. Names that are also words (May,
	// Hope, Will, Page) are not listed: a registered person named so is still
	// found (LoosePrefix), an unregistered one must not become a heading.
	"afterwards", "aim", "aims", "analysis", "aside", "background", "conclusion",
	"conclusions", "context", "description", "discussion", "findings", "follow-up",
	"impression", "impressions", "introduction", "issue", "issues", "key", "memo",
	"method", "methods", "objective", "objectives", "observation", "observations",
	"overview", "points", "purpose", "questions", "reflection", "reflections",
	"setting", "themes", "thoughts", "todo",
}

// labelParticles may appear in lower case inside a label ("Anna van Dijk",
// "Dafydd ap Rhys", "Head of Research").
var labelParticles = map[string]bool{
	"ab": true, "af": true, "al": true, "and": true, "ap": true, "av": true,
	"bat": true, "ben": true, "bin": true, "bint": true, "binti": true,
	"bte": true, "da": true, "dal": true, "das": true, "de": true, "degli": true,
	"dei": true, "del": true, "della": true, "den": true, "der": true, "des": true,
	"di": true, "do": true, "dos": true, "du": true, "e": true, "el": true,
	"ferch": true, "for": true, "ibn": true, "la": true, "las": true, "le": true,
	"lo": true, "los": true, "mac": true, "mc": true, "ní": true, "nic": true,
	"ó": true, "of": true, "op": true, "st": true, "te": true, "ten": true,
	"ter": true, "the": true, "ua": true, "uí": true, "van": true, "vande": true,
	"vander": true, "verch": true, "von": true, "y": true, "zu": true,
}

// leadParticles may begin a label in lower case ("de la Cruz", "van Dijk",
// "al-Sayed"): name particles only, never the connecting words of prose.
var leadParticles = func() map[string]bool {
	m := make(map[string]bool, len(labelParticles))
	for w := range labelParticles {
		switch w {
		case "and", "for", "of", "the", "e", "y", "lo", "st":
		default:
			m[w] = true
		}
	}
	for _, w := range []string{"d", "l", "o"} { // d'Almeida, l'Estrange, o'Neill as typed
		m[w] = true
	}
	return m
}()

var excludedLabel = func() map[string]bool {
	m := make(map[string]bool, len(excludedLabelWords))
	for _, w := range excludedLabelWords {
		m[w] = true
	}
	return m
}()

const (
	maxLabelBytes  = 120
	maxLabelWords  = 6
	maxAnnotations = 2
	maxAnnotation  = 40 // bytes inside one "(…)"
)

// ParseLabel applies the speaker-label rule (see the package documentation)
// to the start of line. It returns the label as written, without Markdown
// bold or colon but with its annotations ("Carol", "Interviewer", "Amy Li
// (she/her)"), and the rest of the line after the colon and the spaces that
// follow it. Whether a label names anyone is for the caller to decide: the
// rule only says the line begins the way a speaker's turn begins.
func ParseLabel(line string) (label, rest string, ok bool) {
	name, rest, ok := splitPrefix(line)
	if !ok || !validLabel(nbspWords(name)) {
		return "", "", false
	}
	return name, rest, true
}

// LoosePrefix is ParseLabel without the rules on capitals and on excluded
// first words: it accepts "amy li: …", "dr okafor: …" or "Page: …", which
// may be a registered person typed in lower case or named like a heading,
// but may as well be prose ("the thing is: …", "Note: …"). Callers use it
// only to look a prefix up in a register of known people, never to start an
// unknown speaker's turn.
func LoosePrefix(line string) (label, rest string, ok bool) {
	name, rest, ok := splitPrefix(line)
	if !ok || !labelShape(nbspWords(name), true) {
		return "", "", false
	}
	return name, rest, true
}

// NameLine reports whether a whole line, but for spaces and Markdown
// bold, has the shape of a speaker label ("Amy Li", "INTERVIEWER",
// "**Dafydd**"): a speaker's name on a line of its own, their words on the
// lines after it, as some typists lay transcripts out. The shape is that of
// headings and one-word answers too ("Fenwick Vale", "Okay"): callers use
// it only to look a name up in a register of known people.
func NameLine(line string) (name string, ok bool) {
	s := strings.TrimSpace(line)
	if len(s) > maxLabelBytes {
		return "", false
	}
	if b, found := strings.CutPrefix(s, "**"); found {
		s, found = strings.CutSuffix(b, "**")
		if !found {
			return "", false
		}
	}
	if s == "" || !validLabel(nbspWords(s)) {
		return "", false
	}
	return s, true
}

// splitPrefix cuts a line at its first colon when the colon is followed by
// white space or the end of the line, removing Markdown bold around the
// prefix ("**Carol:**", "**Carol**:").
func splitPrefix(line string) (name, rest string, ok bool) {
	s := skipTimestamp(skipListMarker(line))
	if s != "" && s[0] == '[' {
		return bracketPrefix(s)
	}
	bold := strings.HasPrefix(s, "**")
	if bold {
		s = s[2:]
	}
	i := labelColon(s)
	if t := strings.IndexByte(s[:min(len(s), maxLabelBytes+1)], '\t'); t > 0 && !bold && (i < 0 || t < i) {
		// "Name<TAB>words": a label set off by a tab, as typists lay
		// transcripts out in Word; words must follow (a heading may end
		// in a tab, a schedule give a time: "Arrival<TAB>10:30").
		rest := strings.TrimLeft(s[t+1:], " \t\u00a0")
		if !hasLetter(rest) {
			return "", "", false
		}
		return strings.TrimRight(s[:t], " \u00a0"), rest, true
	}
	if i <= 0 || i > maxLabelBytes {
		return "", "", false
	}
	name, after := s[:i], s[i+1:]
	if bold {
		switch {
		case strings.HasPrefix(after, "**"):
			after = after[2:]
		case strings.HasSuffix(name, "**"):
			name = name[:len(name)-2]
		default:
			return "", "", false
		}
	}
	// Word puts a no-break space after the colon as readily as a space.
	if after != "" && after[0] != ' ' && after[0] != '\t' && !strings.HasPrefix(after, "\u00a0") {
		return "", "", false
	}
	// Allow one space before the colon ("Carol : …", French style).
	name = strings.TrimSuffix(name, " ")
	name = strings.TrimSuffix(name, "\u00a0")
	return name, strings.TrimLeft(after, " \t\u00a0"), true
}

// bracketPrefix cuts a label written in square brackets, as diarisation
// tools write it ("[SPEAKER_01]: words", "[Speaker 2] words"): followed by a
// colon, or, for a numbered speaker only, by white space or the end of the
// line, so that "[Music]" or "[Laughter] yes" are not labels.
func bracketPrefix(s string) (name, rest string, ok bool) {
	j := strings.IndexByte(s, ']')
	if j <= 1 || j > maxLabelBytes {
		return "", "", false
	}
	name, after := s[1:j], s[j+1:]
	if a, found := strings.CutPrefix(after, ":"); found {
		after = a
	} else if !isDigit(name[len(name)-1]) {
		return "", "", false
	}
	if after != "" && after[0] != ' ' && after[0] != '\t' {
		return "", "", false
	}
	return name, strings.TrimLeft(after, " \t"), true
}

// labelColon returns the index of the first colon outside parentheses (a
// time in an annotation, "Speaker 1 (00:01):", is not the label's end), or
// -1.
func labelColon(s string) int {
	// Most lines: no colon near the start, or no parenthesis before the
	// first one; IndexByte finds either without a loop over the bytes.
	w := s[:min(len(s), maxLabelBytes+1)]
	c := strings.IndexByte(w, ':')
	if c < 0 {
		return -1
	}
	if strings.IndexByte(w[:c], '(') < 0 {
		return c
	}
	depth := 0
	for i := 0; i < len(s) && i <= maxLabelBytes; i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// skipListMarker removes a list or quotation marker that a transcript
// typed as a list puts before a label ("- Amy: …", "• Amy: …", "1. Amy: …",
// "2) Amy: …", "> Amy: …"), a broadcast caption's speaker change (">> AMY:
// …"), or a line number set off by a tab or two spaces
// ("12<TAB>Amy: …"); a line without one is returned as it is.
func skipListMarker(s string) string {
	for _, m := range []string{">> ", "- ", "* ", "+ ", "> ", "\u2022 ", "\u00b7 ", "\u2013 ", "\u2014 "} {
		if rest, ok := strings.CutPrefix(s, m); ok {
			return strings.TrimLeft(rest, " \t")
		}
	}
	j := 0
	for j < len(s) && j < 6 && isDigit(s[j]) {
		j++
	}
	if j == 0 || j == len(s) {
		return s
	}
	switch t := s[j:]; {
	case strings.HasPrefix(t, ". "), strings.HasPrefix(t, ") "), strings.HasPrefix(t, "  "):
		return strings.TrimLeft(t[1:], " \t")
	case t[0] == '\t':
		return strings.TrimLeft(t, " \t")
	}
	return s
}

// skipTimestamp removes a time stamp that typists and transcription tools
// put before a label ("[00:01:23] Amy Li: …", "(12:04) Q: …", "00:01:23 -
// Amy: …"); a line without one is returned as it is.
func skipTimestamp(s string) string {
	t := s
	closer := byte(0)
	if t != "" && (t[0] == '[' || t[0] == '(') {
		closer = map[byte]byte{'[': ']', '(': ')'}[t[0]]
		t = t[1:]
	}
	j := 0
	for j < len(t) && (t[j] >= '0' && t[j] <= '9' || t[j] == ':' || t[j] == '.' || t[j] == ',') {
		j++
	}
	if !isTimestamp(t[:j]) {
		return s
	}
	t = t[j:]
	if r, ok := strings.CutPrefix(t, " --> "); ok {
		// A time range, as Whisper writes it: "[00:00:12.345 --> 00:00:15.000]".
		k := 0
		for k < len(r) && (r[k] >= '0' && r[k] <= '9' || r[k] == ':' || r[k] == '.' || r[k] == ',') {
			k++
		}
		if !isTimestamp(r[:k]) {
			return s
		}
		t = r[k:]
	}
	if closer != 0 {
		if t == "" || t[0] != closer {
			return s
		}
		t = t[1:]
	}
	if t == "" || (t[0] != ' ' && t[0] != '\t') {
		return s
	}
	t = strings.TrimLeft(t, " \t")
	for _, dash := range []string{"- ", "\u2013 ", "\u2014 "} {
		if rest, ok := strings.CutPrefix(t, dash); ok {
			t = strings.TrimLeft(rest, " \t")
			break
		}
	}
	if t == "" {
		return s
	}
	return t
}

// isTimestamp reports whether s is a clock time such as 0:09, 12:04,
// 00:01:23 or 00:01:23.450.
func isTimestamp(s string) bool {
	if len(s) < 4 || len(s) > 12 || !isDigits(s[:1]) {
		return false // not "0:09" to "00:01:23,450": no need to look closer
	}
	parts := strings.Split(strings.ReplaceAll(s, ",", "."), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	last := parts[len(parts)-1]
	if sec, _, ok := strings.Cut(last, "."); ok {
		last = sec
	}
	parts[len(parts)-1] = last
	for k, p := range parts {
		if p == "" || len(p) > 2 || !isDigits(p) || (k > 0 && len(p) != 2) {
			return false
		}
	}
	return true
}

// SplitAnnotations separates a label's trailing parenthesised annotations
// ("Amy Li (she/her) (Guest)") from the name, returning the name and the
// annotations' contents in order. A label with none returns itself.
func SplitAnnotations(label string) (name string, notes []string) {
	name = label
	for len(notes) < maxAnnotations+1 && strings.HasSuffix(name, ")") {
		open := strings.LastIndexByte(name, '(')
		if open < 0 {
			break
		}
		notes = append([]string{name[open+1 : len(name)-1]}, notes...)
		name = strings.TrimRight(name[:open], " \u00a0")
	}
	return name, notes
}

// validLabel applies the label rule to a label without its colon.
func validLabel(label string) bool { return labelShape(label, false) }

// nbspWords turns no-break spaces between a label's words into spaces,
// for the label rule only (the label is returned as written).
func nbspWords(label string) string {
	if strings.Contains(label, "\u00a0") {
		return strings.ReplaceAll(label, "\u00a0", " ")
	}
	return label
}

// labelShape is the label rule; loose drops its rules on capitals and on
// excluded first words (LoosePrefix).
func labelShape(label string, loose bool) bool {
	if label == "" || label[0] == ' ' {
		return false
	}
	name, notes := SplitAnnotations(label)
	if len(notes) > maxAnnotations || name == "" || name[0] == ' ' {
		return false
	}
	for _, n := range notes {
		if !validAnnotation(n) {
			return false
		}
	}
	nwords := strings.Count(name, " ") + 1
	if nwords > maxLabelWords {
		return false
	}
	capital := false // some word (or hyphen part) starts with a capital
	relation := 0    // lower-case words allowed after a capitalised possessive ("Dafydd's mum")
	rest := name
	for k := 0; k < nwords; k++ {
		w, after, _ := strings.Cut(rest, " ")
		rest = after
		if w == "" || !validWord(w, k > 0) {
			return false
		}
		r, _ := utf8.DecodeRuneInString(w)
		upper := unicode.IsUpper(r) || unicode.IsTitle(r)
		switch {
		case upper || (k > 0 && unicode.IsDigit(r)):
			capital = capital || upper
		case loose || particleWord(strings.ToLower(w), k == 0):
			if !loose && k == 0 && hyphenCapital(w) {
				capital = true
			}
		case relation > 0 && unicode.IsLower(r):
			relation--
			if relation == 0 && k < nwords-1 {
				return false
			}
			continue
		default:
			return false
		}
		if upper && possessive(w) {
			relation = 2
		}
		if k == 0 && !loose && isExcludedLabel(w) {
			return false
		}
	}
	return loose || capital
}

// isExcludedLabel reports whether w, in lower case and without a final
// full stop, is one of excludedLabelWords.
func isExcludedLabel(w string) bool {
	var buf [24]byte
	if len(w) > len(buf) {
		return excludedLabel[strings.TrimSuffix(strings.ToLower(w), ".")]
	}
	b := buf[:0]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return excludedLabel[strings.TrimSuffix(strings.ToLower(w), ".")]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	if n := len(b); n > 0 && b[n-1] == '.' {
		b = b[:n-1]
	}
	return excludedLabel[string(b)]
}

// possessive reports whether a word ends in a possessive ("Dafydd's",
// "Jones’", "Jones'").
func possessive(w string) bool {
	for _, suf := range []string{"'s", "\u2019s", "'", "\u2019"} {
		if stem, ok := strings.CutSuffix(w, suf); ok && stem != "" {
			return !contractionStems[strings.ToLower(stem)]
		}
	}
	return false
}

// contractionStems are words whose "'s" is "is" or "us" ("It's true:",
// "Let's see:"), not a possessive.
var contractionStems = map[string]bool{
	"it": true, "that": true, "there": true, "here": true, "what": true, "who": true,
	"where": true, "when": true, "why": true, "how": true, "he": true, "she": true,
	"let": true, "this": true, "everyone": true, "nobody": true, "somebody": true,
}

// particleWord reports whether a lower-case word is a name particle, or a
// particle joined to a name by a hyphen or apostrophe ("al-Sayed",
// "d'Almeida").
func particleWord(w string, lead bool) bool {
	set := labelParticles
	if lead {
		set = leadParticles
	}
	if set[w] {
		return true
	}
	if i := strings.IndexAny(w, "-'\u2019"); i > 0 {
		return set[w[:i]]
	}
	return false
}

// hyphenCapital reports whether a particle-led word continues with a
// capital after its hyphen or apostrophe ("al-Sayed").
func hyphenCapital(w string) bool {
	i := strings.IndexAny(w, "-'\u2019")
	if i < 0 {
		return false
	}
	_, n := utf8.DecodeRuneInString(w[i:])
	r, _ := utf8.DecodeRuneInString(w[i+n:])
	return unicode.IsUpper(r) || unicode.IsTitle(r)
}

// validWord: letters, digits, combining marks and . ' ’ - _ (diarisation's
// "SPEAKER_00"); at least one letter, except that a later word may be a
// number ("Speaker 2").
func validWord(w string, later bool) bool {
	letters, ok := letterCount(w, ".'\u2019-_")
	if !ok {
		return false
	}
	if letters == 0 {
		return later && isDigits(w)
	}
	return true
}

// validAnnotation: the short words of a pronoun or meeting-software note
// ("she/her", "Guest", "Host, me", "External").
func validAnnotation(s string) bool {
	if s == "" || len(s) > maxAnnotation {
		return false
	}
	if isTimestamp(strings.TrimSpace(s)) {
		return true
	}
	letters, ok := letterCount(s, " /,.'\u2019-")
	return ok && letters > 0
}

// letterCount counts the letters of s, which may hold only letters, digits,
// combining marks and the runes of extra; ok is false otherwise.
func letterCount(s, extra string) (letters int, ok bool) {
	for _, c := range s {
		switch {
		case unicode.IsLetter(c):
			letters++
		case unicode.IsDigit(c), unicode.IsMark(c), strings.ContainsRune(extra, c):
		default:
			return 0, false
		}
	}
	return letters, true
}

// hasLetter reports whether s holds a letter.
func hasLetter(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
