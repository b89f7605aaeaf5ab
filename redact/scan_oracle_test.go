package redact

// The residual scan as it was before the fast path: one regexp per kind run
// over every line. It is the oracle for TestScanMatchesOracle and FuzzScan.

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var (
	oReEmail    = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	oReURL      = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>"'\x60]+`)
	oRePhone    = regexp.MustCompile(`(?:\+44\s?\(0\)\s?|\+44\s?|\(0|0)\d[\d\s\-)]{7,14}\d`)
	oRePostcode = regexp.MustCompile(`\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b`)
	oReNI       = regexp.MustCompile(`\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b`)
	oReDateNum  = regexp.MustCompile(`\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})\b`)
	oReDateISO  = regexp.MustCompile(`\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b`)
	oReDateText = regexp.MustCompile(`(?i)\b(?:[0-9]{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+[0-9]{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+[0-9]{4})\b`)
)

// oracleScan looks for identifiers that remain in text: e-mail addresses, UK
// phone numbers and postcodes, National Insurance numbers (High), and URLs,
// full dates and possible names (Low). A possible name is a capitalised word
// (or run of them) not at a sentence start that is neither a common word nor,
// when known is not nil, an alias or pseudonym of its dictionary. Findings
// are in order of line and column.
func oracleScan(text string, known *Redactor) []Finding {
	text = norm.NFC.String(text)
	var out []Finding
	lineNo := 0
	for line := range strings.Lines(text) {
		lineNo++
		line = strings.TrimRight(line, "\r\n")
		out = oScanLine(out, line, lineNo, known)
	}
	return out
}

type oSpan struct{ s, e int }

func oScanLine(out []Finding, line string, lineNo int, known *Redactor) []Finding {
	var taken []oSpan
	overlaps := func(s, e int) bool {
		for _, t := range taken {
			if s < t.e && t.s < e {
				return true
			}
		}
		return false
	}
	var found []Finding
	add := func(kind string, c Confidence, s, e int) {
		if overlaps(s, e) {
			return
		}
		taken = append(taken, oSpan{s, e})
		found = append(found, Finding{Kind: kind, Line: lineNo, Col: utf8.RuneCountInString(line[:s]) + 1, Confidence: c, Text: line[s:e]})
	}
	for _, m := range oReEmail.FindAllStringIndex(line, -1) {
		add(FindEmail, High, m[0], m[1])
	}
	for _, m := range oReURL.FindAllStringIndex(line, -1) {
		e := m[1]
		for e > m[0] && strings.ContainsRune(".,;:!?)]}", rune(line[e-1])) {
			e--
		}
		add(FindURL, Low, m[0], e)
	}
	for _, m := range oReNI.FindAllStringIndex(line, -1) {
		if !badNIPrefix[line[m[0]:m[0]+2]] && line[m[0]+1] != 'O' {
			add(FindNINumber, High, m[0], m[1])
		}
	}
	for _, m := range oRePostcode.FindAllStringIndex(line, -1) {
		add(FindPostcode, High, m[0], m[1])
	}
	for _, re := range []*regexp.Regexp{oReDateISO, oReDateText} {
		for _, m := range re.FindAllStringSubmatchIndex(line, -1) {
			if re == oReDateISO && !oValidDate(oAtoi(line[m[6]:m[7]]), oAtoi(line[m[4]:m[5]])) {
				continue
			}
			add(FindDate, Low, m[0], m[1])
		}
	}
	for _, m := range oReDateNum.FindAllStringSubmatchIndex(line, -1) {
		if oValidDate(oAtoi(line[m[2]:m[3]]), oAtoi(line[m[4]:m[5]])) {
			add(FindDate, Low, m[0], m[1])
		}
	}
	for _, m := range oRePhone.FindAllStringIndex(line, -1) {
		if s, e, ok := oUkPhone(line, m[0], m[1]); ok {
			add(FindPhone, High, s, e)
		}
	}
	oSortFindings(found)
	return append(out, found...)
}

func oAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

func oValidDate(day, month int) bool { return day >= 1 && day <= 31 && month >= 1 && month <= 12 }

// oUkPhone validates a phone candidate: 10 or 11 digits once +44 becomes 0,
// starting 01, 02, 03, 05, 07, 08 (or 09), and not glued to other digits.
func oUkPhone(line string, s, e int) (int, int, bool) {
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

func oSortFindings(f []Finding) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && (f[j].Line < f[j-1].Line || f[j].Line == f[j-1].Line && f[j].Col < f[j-1].Col); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}
