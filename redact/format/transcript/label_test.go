package transcript

import "testing"

// TestParseLabelDecorations: a label carrying the decorations real
// transcripts give names (particles, pronouns, meeting-software notes,
// titles, capitals, diacritics) is still a label, returned as written.
func TestParseLabelDecorations(t *testing.T) {
	tests := []struct{ line, label string }{
		{"Dafydd ap Rhys: we walked", "Dafydd ap Rhys"},
		{"Gwenllian ab Owain: yes", "Gwenllian ab Owain"},
		{"Tariq ibn Saeed: yes", "Tariq ibn Saeed"},
		{"Hamid bin Yusof: yes", "Hamid bin Yusof"},
		{"Nurul bint Ahmad: yes", "Nurul bint Ahmad"},
		{"Layla al-Sayed: yes", "Layla al-Sayed"},
		{"al-Sayed: yes", "al-Sayed"},
		{"de la Cruz: sí", "de la Cruz"},
		{"van Dijk: ja", "van Dijk"},
		{"von Trapp: ja", "von Trapp"},
		{"Maria de la Cruz y Soto: sí", "Maria de la Cruz y Soto"},
		{"Karl zu Ebersfeld: ja", "Karl zu Ebersfeld"},
		{"Sigrid af Klinteberg: ja", "Sigrid af Klinteberg"},
		{"Aoife Ní Bhriain: yes", "Aoife Ní Bhriain"},
		{"Orla Nic Giolla: yes", "Orla Nic Giolla"},
		{"Eoin Mac Cárthaigh: yes", "Eoin Mac Cárthaigh"},
		{"Ciarán O'Rourke: yes", "Ciarán O'Rourke"},
		{"Ciarán O’Rourke: yes", "Ciarán O’Rourke"},
		{"d'Almeida: sim", "d'Almeida"},
		{"Amy Li (she/her): hi", "Amy Li (she/her)"},
		{"Amy Li (they/them) (Guest): hi", "Amy Li (they/them) (Guest)"},
		{"Amy Li (Guest): hi", "Amy Li (Guest)"},
		{"Amy Li (External): hi", "Amy Li (External)"},
		{"Amy Li (Host): hi", "Amy Li (Host)"},
		{"Amy Li (Host, me): hi", "Amy Li (Host, me)"},
		{"Amy Li (Organizer): hi", "Amy Li (Organizer)"},
		{"Dr Amy Li: hi", "Dr Amy Li"},
		{"Prof. Amy Li: hi", "Prof. Amy Li"},
		{"AMY LI: hi", "AMY LI"},
		{"DAFYDD AP RHYS: hi", "DAFYDD AP RHYS"},
		{"Zoë Ødegård: hej", "Zoë Ødegård"},
		{"**Dafydd ap Rhys:** bold", "Dafydd ap Rhys"},
		{"**Amy Li (she/her)**: bold", "Amy Li (she/her)"},
		{"Speaker 1: hmm", "Speaker 1"},
		{"Unknown Speaker: hmm", "Unknown Speaker"},
		{"[00:01:23] Amy Li: hi", "Amy Li"},
		{"(12:04) Q: why?", "Q"},
		{"00:01:23 - Dafydd ap Rhys: yes", "Dafydd ap Rhys"},
		{"0:09 Amy Li (she/her): hi", "Amy Li (she/her)"},
		{"[00:01:23.450] **Amy Li:** hi", "Amy Li"},
		{"Speaker 1 (00:01): hi", "Speaker 1 (00:01)"},
		{"Dafydd's mum: she never liked it", "Dafydd's mum"},
		{"Amy’s daughter (Guest): hi", "Amy’s daughter (Guest)"},
		{"Mrs Jones' son: yes", "Mrs Jones' son"},
		{"Dafydd's older brother: yes", "Dafydd's older brother"},
		{"Amy Li (she/her) (01:02:03): hi", "Amy Li (she/her) (01:02:03)"},
		// Diarisation tools (WhisperX, pyannote): numbered speakers, in
		// square brackets or not, after Whisper's time range.
		{"SPEAKER_00: thanks for coming", "SPEAKER_00"},
		{"[SPEAKER_01]: and the deliveries", "SPEAKER_01"},
		{"[SPEAKER_01] and the deliveries", "SPEAKER_01"},
		{"[Speaker 2] yes", "Speaker 2"},
		{"[Amy Li]: yes", "Amy Li"},
		{"[00:00:12.345 --> 00:00:15.000] SPEAKER_01: right", "SPEAKER_01"},
		{"[00:00:12.345 --> 00:00:15.000] [SPEAKER_01]: right", "SPEAKER_01"},
		// A label set off by a tab, as typed in Word.
		{"Gideon\tI was the treasurer.", "Gideon"},
		{"Gideon Marsh \tStill am: yes.", "Gideon Marsh"},
		{"P1\tyes", "P1"},
		// Transcripts typed as lists, quoted, or with line numbers.
		{"- Amy Li: a bullet", "Amy Li"},
		{"* **Amy Li:** a bullet", "Amy Li"},
		{"• Amy Li: a bullet", "Amy Li"},
		{"1. Amy Li: numbered", "Amy Li"},
		{"12) Amy Li: numbered", "Amy Li"},
		{"> Amy Li: quoted", "Amy Li"},
		{"0012\tAmy Li: line-numbered", "Amy Li"},
		{"12  Amy Li: line-numbered", "Amy Li"},
		{"- [00:01:23] Amy Li: both", "Amy Li"},
		// No-break spaces, as Word puts them after a colon or in a name.
		{"Amy:\u00a0hi", "Amy"},
		{"Amy\u00a0Li:\u00a0hi", "Amy\u00a0Li"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			label, _, ok := ParseLabel(tt.line)
			if !ok || label != tt.label {
				t.Errorf("ParseLabel(%q) = %q, %v; want %q, true", tt.line, label, ok, tt.label)
			}
		})
	}
}

