package redact

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Confidence says how sure the residual scan is that a finding identifies
// someone. High findings should block an exit unless accepted.
type Confidence int

// Confidence levels.
const (
	Low Confidence = iota
	High
)

// String returns "low" or "high".
func (c Confidence) String() string {
	if c == High {
		return "high"
	}
	return "low"
}

// Finding kinds.
const (
	FindEmail        = "email"
	FindURL          = "url"
	FindPhone        = "phone"
	FindPostcode     = "postcode"
	FindNINumber     = "ni-number"
	FindDate         = "date"
	FindPossibleName = "possible-name"
	FindPerson       = "person"
	FindPlace        = "place"
	FindOrg          = "org"
	FindCitation     = "citation"
)

// Finding is one residual identifier. Text is the identifier itself: it is
// protected data; print Masked() instead.
type Finding struct {
	Kind       string
	Line, Col  int // 1-based; Col counts runes
	Confidence Confidence
	Score      float32 // how sure, 0 to 1: names are weighed; identifiers 1
	Text       string
	Doc        string // the document scanned, where there is one (set by the caller)
	SourceLine int    // the line of Doc the finding's line came from, 0 if unknown
}

// Masked returns a form of the finding safe to print: letters and digits
// hidden except the first, and for e-mail addresses and URLs the top-level
// domain ("j***@***.uk").
func (f Finding) Masked() string {
	switch f.Kind {
	case FindEmail:
		local, domain, _ := strings.Cut(f.Text, "@")
		tld := ""
		if i := strings.LastIndexByte(domain, '.'); i >= 0 {
			tld = domain[i:]
		}
		return firstRune(local) + "***@***" + tld
	case FindURL:
		host := f.Text
		if i := strings.Index(host, "://"); i >= 0 {
			host = host[i+3:]
		}
		if i := strings.IndexAny(host, "/?#:"); i >= 0 {
			host = host[:i]
		}
		tld := ""
		if i := strings.LastIndexByte(host, '.'); i >= 0 {
			tld = host[i:]
		}
		return "***" + tld + "/***"
	}
	var b strings.Builder
	first := true
	for _, r := range f.Text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if first {
				b.WriteRune(r)
				first = false
				continue
			}
			b.WriteByte('*')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

var (
	reEmail     = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	reURL       = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>"'\x60]+`)
	rePhone     = regexp.MustCompile(`(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,5}\)[\s.\-]?)?\d[\d\s.\-()]{4,17}\d`)
	rePostcode  = regexp.MustCompile(`\b(?:[Gg][Ii][Rr] ?0[Aa][Aa]|[A-PR-UWYZa-pr-uwyz][A-HK-Ya-hk-y]?[0-9][0-9A-HJKMNPR-Ya-hjkmnpr-y]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b`)
	reNI        = regexp.MustCompile(`\b[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z] ?(?:[0-9]{2} ?[0-9]{2} ?[0-9]{2}|[0-9]{3} ?[0-9]{3}) ?[A-Da-d]\b`)
	reEmailSaid = regexp.MustCompile(`\b[A-Za-z0-9][A-Za-z0-9._%+\-]*(?:(?: dot |\s*[\[({]dot[\])}]\s*)[A-Za-z0-9\-]+)*(?:\s*[\[({]at[\])}]\s*| at )[A-Za-z0-9\-]+(?:(?:\s*[\[({]dot[\])}]\s*| dot )[A-Za-z0-9\-]+)+\b`)
	rePhoneExt  = regexp.MustCompile(`(?i)^,?\s*(?:x|ext\.?|extn\.?|extension)\s?\d{1,5}\b`)
	reDateNum   = regexp.MustCompile(`\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})\b`)
	reDateISO   = regexp.MustCompile(`\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b`)
	reDateText  = regexp.MustCompile(`(?i)\b(?:[0-9]{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+[0-9]{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+[0-9]{4})\b`)
)

// badNIPrefix are prefixes never issued as National Insurance numbers.
var badNIPrefix = map[string]bool{"BG": true, "GB": true, "NK": true, "KN": true, "TN": true, "NT": true, "ZZ": true}

// Scan looks for identifiers that remain in text: e-mail addresses, UK
// phone numbers and postcodes, National Insurance numbers (High), and URLs,
// full dates and possible names (Low). A possible name is a capitalised word
// (or run of them) not at a sentence start that is neither a common word nor,
// when known is not nil, an alias or pseudonym of its dictionary. Findings
// are in order of line and column.
//
// Each pattern runs only over the few short windows of a line that could
// hold a match (see lineScanner.scan), so ordinary prose costs one pass for
// names and a few byte searches.
func Scan(text string, known *Redactor) []Finding {
	if !isASCII(text) {
		text = norm.NFC.String(text)
	}
	sc := lineScanner{known: known}
	sc.names.prevEnds = true
	var out []Finding
	lineNo := 0
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i+1], text[i+1:]
		} else {
			text = ""
		}
		lineNo++
		for len(line) > 0 && (line[len(line)-1] == '\r' || line[len(line)-1] == '\n') {
			line = line[:len(line)-1]
		}
		out = sc.scan(out, line, lineNo)
	}
	return out
}

