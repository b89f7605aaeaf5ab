package transcript

import (
	"fmt"
	"strconv"
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
//
// A cue leaves little garbage, so that the heap of a long export stays
// near what it holds: the caption being filled is reused for the next,
// the timing line formatted into a buffer kept for the next, the text
// escaped as it is written.
type capWriter struct {
	ew    *errWriter
	f     Format
	timed bool     // some line had a time
	label string   // a speaker line holding only its label, waiting for words
	cur   *caption // the last caption, still filling (&slot), or nil
	slot  caption
	n     int    // captions written
	buf   []byte // the timing line being formatted
}

// add starts a new caption; the one before it is complete.
func (c *capWriter) add(start time.Duration) {
	if c.cur != nil {
		c.emit(c.cur, start)
	}
	c.start(start)
}

// start makes a new, empty caption the one being filled (its text slice
// reused, the strings it held let go).
func (c *capWriter) start(start time.Duration) {
	clear(c.slot.text)
	c.slot = caption{start: start, text: c.slot.text[:0]}
	c.cur = &c.slot
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
	b, sep := c.buf[:0], byte('.')
	if c.f == FormatSRT {
		b = append(strconv.AppendInt(b, int64(c.n), 10), '\n')
		sep = ','
	}
	b = appendCapTime(b, cp.start, sep)
	b = append(b, " --> "...)
	b = append(appendCapTime(b, end, sep), '\n')
	c.buf = b
	if ew.err == nil {
		_, ew.err = ew.w.Write(b)
	}
	for _, t := range cp.text {
		c.text(t)
		ew.str("\n")
	}
}

// text writes a caption line escaped (capText) without building it.
func (c *capWriter) text(t string) {
	if c.ew.err != nil {
		return
	}
	if c.f == FormatVTT {
		_, c.ew.err = vttEscaper.WriteString(c.ew.w, t)
		return
	}
	c.ew.str(capText(t, c.f))
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
				c.add(ref.Start)
			}
			continue
		}
		if c.label != "" {
			l, c.label = c.label+" "+l, ""
			if c.cur != nil && len(c.cur.text) == 0 {
				c.cur.text = append(c.cur.text, l)
				continue
			}
		}
		switch {
		case c.cur == nil:
			c.start(-1)
			if ref.HasTime {
				c.cur.start = ref.Start
			}
		case ref.HasTime && c.cur.start < 0:
			c.cur.start = ref.Start // lines before the first time join its caption
		case ref.HasTime:
			c.add(ref.Start)
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
			c.start(0)
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

// appendCapTime appends a caption time, HH:MM:SS and the milliseconds
// after sep (00:01:02.500), hours in more digits if they need them.
func appendCapTime(b []byte, d time.Duration, sep byte) []byte {
	b = appendZeroPad(b, int64(d/time.Hour), 2)
	b = append(b, ':')
	b = appendZeroPad(b, int64(d%time.Hour/time.Minute), 2)
	b = append(b, ':')
	b = appendZeroPad(b, int64(d%time.Minute/time.Second), 2)
	b = append(b, sep)
	return appendZeroPad(b, int64(d%time.Second/time.Millisecond), 3)
}

// appendZeroPad appends v (not negative) in decimal, zero-padded to width
// digits as %0*d pads it.
func appendZeroPad(b []byte, v int64, width int) []byte {
	for p := int64(10); width > 1; width, p = width-1, p*10 {
		if v < p {
			b = append(b, '0')
		}
	}
	return strconv.AppendInt(b, v, 10)
}

// vttEscaper writes WebVTT character references for &, < and >.
var vttEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// capText escapes a caption line: WebVTT character references for & and <,
// and "-->" (which would read as a timing line) broken in both formats.
func capText(s string, f Format) string {
	if f == FormatVTT {
		return vttEscaper.Replace(s)
	}
	return strings.ReplaceAll(s, "-->", "->")
}