// TestParseLabelProse: prose, headings, links and times with a colon are
// not labels.
func TestParseLabelProse(t *testing.T) {
	for _, line := range []string{
		"Note: the recorder stopped",
		"The thing is: nobody came",
		"the thing is: nobody came",
		"and then: nothing",
		"of course: yes",
		"de facto: yes", // a lead particle with nothing named after it
		"https://example.org/x",
		"mailto:someone",
		"10:30 we met",
		"At 10:30 we met",
		"Summary: short",
		"so she said: no",
		"Carol (laughs, then (cries)): x",
		"Carol (" + "a very long aside that is no pronoun or meeting note at all" + "): x",
		"Carol (x) (y) (z): x",
		"Carol; Bo: x",
		"ratio 3:1",
		"[00:01:23] we began late",
		"10:30 we met: nobody came",
		"[1:2] Amy: x",
		"[00:01:23]Amy: x",
		"It's true: yes",
		"Let's see: who came",
		"Dafydd's mum said that: no",
		// Bracketed sound and transcriber notes are not speakers.
		"[Music]",
		"[Music] la la la",
		"[Laughter] yes, well",
		"[inaudible 00:01:23] so then",
		"[crosstalk]: x",
		"[]: x",
		"[Amy Li]x",
		"the\tthing",
		"- the thing is: x",
		"1.5 million: that many",
		"2 Amy: one space is prose",
		"-Amy: no space",
		"> ",
		"12",
		"Fenwick Vale\t",
		"Fenwick Vale\t \t",
		"Arrival\t10:30",
		"Total\t12",
		"Note\tthe recorder stopped",
	} {
		t.Run(line, func(t *testing.T) {
			if label, _, ok := ParseLabel(line); ok {
				t.Errorf("ParseLabel(%q) accepted label %q", line, label)
			}
		})
	}
}