type span struct{ s, e int }

// lineScanner scans one line at a time, reusing its buffers.
type lineScanner struct {
	known  *Redactor
	line   string
	lineNo int
	taken  []span
	found  []Finding
	runs   []run
	digits []span
	wins   []span
	names  nameState
	idWins []run
	word   []byte // isAlias's buffer
}

func (sc *lineScanner) overlaps(s, e int) bool {
	for _, t := range sc.taken {
		if s < t.e && t.s < e {
			return true
		}
	}
	return false
}

func (sc *lineScanner) add(kind string, c Confidence, s, e int) {
	if sc.overlaps(s, e) {
		return
	}
	sc.taken = append(sc.taken, span{s, e})
	score := float32(1)
	if c == Low {
		score = 0.5
	}
	sc.found = append(sc.found, Finding{Kind: kind, Line: sc.lineNo, Col: utf8.RuneCountInString(sc.line[:s]) + 1, Confidence: c, Score: score, Text: sc.line[s:e]})
}

// Byte classes: which bytes each pattern's matches can contain.
const (
	cEmail   = 1 << iota // [A-Za-z0-9._%+\-@]
	cURL                 // [^\s<>"'`]
	cUpper               // [A-Za-z0-9 ]: postcodes, NI numbers
	cPhone               // [0-9+()\-.] and \s
	cDateNum             // [0-9./\-]
	cDateISO             // [0-9\-]
	cDigit               // [0-9]
	cSpace               // \s in a regexp: [\t\n\f\r ]
)

var scanClass = func() (t [256]uint8) {
	for i := range t {
		c := byte(i)
		digit := '0' <= c && c <= '9'
		upper := 'A' <= c && c <= 'Z'
		letter := upper || 'a' <= c && c <= 'z'
		space := c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
		set := func(bit uint8, ok bool) {
			if ok {
				t[i] |= bit
			}
		}
		set(cEmail, letter || digit || strings.IndexByte("._%+-@", c) >= 0)
		set(cURL, !space && strings.IndexByte("<>\"'`", c) < 0)
		set(cUpper, letter || digit || c == ' ')
		set(cPhone, digit || space || strings.IndexByte("+()-.", c) >= 0)
		set(cDateNum, digit || c == '.' || c == '/' || c == '-')
		set(cDateISO, digit || c == '-')
		set(cDigit, digit)
		set(cSpace, space)
	}
	return t
}()

// A run is a maximal stretch of a line whose bytes are all in one class,
// with counts of its digits, ASCII letters and other bytes.
type run struct{ s, e, digits, letters, others int }

// window returns the run with one byte of context either side, so that \b
// at the run's edges sees what it would in the whole line. No match can
// include a context byte (it is outside the class), so matching the window
// alone finds exactly the matches that lie in the run.
func (r run) window(line string) (int, string) {
	s, e := max(r.s-1, 0), min(r.e+1, len(line))
	return s, line[s:e]
}

