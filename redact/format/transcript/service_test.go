package transcript

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimedLabel(t *testing.T) {
	const h, m, s = time.Hour, time.Minute, time.Second
	tests := []struct {
		line  string
		label string
		start time.Duration
		rest  string
		ok    bool
	}{
		{"Carol Mensah  0:09", "Carol Mensah", 9 * s, "", true},
		{"Speaker 2\t12:41", "Speaker 2", 12*m + 41*s, "", true},
		{"Anna van Dijk  1:02:03  ", "Anna van Dijk", h + 2*m + 3*s, "", true},
		{"Carol Mensah (00:01:23):", "Carol Mensah", m + 23*s, "", true},
		{"Carol (01:23): and then", "Carol", m + 23*s, "and then", true},
		{"Carol (01:23): and (laughs) more", "Carol", m + 23*s, "and (laughs) more", true},
		{"Carol Mensah [00:01:23]", "Carol Mensah", m + 23*s, "", true},
		{"Carol Mensah: (00:01:23)", "Carol Mensah", m + 23*s, "", true},
		{"Carol Mensah: [00:01:23] and then", "Carol Mensah", m + 23*s, "and then", true},
		{"Carol Mensah: [01:23] and then", "", 0, "", false},
		{"Carol: (12:30) we met at the station", "", 0, "", false},
		{"Carol: (laughs) yes", "", 0, "", false},
		{"Carol: [dnq]yes", "", 0, "", false},
		{"Carol: (12:30)x", "", 0, "", false},
		{"Carol Mensah [00:01:23]:", "Carol Mensah", m + 23*s, "", true},
		{"[00:01:23] Carol Mensah:", "Carol Mensah", m + 23*s, "", true},
		{"[01:23] Carol Mensah: hello", "Carol Mensah", m + 23*s, "hello", true},
		{"[00:01:23] Carol Mensah", "Carol Mensah", m + 23*s, "", true},
		{"00:01:23 Carol Mensah", "Carol Mensah", m + 23*s, "", true},
		{"00:01:23.5 Carol", "Carol", m + 23*s + 500*time.Millisecond, "", true},
		{"0:01:23,250 Ó Súilleabháin", "Ó Súilleabháin", m + 23*s + 250*time.Millisecond, "", true},
		// Zoom's saved live transcript and saved chat.
		{"[Carol Mensah] 10:01:02", "Carol Mensah", 10*h + m + 2*s, "", true},
		{"[Carol Mensah] 1:02", "Carol Mensah", m + 2*s, "", true},
		{"10:01:40 From Carol Mensah to Everyone:", "Carol Mensah", 10*h + m + 40*s, "", true},
		{"10:01:22\t From  Carol Mensah : sorry, my mic", "Carol Mensah", 10*h + m + 22*s, "sorry, my mic", true},
		{"10:01:22 From Carol Mensah to Everyone : hi", "Carol Mensah", 10*h + m + 22*s, "hi", true},
		{"10:01:22 From Carol Mensah to Amy Li(Direct Message):", "Carol Mensah", 10*h + m + 22*s, "", true},
		{"10:01:22 From Okafor, Adaeze to Everyone:", "Okafor, Adaeze", 10*h + m + 22*s, "", true},
		// Teams writes an organisation's accounts surname first.
		{"Okafor, Adaeze   0:09", "Okafor, Adaeze", 9 * s, "", true},
		{"Okafor, Adaeze (Guest)   1:02:03", "Okafor, Adaeze (Guest)", h + 2*m + 3*s, "", true},
		{"Okafor, Adaeze (00:01:23):", "Okafor, Adaeze", m + 23*s, "", true},
		// Field notes and prose are not speakers.
		{"Yes, well  0:09", "", 0, "", false},
		{"Okafor, Adaeze, Amy  0:09", "", 0, "", false},
		{"09:15 From Leeds: the train", "", 0, "", false},
		{"10:01:22 From the station: we walked", "", 0, "", false},
		{"[Carol Mensah]10:01:02", "", 0, "", false},
		{"[Carol Mensah] 10:01:02 hello", "", 0, "", false},
		{"Arrived 10:30", "", 0, "", false},
		{"Lunch (12:30)", "", 0, "", false},
		{"Lunch [12:30]", "", 0, "", false},
		{"09:15 Registration", "", 0, "", false},
		{"[09:15] Registration", "", 0, "", false},
		{"The bus left at 10:30", "", 0, "", false},
		{"we met  0:09", "", 0, "", false},
		{"Okay.  0:09", "", 0, "", false},
		{"00:01:23 Okay.", "", 0, "", false},
		{"00:01:23 and then she left", "", 0, "", false},
		{"Carol Mensah  0:61", "", 0, "", false},
		{"Carol Mensah  1:60:00", "", 0, "", false},
		{"Carol Mensah  0:9", "", 0, "", false},
		{"Note  0:09", "", 0, "", false},
		{"Carol (00:01:23)x:", "", 0, "", false},
		{"Carol(00:01:23):", "", 0, "", false},
		{"Carol Mensah (00:01:23):words", "", 0, "", false},
		{"[00:01:23]Carol:", "", 0, "", false},
		{"Carol:", "", 0, "", false},
		{"", "", 0, "", false},
		{"0:09", "", 0, "", false},
	}
	for _, tt := range tests {
		label, start, rest, ok := ParseTimedLabel(tt.line)
		if label != tt.label || start != tt.start || rest != tt.rest || ok != tt.ok {
			t.Errorf("ParseTimedLabel(%q) = %q, %v, %q, %v; want %q, %v, %q, %v", tt.line, label, start, rest, ok, tt.label, tt.start, tt.rest, tt.ok)
		}
	}
}

func FuzzParseTimedLabel(f *testing.F) {
	for _, s := range []string{"Carol Mensah  0:09", "Carol (00:01:23): hi", "[00:01:23] Zebedee Quist:", "00:01:23 Zebedee", "Zebedee [1:2]", "(:)", "]:",
		"[Zebedee Quist] 10:01:02", "[Z] 1", "[", "10:01:22 From Zebedee to Everyone:", "10:01:22 From ", "00:00:01 From :", "Quist, Zebedee  0:09", ", Z  0:09"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		label, start, rest, ok := ParseTimedLabel(line)
		if !ok {
			if label != "" || rest != "" || start != 0 {
				t.Fatalf("refused %q but returned %q, %v, %q", line, label, start, rest)
			}
			return
		}
		if !validTimedLabel(label) || !strings.Contains(line, label) || !strings.Contains(line, rest) || start < 0 {
			t.Fatalf("ParseTimedLabel(%q) = %q, %v, %q", line, label, start, rest)
		}
		// A timed label line is a turn whose text starts with its label
		// (a line: the parsers split at line endings first).
		if strings.ContainsAny(line, "\r\n") {
			return
		}
		doc, err := Parse(FormatText, strings.NewReader(line))
		if err != nil {
			return // inline markup in the fuzzed line
		}
		if l := doc.Lines[0]; !l.Turn || l.Speaker != label || !l.HasTime || l.Start != start || !strings.HasPrefix(l.Text, label+":") {
			t.Fatalf("Parse(%q) gave %+v", line, l)
		}
	})
}
