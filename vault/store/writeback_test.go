package store

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteBehind stages files of several sizes, written in several write
// sizes: the content is intact, and writeback is started for consecutive
// ranges of writeBehindStep or more covering the file up to its last full
// step.
func TestWriteBehind(t *testing.T) {
	type span struct{ off, n int64 }
	var got []span
	startWriteback = func(fd uintptr, off, n int64) {
		got = append(got, span{off, n})
		syncFileRange(fd, off, n)
	}
	defer func() { startWriteback = syncFileRange }()
	tests := []struct {
		name        string
		size, write int
	}{
		{"small file", 4 << 10, 1 << 10},
		{"one byte short of a step", writeBehindStep - 1, 64 << 10},
		{"exactly a step", writeBehindStep, 1 << 20},
		{"steps and a tail in age chunks", 2*writeBehindStep + 12345, 65552},
		{"writes larger than a step", 3*writeBehindStep + 7, writeBehindStep + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			data := bytes.Repeat([]byte("0123456789abcdef"), tt.size/16+1)[:tt.size]
			name := filepath.Join(t.TempDir(), "item")
			tmp, err := StageFile(OS{}, name, func(w io.Writer) error {
				for p := data; len(p) > 0; {
					k := min(tt.write, len(p))
					if _, err := w.Write(p[:k]); err != nil {
						return err
					}
					p = p[k:]
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(tmp); err != nil || !bytes.Equal(b, data) {
				t.Fatalf("staged file: %d bytes, err %v; want the %d written", len(b), err, len(data))
			}
			var next int64
			for _, s := range got {
				if s.off != next || s.n < writeBehindStep {
					t.Fatalf("writeback ranges %v: want consecutive ranges of at least %d from 0", got, writeBehindStep)
				}
				next += s.n
			}
			want := int64(tt.size) / writeBehindStep * writeBehindStep
			if !writebackSupported {
				want = 0 // no sync_file_range outside Linux
			}
			if next < want || next > int64(tt.size) {
				t.Errorf("writeback started for %d bytes of %d, want at least %d", next, tt.size, want)
			}
		})
	}
}