// classRun returns the run of class bit around position i, which is in it.
func classRun(line string, i int, bit uint8) run {
	r := run{s: i, e: i}
	for r.s > 0 && scanClass[line[r.s-1]]&bit != 0 {
		r.s--
	}
	for r.e < len(line) && scanClass[line[r.e]]&bit != 0 {
		r.e++
	}
	for k := r.s; k < r.e; k++ {
		switch c := line[k]; {
		case '0' <= c && c <= '9':
			r.digits++
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
			r.letters++
		default:
			r.others++
		}
	}
	return r
}

// digitRuns returns the runs of class bit that hold a digit.
func (sc *lineScanner) digitRuns(bit uint8) []run {
	runs := sc.runs[:0]
	end := 0
	for _, d := range sc.digits {
		if d.s < end {
			continue
		}
		r := classRun(sc.line, d.s, bit)
		runs = append(runs, r)
		end = r.e
	}
	sc.runs = runs
	return runs
}

// findDigits records the line's runs of digits, from the first digit on.
func (sc *lineScanner) findDigits(first int) {
	line := sc.line
	sc.digits = sc.digits[:0]
	for i := first; i < len(line); i++ {
		if scanClass[line[i]]&cDigit == 0 {
			continue
		}
		j := i + 1
		for j < len(line) && scanClass[line[j]]&cDigit != 0 {
			j++
		}
		sc.digits = append(sc.digits, span{i, j})
		i = j
	}
}

func indexDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if scanClass[s[i]]&cDigit != 0 {
			return i
		}
	}
	return -1
}

// hasDotWord reports whether s holds "dot": an e-mail address spelt out
// ("jo at example dot com") needs one.
func hasDotWord(s string) bool { return containsShort(s, "dot") }

// containsShort is strings.Contains for a needle of a few bytes whose first
// byte is common in text, looked for 64 bytes of s at a time (the pieces
// overlap by len(sub)-1): on so short a text strings.Contains compares
// every position at once, where on a whole line it would stop at each
// occurrence of the needle's first byte (every "d" of a line, for "dot").
// For a rare first byte (the ":" of "://") strings.Contains as it is, one
// IndexByte over the line, is faster.
func containsShort(s, sub string) bool {
	const piece = 64
	for len(s) > piece {
		if strings.Contains(s[:piece], sub) {
			return true
		}
		s = s[piece-len(sub)+1:]
	}
	return strings.Contains(s, sub)
}

// isSpeltEmail checks a spelt-out address: it ends in a known top-level
// domain, so "meet at the shop dot" or "look at this dot thing" is not one.
func isSpeltEmail(m string) bool {
	i := strings.LastIndexAny(m, " ])}")
	tld := strings.ToLower(m[i+1:])
	switch tld {
	case "com", "org", "net", "uk", "edu", "gov", "ac", "io", "co", "info", "ie", "au", "ca",
		"nz", "de", "fr", "es", "it", "nl", "in", "za", "ng", "gh", "ke", "us", "eu", "me":
		return true
	}
	return false
}

// hasWWW reports whether s holds "www." in any case.
func hasWWW(s string) bool {
	for i := 3; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '.')
		if j < 0 {
			return false
		}
		i += j
		if s[i-1]|0x20 == 'w' && s[i-2]|0x20 == 'w' && s[i-3]|0x20 == 'w' {
			return true
		}
	}
	return false
}

func hasURLStart(s string) bool { return strings.Contains(s, "://") || hasWWW(s) }

// textDateWindows returns the windows that can hold a date written with a
// month name. Every such date ends in a four-digit year after white space,
// and has at most maxTextDate bytes other than white space before the year
// (ſ, which (?i) lets stand for s, is two bytes).
func (sc *lineScanner) textDateWindows() []span {
	const maxTextDate = 32
	line := sc.line
	wins := sc.wins[:0]
	for _, d := range sc.digits {
		ds, j := d.s, d.e
		if j-ds != 4 || ds == 0 || scanClass[line[ds-1]]&cSpace == 0 || j < len(line) && isASCIIWordByte(line[j]) {
			continue
		}
		b, n := ds, 0
		for b > 0 {
			if scanClass[line[b-1]]&cSpace != 0 {
				b--
				continue
			}
			if n == maxTextDate {
				break
			}
			n++
			b--
		}
		w := span{max(b-1, 0), min(j+1, len(line))}
		if k := len(wins) - 1; k >= 0 && w.s <= wins[k].e {
			wins[k].e = w.e
			continue
		}
		wins = append(wins, w)
	}
	sc.wins = wins
	return wins
}

