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
}

// IsName reports whether the finding is a name of a person, place or
// organisation (sure or not). Citations are not.
func (f Finding) IsName() bool {
	switch f.Kind {
	case FindPerson, FindPlace, FindOrg, FindPossibleName:
		return true
	}
	return false
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
	reEmail    = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	reURL      = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>"'\x60]+`)
	rePhone    = regexp.MustCompile(`(?:\+44\s?\(0\)\s?|\+44\s?|\(0|0)\d[\d\s\-)]{7,14}\d`)
	rePostcode = regexp.MustCompile(`\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b`)
	reNI       = regexp.MustCompile(`\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b`)
	reDateNum  = regexp.MustCompile(`\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})\b`)
	reDateISO  = regexp.MustCompile(`\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b`)
	reDateText = regexp.MustCompile(`(?i)\b(?:[0-9]{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+[0-9]{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+[0-9]{4})\b`)
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
	cUpper               // [A-Z0-9 ]: postcodes, NI numbers
	cPhone               // [0-9+()\-] and \s
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
		set(cUpper, upper || digit || c == ' ')
		set(cPhone, digit || space || strings.IndexByte("+()-", c) >= 0)
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
	upper := sc.digitRuns(cUpper)
	for _, r := range upper {
		if r.digits < 6 || r.letters < 3 {
			continue
		}
		off, w := r.window(line)
		for _, m := range reNI.FindAllStringIndex(w, -1) {
			s, e := off+m[0], off+m[1]
			if !badNIPrefix[line[s:s+2]] && line[s+1] != 'O' {
				sc.add(FindNINumber, High, s, e)
			}
		}
	}
	for _, r := range upper {
		if r.letters < 3 {
			continue
		}
		off, w := r.window(line)
		for _, m := range rePostcode.FindAllStringIndex(w, -1) {
			sc.add(FindPostcode, High, off+m[0], off+m[1])
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
	// A candidate the regexp matches but ukPhone rejects still uses up its
	// text, so a run is matched whole; with fewer than ten digits nothing
	// in it can pass ukPhone.
	for _, r := range sc.digitRuns(cPhone) {
		if r.digits < 10 {
			continue
		}
		off, w := r.window(line)
		for _, m := range rePhone.FindAllStringIndex(w, -1) {
			if s, e, ok := ukPhone(line, off+m[0], off+m[1]); ok {
				sc.add(FindPhone, High, s, e)
			}
		}
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func validDate(day, month int) bool { return day >= 1 && day <= 31 && month >= 1 && month <= 12 }

// ukPhone validates a phone candidate: 10 or 11 digits once +44 becomes 0,
// starting 01, 02, 03, 05, 07, 08 (or 09), and not glued to other digits.
func ukPhone(line string, s, e int) (int, int, bool) {
	for e > s && !('0' <= line[e-1] && line[e-1] <= '9') {
		e--
	}
	if s > 0 && ('0' <= line[s-1] && line[s-1] <= '9') || e < len(line) && '0' <= line[e] && line[e] <= '9' {
		return 0, 0, false
	}
	var d []byte
	for i := s; i < e; i++ {
		if c := line[i]; '0' <= c && c <= '9' {
			d = append(d, c)
		}
	}
	ds := string(d)
	if strings.HasPrefix(line[s:e], "+44") {
		ds = strings.TrimPrefix(ds, "44")
		if !strings.HasPrefix(ds, "0") {
			ds = "0" + ds
		}
	}
	if len(ds) < 10 || len(ds) > 11 || ds[0] != '0' || !strings.ContainsRune("123578", rune(ds[1])) {
		return 0, 0, false
	}
	return s, e, true
}

func firstRuneOf(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

func stripPossessive(w string) string {
	for _, suf := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			return w[:len(w)-len(suf)]
		}
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
