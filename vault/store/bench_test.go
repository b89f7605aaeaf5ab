package store_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

// BenchmarkStream writes and reads one item through each backend (the
// object store on the local S3 server, so the figure is the client's and
// the server's cost, not a network's; a study in a directory is written by
// package vault, whose Ingest and Open benchmarks measure it). FIELDVAULT_BENCH_MB sets the size
// (default 64).
func BenchmarkStream(b *testing.B) {
	mb := 64
	if v, err := strconv.Atoi(os.Getenv("FIELDVAULT_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	size := int64(mb) << 20
	chunk := pattern(1 << 20)
	fill := func(w io.Writer) error {
		for range size / int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	}
	backends := map[string]func(b *testing.B) fixture{
		"s3": func(b *testing.B) fixture { return s3Fixture(b, s3test.Shared(b)) },
	}
	for _, name := range []string{"s3"} {
		b.Run(name+"/put", func(b *testing.B) {
			f := backends[name](b)
			b.SetBytes(size)
			for i := 0; b.Loop(); i++ {
				if _, err := f.b.PutNew(context.Background(), "objects/ab/"+strconv.Itoa(i)+".age", fill); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/get", func(b *testing.B) {
			f := backends[name](b)
			if _, err := f.b.PutNew(context.Background(), "objects/ab/r.age", fill); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			buf := make([]byte, 128<<10)
			for b.Loop() {
				r, err := f.b.Get(context.Background(), "objects/ab/r.age")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, r, buf); err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
		})
	}
}
