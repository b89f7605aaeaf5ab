package transcript

import (
	"fmt"
	"testing"
	"time"
)

// TestAppendCapTime: a caption time is written as fmt's
// "%02d:%02d:%02d%c%03d" writes it, hours of three digits included.
func TestAppendCapTime(t *testing.T) {
	for _, d := range []time.Duration{
		0, time.Millisecond, 9 * time.Millisecond, 10 * time.Millisecond, 999 * time.Millisecond,
		time.Second, 59*time.Second + 500*time.Millisecond, time.Minute, 9*time.Hour + 59*time.Minute,
		99*time.Hour + 59*time.Minute + 59*time.Second + 999*time.Millisecond, 100 * time.Hour, 1234*time.Hour + 1500*time.Microsecond,
	} {
		for _, sep := range []byte{'.', ','} {
			want := fmt.Sprintf("%02d:%02d:%02d%c%03d", int64(d/time.Hour), int64(d%time.Hour/time.Minute),
				int64(d%time.Minute/time.Second), sep, int64(d%time.Second/time.Millisecond))
			if got := string(appendCapTime([]byte("x"), d, sep)); got != "x"+want {
				t.Errorf("appendCapTime(%v, %q) = %q, want %q", d, sep, got, "x"+want)
			}
		}
	}
}
