package transcript

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rollingCaptions writes spoken lines as rolling captions in one of the
// layouts found in the wild: YouTube's automatic captions (two rows, inline
// word timestamps, a 10 ms "settling" cue after each line) or broadcast
// roll-up converted to WebVTT (a window of rows growing then scrolling).
func rollingCaptions(spoken []string, style string, window int) string {
	var b strings.Builder
	b.WriteString("WEBVTT\nKind: captions\nLanguage: en\n\n")
	ts := func(d time.Duration) string {
		return fmtTime(d)
	}
	t := 400 * time.Millisecond
	var rows []string
	for i, line := range spoken {
		start, end := t, t+2*time.Second
		switch style {
		case "youtube":
			prev := " "
			if i > 0 {
				prev = spoken[i-1]
			}
			words := strings.Fields(line)
			fmt.Fprintf(&b, "%s --> %s align:start position:0%%\n%s\n%s", ts(start), ts(end), prev, words[0])
			for k, w := range words[1:] {
				fmt.Fprintf(&b, "<%s><c> %s</c>", ts(start+time.Duration(k+1)*100*time.Millisecond), w)
			}
			fmt.Fprintf(&b, "\n\n%s --> %s align:start position:0%%\n%s\n \n\n", ts(end), ts(end+10*time.Millisecond), line)
			t = end + 10*time.Millisecond
		default:
			rows = append(rows, line)
			if len(rows) > window {
				rows = rows[1:]
			}
			fmt.Fprintf(&b, "%d\n%s --> %s line:85%%\n%s\n\n", i+1, ts(start), ts(end), strings.Join(rows, "\n"))
			t = end
		}
	}
	return b.String()
}

var srtTimes = regexp.MustCompile(`(\d\d:\d\d:\d\d)\.(\d\d\d)`)

// TestRollingCaptionsProperty checks, over random speech in every rolling
// layout (WebVTT, and SRT for roll-up), that each spoken line is parsed
// exactly once, in order, with the time it was first shown: none lost, none
// repeated (lines said twice in a row included).
func TestRollingCaptionsProperty(t *testing.T) {
	phrases := []string{"yes", "no", "we met at the hall", "every Tuesday", "and then the bus", "yes yes", "right", "it was cold"}
	rng := rand.New(rand.NewPCG(17, 2026))
	for iter := 0; iter < 400; iter++ {
		n := 1 + rng.IntN(12)
		spoken := make([]string, n)
		for i := range spoken {
			spoken[i] = phrases[rng.IntN(len(phrases))]
		}
		style, window := "youtube", 2
		if iter%3 != 0 {
			style, window = "rollup", 2+iter%3
		}
		in := rollingCaptions(spoken, style, window)
		format := FormatVTT
		if style == "rollup" && iter%2 == 0 {
			// The same roll-up as SubRip: no header, comma decimals.
			format = FormatSRT
			in = strings.TrimPrefix(in, "WEBVTT\nKind: captions\nLanguage: en\n\n")
			in = srtTimes.ReplaceAllString(in, "$1,$2")
		}
		doc, err := Parse(format, strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v\n%s", style, err, in)
		}
		var got []string
		for _, l := range doc.Lines {
			got = append(got, l.Text)
		}
		if strings.Join(got, "\n") != strings.Join(spoken, "\n") {
			t.Fatalf("%s %s window %d: parsed\n%q\nwant\n%q\nfrom\n%s", format, style, window, got, spoken, in)
		}
		step := 2*time.Second + 10*time.Millisecond
		if style != "youtube" {
			step = 2 * time.Second
		}
		for i, l := range doc.Lines {
			if want := 400*time.Millisecond + time.Duration(i)*step; !l.HasTime || l.Start != want {
				t.Fatalf("%s: line %d starts at %v, want %v (first shown)", style, l.N, l.Start, want)
			}
		}
	}
}

// TestCaptionsNotRolling checks that ordinary captions repeating a line
// (a "Yes." answered twice) keep both, and that a later cue starting with
// the same word is not taken for a repeat.
func TestCaptionsNotRolling(t *testing.T) {
	in := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nYes.\n\n00:00:02.000 --> 00:00:03.000\nYes.\n\n00:00:03.000 --> 00:00:04.000\nYes, and more.\nMuch more.\n"
	doc, err := Parse(FormatVTT, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Lines) != 3 || doc.Lines[2].Text != "Yes, and more. Much more." {
		t.Errorf("got %s", dump(doc))
	}
}

// TestVTTWhitespaceLines checks that a line of spaces inside a cue is
// neither text nor the end of the cue, as the WebVTT parsing algorithm says.
func TestVTTWhitespaceLines(t *testing.T) {
	in := "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000 align:start position:0%\n \n<v Ama Mensah>hello <c.colorE5E5E5>there</c>\n  \n2\n00:00:02.000 --> 00:00:03.000\nagain\n"
	doc, err := Parse(FormatVTT, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got := dump(doc)
	want := "format: vtt\n  1 00:00:01.000 T  {} [Ama Mensah] \"Ama Mensah: hello there\"\n  2 00:00:02.000 .  {} [Ama Mensah] \"again\"\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
