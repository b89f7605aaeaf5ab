package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"

	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

// benchStudies are the two backends side by side: a directory and a
// prefix of a bucket on a local versitygw.
func benchStudies() map[string]func(b *testing.B) *Study {
	return map[string]func(b *testing.B) *Study{
		"dir": func(b *testing.B) *Study { return newStudy(b) },
		"s3": func(b *testing.B) *Study {
			return newStoreStudy(b, s3test.Start(b)).Study
		},
	}
}

// BenchmarkBackendIngest streams a file into the study (age encryption,
// SHA-256, the object written whole, the catalogue committed).
func BenchmarkBackendIngest(b *testing.B) {
	for name, study := range benchStudies() {
		b.Run(name, func(b *testing.B) { benchIngest(b, study(b)) })
	}
}

// BenchmarkBackendOpen reads the object back, decrypts, verifies and
// delivers it.
func BenchmarkBackendOpen(b *testing.B) {
	for name, study := range benchStudies() {
		b.Run(name, func(b *testing.B) { benchOpen(b, study(b)) })
	}
}

// BenchmarkBackendExport exports a 2 MB interview transcript through the
// gate (read, pseudonymise, scan, deliver, commit the audit entry).
func BenchmarkBackendExport(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 2<<20; i++ {
		fmt.Fprintf(&sb, "Interviewer: What happened on day %d at the depot?\nGenevieve Okafor-Hale: We sorted the parcels and Bramwell drove the van to Wexcombe, as on every Tuesday.\n", i)
	}
	in := filepath.Join(b.TempDir(), "interview.txt")
	if err := os.WriteFile(in, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	for name, study := range benchStudies() {
		b.Run(name, func(b *testing.B) {
			s := study(b)
			addParticipant(b, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
			d, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}})
			if err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(b.TempDir(), "export.md")
			b.SetBytes(int64(sb.Len()))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				os.Remove(out)
				if err := exitVia(ctx, s, "export", exitRequest{Doc: d.Handle, Output: out}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
