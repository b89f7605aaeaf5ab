package redact

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Benchmarks: go test -bench . -benchmem -run '^$' ./redact/
//
// BenchmarkRedact/aliases=N streams 100 MB of synthetic transcript through a
// dictionary of N/3 persons (full name, given name, family name = 3 aliases
// each). BenchmarkNaiveRegexp applies one regexp per alias in turn to 1 MB,
// against BenchmarkRedact1MB on the same slice and dictionary.

var benchWords = strings.Fields(`the and to of a I in that it was we you they
is for on with but so what just like know think really about there at people
were have be this not had all when do if our would them there's very one
more time because then can get could going some work group meeting council
said go out up them their which from how an been yeah well mean sort lot
community funding project volunteers week year months thing things back`)

// benchNames returns n distinct synthetic two-word names.
func benchNames(n int) []string {
	out := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for i := uint64(0); len(out) < n; i++ {
		s := randomName(i + 1_000_003)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

type benchDict struct {
	ents []Entity
	r    *Redactor
}

var (
	benchMu    sync.Mutex
	benchDicts = map[int]*benchDict{}
)

func benchDictionary(tb testing.TB, aliases int) *benchDict {
	tb.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchDicts[aliases]; ok {
		return d
	}
	names := benchNames(aliases / 3)
	ents := make([]Entity, len(names))
	for i, n := range names {
		ents[i] = Entity{ID: fmt.Sprintf("P%05d", i), Kind: KindPerson, Name: n}
	}
	reg := NewRegistry()
	if err := Assign(context.Background(), testKey(tb, 11), reg, ents); err != nil {
		tb.Fatal(err)
	}
	r, err := Compile(ents, reg)
	if err != nil {
		tb.Fatal(err)
	}
	d := &benchDict{ents: ents, r: r}
	benchDicts[aliases] = d
	return d
}

// benchText builds about size bytes of transcript: speaker turns, common
// words, and a mention of some entity every ~60 words.
func benchText(ents []Entity, size int) string {
	var b strings.Builder
	b.Grow(size + 200)
	x := uint64(88172645463325252)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	for b.Len() < size {
		if next()%2 == 0 {
			b.WriteString("Interviewer: ")
		} else {
			b.WriteString("P07: ")
		}
		words := 8 + int(next()%30)
		for w := range words {
			if w > 0 {
				b.WriteByte(' ')
			}
			if next()%60 == 0 {
				e := ents[next()%uint64(len(ents))]
				parts := strings.Fields(e.Name)
				switch next() % 4 {
				case 0:
					b.WriteString(e.Name)
				case 1:
					b.WriteString(parts[0] + "'s")
				case 2:
					b.WriteString("Ms " + parts[len(parts)-1])
				default:
					b.WriteString(parts[0] + "\n" + parts[len(parts)-1])
				}
				continue
			}
			b.WriteString(benchWords[next()%uint64(len(benchWords))])
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// BenchmarkRedact pseudonymises 100 MB a line at a time with a
// LineRedactor, the path export and quote take.
func BenchmarkRedact(b *testing.B) {
	const total = 100 << 20
	for _, aliases := range []int{1_000, 10_000, 30_000, 100_000} {
		b.Run(fmt.Sprintf("aliases=%d", aliases), func(b *testing.B) {
			d := benchDictionary(b, aliases)
			lines := strings.Split(benchText(d.ents, 4<<20), "\n")
			b.SetBytes(total)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				lr := d.r.Lines(func(string) error { return nil })
				for n, i := 0, 0; n < total; i = (i + 1) % len(lines) {
					if err := lr.Line(lines[i]); err != nil {
						b.Fatal(err)
					}
					n += len(lines[i]) + 1
				}
				if err := lr.End(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRedact1MB(b *testing.B) {
	d := benchDictionary(b, 1_000)
	text := benchText(d.ents, 1<<20)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		_ = d.r.Redact(text)
	}
}

// BenchmarkNaiveRegexp is the approach the matcher replaces: one regexp per
// alias, applied in turn, over the same 1 MB and the same 1,000 aliases.
func BenchmarkNaiveRegexp(b *testing.B) {
	d := benchDictionary(b, 1_000)
	text := benchText(d.ents, 1<<20)
	type rx struct {
		re   *regexp.Regexp
		repl string
	}
	var res []rx
	for _, e := range d.ents {
		p, _ := d.r.Pseudonym(e.ID)
		for _, a := range entityAliases(e) {
			words := strings.Fields(a.text)
			for i, w := range words {
				words[i] = regexp.QuoteMeta(w)
			}
			repl := p.String()
			switch a.part {
			case PartGiven:
				repl = p.Given
			case PartFamily:
				repl = p.Family
			}
			res = append(res, rx{regexp.MustCompile(`(?i)\b` + strings.Join(words, `\s+`) + `\b`), repl})
		}
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		out := text
		for _, r := range res {
			out = r.re.ReplaceAllLiteralString(out, r.repl)
		}
	}
}

func TestBenchTextRedacts(t *testing.T) {
	d := benchDictionary(t, 1_000)
	text := benchText(d.ents, 64<<10)
	out := d.r.Redact(text)
	if len(d.r.Find(text)) < 50 {
		t.Fatalf("synthetic transcript has only %d mentions", len(d.r.Find(text)))
	}
	if ms := d.r.Find(out); len(ms) != 0 {
		t.Fatalf("%d aliases survive", len(ms))
	}
}
