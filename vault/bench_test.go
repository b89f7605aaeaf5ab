package vault

import (
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
)

// benchSize is the file the ingest/open benchmarks stream; override with
// FIELDVAULT_BENCH_MB (the README's figures use 1024).
func benchSize(b *testing.B) int64 {
	mb := 64
	if v, err := strconv.Atoi(os.Getenv("FIELDVAULT_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	return int64(mb) << 20
}

func benchFile(b *testing.B, size int64) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "recording.bin")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return p
}

// BenchmarkIngest streams a file into the vault (age encryption, SHA-256,
// fsync, catalogue commit).
func BenchmarkIngest(b *testing.B) { benchIngest(b, newStudy(b)) }

func benchIngest(b *testing.B, s *Study) {
	size := benchSize(b)
	in := benchFile(b, size)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindDocument, AllowDuplicate: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen decrypts to a file beside the target, verifies, renames.
func BenchmarkOpen(b *testing.B) { benchOpen(b, newStudy(b)) }

func benchOpen(b *testing.B, s *Study) {
	size := benchSize(b)
	d, err := s.Ingest(ctx, IngestRequest{Path: benchFile(b, size), Kind: policy.KindDocument})
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "out.bin")
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.OpenDoc(ctx, OpenRequest{Handle: d.Handle, Output: out, Force: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAgeCLI runs the age command-line tool (Debian package age) on the
// same file, so the README can set ingest and open side by side with it.
func BenchmarkAgeCLI(b *testing.B) {
	age, err := exec.LookPath("age")
	if err != nil {
		b.Skip("the age command is not installed (apt-get install age)")
	}
	keygen, err := exec.LookPath("age-keygen")
	if err != nil {
		b.Skip("age-keygen is not installed")
	}
	dir := b.TempDir()
	key := filepath.Join(dir, "key.txt")
	if out, err := exec.Command(keygen, "-o", key).CombinedOutput(); err != nil {
		b.Fatalf("age-keygen: %v %s", err, out)
	}
	pub, err := exec.Command(keygen, "-y", key).Output()
	if err != nil {
		b.Fatal(err)
	}
	size := benchSize(b)
	in := benchFile(b, size)
	enc := filepath.Join(dir, "enc.age")
	dec := filepath.Join(dir, "dec.bin")
	b.Run("encrypt", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			if out, err := exec.Command(age, "-r", string(pub[:len(pub)-1]), "-o", enc, in).CombinedOutput(); err != nil {
				b.Fatalf("age -e: %v %s", err, out)
			}
		}
	})
	b.Run("decrypt", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			if out, err := exec.Command(age, "-d", "-i", key, "-o", dec, enc).CombinedOutput(); err != nil {
				b.Fatalf("age -d: %v %s", err, out)
			}
		}
	})
}
