package redact

import (
	"encoding/binary"
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

// TestBytes8: wordBytes8 and spaceBytes8 mark exactly the bytes asciiClass
// calls letters and digits, and white space, for every byte value at every
// position of the word, among neighbours of every class.
func TestBytes8(t *testing.T) {
	class := func(c byte) uint8 {
		if c >= 0x80 {
			return clsOther
		}
		return asciiClass[c]
	}
	for c := range 256 {
		for pos := range 8 {
			for _, fill := range []byte{'a', ' ', '.', 0x80, '\t', 'Z', 0xff} {
				var b [8]byte
				for k := range b {
					b[k] = fill
				}
				b[pos] = byte(c)
				x := binary.LittleEndian.Uint64(b[:])
				w, s := wordBytes8(x), spaceBytes8(x)
				for k := range 8 {
					bit := uint64(0x80) << (8 * k)
					if got, want := w&bit != 0, class(b[k]) == clsWord; got != want {
						t.Fatalf("wordBytes8(% x) byte %d: %v, want %v", b, k, got, want)
					}
					if got, want := s&bit != 0, class(b[k]) == clsSpace; got != want {
						t.Fatalf("spaceBytes8(% x) byte %d: %v, want %v", b, k, got, want)
					}
				}
				var want uint64
				for k := range 8 {
					if class(b[k]) == clsWord {
						want |= 1 << k
					}
				}
				if got := pack8(w); got != want {
					t.Fatalf("pack8(wordBytes8(% x)) = %08b, want %08b", b, got, want)
				}
			}
		}
	}
}
