package gate

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/qdpx"
	"github.com/fieldvault/fieldvault/vault"
)

// TestExitsHeapFlat: no exit holds a document whole. scan DOC,
// export-qda, deposit, and render (Markdown and .docx) and check of a
// chapter that quotes the whole document each peak within 1.5× on a 20 MB
// transcript of what they peak on a 2 MB one (TestExportHeapFlat is
// export's and quote's path); held whole, 20 MB would show at once. The
// ceilings are asserted without the race detector, which multiplies
// memory (.ci/run); with it the exits run on small documents.
func TestExitsHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 40 MB transcript")
	}
	// Garbage waits for a collection: with less of it allowed, the peak
	// follows what the exit holds rather than when the collector ran.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	sizes := []int{2, 20}
	if raceEnabled {
		sizes = []int{1, 2}
	}
	exits := []struct {
		name string
		req  func(doc, chapter, dir string) Request
	}{
		{"scan", func(doc, _, _ string) Request { return Request{Exit: ExitScan, Doc: doc} }},
		{"export-qda", func(doc, _, dir string) Request {
			return Request{Exit: ExitQDA, Docs: []string{doc}, Output: filepath.Join(dir, "p.qdpx"), Force: true}
		}},
		{"deposit", func(_, _, dir string) Request {
			return Request{Exit: ExitDeposit, Output: filepath.Join(dir, "d.zip"), Force: true}
		}},
		{"render", func(_, chapter, dir string) Request {
			return Request{Exit: ExitRender, Chapter: chapter, Output: filepath.Join(dir, "ch.md"), Force: true, AcceptResidual: true}
		}},
		{"render-docx", func(_, chapter, dir string) Request {
			return Request{Exit: ExitRender, Chapter: chapter, Output: filepath.Join(dir, "ch.docx"), Force: true, AcceptResidual: true}
		}},
		{"check", func(_, chapter, _ string) Request {
			return Request{Exit: ExitCheck, Chapter: chapter, AcceptResidual: true}
		}},
	}
	peak := map[string]map[int]uint64{}
	type study struct {
		s               *vault.Study
		h, chapter, dir string
	}
	studies := map[int]study{}
	for _, mb := range sizes {
		s, h := exportStudy(t, 1000, mb<<20)
		for _, p := range []string{"P1", "P2"} {
			if _, err := s.RecordConsent(ctx, vault.ConsentRequest{Handle: p, Form: "v2", Signed: "2025-02-01", Scopes: []policy.Scope{"participate", "quote", "archive"}}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := s.Doc(h)
		if err != nil {
			t.Fatal(err)
		}
		chapter := writeFile(t, "ch.md", fmt.Sprintf("# The whole interview\n\n{{quote %s:1-%d}}\n", h, d.Latest().Lines))
		dir := t.TempDir()
		studies[mb] = study{s, h, chapter, dir}
		for _, x := range exits {
			req := x.req(h, chapter, dir)
			var res *Result
			start := time.Now()
			p := peakHeap(func() { res, err = Run(ctx, s, req) })
			if err != nil {
				t.Fatalf("%s of %d MB: %v", x.name, mb, err)
			}
			if x.name == "deposit" && len(res.Files) != 1 || x.name == "render" && res.Quotes != 1 {
				t.Fatalf("%s of %d MB: %+v; want the document out", x.name, mb, res)
			}
			if peak[x.name] == nil {
				peak[x.name] = map[int]uint64{}
			}
			peak[x.name][mb] = p
			t.Logf("%s, %d MB: peak heap %.1f MiB, %v", x.name, mb, float64(p)/(1<<20), time.Since(start).Round(time.Millisecond))
		}
	}
	if raceEnabled {
		return
	}
	small, large := sizes[0], sizes[1]
	for _, x := range exits {
		if p := peak[x.name]; float64(p[large]) > 1.5*float64(p[small]) {
			// On a loaded machine the collector's workers can fall behind
			// once: measure the large document again and keep the lower
			// peak. A document held whole peaks high every time.
			st := studies[large]
			var err error
			again := peakHeap(func() { _, err = Run(ctx, st.s, x.req(st.h, st.chapter, st.dir)) })
			if err != nil {
				t.Fatalf("%s of %d MB again: %v", x.name, large, err)
			}
			t.Logf("%s, %d MB again: peak heap %.1f MiB", x.name, large, float64(again)/(1<<20))
			p[large] = min(p[large], again)
		}
		if p := peak[x.name]; float64(p[large]) > 1.5*float64(p[small]) {
			t.Errorf("%s: peak heap %.1f MiB for %d MB, %.1f MiB for %d MB: grows with the document", x.name,
				float64(p[large])/(1<<20), large, float64(p[small])/(1<<20), small)
		}
	}
}

// TestQDAHeapFlatManyMarkers: export-qda of a transcript whose second
// speaker withdrew, so that a marker, and a selection in project.qde,
// stands for every fourth turn, peaks within 1.5× on 20 MB (200 MB with
// FIELDVAULT_HEAVY=1) of what it peaks on 2 MB: project.qde's selections
// are spooled, not held, and it is validated as it is written.
func TestQDAHeapFlatManyMarkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 22 MB transcript")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	sizes := []int{2, 20}
	switch {
	case raceEnabled:
		sizes = []int{1, 2}
	case heavy():
		sizes = []int{20, 200}
	}
	peak := map[int]uint64{}
	for _, mb := range sizes {
		s, h := exportStudy(t, 1000, mb<<20)
		if _, err := s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P2"}); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "p.qdpx")
		var res *Result
		var err error
		start := time.Now()
		p := peakHeap(func() {
			res, err = Run(ctx, s, Request{Exit: ExitQDA, Docs: []string{h}, Output: out, Force: true})
		})
		if err != nil {
			t.Fatalf("%d MB: %v", mb, err)
		}
		sels := countSelections(t, out)
		// P2 speaks every fourth turn of one to three lines of about
		// 170 bytes: a selection every 1.4 kB or so.
		if want := mb << 20 / 2000; sels < want {
			t.Fatalf("%d MB: %d selections in project.qde, want over %d (%+v)", mb, sels, want, res)
		}
		peak[mb] = p
		t.Logf("%d MB: %d selections, peak heap %.1f MiB, %v", mb, sels, float64(p)/(1<<20), time.Since(start).Round(time.Millisecond))
	}
	if raceEnabled {
		return
	}
	small, large := sizes[0], sizes[1]
	if float64(peak[large]) > 1.5*float64(peak[small]) {
		t.Errorf("peak heap %.1f MiB for %d MB, %.1f MiB for %d MB: grows with the selections", float64(peak[large])/(1<<20), large, float64(peak[small])/(1<<20), small)
	}
}

// countSelections counts the PlainTextSelection elements of a .qdpx's
// project.qde, reading it as a stream.
func countSelections(t *testing.T, path string) int {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(qdpx.ProjectEntry)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	n := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "PlainTextSelection" {
			n++
		}
	}
}
