package transcript

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNoTimings is returned when captions are asked of lines without times.
var ErrNoTimings = fmt.Errorf("the document has no timings (captions need a WebVTT, SRT or timed transcript)")

// lastCue is how long the last caption stays up.
const lastCue = 3 * time.Second

type caption struct {
	start time.Duration
	text  []string
}

// writeCaptions writes blocks as WebVTT or SRT: every timed line starts a
// caption at its time, untimed lines join the caption before them, and a
// caption ends where the next begins (the last after three seconds). A
// marker is a caption of its own at the time of the first line it stands
// for. Cue text is escaped so that it parses back as written.
func writeCaptions(w io.Writer, f Format, blocks []Block) error {
	if !hasTimedRef(blocks) {
		return ErrNoTimings
	}
	var caps []caption
	label := "" // a speaker line holding only its label, waiting for words
	for _, bl := range blocks {
		for k, l := range blockLines(bl.Text) {
			l = strings.TrimSpace(l)
			if k == 0 && bl.Speaker != "" {
				l = strings.TrimSpace(bl.Speaker + ": " + l)
			}
			if _, timing := looseCueTiming(l); l == "" || timing {
				continue // a timing line of the source is not a caption's words
			}
			ref, _ := bl.lineRef(k)
			if ref.Label > 0 && ref.Label == len(l) && label == "" {
				// "Leila:" alone (a service's speaker line): its words follow.
				label = l
				switch n := len(caps); {
				case ref.HasTime && n > 0 && caps[n-1].start < 0:
					caps[n-1].start = ref.Start // lines before the first time join its caption
					label, caps[n-1].text = "", append(caps[n-1].text, l)
				case ref.HasTime:
					caps = append(caps, caption{start: ref.Start})
				}
				continue
			}
			if label != "" {
				l, label = label+" "+l, ""
				if len(caps) > 0 && caps[len(caps)-1].text == nil {
					c := &caps[len(caps)-1]
					c.text = append(c.text, l)
					continue
				}
			}
			switch n := len(caps); {
			case n == 0:
				caps = append(caps, caption{start: -1})
				if ref.HasTime {
					caps[0].start = ref.Start
				}
			case ref.HasTime && caps[n-1].start < 0:
				caps[n-1].start = ref.Start // lines before the first time join its caption
			case ref.HasTime:
				caps = append(caps, caption{start: ref.Start})
			}
			c := &caps[len(caps)-1]
			c.text = append(c.text, l)
		}
	}
	if label != "" {
		if len(caps) == 0 {
			caps = append(caps, caption{})
		}
		c := &caps[len(caps)-1]
		c.text = append(c.text, label)
	}
	for i := range caps {
		if caps[i].start < 0 {
			caps[i].start = 0 // untimed lines before the first time
		}
	}
	ew := &errWriter{w: bufio.NewWriter(w)}
	if f == FormatVTT {
		ew.str("WEBVTT\n")
	}
	for i, c := range caps {
		end := c.start + lastCue
		if i+1 < len(caps) && caps[i+1].start > c.start {
			end = caps[i+1].start
		}
		if f == FormatVTT || i > 0 {
			ew.str("\n")
		}
		if f == FormatSRT {
			ew.str(fmt.Sprintf("%d\n%s --> %s\n", i+1, capTime(c.start, ','), capTime(end, ',')))
		} else {
			ew.str(fmt.Sprintf("%s --> %s\n", capTime(c.start, '.'), capTime(end, '.')))
		}
		for _, t := range c.text {
			ew.str(capText(t, f))
			ew.str("\n")
		}
	}
	return ew.flush()
}

func hasTimedRef(blocks []Block) bool {
	for _, bl := range blocks {
		for _, r := range bl.Lines {
			if r.HasTime {
				return true
			}
		}
	}
	return false
}

func capTime(d time.Duration, sep byte) string {
	return fmt.Sprintf("%02d:%02d:%02d%c%03d", int64(d/time.Hour), int64(d%time.Hour/time.Minute),
		int64(d%time.Minute/time.Second), sep, int64(d%time.Second/time.Millisecond))
}

// capText escapes a caption line: WebVTT character references for & and <,
// and "-->" (which would read as a timing line) broken in both formats.
func capText(s string, f Format) string {
	if f == FormatVTT {
		s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
		return s
	}
	return strings.ReplaceAll(s, "-->", "->")
}
