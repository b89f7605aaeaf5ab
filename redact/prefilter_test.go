package redact

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPrefilterRejectsNoMatch checks that the three- and four-byte
// prefilters never hide a match: scanning with them gives the same matches
// as scanning with every bit set. Views are short, over a small alphabet
// with spaces, so every kind of prefix (shorter than the window, space
// inside it, whitespace runs in the text) occurs often.
func TestPrefilterRejectsNoMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const viewAlpha = "ab.' é"
	const textAlpha = "aAbB.' \t\n\r"
	pick := func(alpha string) string {
		rs := []rune(alpha)
		return string(rs[rng.IntN(len(rs))])
	}
	type hit struct {
		s, e int
		p    int32
	}
	run := func(m *matcher, text []byte) []hit {
		var out []hit
		m.scan(text, false, true, func(out int32, s, e int) int32 { return m.outs[out][0] }, func(s, e int, p int32) {
			out = append(out, hit{s, e, p})
		})
		return out
	}
	for round := range 300 {
		seen := map[string]bool{}
		var views []string
		for range 1 + rng.IntN(12) {
			var b strings.Builder
			for range 1 + rng.IntN(5) {
				b.WriteString(pick(viewAlpha))
			}
			v := strings.Join(strings.Fields(b.String()), " ")
			if v != "" && !seen[v] {
				seen[v] = true
				views = append(views, v)
			}
		}
		if len(views) == 0 {
			continue
		}
		m := buildMatcher(views, func(a, b int32) bool { return a < b }, func(int32) bool { return false })
		open := *m
		open.pre = slices.Repeat([]uint64{^uint64(0)}, len(m.pre))
		open.pre4 = slices.Repeat([]uint64{^uint64(0)}, len(m.pre4))
		for range 50 {
			var b strings.Builder
			for range rng.IntN(40) {
				if rng.IntN(4) == 0 {
					b.WriteString(views[rng.IntN(len(views))])
				} else {
					b.WriteString(pick(textAlpha))
				}
			}
			text := []byte(b.String())
			if got, want := run(m, text), run(&open, text); !slices.Equal(got, want) {
				t.Fatalf("round %d, views %q, text %q: prefiltered %v, unfiltered %v", round, views, text, got, want)
			}
		}
	}
}

// TestSkipMatchesByteWise checks that skip, which passes over text 64
// bytes at a time, changes nothing: scan gives the same matches, the same
// consumed length and the same word state with it as without it, for
// texts long enough to hold several blocks, with and without a word before
// them, and cut at every kind of place (final false).
func TestSkipMatchesByteWise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const viewAlpha = "abc.'- é"
	textAlpha := []string{"a", "b", "c", "A", "B", "C", "1", "x", "y", "z", ".", ",", "'", "-", ":", " ", " ", " ", "\t", "\n", "\r", "\v", "\f", "é", "É", "\u0301", "—", "\u00a0", "\x7f", "_", "@"}
	type hit struct {
		s, e int
		p    int32
	}
	type result struct {
		hits     []hit
		consumed int
		prevWord bool
	}
	run := func(m *matcher, text []byte, prev, final bool) result {
		var r result
		r.consumed, r.prevWord = m.scan(text, prev, final, func(out int32, s, e int) int32 { return m.outs[out][0] }, func(s, e int, p int32) {
			r.hits = append(r.hits, hit{s, e, p})
		})
		return r
	}
	for round := range 200 {
		seen := map[string]bool{}
		var views []string
		for range 1 + rng.IntN(20) {
			var b strings.Builder
			for range 1 + rng.IntN(7) {
				b.WriteByte(viewAlpha[rng.IntN(len(viewAlpha)-2)])
				if rng.IntN(20) == 0 {
					b.WriteString("é")
				}
			}
			v := strings.Join(strings.Fields(b.String()), " ")
			if v != "" && !seen[v] {
				seen[v] = true
				views = append(views, v)
			}
		}
		if len(views) == 0 {
			continue
		}
		m := buildMatcher(views, func(a, b int32) bool { return a < b }, func(int32) bool { return false })
		slow := *m
		slow.byteWise = true
		for range 20 {
			var b strings.Builder
			for b.Len() < 80+rng.IntN(400) {
				switch rng.IntN(6) {
				case 0:
					v := views[rng.IntN(len(views))]
					if rng.IntN(2) == 0 {
						v = strings.ToUpper(v)
					}
					b.WriteString(v)
				case 1:
					b.WriteString(strings.Repeat("ab", rng.IntN(8)))
				default:
					b.WriteString(textAlpha[rng.IntN(len(textAlpha))])
				}
			}
			text := []byte(b.String())
			for _, prev := range []bool{false, true} {
				for _, cut := range []int{len(text), len(text) - 1 - rng.IntN(len(text)/2)} {
					final := cut == len(text)
					got, want := run(m, text[:cut], prev, final), run(&slow, text[:cut], prev, final)
					if !slices.Equal(got.hits, want.hits) || got.consumed != want.consumed || got.prevWord != want.prevWord {
						t.Fatalf("round %d, views %q, text %q, prev %v, final %v: skipping %+v, byte-wise %+v", round, views, text[:cut], prev, final, got, want)
					}
				}
			}
		}
	}
}
