package gate

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/redacttest"
	"github.com/fieldvault/fieldvault/vault"
)

// heavy reports whether the memory tests run at full size: a 200 MB
// transcript and caption files of a million cues. .ci/run's memory-ceiling
// step sets FIELDVAULT_HEAVY=1; the ordinary run takes a twentieth of that
// (a fiftieth under the race detector, where nothing is asserted).
func heavy() bool { return os.Getenv("FIELDVAULT_HEAVY") == "1" }

// bigSizes are the transcript size in bytes and the cues of a caption
// file the big-document tests use.
func bigSizes() (size, cues int) {
	switch {
	case heavy():
		return 200 << 20, 1_000_000
	case raceEnabled:
		return 4 << 20, 20_000
	}
	return 10 << 20, 50_000
}

const (
	ingestCeiling = 256 << 20 // an ingest, whatever its input (issue 14)
	exportCeiling = 64 << 20  // an export, whatever the document's size (issue 15)
)

// captionFile writes a WebVTT or SRT file of n one-second cues in which
// the two speakers take turns, each cue naming its speaker.
func captionFile(tb testing.TB, path string, srt bool, n int, speakers [2]string) {
	tb.Helper()
	var b []byte
	if !srt {
		b = append(b, "WEBVTT\n\n"...)
	}
	sep := byte('.')
	if srt {
		sep = ','
	}
	ts := func(b []byte, ms int) []byte {
		b = fmt.Appendf(b, "%02d:%02d:%02d", ms/3_600_000, ms/60_000%60, ms/1000%60)
		return append(append(b, sep), strconv.Itoa(1000 + ms%1000)[1:]...)
	}
	for i := range n {
		if srt {
			b = strconv.AppendInt(b, int64(i+1), 10)
			b = append(b, '\n')
		}
		b = ts(b, i*1000)
		b = append(b, " --> "...)
		b = ts(b, i*1000+900)
		b = fmt.Appendf(b, "\n%s: and then we went down to the hall, cue %d\n\n", speakers[i%2], i)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// ingestPeak ingests req and returns the peak heap in use while it ran.
func ingestPeak(tb testing.TB, s *vault.Study, req vault.IngestRequest) (string, uint64) {
	tb.Helper()
	var h string
	start := time.Now()
	peak := peakHeap(func() {
		d, err := s.Ingest(ctx, req)
		if err != nil {
			tb.Fatal(err)
		}
		h = d.Handle
	})
	fi, _ := os.Stat(req.Path)
	tb.Logf("ingest %s (%.1f MB, version of %q): %v, peak heap %.1f MiB", filepath.Base(req.Path), float64(fi.Size())/1e6, req.VersionOf, time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20))
	return h, peak
}

// exportPeak exports document h in format and returns the peak heap in
// use while it ran, with less garbage allowed (as readPeak).
func exportPeak(tb testing.TB, s *vault.Study, h, format string) uint64 {
	tb.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	start := time.Now()
	var n int64
	peak := peakHeap(func() {
		w := &countWriter{w: io.Discard}
		if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: h, Format: format, W: w}); err != nil {
			tb.Fatal(err)
		}
		n = w.n
	})
	tb.Logf("export %s as %s: %.1f MB out in %v, peak heap %.1f MiB", h, format, float64(n)/1e6, time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20))
	if n == 0 {
		tb.Errorf("export of %s wrote nothing", h)
	}
	return peak
}

// readPeak runs a read of the study that is not an exit (what, for the
// log) and returns the peak heap in use while it ran. Garbage waits for a
// collection: with less of it allowed, the peak follows what the read
// holds rather than when the collector ran.
func readPeak(tb testing.TB, what string, f func() error) uint64 {
	tb.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	start := time.Now()
	var err error
	peak := peakHeap(func() { err = f() })
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	tb.Logf("%s: %v, peak heap %.1f MiB", what, time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20))
	return peak
}

// openLinesPeak runs open --lines on document h and returns the peak heap
// in use while it ran.
func openLinesPeak(tb testing.TB, s *vault.Study, h string) uint64 {
	tb.Helper()
	w := &countWriter{w: io.Discard}
	peak := readPeak(tb, "open --lines "+h, func() error { return s.OpenLines(ctx, h, 0, w) })
	if w.n == 0 {
		tb.Errorf("open --lines %s wrote nothing", h)
	}
	return peak
}

// recordPeak gathers participant p's record and returns the peak heap in
// use while it ran.
func recordPeak(tb testing.TB, s *vault.Study, p string) uint64 {
	tb.Helper()
	var rec *vault.ParticipantRecord
	peak := readPeak(tb, "record of "+p, func() (err error) {
		rec, err = s.ParticipantRecord(p)
		return err
	})
	for _, d := range rec.Documents {
		if d.TheirLines <= 0 {
			tb.Errorf("record of %s: %s has %d of their lines, want some", p, d.Handle, d.TheirLines)
		}
	}
	return peak
}

