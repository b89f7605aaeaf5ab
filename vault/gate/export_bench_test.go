package gate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/redacttest"
	"github.com/fieldvault/fieldvault/vault"
)

// exportStudy registers people participants (the first two consenting
// and linked to the document) and ingests an interview transcript of
// about size bytes in which they speak and name the others; it returns
// the study and the document's handle.
func exportStudy(tb testing.TB, people, size int) (*vault.Study, string) {
	tb.Helper()
	s := newStudy(tb)
	reqs := make([]vault.ParticipantRequest, people)
	for i := range reqs {
		name, aliases := redacttest.Person(i)
		reqs[i] = vault.ParticipantRequest{Handle: fmt.Sprintf("P%d", i+1), Name: name, Aliases: aliases}
	}
	if err := s.AddParticipants(ctx, reqs); err != nil {
		tb.Fatal(err)
	}
	for _, h := range []string{"P1", "P2"} {
		if _, err := s.RecordConsent(ctx, vault.ConsentRequest{Handle: h, Form: "v1", Signed: "2025-01-01", Scopes: []policy.Scope{"participate", "quote"}}); err != nil {
			tb.Fatal(err)
		}
	}
	path := filepath.Join(tb.TempDir(), "interview.txt")
	if err := os.WriteFile(path, []byte(redacttest.Interview(people, size)), 0o600); err != nil {
		tb.Fatal(err)
	}
	d, err := s.Ingest(ctx, vault.IngestRequest{Path: path, Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}})
	if err != nil {
		tb.Fatal(err)
	}
	return s, d.Handle
}

// peakHeap samples the heap in use while f runs and returns its peak.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64() + sample[1].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	f()
	close(stop)
	<-done
	read()
	return peak.Load()
}

// BenchmarkExport lets a 20 MB interview transcript out through the gate
// (1,000 registered people with three aliases each), as Markdown to a
// file; FIELDVAULT_BENCH_EXPORT_MB changes the size. It reports the peak
// heap in use during the export.
func BenchmarkExport(b *testing.B) {
	mb := 20
	if v := os.Getenv("FIELDVAULT_BENCH_EXPORT_MB"); v != "" {
		fmt.Sscan(v, &mb)
	}
	s, h := exportStudy(b, 1000, mb<<20)
	d, err := s.Doc(h)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "out.md")
	b.SetBytes(d.Latest().Size)
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		peak = max(peak, peakHeap(func() {
			if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: h, Output: out, Force: true}); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// TestExportHeapFlat: the heap an export needs does not grow with the
// document: a 40 MB transcript peaks within 1.5× of a 2 MB one.
func TestExportHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 40 MB transcript")
	}
	if raceEnabled {
		t.Skip("memory is measured without the race detector (.ci/run)")
	}
	// As in TestExitsHeapFlat: with less garbage allowed, the peak follows
	// what the export holds rather than when the collector ran (at the
	// default, a loaded machine let 40 MB peak at 58 MiB once, 39-45 MiB
	// otherwise).
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	peak := map[int]uint64{}
	for _, mb := range []int{2, 40} {
		s, h := exportStudy(t, 1000, mb<<20)
		peak[mb] = peakHeap(func() {
			if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: h, W: io.Discard}); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%d MB: peak heap %.1f MiB", mb, float64(peak[mb])/(1<<20))
	}
	if float64(peak[40]) > 1.5*float64(peak[2]) {
		t.Errorf("peak heap %.1f MiB for 40 MB, %.1f MiB for 2 MB: grows with the document", float64(peak[40])/(1<<20), float64(peak[2])/(1<<20))
	}
}
