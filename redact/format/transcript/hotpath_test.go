package transcript

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHasClockColon: the quick test ParseTimedLabel makes first finds the
// colon of every time it parses, and only lines without one are passed
// over.
func TestHasClockColon(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"Carol Mensah  0:09", true},
		{"Carol Mensah (00:01:23):", true},
		{"[00:01:23] Carol Mensah:", true},
		{"00:01:23 Carol Mensah", true},
		{"Carol: we met at 9:30", true},
		{"Carol: we met at nine", false},
		{"ratio 3: 2", false},
		{"ends with a colon 3:", false},
		{":3 starts with one", false},
		{"", false},
	} {
		if got := hasClockColon(tc.line); got != tc.want {
			t.Errorf("hasClockColon(%q) = %v, want %v", tc.line, got, tc.want)
		}
		if _, _, _, ok := ParseTimedLabel(tc.line); ok && !tc.want {
			t.Errorf("ParseTimedLabel(%q) found a time the quick test passed over", tc.line)
		}
	}
}

// TestIsExcludedLabel: the folding on the stack agrees with strings.ToLower
// for ASCII, non-ASCII and long words.
func TestIsExcludedLabel(t *testing.T) {
	for _, w := range []string{"Note", "NOTE.", "note", "Notes:", "Carol", "Ünder", "Subject", "SUBJECT.", "e-mail", "E-Mail", "", strings.Repeat("A", 30), "Transcriber"} {
		want := excludedLabel[strings.TrimSuffix(strings.ToLower(w), ".")]
		if got := isExcludedLabel(w); got != want {
			t.Errorf("isExcludedLabel(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestLabelColon: the IndexByte shortcut gives what counting parentheses
// byte by byte gives, for colons and parentheses anywhere in and beyond
// the label's reach.
func TestLabelColon(t *testing.T) {
	slow := func(s string) int {
		depth := 0
		for i := 0; i < len(s) && i <= maxLabelBytes; i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth = max(depth-1, 0)
			case ':':
				if depth == 0 {
					return i
				}
			}
		}
		return -1
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		b := make([]byte, rng.IntN(maxLabelBytes+20))
		for i := range b {
			b[i] = "():ab "[rng.IntN(6)]
			if rng.IntN(4) != 0 {
				b[i] = 'a' // colons and parentheses sparse, as in text
			}
		}
		s := string(b)
		if got, want := labelColon(s), slow(s); got != want {
			t.Fatalf("labelColon(%q) = %d, want %d", s, got, want)
		}
	}
}