// hasMonth reports whether s holds the first three letters of a month name
// in any case, as (?i) matches them (ſ can stand for s).
func hasMonth(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		var m [3]byte
		switch {
		case s[i] == 0xc5 && s[i+1] == 0xbf && i+4 <= len(s): // ſ
			m = [3]byte{'s', s[i+2] | 0x20, s[i+3] | 0x20}
		case s[i]|0x20 < 'a' || s[i]|0x20 > 'z':
			continue
		default:
			m = [3]byte{s[i] | 0x20, s[i+1] | 0x20, s[i+2] | 0x20}
		}
		switch string(m[:]) {
		case "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec":
			return true
		}
	}
	return false
}

func isASCIIWordByte(c byte) bool { return c == '_' || c < 0x80 && asciiClass[c] == clsWord }

// scan appends the findings of one line (without its line ending) to out.
//
// The kinds are tried in a fixed order, and a later kind never takes text an
// earlier one took. Each pattern runs only over windows that can hold a
// match: a match of each pattern lies inside one run of the bytes it can
// contain (e-mail addresses, URLs, phone numbers, postcodes, NI numbers,
// numeric dates) or near a year (dates with a month name), and holds the
// byte that picks out the window ('@', "://" or "www.", enough digits).
// Matches cannot cross windows, so matching window by window finds the same
// matches as matching the whole line.
func (sc *lineScanner) scan(out []Finding, line string, lineNo int) []Finding {
	sc.line, sc.lineNo = line, lineNo
	sc.taken, sc.found = sc.taken[:0], sc.found[:0]
	for i := strings.IndexByte(line, '@'); i >= 0 && i < len(line); {
		r := classRun(line, i, cEmail)
		off, w := r.window(line)
		for _, m := range reEmail.FindAllStringIndex(w, -1) {
			sc.add(FindEmail, High, off+m[0], off+m[1])
		}
		j := strings.IndexByte(line[r.e:], '@')
		if j < 0 {
			break
		}
		i = r.e + j
	}
	if hasDotWord(line) {
		for _, m := range reEmailSaid.FindAllStringIndex(line, -1) {
			if isSpeltEmail(line[m[0]:m[1]]) {
				sc.add(FindEmail, High, m[0], m[1])
			}
		}
	}
	if hasURLStart(line) {
		for i := 0; i < len(line); i++ {
			if scanClass[line[i]]&cURL == 0 {
				continue
			}
			r := classRun(line, i, cURL)
			i = r.e
			if !hasURLStart(line[r.s:r.e]) {
				continue
			}
			off, w := r.window(line)
			for _, m := range reURL.FindAllStringIndex(w, -1) {
				s, e := off+m[0], off+m[1]
				for e > s && strings.ContainsRune(".,;:!?)]}", rune(line[e-1])) {
					e--
				}
				sc.add(FindURL, Low, s, e)
			}
		}
	}
	if first := indexDigit(line); first >= 0 {
		sc.scanNumbers(first)
	}
	sc.scanNames()
	sortFindings(sc.found)
	return append(out, sc.found...)
}

