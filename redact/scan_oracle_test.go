package redact

// The residual scan as it was before the fast path: one regexp per kind run
// over every line. It is the oracle for TestScanMatchesOracle and FuzzScan.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var (
	oReEmail     = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	oReURL       = regexp.MustCompile(`(?i)(?:https?://|www\.)[^\s<>"'\x60]+`)
	oRePhone     = regexp.MustCompile(`(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,5}\)[\s.\-]?)?\d[\d\s.\-()]{4,17}\d`)
	oRePostcode  = regexp.MustCompile(`\b(?:[Gg][Ii][Rr] ?0[Aa][Aa]|[A-PR-UWYZa-pr-uwyz][A-HK-Ya-hk-y]?[0-9][0-9A-HJKMNPR-Ya-hjkmnpr-y]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2})\b`)
	oReNI        = regexp.MustCompile(`\b[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z] ?(?:[0-9]{2} ?[0-9]{2} ?[0-9]{2}|[0-9]{3} ?[0-9]{3}) ?[A-Da-d]\b`)
	oReEmailSaid = regexp.MustCompile(`\b[A-Za-z0-9][A-Za-z0-9._%+\-]*(?:(?: dot |\s*[\[({]dot[\])}]\s*)[A-Za-z0-9\-]+)*(?:\s*[\[({]at[\])}]\s*| at )[A-Za-z0-9\-]+(?:(?:\s*[\[({]dot[\])}]\s*| dot )[A-Za-z0-9\-]+)+\b`)
	oRePhoneExt  = regexp.MustCompile(`(?i)^,?\s*(?:x|ext\.?|extn\.?|extension)\s?\d{1,5}\b`)
	oReDateNum   = regexp.MustCompile(`\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})\b`)
	oReDateISO   = regexp.MustCompile(`\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b`)
	oReDateText  = regexp.MustCompile(`(?i)\b(?:[0-9]{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+[0-9]{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+[0-9]{4})\b`)
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
	for _, m := range oReEmailSaid.FindAllStringIndex(line, -1) {
		if isSpeltEmail(line[m[0]:m[1]]) {
			add(FindEmail, High, m[0], m[1])
		}
	}
	for _, m := range oReURL.FindAllStringIndex(line, -1) {
		e := m[1]
		for e > m[0] && strings.ContainsRune(".,;:!?)]}", rune(line[e-1])) {
			e--
		}
		add(FindURL, Low, m[0], e)
	}
	for _, m := range oReNI.FindAllStringIndex(line, -1) {
		if p := strings.ToUpper(line[m[0] : m[0]+2]); !badNIPrefix[p] && p[1] != 'O' && oSameCase(line[m[0]:m[1]]) {
			add(FindNINumber, High, m[0], m[1])
		}
	}
	for _, m := range oRePostcode.FindAllStringIndex(line, -1) {
		if oSameCase(line[m[0]:m[1]]) {
			add(FindPostcode, High, m[0], m[1])
		}
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
		if s, e, ok := oPhone(line, m[0], m[1]); ok {
			if x := oRePhoneExt.FindStringIndex(line[e:]); x != nil {
				e += x[1]
			}
			add(FindPhone, High, s, e)
		}
	}
	oSortFindings(found)
	return append(out, found...)
}

func oAtoi(s string) int { n, _ := strconv.Atoi(s); return n }

func oValidDate(day, month int) bool { return day >= 1 && day <= 31 && month >= 1 && month <= 12 }

// oPhone validates a phone candidate: "+CC" and 8 to 15 digits; a trunk 0
// and 10 or 11 digits; or a North American number, 3-3-4 digits or
// 1-3-3-4, or "(NNN)" and 7 more digits.
func oPhone(line string, s, e int) (int, int, bool) {
	for e > s && !unicode.IsDigit(rune(line[e-1])) {
		e--
	}
	for s < e && line[s] == '(' && !strings.Contains(line[s:e], ")") {
		s++
	}
	word := func(i int) bool { return i >= 0 && i < len(line) && (line[i] == '_' || oIsAlnum(line[i])) }
	if word(s-1) || word(e) {
		return 0, 0, false
	}
	if s > 0 && strings.ContainsAny(line[s-1:s], "£$€.,/") || e+1 < len(line) && strings.ContainsAny(line[e:e+1], ".,") && unicode.IsDigit(rune(line[e+1])) {
		return 0, 0, false
	}
	c := line[s:e]
	groups := strings.FieldsFunc(c, func(r rune) bool { return !unicode.IsDigit(r) })
	ds := strings.Join(groups, "")
	lens := make([]int, len(groups))
	for i, g := range groups {
		lens[i] = len(g)
	}
	nanp := fmt.Sprint(lens)
	switch {
	case strings.HasPrefix(c, "+"):
		return s, e, len(ds) >= 8 && len(ds) <= 15 && len(groups) >= 2 || len(ds) >= 10 && len(ds) <= 15
	case strings.HasPrefix(ds, "0") || strings.HasPrefix(c, "(0"):
		return s, e, !strings.Contains(c, ".") && (len(ds) == 10 || len(ds) == 11) && ds[1] != '0'
	case len(ds) == 10 && (nanp == "[3 3 4]" || !strings.Contains(c, ".") && strings.HasPrefix(c, "(")):
		return s, e, ds[0] >= '2'
	case len(ds) == 11 && ds[0] == '1' && nanp == "[1 3 3 4]":
		return s, e, ds[1] >= '2'
	}
	return 0, 0, false
}

func oIsAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func oSameCase(s string) bool {
	return !(strings.ToUpper(s) != s && strings.ToLower(s) != s)
}

func oSortFindings(f []Finding) {
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && (f[j].Line < f[j-1].Line || f[j].Line == f[j-1].Line && f[j].Col < f[j-1].Col); j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}
