package transcript

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// memCeiling is the most heap a parse may hold at once, whatever its
// input: an ingest must stay within 256 MiB.
const memCeiling = 256 << 20

// bombDocx writes a .docx whose document.xml is head, then body repeated n
// times, then tail, compressed as hard as deflate can: a small file that
// expands to a huge XML stream.
func bombDocx(tb testing.TB, head, body, tail string, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	w, err := zw.Create("word/document.xml")
	if err != nil {
		tb.Fatal(err)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><w:document `+wNS+`><w:body>`+head)
	chunk := []byte(strings.Repeat(body, 4096))
	for i := 0; i < n; i += 4096 {
		if n-i < 4096 {
			chunk = chunk[:(n-i)*len(body)]
		}
		if _, err := w.Write(chunk); err != nil {
			tb.Fatal(err)
		}
	}
	io.WriteString(w, tail+`</w:body></w:document>`)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// cues is a caption file of n cues (SRT or WebVTT), each with text.
func cues(f Format, n int, text func(i int) string) []byte {
	var b []byte
	if f == FormatVTT {
		b = append(b, "WEBVTT\n\n"...)
	}
	sep := byte('.')
	if f == FormatSRT {
		sep = ','
	}
	ts := func(b []byte, ms int) []byte {
		two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
		if h := ms / 3_600_000; h < 100 {
			b = two(b, h)
		} else {
			b = strconv.AppendInt(b, int64(h), 10)
		}
		b = two(append(b, ':'), ms/60_000%60)
		b = two(append(b, ':'), ms/1000%60)
		return append(b, sep, byte('0'+ms%1000/100), byte('0'+ms%100/10), byte('0'+ms%10))
	}
	for i := range n {
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, '\n')
		b = ts(b, i*1000)
		b = append(b, " --> "...)
		b = ts(b, i*1000+900)
		b = append(b, '\n')
		b = append(b, text(i)...)
		b = append(b, "\n\n"...)
	}
	return b
}

// parseMeasured parses as ingest does (ParseLines, holding no line) and
// reports the lines parsed, the time taken, the peak of the heap in use
// above what it was before (sampled every millisecond) and the error.
func parseMeasured(ctx context.Context, f Format, data []byte) (int, time.Duration, uint64, error) {
	return parseMeasuredFrom(ctx, f, bytes.NewReader(data))
}

// parseMeasuredFrom is parseMeasured reading r.
func parseMeasuredFrom(ctx context.Context, f Format, r io.Reader) (int, time.Duration, uint64, error) {
	runtime.GC()
	sample := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	base := sample()
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := sample(); h > peak {
				peak = h
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	sum, err := ParseLines(ctx, f, r, func(Line) error { return nil })
	took := time.Since(start)
	close(done)
	<-sampled
	if h := sample(); h > peak {
		peak = h
	}
	if peak < base {
		return sum.Lines, took, 0, err
	}
	return sum.Lines, took, peak - base, err
}

// TestLimitsHostile: each hostile input stops at the limit it passes, named
// in the error, quickly and within the memory ceiling.
func TestLimitsHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	word := func(int) string { return "Zebedee spoke." }
	bigText := strings.Repeat("a", MaxLineBytes-1)
	for _, tc := range []struct {
		name   string
		format Format
		data   func(testing.TB) []byte
		limit  string
	}{
		{"docx: 30 million empty paragraphs", FormatDocx, func(tb testing.TB) []byte { return bombDocx(tb, "", "<w:p/>", "", 30_000_000) }, "lines"},
		{"docx: 5 million empty runs", FormatDocx, func(tb testing.TB) []byte { return bombDocx(tb, "<w:p>", "<w:r/>", "</w:p>", 5_000_000) }, "runs"},
		{"docx: 9 million elements", FormatDocx, func(tb testing.TB) []byte { return bombDocx(tb, "", "<a/>", "", 9_000_000) }, "XML elements"},
		{"docx: deep nesting", FormatDocx, func(tb testing.TB) []byte { return bombDocx(tb, "", "<w:sdt>", "", 100_000) }, "XML nesting depth"},
		{"docx: one huge paragraph", FormatDocx, func(tb testing.TB) []byte {
			return bombDocx(tb, "<w:p>", "<w:r><w:t>"+strings.Repeat("x", 1000)+"</w:t></w:r>", "</w:p>", 2_000)
		}, "line length (bytes)"},
		{"docx: one huge text token", FormatDocx, func(tb testing.TB) []byte {
			return bombDocx(tb, "<w:p><w:r><w:t>", "x", "</w:t></w:r></w:p>", 5*MaxLineBytes)
		}, "XML token size (bytes)"},
		{"vtt: 1,600,000 cues", FormatVTT, func(testing.TB) []byte { return cues(FormatVTT, MaxCues+100_000, word) }, "cues"},
		{"srt: 1,600,000 cues", FormatSRT, func(testing.TB) []byte { return cues(FormatSRT, MaxCues+100_000, word) }, "cues"},
		{"srt: 1,600,000 empty cues", FormatSRT, func(testing.TB) []byte { return cues(FormatSRT, MaxCues+100_000, func(int) string { return "" }) }, "cues"},
		{"vtt: a cue of 2 MiB in short lines", FormatVTT, func(testing.TB) []byte {
			return []byte("WEBVTT\n\n00:00.000 --> 00:01.000\n" + strings.Repeat("Ann: x\n", 300_000))
		}, "cue length (bytes)"},
		{"txt: 2,100,000 lines", FormatText, func(testing.TB) []byte { return []byte(strings.Repeat("Zebedee spoke.\n", MaxLines+100_000)) }, "lines"},
		{"txt: a line of 2 MiB", FormatText, func(testing.TB) []byte { return []byte(strings.Repeat("x", 2*MaxLineBytes)) }, "line length (bytes)"},
		{"md: 300,000 markup tags", FormatMarkdown, func(testing.TB) []byte { return []byte(strings.Repeat("[dnq]Zebedee[/dnq]\n", MaxTags+50_000)) }, "markup tags"},
		{"md: 260 MiB of text", FormatMarkdown, nil, "text size (bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader
			size := 0
			if tc.data != nil {
				data := tc.data(t)
				r, size = bytes.NewReader(data), len(data)
			} else {
				// More text than MaxTextBytes, made as it is read.
				size = MaxTextBytes + 4<<20
				r = io.LimitReader(repeatReader(bigText+"\n"), int64(size))
			}
			_, took, alloc, err := parseMeasuredFrom(context.Background(), tc.format, r)
			var le *LimitError
			if !errors.As(err, &le) || !errors.Is(err, ErrLimit) {
				t.Fatalf("got %v, want the %q limit", err, tc.limit)
			}
			if le.Limit != tc.limit || !strings.Contains(err.Error(), tc.limit) {
				t.Errorf("limit %q (%v), want %q", le.Limit, err, tc.limit)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Format != tc.format || strings.Contains(err.Error(), "Zebedee") {
				t.Errorf("error %v: want a *ParseError of %s that quotes nothing", err, tc.format)
			}
			t.Logf("%d-byte input: stopped after %v, peak heap %d MiB", size, took.Round(time.Millisecond), alloc>>20)
			if alloc > memCeiling {
				t.Errorf("peak heap %d MiB, ceiling %d MiB", alloc>>20, memCeiling>>20)
			}
		})
	}
}

// tenHourText is ten hours of talk at 180 words a minute, in turns of
// about 40 words: about 108,000 words.
func tenHourText() []string {
	words := strings.Fields("we talked about the allotments bus route meetings chapel on Mill Lane and how the residents group changed over the years when new people arrived")
	var turns []string
	var sb strings.Builder
	speakers := []string{"Interviewer", "Rosalind Quill", "Gideon Marsh"}
	for i := 0; i < 108_000/40; i++ {
		sb.Reset()
		sb.WriteString(speakers[i%3] + ":")
		for k := range 40 {
			sb.WriteString(" " + words[(i*7+k)%len(words)])
		}
		turns = append(turns, sb.String())
	}
	return turns
}

// TestLimitsPassTenHourTranscript: a real 10-hour recording's transcript,
// in every format and split as finely as services split it, parses.
func TestLimitsPassTenHourTranscript(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	turns := tenHourText()
	// Automatic captions: a cue a second, 36,000 cues.
	capt := func(i int) string { return fmt.Sprintf("Speaker %d: and then we went down to the hall", i%2+1) }
	var docx bytes.Buffer
	var blocks []Block
	for _, tr := range turns {
		for _, sentence := range strings.SplitAfter(tr, " residents") { // several paragraphs a turn
			blocks = append(blocks, Block{Text: sentence})
		}
	}
	if err := WriteDocx(&docx, blocks); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		format Format
		data   []byte
	}{
		{"txt", FormatText, []byte(strings.Join(turns, "\n"))},
		{"vtt", FormatVTT, cues(FormatVTT, 36_000, capt)},
		{"srt", FormatSRT, cues(FormatSRT, 36_000, capt)},
		{"docx", FormatDocx, docx.Bytes()},
	} {
		lines, took, alloc, err := parseMeasured(context.Background(), tc.format, tc.data)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		t.Logf("%s: %d bytes, %d lines in %v, peak heap %d MiB", tc.name, len(tc.data), lines, took.Round(time.Millisecond), alloc>>20)
	}
}

// TestParseContextCancel: a cancelled parse stops within a fraction of a
// second, whatever the format, with an error wrapping the context's.
func TestParseContextCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	for _, tc := range []struct {
		name   string
		format Format
		data   []byte
	}{
		{"docx", FormatDocx, bombDocx(t, "", "<a/>", "", 7_500_000)},
		{"vtt", FormatVTT, cues(FormatVTT, 190_000, func(int) string { return "" })},
		{"txt", FormatText, bytes.Repeat([]byte("\n"), 400<<20)},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, took, _, err := parseMeasured(ctx, tc.format, tc.data)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: got %v after %v, want context.Canceled", tc.name, err, took)
			continue
		}
		if took > 500*time.Millisecond {
			t.Errorf("%s: stopped %v after the start, want within 0.5 s of a cancel at 50 ms", tc.name, took)
		}
	}
}

// fuzzBounded parses data and fails if the parse holds more than the
// memory ceiling at once, or passes a limit without naming it.
func fuzzBounded(t *testing.T, f Format, data []byte) {
	_, _, peak, err := parseMeasured(context.Background(), f, data)
	if peak > memCeiling {
		t.Fatalf("%s parse of %d bytes: peak heap %d MiB, ceiling %d MiB", f, len(data), peak>>20, memCeiling>>20)
	}
	var le *LimitError
	if errors.As(err, &le) && !strings.Contains(err.Error(), le.Limit) {
		t.Fatalf("limit error %q does not name its limit %q", err, le.Limit)
	}
}

// The memory-ceiling fuzz targets, one per parser, seeded with the hostile
// shapes of TestLimitsHostile at a size a fuzzer can mutate.
func FuzzBoundedDocx(f *testing.F) {
	addFixtureSeeds(f, "interview.docx")
	f.Add(bombDocx(f, "", "<w:p/>", "", 300_000))
	f.Add(bombDocx(f, "<w:p>", "<w:r/>", "</w:p>", 100_000))
	f.Add(bombDocx(f, "", "<w:sdt>", "", 3_000))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzBounded(t, FormatDocx, data) })
}

func FuzzBoundedVTT(f *testing.F) {
	addFixtureSeeds(f, "teams.vtt", "zoom.vtt")
	f.Add(cues(FormatVTT, 1000, func(int) string { return "" }))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzBounded(t, FormatVTT, data) })
}

func FuzzBoundedSRT(f *testing.F) {
	addFixtureSeeds(f, "interview.srt")
	f.Add(cues(FormatSRT, 1000, func(i int) string { return fmt.Sprint("Ann: ", i) }))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzBounded(t, FormatSRT, data) })
}

func FuzzBoundedText(f *testing.F) {
	addFixtureSeeds(f, "interview.txt", "fieldnotes.md", "crlf.txt")
	f.Add([]byte(strings.Repeat("\r", 10_000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzBounded(t, FormatText, data)
		fuzzBounded(t, FormatMarkdown, data)
	})
}

// repeatReader reads s over and over.
func repeatReader(s string) io.Reader { return &repeating{s: s} }

type repeating struct {
	s   string
	off int
}

func (r *repeating) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.s[r.off:])
		n += c
		r.off = (r.off + c) % len(r.s)
	}
	return n, nil
}
