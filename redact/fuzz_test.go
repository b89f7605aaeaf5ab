package redact

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var fuzzSeeds = []string{
	"Hi Carol, Ms Jacklin-Jarvis and CJJ met at Milton Keynes Council.",
	"Milton\n  Keynes Council",
	"Carol’s and Carol's and Jacklin-Jarvis'",
	"GENEVIEVE ó súilleabháin",
	"Hope hope HOPE",
	"Carol" + strings.Repeat(" ", 300) + "Jacklin-Jarvis",
	"\xff\xfeCarol\x00",
	"",
}

// naiveAliasRegexps are an independent reference: one case-insensitive
// regexp per alias with letter/digit boundaries.
func naiveAliasRegexps(tb testing.TB, ents []Entity) []*regexp.Regexp {
	tb.Helper()
	var res []*regexp.Regexp
	for _, e := range ents {
		for _, a := range entityAliases(e) {
			if a.off || a.exact || commonMode(a, e.Kind) != commonNone || a.part == PartInitial || (a.variant && e.Kind != KindPerson) {
				continue // matched only in context (commonword.go)
			}
			words := strings.Fields(a.text)
			for i, w := range words {
				words[i] = regexp.QuoteMeta(w)
			}
			res = append(res, regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}\p{M}])`+strings.Join(words, `\s{1,256}`)+`(?:$|[^\p{L}\p{N}\p{M}])`))
		}
	}
	return res
}

func FuzzRedact(f *testing.F) {
	if len(fuzzSeeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	ents := loadStudy(f)
	r := compileStudy(f, ents)
	naive := naiveAliasRegexps(f, ents)
	f.Fuzz(func(t *testing.T, text string) {
		out := r.Redact(text)
		if ms := r.Find(out); len(ms) != 0 {
			t.Fatalf("alias of %s survives at %d", ms[0].EntityID, ms[0].Start)
		}
		if again := r.Redact(out); again != out {
			t.Fatalf("not idempotent")
		}
		if utf8.ValidString(text) {
			for _, re := range naive {
				if loc := re.FindStringIndex(out); loc != nil && isFoldSafe(out[loc[0]:loc[1]]) {
					t.Fatalf("reference regexp %d finds an alias in the output at %d", 0, loc[0])
				}
			}
		}
		if got := redactLines(t, r, text); got != out {
			t.Fatalf("LineRedactor differs from Redact")
		}
		if strings.Count(out, "\n") != strings.Count(norm.NFC.String(text), "\n") {
			t.Fatalf("line count changed")
		}
	})
}

// isFoldSafe: Go regexp (?i) uses simple folding; restrict the reference
// check to text whose simple and full folds agree (ASCII letters and the
// Latin-1 letters used by the study).
func isFoldSafe(s string) bool {
	for _, r := range s {
		if r > 0x24f || r == 'ß' || r == 'ſ' || r == 'K' || r == 'İ' || r == 'ı' {
			return false
		}
	}
	return true
}

func FuzzScan(f *testing.F) {
	seeds := []string{
		"Call 07700 900123, +44 20 7946 0958 or (01632) 960 001.",
		"jo@example.ac.uk https://example.org/x www.example.com",
		"We met Sunita Rahman at MK7 6AA on 12/03/2024. NI AB 12 34 56 C.",
		"3rd March 2023; March 3, 2023; 2024-02-30",
		"\xff\n\r\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	r := compileStudy(f, loadStudy(f))
	f.Fuzz(func(t *testing.T, text string) {
		checkScanOracle(t, text, r)
		nfc := norm.NFC.String(text)
		lines := strings.Split(nfc, "\n")
		for _, fd := range Scan(text, r) {
			if fd.Line < 1 || fd.Line > len(lines) || fd.Col < 1 {
				t.Fatalf("finding at %d:%d out of range", fd.Line, fd.Col)
			}
			line := strings.TrimRight(lines[fd.Line-1], "\r")
			off := 0
			for range fd.Col - 1 {
				if off >= len(line) {
					t.Fatalf("finding %s at %d:%d past the end of its line", fd.Kind, fd.Line, fd.Col)
				}
				_, sz := utf8.DecodeRuneInString(line[off:])
				off += sz
			}
			if !strings.HasPrefix(line[off:], fd.Text) {
				t.Fatalf("finding %s at %d:%d does not point at its text", fd.Kind, fd.Line, fd.Col)
			}
			if m := fd.Masked(); fd.Kind != FindPossibleName && utf8.RuneCountInString(fd.Text) > 4 && strings.Contains(m, fd.Text) {
				t.Fatalf("Masked() reveals the finding")
			}
		}
	})
}
