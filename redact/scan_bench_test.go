package redact

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// scanBenchText builds about size bytes of interview transcript: speaker
// turns of common words where one word in every (about) extraEvery is a
// capitalised name or place, a number, an e-mail address, phone number,
// postcode, URL, NI number or date.
func scanBenchText(size int, seed uint64, extraEvery int) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	extras := []string{
		"Dervla Quennell", "Mr Okonkwo", "Brindlecombe", "the Tamberford centre", "Zoë Ó Brien",
		"about 20 people", "in 2019", "3 or 4 times", "£250", "at 10:30", "since 1998",
		"jo.bloggs@example.ac.uk", "07700 900461", "+44 20 7946 0958", "EX4 4QJ", "MK7 6AA",
		"www.example.net/rota", "https://example.org/a?b=c", "14/06/2021", "2024-03-12",
		"the 3rd of March 2022", "JK 21 43 65 A", "(01632) 960 983", "Thursday", "NHS",
	}
	var b strings.Builder
	b.Grow(size + 200)
	for b.Len() < size {
		if rng.IntN(2) == 0 {
			b.WriteString("Interviewer: ")
		} else {
			b.WriteString("P07: ")
		}
		for s := range 1 + rng.IntN(4) {
			if s > 0 {
				b.WriteByte(' ')
			}
			words := 6 + rng.IntN(20)
			for w := range words {
				var word string
				switch {
				case rng.IntN(extraEvery) == 0:
					word = extras[rng.IntN(len(extras))]
				default:
					word = benchWords[rng.IntN(len(benchWords))]
				}
				if w == 0 {
					r, n := utf8.DecodeRuneInString(word)
					word = strings.ToUpper(string(r)) + word[n:]
				} else {
					b.WriteByte(' ')
				}
				b.WriteString(word)
				if w < words-1 && rng.IntN(12) == 0 {
					b.WriteByte(',')
				}
			}
			b.WriteString([]string{".", ".", ".", "?", "…"}[rng.IntN(5)])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// BenchmarkScan scans 4 MB of transcript, with Scan and with the
// regexp-only oracle it replaced. In "prose" one word in about 100 is an
// extra (a third of lines have one: a name, a number, an identifier); in
// "dense" one in 20 (two thirds of lines hold a digit).
func BenchmarkScan(b *testing.B) {
	for _, density := range []struct {
		name  string
		every int
	}{{"prose", 100}, {"dense", 20}} {
		text := scanBenchText(4<<20, 1, density.every)
		for _, bc := range []struct {
			name string
			scan func(string, *Redactor) []Finding
		}{{"fast", Scan}, {"regexp", oracleScan}} {
			b.Run(density.name+"/"+bc.name, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for range b.N {
					_ = bc.scan(text, nil)
				}
			})
		}
	}
}

func findingsString(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s@%d:%d:%s:%q\n", f.Kind, f.Line, f.Col, f.Confidence, f.Text)
	}
	return b.String()
}

// identifiersOnly drops names and citations: the oracle checks the
// identifier patterns; names are scored on the labelled set
// (TestScanNamesEvaluation) and by the table tests.
func identifiersOnly(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !f.IsName() && f.Kind != FindCitation {
			out = append(out, f)
		}
	}
	return out
}

// checkScanOracle fails if Scan and the regexp-only oracle disagree on text.
func checkScanOracle(tb testing.TB, text string, known *Redactor) {
	tb.Helper()
	got, want := findingsString(identifiersOnly(Scan(text, known))), findingsString(oracleScan(text, known))
	if got != want {
		tb.Fatalf("Scan(%q) differs from the regexp oracle:\n got  %s\n want %s", text, got, want)
	}
}

// scanAlphabet is weighted towards the characters the scan's patterns care
// about, so random strings often come close to (and sometimes make) a match.
var scanAlphabet = []string{
	"0", "1", "2", "3", "4", "7", "9", "0", "44", "07700", " ", " ", " ", "  ", "\t", "-", "/", ".", ",", ":", ";", "(", ")", "+", "@",
	"a", "e", "o", "s", "t", "x", "A", "B", "C", "E", "G", "J", "K", "M", "N", "O", "Q", "S", "W", "X", "Z",
	"st", "nd", "rd", "th", "of", "Mar", "march", "SEPT", "May", "jun", "Dec.", "www.", "WWW.", "http://", "https://", "://",
	"GIR", "0AA", "AB", "GB", "é", "Ó", "ſ", "K", "’", "'", "\"", "“", "!", "?", "…", "\r", "\n", "_", "%", "<", "`",
	"Zed", "Quill", "Carol", "Sunita", "Rahman", "Monday", "NHS", "I", "Interviewer", "the", "and", "Ms", "Hope",
}

func randomScanText(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(60) {
		b.WriteString(scanAlphabet[rng.IntN(len(scanAlphabet))])
	}
	return b.String()
}

func TestScanMatchesOracle(t *testing.T) {
	known := compileStudy(t, loadStudy(t))
	seeds := []string{
		"Call 07700 900123, +44 20 7946 0958 or (01632) 960 001.",
		"jo@example.ac.uk https://example.org/x www.example.com",
		"We met Sunita Rahman at MK7 6AA on 12/03/2024. NI AB 12 34 56 C.",
		"3rd March 2023; March 3, 2023; 2024-02-30",
		"+44 (0) 20 7946 0958 and 0800-123-4567) and (0)20 1234 5678",
		"GIR 0AA, GIR0AA, SW1A1AA, W1A 0AX, EC1A 1BB, M1 1AE, B33 8TH, CR2 6XH, DN55 1PT",
		"1st of  January\t2020, dec. 25, 1999, SEPT 3rd, 2001, 31.12.99, 1-2-03",
		"a@b.co x.y+z@sub-d.example.com @ @@ a@.com a@b.c mail@ex-ample.org.",
		"Hello Zoë Ó Brien and O'Neill-Smith’s friend; “Quill” (Zed) [Ann] ELLIOT NATO",
		"0000000http://\x96",
		"\xff\xfe07700 900123\x00",
		"café\nthe Zoë Ó Brien one\r\nand 07700 900123\r\n",
		"HTTP://X.ORG/a). wWw.x.org, httpſ://k.org ſeptember 3, 2020 3 ſept 2020",
		"AB123456C AB 12 34 56 C BG123456A QQ123456C AO123456B",
	}
	for _, s := range seeds {
		checkScanOracle(t, s, nil)
		checkScanOracle(t, s, known)
	}
	checkScanOracle(t, scanBenchText(256<<10, 2, 20), nil)
	checkScanOracle(t, scanBenchText(64<<10, 3, 5), known)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	for range n {
		s := randomScanText(rng)
		checkScanOracle(t, s, nil)
		checkScanOracle(t, s, known)
	}
}