// scanNumbers finds the kinds that hold a digit, from the first digit on.
func (sc *lineScanner) scanNumbers(first int) {
	line := sc.line
	sc.findDigits(first)
	// Postcodes and NI numbers are short and hold a digit: each is matched
	// in a window around a run of digits, cut at word boundaries so that
	// \b sees what it would in the whole line.
	wins := sc.idWindows()
	for _, w := range wins {
		if w.digits < 6 || w.letters < 3 {
			continue
		}
		for _, m := range reNI.FindAllStringIndex(line[w.s:w.e], -1) {
			s, e := w.s+m[0], w.s+m[1]
			if p := strings.ToUpper(line[s : s+2]); !badNIPrefix[p] && p[1] != 'O' && sameCase(line[s:e]) {
				sc.add(FindNINumber, High, s, e)
			}
		}
	}
	for _, w := range wins {
		if w.letters < 3 || !postcodeShape(line[w.s:w.e]) {
			continue
		}
		for _, m := range rePostcode.FindAllStringIndex(line[w.s:w.e], -1) {
			if s, e := w.s+m[0], w.s+m[1]; sameCase(line[s:e]) {
				sc.add(FindPostcode, High, s, e)
			}
		}
	}
	for _, r := range sc.digitRuns(cDateISO) {
		if r.digits < 8 || r.others < 2 {
			continue
		}
		off, w := r.window(line)
		for _, m := range reDateISO.FindAllStringSubmatchIndex(w, -1) {
			if validDate(atoi(w[m[6]:m[7]]), atoi(w[m[4]:m[5]])) {
				sc.add(FindDate, Low, off+m[0], off+m[1])
			}
		}
	}
	for _, win := range sc.textDateWindows() {
		if !hasMonth(line[win.s:win.e]) {
			continue
		}
		for _, m := range reDateText.FindAllStringIndex(line[win.s:win.e], -1) {
			sc.add(FindDate, Low, win.s+m[0], win.s+m[1])
		}
	}
	for _, r := range sc.digitRuns(cDateNum) {
		if r.digits < 4 || r.others < 2 {
			continue
		}
		off, w := r.window(line)
		for _, m := range reDateNum.FindAllStringSubmatchIndex(w, -1) {
			if validDate(atoi(w[m[2]:m[3]]), atoi(w[m[4]:m[5]])) {
				sc.add(FindDate, Low, off+m[0], off+m[1])
			}
		}
	}
	// A candidate the regexp matches but phoneNumber rejects still uses up
	// its text, so a run is matched whole; with fewer than eight digits
	// nothing in it can pass phoneNumber.
	for _, r := range sc.digitRuns(cPhone) {
		if r.digits < 8 {
			continue
		}
		off, w := r.window(line)
		for _, m := range rePhone.FindAllStringIndex(w, -1) {
			if s, e, ok := phoneNumber(line, off+m[0], off+m[1]); ok {
				if x := rePhoneExt.FindStringIndex(line[e:]); x != nil {
					e += x[1]
				}
				sc.add(FindPhone, High, s, e)
			}
		}
	}
}

// idWindows returns windows of the line that can hold a postcode or NI
// number: from 4 bytes before a run of digits to 12 after it (a match
// holds at most 3 bytes before its first digit and 10 after its first run
// of digits), widened to word boundaries, within one run of [A-Za-z0-9 ],
// merged where they overlap.
func (sc *lineScanner) idWindows() []run {
	line := sc.line
	wins := sc.idWins[:0]
	for _, d := range sc.digits {
		s, e := max(d.s-4, 0), min(d.e+12, len(line))
		for k := s; k < d.s; k++ {
			if scanClass[line[k]]&cUpper == 0 {
				s = k + 1
			}
		}
		for k := d.e; k < e; k++ {
			if scanClass[line[k]]&cUpper == 0 {
				e = k
				break
			}
		}
		for s > 0 && isASCIIWordByte(line[s-1]) {
			s--
		}
		for e < len(line) && isASCIIWordByte(line[e]) {
			e++
		}
		if k := len(wins) - 1; k >= 0 && s <= wins[k].e {
			wins[k].e = max(wins[k].e, e)
			continue
		}
		wins = append(wins, run{s: s, e: e})
	}
	for i := range wins {
		w := &wins[i]
		for k := w.s; k < w.e; k++ {
			switch c := line[k]; {
			case '0' <= c && c <= '9':
				w.digits++
			case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
				w.letters++
			}
		}
	}
	sc.idWins = wins
	return wins
}

