package redact

import (
	"math/rand/v2"
	"testing"
)

// TestWordEnd: eight bytes at a time, wordEnd stops where a byte-by-byte
// walk over asciiWord stops, for every byte value at every offset.
func TestWordEnd(t *testing.T) {
	slow := func(text []byte, i int) int {
		for i < len(text) && asciiWord[text[i]] {
			i++
		}
		return i
	}
	for c := range 256 {
		for k := range 20 {
			text := []byte("abcdefghij0123456789XYZ")[:k]
			text = append(text, byte(c), 'a', 'b')
			for i := range text {
				if got, want := wordEnd(text, i), slow(text, i); got != want {
					t.Fatalf("wordEnd(%q, %d) = %d, want %d", text, i, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		text := make([]byte, r.IntN(40))
		for j := range text {
			const alphabet = "aZ09 .\xc3\x80\xff\x7f@[`{/:"
			text[j] = alphabet[r.IntN(len(alphabet))]
		}
		for i := range text {
			if got, want := wordEnd(text, i), slow(text, i); got != want {
				t.Fatalf("wordEnd(%q, %d) = %d, want %d", text, i, got, want)
			}
		}
	}
}
