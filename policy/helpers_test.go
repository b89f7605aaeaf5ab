package policy

import "fmt"

// Helpers the tests share: the whole-document forms of what the exits do
// line by line, and the names the golden files give actions.

// String returns "keep", "withhold" or "drop".
func (a Action) String() string {
	switch a {
	case Keep:
		return "keep"
	case Withhold:
		return "withhold"
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// MarshalText encodes an Action by name in the golden files.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Markers returns one Marker per run of consecutive lines of d that do not
// leave and share a marker wording (do-not-quote, or neutral), built as an
// exit builds them while its lines stream past.
func Markers(d Decision) []Marker {
	var out []Marker
	for _, l := range d.Lines {
		if l.Action == Keep {
			continue
		}
		if k := len(out); k > 0 && out[k-1].Joins(l) {
			out[k-1].Add(l)
			continue
		}
		out = append(out, NewMarker(l))
	}
	for i := range out {
		out[i].Close()
	}
	return out
}

// Due lists the documents due for destruction on today: those Schedule
// marks IsDue (as vault's retention state does).
func Due(rules []RetentionRule, docs []RetainedDoc, studyEnd, today Date) []Scheduled {
	var out []Scheduled
	for _, s := range Schedule(rules, docs, studyEnd, today) {
		if s.IsDue {
			out = append(out, s)
		}
	}
	return out
}
