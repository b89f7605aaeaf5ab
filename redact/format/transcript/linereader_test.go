package transcript

import (
	"strings"
	"testing"
)

// TestLineReaderReadAhead checks that the lines read ahead hold no more
// than readAheadBytes (but for a longer line alone), so their string is a
// small object, and that a line that did not fit comes first in the next
// lines ahead: every line comes back, in order, with its number.
func TestLineReaderReadAhead(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name  string
		lines []string
	}{
		{"short lines", strings.Split(strings.Repeat("a line of text\n", 5000), "\n")},
		{"exactly full", []string{long(readAheadBytes - 10), long(10), "next"}},
		{"one byte over", []string{long(readAheadBytes - 10), long(11), "next"}},
		{"a longer line alone", []string{"first", long(2 * readAheadBytes), "after", long(readAheadBytes), long(readAheadBytes + 1), "last"}},
		{"blank lines at a boundary", []string{long(readAheadBytes - 1), "", "", long(2), ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader(FormatText, strings.NewReader(strings.Join(tt.lines, "\n")))
			want := tt.lines
			if want[len(want)-1] == "" {
				want = want[:len(want)-1] // a final "\n" ends the last line
			}
			for i, w := range want {
				line, n, ok, err := lr.next()
				if err != nil || !ok {
					t.Fatalf("line %d: ok %v, err %v", i+1, ok, err)
				}
				if n != i+1 || line != w {
					t.Fatalf("line %d: got number %d, %d bytes; want %d bytes", i+1, n, len(line), len(w))
				}
				if len(lr.text) > readAheadBytes && len(lr.ends) > 1 {
					t.Fatalf("line %d: %d lines of %d bytes read ahead, over %d", i+1, len(lr.ends), len(lr.text), readAheadBytes)
				}
			}
			if _, _, ok, err := lr.next(); ok || err != nil {
				t.Fatalf("after the last line: ok %v, err %v", ok, err)
			}
		})
	}
}