// TestBigDocumentsPeakHeapFlat: a transcript of 10 MB (200 with
// FIELDVAULT_HEAVY=1) ingests within 256 MiB of heap, and so does a
// corrected version of it carrying a flag; its export peaks within 64 MiB
// and within 1.5× of the export of one a tenth its size; open --lines of
// it and a participant's record peak within 64 MiB. A WebVTT and an SRT
// caption file of a million cues (FIELDVAULT_HEAVY=1) ingest within 256
// MiB and export, open --lines and enter a record within 64 MiB.
func TestBigDocumentsPeakHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large documents")
	}
	big, ncues := bigSizes()
	s := newStudy(t)
	const people = 1000
	reqs := make([]vault.ParticipantRequest, people)
	for i := range reqs {
		name, aliases := redacttest.Person(i)
		reqs[i] = vault.ParticipantRequest{Handle: fmt.Sprintf("P%d", i+1), Name: name, Aliases: aliases}
	}
	if err := s.AddParticipants(ctx, reqs); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"P1", "P2"} {
		if _, err := s.RecordConsent(ctx, vault.ConsentRequest{Handle: h, Form: "v1", Signed: "2025-01-01", Scopes: []policy.Scope{"participate", "quote"}}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	linked := []string{"P1", "P2"}
	assert := func(what string, peak, ceiling uint64) {
		t.Helper()
		if peak > ceiling && !raceEnabled {
			t.Errorf("%s: peak heap %.1f MiB, ceiling %d MiB", what, float64(peak)/(1<<20), ceiling>>20)
		}
	}

	// Transcripts of a tenth of big and of big.
	exports := map[int]uint64{}
	for _, size := range []int{big / 10, big} {
		mb := fmt.Sprintf("%.1f MB", float64(size)/(1<<20))
		path := write(fmt.Sprintf("interview-%d.txt", size), []byte(redacttest.Interview(people, size)))
		h, peak := ingestPeak(t, s, vault.IngestRequest{Path: path, Kind: policy.KindTranscript, Participants: linked})
		assert("ingest of "+mb, peak, ingestCeiling)
		exports[size] = exportPeak(t, s, h, "md")
		assert("export of "+mb, exports[size], exportCeiling)
		// Reads that are not exits keep to an export's ceiling too: held
		// whole, the transcript shows several times over (about 5x).
		assert("open --lines of "+mb, openLinesPeak(t, s, h), exportCeiling)
		assert("record with "+mb, recordPeak(t, s, "P1"), exportCeiling) // reads every transcript so far
		if size != big {
			continue
		}
		// A corrected version: a line added at the top and one in the
		// middle; the flag on version 1 is carried by the diff.
		if err := s.Flag(ctx, vault.FlagRequest{Doc: h, From: 10, To: 12, Kind: policy.FlagDNQ, Reason: "asked"}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		mid := len(data)/2 + bytes.IndexByte(data[len(data)/2:], '\n') + 1
		v2 := slices.Concat([]byte("Interviewer: the recording starts here.\n"), data[:mid], []byte("Interviewer: a line the transcriber missed.\n"), data[mid:])
		path2 := write("interview-v2.txt", v2)
		data, v2 = nil, nil
		_, peak = ingestPeak(t, s, vault.IngestRequest{Path: path2, VersionOf: h})
		assert("ingest of a version of "+mb+" carrying a flag", peak, ingestCeiling)
		d, err := s.Doc(h)
		if err != nil {
			t.Fatal(err)
		}
		if f := d.Latest().Flags; len(f) != 1 || f[0].From != 11 || f[0].To != 13 {
			t.Errorf("flags of version 2: %+v, want lines 11-13 (the flag on 10-12, one line added above)", f)
		}
	}
	if !raceEnabled && float64(exports[big]) > 1.5*float64(exports[big/10]) {
		t.Errorf("export peak heap %.1f MiB for %d bytes, %.1f MiB for %d: grows with the document",
			float64(exports[big])/(1<<20), big, float64(exports[big/10])/(1<<20), big/10)
	}

	// Caption files.
	p1, _ := redacttest.Person(0)
	p2, _ := redacttest.Person(1)
	for _, srt := range []bool{false, true} {
		name, format := fmt.Sprintf("captions-%d.vtt", ncues), "vtt"
		if srt {
			name, format = fmt.Sprintf("captions-%d.srt", ncues), "srt"
		}
		path := filepath.Join(dir, name)
		captionFile(t, path, srt, ncues, [2]string{p1, p2})
		h, peak := ingestPeak(t, s, vault.IngestRequest{Path: path, Kind: policy.KindTranscript, Participants: linked})
		assert("ingest of "+name, peak, ingestCeiling)
		d, err := s.Doc(h)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Latest().Lines; got != ncues {
			t.Errorf("%s: %d lines, want %d (a line a cue)", name, got, ncues)
		}
		assert("export of "+name, exportPeak(t, s, h, format), exportCeiling)
		assert("open --lines of "+name, openLinesPeak(t, s, h), exportCeiling)
	}
	assert("record with every document", recordPeak(t, s, "P1"), exportCeiling)
}

// BenchmarkExportCaptions lets a WebVTT file of 100,000 cues out through
// the gate as WebVTT and as SRT (1,000 registered people); -benchmem
// counts the garbage a cue leaves, which sets how far the peak heap of a
// caption export rises above what it holds.
func BenchmarkExportCaptions(b *testing.B) {
	s, _ := exportStudy(b, 1000, 1<<10)
	p1, _ := redacttest.Person(0)
	p2, _ := redacttest.Person(1)
	path := filepath.Join(b.TempDir(), "captions.vtt")
	const cues = 100_000
	captionFile(b, path, false, cues, [2]string{p1, p2})
	d, err := s.Ingest(ctx, vault.IngestRequest{Path: path, Kind: policy.KindTranscript, Participants: []string{"P1", "P2"}})
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{"vtt", "srt"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(ctx, s, Request{Exit: ExitExport, Doc: d.Handle, Format: format, W: io.Discard}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/cues, "ns/cue")
		})
	}
}