func TestLoosePrefix(t *testing.T) {
	tests := []struct {
		line, label string
		ok          bool
	}{
		{"amy li: hi", "amy li", true},
		{"dr okafor: hi", "dr okafor", true},
		{"the thing is: x", "the thing is", true},
		{"Note: x", "Note", true},
		{"Page: x", "Page", true},
		{"https://x", "", false},
		{"a b c d e f g: x", "", false},
	}
	for _, tt := range tests {
		label, _, ok := LoosePrefix(tt.line)
		if label != tt.label || ok != tt.ok {
			t.Errorf("LoosePrefix(%q) = %q, %v; want %q, %v", tt.line, label, ok, tt.label, tt.ok)
		}
	}
}

func TestSplitAnnotations(t *testing.T) {
	tests := []struct {
		label, name string
		notes       []string
	}{
		{"Amy Li", "Amy Li", nil},
		{"Amy Li (she/her)", "Amy Li", []string{"she/her"}},
		{"Amy Li (she/her) (Guest)", "Amy Li", []string{"she/her", "Guest"}},
		{"Speaker 1 (00:01)", "Speaker 1", []string{"00:01"}},
	}
	for _, tt := range tests {
		name, notes := SplitAnnotations(tt.label)
		if name != tt.name || len(notes) != len(tt.notes) {
			t.Fatalf("SplitAnnotations(%q) = %q, %q; want %q, %q", tt.label, name, notes, tt.name, tt.notes)
		}
		for i := range notes {
			if notes[i] != tt.notes[i] {
				t.Errorf("SplitAnnotations(%q) notes = %q; want %q", tt.label, notes, tt.notes)
			}
		}
	}
}

func TestNameLine(t *testing.T) {
	tests := []struct {
		line, name string
		ok         bool
	}{
		{"Amy Li", "Amy Li", true},
		{"  INTERVIEWER ", "INTERVIEWER", true},
		{"**Dafydd ap Rhys**", "Dafydd ap Rhys", true},
		{"Amy\u00a0Li", "Amy\u00a0Li", true},
		{"amy li", "", false},
		{"Amy Li (Guest)", "Amy Li (Guest)", true},
		{"Amy Li: hi", "", false},
		{"**Amy Li", "", false},
		{"", "", false},
		{"a b c d e f g", "", false},
		{"We walked to the shop.", "", false},
		{"0:03", "", false},
	}
	for _, tt := range tests {
		name, ok := NameLine(tt.line)
		if name != tt.name || ok != tt.ok {
			t.Errorf("NameLine(%q) = %q, %v; want %q, %v", tt.line, name, ok, tt.name, tt.ok)
		}
	}
}

// TestRowLabel: a transcript table's speaker column, and tables that are
// not transcripts.
func TestRowLabel(t *testing.T) {
	tests := []struct {
		row, label string
		cont       bool
	}{
		{"Amy Li | We opened the larder.", "Amy Li", false},
		{"00:01:02 | Amy Li | We opened it.", "Amy Li", false},
		{"[00:01:02] | Amy | We opened it.", "Amy", false},
		{"Li, Amy (Guest) | yes", "Li, Amy (Guest)", false},
		{"Amy: | yes", "Amy", false},
		{" | and my aunt.", "", true},
		{"00:01:02 |  | and my aunt.", "", true},
		{"Speaker | Text", "", false},
		{"Name | Words", "", false},
		{"Arrival | 10:30", "", false},
		{"Total | 12 | 14", "", false},
		{"2004 | Moved to Fenwick Vale", "", false},
		{"We walked. | yes", "", false},
		{"Amy Li", "", false},
		{"Amy Li | ", "", false},
	}
	for _, tt := range tests {
		label, cont := rowLabel(tt.row)
		if label != tt.label || cont != tt.cont {
			t.Errorf("rowLabel(%q) = %q, %v; want %q, %v", tt.row, label, cont, tt.label, tt.cont)
		}
	}
}
