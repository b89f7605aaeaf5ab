package transcript

import (
	"fmt"
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

// capWriter writes blocks as WebVTT or SRT: every timed line starts a
// caption at its time, untimed lines join the caption before them, and a
// caption ends where the next begins (the last after three seconds). A
// marker is a caption of its own at the time of the first line it stands
// for. Cue text is escaped so that it parses back as written. Only the
// caption being filled is held; Close fails with ErrNoTimings, having
// written nothing, if no line had a time.
type capWriter struct {
	ew    *errWriter
	f     Format
	timed bool     // some line had a time
	label string   // a speaker line holding only its label, waiting for words
	cur   *caption // the last caption, still filling
	n     int      // captions written
}

// add starts a new caption; the one before it is complete.
func (c *capWriter) add(next caption) {
	if c.cur != nil {
		c.emit(c.cur, next.start)
	}
	c.cur = &next
}

// emit writes caption cp, ending at next (or after lastCue if next < 0 or
// not after its start).
func (c *capWriter) emit(cp *caption, next time.Duration) {
	ew := c.ew
	if cp.start < 0 {
		cp.start = 0 // untimed lines before the first time
	}
	end := cp.start + lastCue
	if next > cp.start {
		end = next
	}
	if c.f == FormatVTT && c.n == 0 {
		ew.str("WEBVTT\n")
	}
	if c.f == FormatVTT || c.n > 0 {
		ew.str("\n")
	}
	c.n++
	if c.f == FormatSRT {
		ew.str(fmt.Sprintf("%d\n%s --> %s\n", c.n, capTime(cp.start, ','), capTime(end, ',')))
	} else {
		ew.str(fmt.Sprintf("%s --> %s\n", capTime(cp.start, '.'), capTime(end, '.')))
	}
	for _, t := range cp.text {
		ew.str(capText(t, c.f))
		ew.str("\n")
	}
}

func (c *capWriter) block(bl Block) {
	for _, r := range bl.Lines {
		c.timed = c.timed || r.HasTime
	}
	for k, l := range blockLines(bl.Text) {
		l = strings.TrimSpace(l)
		if k == 0 && bl.Speaker != "" {
			l = strings.TrimSpace(bl.Speaker + ": " + l)
		}
		if _, timing := looseCueTiming(l); l == "" || timing {
			continue // a timing line of the source is not a caption's words
		}
		ref, _ := bl.lineRef(k)
		if ref.Label > 0 && ref.Label == len(l) && c.label == "" {
			// "Leila:" alone (a service's speaker line): its words follow.
			c.label = l
			switch {
			case ref.HasTime && c.cur != nil && c.cur.start < 0:
				c.cur.start = ref.Start // lines before the first time join its caption
				c.label, c.cur.text = "", append(c.cur.text, l)
			case ref.HasTime:
				c.add(caption{start: ref.Start})
			}
			continue
		}
		if c.label != "" {
			l, c.label = c.label+" "+l, ""
			if c.cur != nil && c.cur.text == nil {
				c.cur.text = append(c.cur.text, l)
				continue
			}
		}
		switch {
		case c.cur == nil:
			c.cur = &caption{start: -1}
			if ref.HasTime {
				c.cur.start = ref.Start
			}
		case ref.HasTime && c.cur.start < 0:
			c.cur.start = ref.Start // lines before the first time join its caption
		case ref.HasTime:
			c.add(caption{start: ref.Start})
		}
		c.cur.text = append(c.cur.text, l)
	}
}

func (c *capWriter) close() error {
	if !c.timed {
		return ErrNoTimings
	}
	if c.label != "" {
		if c.cur == nil {
			c.cur = &caption{}
		}
		c.cur.text = append(c.cur.text, c.label)
	}
	if c.cur != nil {
		c.emit(c.cur, -1)
	}
	if c.f == FormatVTT && c.n == 0 {
		c.ew.str("WEBVTT\n")
	}
	return c.ew.flush()
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