// postcodeShape reports whether s has what every postcode has: a letter
// followed by a digit (MK7, M1), or GIR 0AA's "GIR".
func postcodeShape(s string) bool {
	for i := 1; i < len(s); i++ {
		if c, p := s[i], s[i-1]; '0' <= c && c <= '9' && ('A' <= p && p <= 'Z' || 'a' <= p && p <= 'z') {
			return true
		}
	}
	return strings.Contains(s, "GIR") || strings.Contains(s, "gir")
}

// sameCase reports whether the letters of s are all upper or all lower
// case (a postcode or NI number typed either way, not "Mk7 6aA").
func sameCase(s string) bool {
	up, low := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
			up = true
		case 'a' <= c && c <= 'z':
			low = true
		}
	}
	return !(up && low)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func validDate(day, month int) bool { return day >= 1 && day <= 31 && month >= 1 && month <= 12 }

// phoneNumber validates a phone candidate and trims it to its digits:
//   - international, "+CC" then 8 to 15 digits in any grouping ("+44 (0)"
//     allowed);
//   - national with a trunk 0 (UK and most of Europe): 10 or 11 digits;
//   - North American: 10 digits grouped 3-3-4 ("(555) 123-4567",
//     "555.123.4567", "555-123-4567"), or 11 with a leading 1, the area
//     code not starting with 0 or 1.
//
// A run of digits with no grouping, glued to other digits or letters, or
// with a decimal point elsewhere is not a phone number (sums, counts,
// years, references).
func phoneNumber(line string, s, e int) (int, int, bool) {
	for e > s && !('0' <= line[e-1] && line[e-1] <= '9') {
		e--
	}
	for s < e && line[s] == '(' && strings.IndexByte(line[s:e], ')') < 0 {
		s++
	}
	if s > 0 && isASCIIWordByte(line[s-1]) || e < len(line) && isASCIIWordByte(line[e]) {
		return 0, 0, false
	}
	if s > 0 && strings.IndexByte("£$€.,/", line[s-1]) >= 0 || e+1 < len(line) && (line[e] == '.' || line[e] == ',') && '0' <= line[e+1] && line[e+1] <= '9' {
		return 0, 0, false
	}
	c := line[s:e]
	var groups []int
	digits, n := 0, 0
	var d0, d1 byte
	for i := 0; i < len(c); i++ {
		if ch := c[i]; '0' <= ch && ch <= '9' {
			switch digits {
			case 0:
				d0 = ch
			case 1:
				d1 = ch
			}
			digits++
			n++
			continue
		}
		if n > 0 {
			groups = append(groups, n)
			n = 0
		}
	}
	if n > 0 {
		groups = append(groups, n)
	}
	dots := strings.Count(c, ".")
	switch {
	case c[0] == '+':
		return s, e, digits >= 8 && digits <= 15 && len(groups) >= 2 || digits >= 10 && digits <= 15
	case d0 == '0' || strings.HasPrefix(c, "(0"):
		return s, e, dots == 0 && (digits == 10 || digits == 11) && d1 != '0'
	case digits == 10 && (len(groups) == 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 4 || dots == 0 && strings.HasPrefix(c, "(")):
		return s, e, d0 >= '2'
	case digits == 11 && d0 == '1' && len(groups) == 4 && groups[1] == 3 && groups[2] == 3 && groups[3] == 4:
		return s, e, d1 >= '2'
	}
	return 0, 0, false
}

func firstRuneOf(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

// stripPossessive drops a final 's, ’s, ' or ’ (the word must keep a
// letter).
func stripPossessive(w string) string {
	n := len(w)
	switch {
	case n < 2:
	case w[n-1] == 's' && w[n-2] == '\'' && n > 2:
		return w[:n-2]
	case w[n-1] == 's' && n > 4 && w[n-4:n-1] == "’":
		return w[:n-4]
	case w[n-1] == '\'':
		return w[:n-1]
	case w[n-1] == 0x99 && n > 3 && w[n-3:] == "’":
		return w[:n-3]
	}
	return w
}

func sortFindings(f []Finding) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && (f[j].Line < f[j-1].Line || f[j].Line == f[j-1].Line && f[j].Col < f[j-1].Col); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}
