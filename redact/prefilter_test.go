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
