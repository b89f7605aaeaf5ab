package vault

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

// docxFile writes a .docx of n paragraphs, with pad bytes of incompressible
// data stored beside them as an image, so its object spans several age
// chunks.
func docxFile(tb testing.TB, name string, n, pad int) string {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		tb.Fatal(err)
	}
	fmt.Fprint(w, `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for i := range n {
		fmt.Fprintf(w, "<w:p><w:r><w:t>field notes line %d</w:t></w:r></w:p>", i)
	}
	fmt.Fprint(w, `</w:body></w:document>`)
	if w, err = zw.CreateHeader(&zip.FileHeader{Name: "word/media/image1.png", Method: zip.Store}); err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, pad)
	rand.NewChaCha8([32]byte{2}).Read(b)
	w.Write(b)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestCorruptionDocx: a damaged .docx object fails every read of its
// lines with the integrity error a damaged text object gives.
func TestCorruptionDocx(t *testing.T) {
	s := newStudy(t)
	d, err := s.Ingest(ctx, IngestRequest{Path: docxFile(t, "n.docx", 50, 300<<10), Kind: policy.KindFieldNotes})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.Ingest(ctx, IngestRequest{Path: docxFile(t, "m.docx", 49, 300<<10), Kind: policy.KindFieldNotes})
	if err != nil {
		t.Fatal(err)
	}
	v := d.Latest()
	obj := objectPath(s.Dir, v.Object)
	orig, _ := os.ReadFile(obj)
	otherObj, _ := os.ReadFile(objectPath(s.Dir, other.Latest().Object))
	var lines []string
	if err := s.StreamLines(v, func(l transcript.Line) error { lines = append(lines, l.Text); return nil }); err != nil || len(lines) != 50 || lines[49] != "field notes line 49" {
		t.Fatalf("StreamLines: %d lines, last %q, err %v; want 50", len(lines), lines[len(lines)-1], err)
	}
	const (
		header  = "object %s is damaged (its header does not decrypt)"
		damaged = "object %s is damaged (flipped or truncated bytes)"
		record  = "object %s does not match its catalogue record (size or SHA-256 differs)"
		missing = "object %s is missing"
	)
	tests := []struct {
		name   string
		mangle func([]byte) []byte // nil: the object is removed
		want   string
	}{
		{"flipped bit in header", func(b []byte) []byte { b[40] ^= 1; return b }, header},
		{"flipped bit in first chunk", func(b []byte) []byte { b[len(b)/4] ^= 0x10; return b }, damaged},
		{"flipped bit in last chunk", func(b []byte) []byte { b[len(b)-5] ^= 0x80; return b }, damaged},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1000] }, damaged},
		{"truncated at a chunk boundary", func(b []byte) []byte { return b[:len(b)/2] }, damaged},
		{"empty", func(b []byte) []byte { return nil }, header},
		{"bytes appended", func(b []byte) []byte { return append(b, "trailing"...) }, damaged},
		{"another object", func([]byte) []byte { return otherObj }, record},
		{"removed", nil, missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer os.WriteFile(obj, orig, 0o600)
			if tt.mangle == nil {
				os.Remove(obj)
			} else if err := os.WriteFile(obj, tt.mangle(append([]byte(nil), orig...)), 0o600); err != nil {
				t.Fatal(err)
			}
			n := 0
			err := s.StreamLines(v, func(transcript.Line) error { n++; return nil })
			if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), fmt.Sprintf(tt.want, v.Object)) {
				t.Errorf("StreamLines: %v, want ErrIntegrity: %s", err, fmt.Sprintf(tt.want, v.Object))
			}
			if n != 0 {
				t.Errorf("StreamLines passed on %d lines of a damaged object, want none", n)
			}
		})
	}
}

// TestStoreDocxLines: the lines of a .docx on object storage are read from
// a temp copy of its ciphertext, removed when the read ends, whether it
// succeeded or found the object damaged.
func TestStoreDocxLines(t *testing.T) {
	ss := newStoreStudy(t, s3test.Start(t))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	d, err := ss.Ingest(ctx, IngestRequest{Path: docxFile(t, "n.docx", 50, 300<<10), Kind: policy.KindFieldNotes})
	if err != nil {
		t.Fatal(err)
	}
	v := d.Latest()
	key := objectKey(v.Object)
	orig, _, err := getItem(ctx, ss.Store, key)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), orig...)
	flipped[len(flipped)/2] ^= 1
	for _, tt := range []struct {
		name   string
		object []byte
		want   string // "": the lines read
	}{
		{"intact", orig, ""},
		{"flipped bit", flipped, "is damaged (flipped or truncated bytes)"},
		{"bytes appended", append(append([]byte(nil), orig...), make([]byte, 2<<20)...), "is damaged (flipped or truncated bytes)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := ss.Store.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if _, err := ss.Store.PutNew(ctx, key, bytesFill(tt.object)); err != nil {
				t.Fatal(err)
			}
			n := 0
			err := ss.StreamLines(v, func(transcript.Line) error { n++; return nil })
			switch {
			case tt.want == "" && (err != nil || n != 50):
				t.Errorf("StreamLines: %d lines, %v; want 50", n, err)
			case tt.want != "" && (!errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), tt.want) || n != 0):
				t.Errorf("StreamLines: %d lines, %v; want none and ErrIntegrity: %s", n, err, tt.want)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("temp files left behind: %v", left)
			}
		})
	}
}

// failAt is a ReaderAt whose reads from off on fail.
type failAt struct {
	r   *bytes.Reader
	off int64
}

func (f failAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, errors.New("failed to decrypt and authenticate chunk")
	}
	return f.r.ReadAt(p, off)
}

func TestChunkReaderAt(t *testing.T) {
	data := make([]byte, 3*readBufSize+123)
	rand.NewChaCha8([32]byte{3}).Read(data)
	size := int64(len(data))
	for _, tt := range []struct {
		name    string
		off     int64
		n       int
		wantN   int
		wantEOF bool
	}{
		{"head", 0, 10, 10, false},
		{"within a stretch", 5000, 4096, 4096, false},
		{"across a stretch boundary", readBufSize - 100, 300, 300, false},
		{"across two boundaries", readBufSize - 1, readBufSize + 2, readBufSize + 2, false},
		{"the tail", size - 50, 50, 50, false},
		{"past the end", size - 50, 100, 50, true},
		{"at the end", size, 10, 0, true},
		{"whole", 0, len(data), len(data), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &chunkReaderAt{ra: bytes.NewReader(data), size: size}
			c.ReadAt(make([]byte, 10), size-5) // a stretch already held
			p := make([]byte, tt.n)
			n, err := c.ReadAt(p, tt.off)
			if n != tt.wantN || (err == io.EOF) != tt.wantEOF || (err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d (EOF %v)", tt.n, tt.off, n, err, tt.wantN, tt.wantEOF)
			}
			if !bytes.Equal(p[:n], data[tt.off:tt.off+int64(n)]) {
				t.Errorf("ReadAt(%d bytes, %d) read other bytes", tt.n, tt.off)
			}
			if c.failed(&Version{Object: "x"}) != nil {
				t.Errorf("failed() after reads that did not fail")
			}
		})
	}
	t.Run("a failed read", func(t *testing.T) {
		c := &chunkReaderAt{ra: failAt{bytes.NewReader(data), 2 * readBufSize}, size: size}
		p := make([]byte, readBufSize)
		if n, err := c.ReadAt(p, readBufSize+10); n != readBufSize-10 || err == nil {
			t.Errorf("ReadAt across the failure = %d, %v; want %d and an error", n, err, readBufSize-10)
		}
		if err := c.failed(&Version{Object: "x"}); !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "object x is damaged") {
			t.Errorf("failed() = %v, want ErrIntegrity naming the object", err)
		}
	})
}
