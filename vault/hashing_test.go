package vault

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// failAfter accepts limit bytes, then fails.
type failAfter struct {
	limit int
	got   bytes.Buffer
	err   error
}

func (w *failAfter) Write(p []byte) (int, error) {
	if w.got.Len()+len(p) > w.limit {
		return 0, w.err
	}
	return w.got.Write(p)
}

// countReader counts the bytes read from r.
type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestTeeCopy copies streams of sizes around the buffer size, read in
// uneven pieces, to several destinations: each gets every byte in order.
func TestTeeCopy(t *testing.T) {
	data := make([]byte, 5*teeBufSize+3)
	for i := range data {
		data[i] = byte(i * 7 / 3)
	}
	for _, size := range []int{0, 1, 64 << 10, teeBufSize - 1, teeBufSize, teeBufSize + 1, 5*teeBufSize + 3} {
		var a, b bytes.Buffer
		h := sha256.New()
		n, err := teeCopy(iotest.HalfReader(bytes.NewReader(data[:size])), &a, h, &b)
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: n = %d, err = %v", size, n, err)
		}
		want := sha256.Sum256(data[:size])
		if !bytes.Equal(a.Bytes(), data[:size]) || !bytes.Equal(b.Bytes(), data[:size]) || !bytes.Equal(h.Sum(nil), want[:]) {
			t.Errorf("size %d: a destination did not get the stream (%d, %d bytes)", size, a.Len(), b.Len())
		}
	}
}

// TestTeeCopyErrors: a failing source stops the copy after every
// destination wrote what was read before (a truncated age stream's
// io.ErrUnexpectedEOF is not taken for the end); a failing destination
// stops the reading soon and its error wins, the first in order.
func TestTeeCopyErrors(t *testing.T) {
	errDisk, errOther := errors.New("disk full"), errors.New("other")
	big := make([]byte, 64*teeBufSize)
	tests := []struct {
		name    string
		src     io.Reader
		dsts    func() []*failAfter
		want    error
		wantN   int64 // -1: any
		maxRead int   // bytes the copy may read before stopping; 0: all
	}{
		{"truncated source", io.MultiReader(bytes.NewReader(big[:teeBufSize+10]), iotest.ErrReader(io.ErrUnexpectedEOF)),
			func() []*failAfter { return []*failAfter{{limit: len(big)}, {limit: len(big)}} }, io.ErrUnexpectedEOF, teeBufSize + 10, 0},
		{"destination fails at once", bytes.NewReader(big),
			func() []*failAfter { return []*failAfter{{limit: len(big)}, {limit: 0, err: errDisk}} }, errDisk, -1, (teeBufs + 2) * teeBufSize},
		{"destination fails midway", bytes.NewReader(big),
			func() []*failAfter { return []*failAfter{{limit: 3 * teeBufSize, err: errDisk}, {limit: len(big)}} }, errDisk, -1, (teeBufs + 5) * teeBufSize},
		{"two destinations fail", bytes.NewReader(big),
			func() []*failAfter {
				return []*failAfter{{limit: 2 * teeBufSize, err: errOther}, {limit: teeBufSize, err: errDisk}}
			}, errOther, -1, (teeBufs + 4) * teeBufSize},
		{"destination fails as the source does", io.MultiReader(bytes.NewReader(big[:teeBufSize]), iotest.ErrReader(io.ErrUnexpectedEOF)),
			func() []*failAfter { return []*failAfter{{limit: 10, err: errDisk}} }, errDisk, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &countReader{r: tt.src}
			dsts := tt.dsts()
			ws := make([]io.Writer, len(dsts))
			for i, d := range dsts {
				ws[i] = d
			}
			n, err := teeCopy(src, ws...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.wantN >= 0 && n != tt.wantN {
				t.Errorf("n = %d, want %d", n, tt.wantN)
			}
			if tt.maxRead > 0 && src.n > tt.maxRead {
				t.Errorf("read %d bytes after a destination failed, want at most %d", src.n, tt.maxRead)
			}
			for i, d := range dsts {
				if d.err == nil && d.got.Len() != int(n) {
					t.Errorf("destination %d got %d bytes of %d", i, d.got.Len(), n)
				}
				if !bytes.Equal(d.got.Bytes(), big[:d.got.Len()]) {
					t.Errorf("destination %d got bytes out of order", i)
				}
			}
		})
	}
}
