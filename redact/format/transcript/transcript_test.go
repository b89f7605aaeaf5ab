package transcript

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"

	"github.com/fieldvault/fieldvault/policy"
)

func TestParseLabel(t *testing.T) {
	tests := []struct {
		line, label, rest string
		ok                bool
	}{
		{"Carol: hello", "Carol", "hello", true},
		{"Interviewer:", "Interviewer", "", true},
		{"Interviewer:   spaced", "Interviewer", "spaced", true},
		{"Carol Smith: hi", "Carol Smith", "hi", true},
		{"Dr. Odette Fairbairn-Lusk: yes", "Dr. Odette Fairbairn-Lusk", "yes", true},
		{"Seán O'Brien: yes", "Seán O'Brien", "yes", true},
		{"Anna van Dijk: ja", "Anna van Dijk", "ja", true},
		{"Head of Research: we", "Head of Research", "we", true},
		{"Speaker 2: hmm", "Speaker 2", "hmm", true},
		{"P07: hmm", "P07", "hmm", true},
		{"Q: why?", "Q", "why?", true},
		{"Élodie : oui", "Élodie", "oui", true},
		{"Карина: да", "Карина", "да", true},
		{"**Carol:** bold", "Carol", "bold", true},
		{"**Carol**: bold", "Carol", "bold", true},
		{"Carol:\tafter tab", "Carol", "after tab", true},
		{"**Carol: unclosed", "", "", false},
		{"Note: the recorder stopped", "", "", false},
		{"NOTES: x", "", "", false},
		{"Date: 14 March", "", "", false},
		{"Action Item: chase", "", "", false},
		{"Re: your letter", "", "", false},
		{"Present: four", "", "", false},
		{"https://example.org", "", "", false},
		{"http: x", "", "", false},
		{"10:30 we met", "", "", false},
		{"Carol:no space", "", "", false},
		{"so she said: no", "", "", false},
		{"Then she said: no", "", "", false},
		{"One Two Three Four Five Six Seven: x", "", "", false},
		{"One Two Three Four: x", "One Two Three Four", "x", true},
		{" Carol: leading space", "", "", false},
		{"Carol  Smith: double space", "", "", false},
		{"- Carol: dash", "Carol", "dash", true}, // a bulleted turn
		{"Carol (laughs): hi", "Carol (laughs)", "hi", true},
		{": empty", "", "", false},
		{"", "", "", false},
		{"2019: a year", "", "", false},
		{"Room 2B: odd", "Room 2B", "odd", true},
		{"Room 2-: odd", "", "", false},
		{"Carol 3.5: x", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			label, rest, ok := ParseLabel(tt.line)
			if label != tt.label || rest != tt.rest || ok != tt.ok {
				t.Errorf("ParseLabel(%q) = %q, %q, %v; want %q, %q, %v", tt.line, label, rest, ok, tt.label, tt.rest, tt.ok)
			}
		})
	}
}

func TestMarkup(t *testing.T) {
	type want struct {
		text       string
		flags      []policy.FlagKind
		markupOnly bool
	}
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{"none", "plain [laughs] text", []want{{"plain [laughs] text", nil, false}}},
		{"inline", "a [dnq]b[/dnq] c", []want{{"a b c", []policy.FlagKind{policy.FlagDNQ}, false}}},
		{"case", "[DNQ]x[/Dnq]", []want{{"x", []policy.FlagKind{policy.FlagDNQ}, false}}},
		{"span", "a [confidential]b\nc\nd[/confidential] e\nf", []want{
			{"a b", []policy.FlagKind{policy.FlagConfidential}, false},
			{"c", []policy.FlagKind{policy.FlagConfidential}, false},
			{"d e", []policy.FlagKind{policy.FlagConfidential}, false},
			{"f", nil, false},
		}},
		{"markup lines", "[off-record]\nx\n[/off-record]\ny", []want{
			{"", []policy.FlagKind{policy.FlagOffRecord}, true},
			{"x", []policy.FlagKind{policy.FlagOffRecord}, false},
			{"", []policy.FlagKind{policy.FlagOffRecord}, true},
			{"y", nil, false},
		}},
		{"nested", "[dnq]a [confidential]b[/confidential][/dnq] c [off-record]d[/off-record]", []want{
			{"a b c d", []policy.FlagKind{policy.FlagDNQ, policy.FlagConfidential, policy.FlagOffRecord}, false},
		}},
		{"unknown bracket", "[dnq ]x [/dnq-ish] [", []want{{"[dnq ]x [/dnq-ish] [", nil, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(FormatText, strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, l := range doc.Lines {
				got = append(got, want{l.Text, l.Flags, l.MarkupOnly})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		f         Format
		in        string
		line, col int
		msg       string
	}{
		{"unclosed", FormatText, "a\nZebedee [dnq]secret\nb", 2, 9, "[dnq] is never closed"},
		{"stray", FormatMarkdown, "a\nb [/confidential]", 2, 3, "[/confidential] closes nothing: no [confidential] is open"},
		{"wrong nesting", FormatText, "[dnq]a\n[confidential]b\n[/dnq][/confidential]", 3, 1, "[/dnq] is wrongly nested: [confidential] opened on line 2 must close first"},
		{"reopened", FormatText, "[dnq]a\nb [dnq]c[/dnq]", 2, 3, "[dnq] opened again inside the [dnq] opened on line 1"},
		{"column counts characters", FormatText, "Zoë Ærø [/dnq]", 1, 9, "[/dnq] closes nothing: no [dnq] is open"},
		{"invalid utf8", FormatText, "ok\nab\xffc", 2, 3, "not valid UTF-8 (save the file as UTF-8 and ingest it again)"},
		{"nul", FormatMarkdown, "a\x00", 1, 2, "NUL byte: this is not a text file"},
		{"vtt header", FormatVTT, "WEBVTX\n", 1, 0, "missing WEBVTT header on the first line"},
		{"vtt empty", FormatVTT, "", 1, 0, "missing WEBVTT header (the file is empty)"},
		{"vtt timestamp", FormatVTT, "WEBVTT\n\n00:00:01.00 --> 00:00:02.000\nhi\n", 3, 1, vttTimingHint},
		{"vtt end timestamp", FormatVTT, "WEBVTT\n\n00:00:01.000 --> 00:00:2.000\nhi\n", 3, 18, vttTimingHint},
		{"vtt minutes", FormatVTT, "WEBVTT\n\n00:61:01.000 --> 01:00:02.000\nhi\n", 3, 1, vttTimingHint},
		{"vtt comma", FormatVTT, "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nhi\n", 3, 1, vttTimingHint},
		{"vtt backwards", FormatVTT, "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nhi\n", 3, 18, "cue ends before it starts"},
		{"vtt no timing", FormatVTT, "WEBVTT\n\nid\nSecret words\n", 4, 0, "expected a cue timing line (HH:MM:SS.mmm --> HH:MM:SS.mmm)"},
		{"vtt markup", FormatVTT, "WEBVTT\n\n00:01.000 --> 00:02.000\n[dnq]Zebedee\n", 4, 0, "[dnq] is never closed"},
		{"srt number", FormatSRT, "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nZebedee\n", 5, 0, "expected a subtitle number or a timing line"},
		{"srt missing timing", FormatSRT, "1\nhi\n", 2, 0, "expected a timing line after the subtitle number (HH:MM:SS,mmm --> HH:MM:SS,mmm)"},
		{"srt timestamp", FormatSRT, "1\n00:01,000 --> 00:00:02,000\nhi\n", 2, 1, srtTimingHint},
		{"srt windows-1252", FormatSRT, "1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n", 3, 4, "not valid UTF-8 (save the file as UTF-8 and ingest it again)"},
		{"unknown format", Format("pdf"), "x", 0, 0, "unsupported format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.f, strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded with %d lines, want an error", len(doc.Lines))
			}
			pe := parseErr(t, err)
			if pe.Line != tt.line || pe.Col != tt.col || pe.Msg != tt.msg || pe.Format != tt.f {
				t.Errorf("got %s line %d col %d %q; want %s line %d col %d %q", pe.Format, pe.Line, pe.Col, pe.Msg, tt.f, tt.line, tt.col, tt.msg)
			}
			for _, secret := range []string{"Zebedee", "secret", "Secret", "caf"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes the file's content", err)
				}
			}
		})
	}
}

func TestParseErrorString(t *testing.T) {
	tests := []struct {
		e    ParseError
		want string
	}{
		{ParseError{Format: FormatVTT, Line: 12, Col: 5, Msg: "m"}, "vtt line 12, column 5: m"},
		{ParseError{Format: FormatSRT, Line: 3, Msg: "m"}, "srt line 3: m"},
		{ParseError{Format: FormatDocx, Part: "word/document.xml", Msg: "m"}, "docx word/document.xml: m"},
		{ParseError{Format: FormatDocx, Msg: "m"}, "docx: m"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestGoldenParse(t *testing.T) {
	tests := []struct {
		file string
		f    Format
	}{
		{"interview.txt", FormatText},
		{"crlf.txt", FormatText},
		{"fieldnotes.md", FormatMarkdown},
		{"teams.vtt", FormatVTT},
		{"zoom.vtt", FormatVTT},
		{"youtube.vtt", FormatVTT},
		{"otter.txt", FormatText},
		{"rev.txt", FormatText},
		{"trint.txt", FormatText},
		{"nvivo.txt", FormatText},
		{"prose-times.txt", FormatText},
		{"teams-docx.txt", FormatText},
		{"interview.srt", FormatSRT},
		{"interview.docx", FormatDocx},
		{"otter.docx", FormatDocx},
		{"zoom-live.txt", FormatText},
		{"zoom-chat.txt", FormatText},
		{"whisperx.txt", FormatText},
		{"teams-names.txt", FormatText},
		{"speaker-table.docx", FormatDocx},
		{"zoom-names.vtt", FormatVTT},
		{"captions-colon.srt", FormatSRT},
		{"broadcast.vtt", FormatVTT},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readFixture(t, tt.file)
			f, ok := DetectFormat(tt.file, in[:min(len(in), 512)])
			if !ok || f != tt.f {
				t.Fatalf("DetectFormat = %q, %v; want %q, true", f, ok, tt.f)
			}
			doc, err := Parse(tt.f, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			checkDoc(t, doc)
			golden(t, tt.file+".golden", dump(doc))
		})
	}
}

// TestPlainLineNumbers checks that text line numbers are an editor's.
func TestPlainLineNumbers(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"a\n", 1},
		{"a\n\n", 2},
		{"a\r\nb\rc\nd", 4},
		{"\ufeffa\nb", 2},
	}
	for _, tt := range tests {
		doc, err := Parse(FormatText, strings.NewReader(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(doc.Lines); got != tt.want {
			t.Errorf("%q: %d lines, want %d", tt.in, got, tt.want)
		}
		if tt.want > 0 && doc.Lines[0].Text != "a" {
			t.Errorf("%q: first line %q, want %q", tt.in, doc.Lines[0].Text, "a")
		}
	}
}

func TestCueTimes(t *testing.T) {
	tests := []struct {
		f    Format
		in   string
		want []time.Duration
	}{
		{FormatVTT, "WEBVTT\n\n00:01.500 --> 00:02.000\na\n\n12:00:00.001 --> 12:00:01.000\nb", []time.Duration{1500 * time.Millisecond, 12*time.Hour + time.Millisecond}},
		{FormatVTT, "WEBVTT - title\nKind: captions\n00:00:03.000 --> 00:00:04.000\nno blank line after header", []time.Duration{3 * time.Second}},
		{FormatVTT, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na\n00:00:02.000 --> 00:00:03.000\nb", []time.Duration{time.Second, 2 * time.Second}},
		{FormatVTT, "WEBVTT\n\nSTYLE\n::cue { color: red }\n\n00:00:01.000 --> 00:00:02.000\n<b>bold</b> &lt;3", []time.Duration{time.Second}},
		{FormatSRT, "1\n00:00:01.250 --> 00:00:02,000\na\n\n2\n100:00:00,000 --> 100:00:01,000\nb", []time.Duration{1250 * time.Millisecond, 100 * time.Hour}},
		{FormatSRT, "00:00:01,000 --> 00:00:02,000\nno number\n2\n00:00:03,000 --> 00:00:04,000\nno blank line", []time.Duration{time.Second, 3 * time.Second}},
		{FormatSRT, "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nempty cue dropped", []time.Duration{3 * time.Second}},
	}
	for _, tt := range tests {
		doc, err := Parse(tt.f, strings.NewReader(tt.in))
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		var got []time.Duration
		for _, l := range doc.Lines {
			if !l.HasTime {
				t.Errorf("%q: line %d has no time", tt.in, l.N)
			}
			got = append(got, l.Start)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: starts %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestNotTextReason: a file named as text whose encoding is not one Parse
// reads is refused with a reason naming the encoding, never read as mojibake.
func TestNotTextReason(t *testing.T) {
	tests := []struct{ head, want string }{
		{"hello", ""},
		{"\xff\xfeh\x00i\x00", ""},
		{"A\x00d\x00a\x00:\x00 \x00h\x00i\x00", "UTF-16 text without a byte-order mark"},
		{"\x00A\x00d\x00a\x00:\x00 \x00h\x00i", "UTF-16 text without a byte-order mark"},
		{"Ren\xe9e: caf\xe9", "not UTF-8"},
		{"Ada: it\x92s the shop", "not UTF-8"}, // Windows-1252's apostrophe
		{"Ada: hi\x00 there and a long line of text", "NUL bytes"},
	}
	for _, tt := range tests {
		got := NotTextReason([]byte(tt.head))
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("NotTextReason(%q) = %q; want it to say %q", tt.head, got, tt.want)
		}
		if strings.Contains(got, "Ren") || strings.Contains(got, "Ada") {
			t.Errorf("NotTextReason(%q) = %q quotes the content", tt.head, got)
		}
	}
}

func TestNotDocxReason(t *testing.T) {
	tests := []struct{ head, want string }{
		{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "password-protected"},
		{"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.text", "OpenDocument"},
		{"{\\rtf1\\ansi Zebedee", "Rich Text"},
		{"%PDF-1.7", ""},
	}
	for _, tt := range tests {
		got := NotDocxReason([]byte(tt.head))
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) || strings.Contains(got, "Zebedee") {
			t.Errorf("NotDocxReason(%q) = %q; want it to say %q", tt.head, got, tt.want)
		}
	}
}

// TestParseUTF16: a UTF-16 text with its byte-order mark parses to the same
// lines as the UTF-8 text, in every text format.
func TestParseUTF16(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		text string
	}{
		{FormatText, "Zoë Ødegård: I’m from Hollinsfield.\r\nAmy Li: ok 😀\r\n"},
		{FormatMarkdown, "**Zoë:** hi\n"},
		{FormatSRT, "1\r\n00:00:01,000 --> 00:00:02,000\r\nZoë: hi\r\n"},
		{FormatVTT, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Zoë Ødegård>hi</v>\n"},
	} {
		want, err := Parse(tt.f, strings.NewReader(tt.text))
		if err != nil {
			t.Fatal(err)
		}
		for _, enc := range []struct {
			name string
			bom  []byte
			put  func([]byte, uint16)
		}{{"LE", []byte{0xff, 0xfe}, binary.LittleEndian.PutUint16}, {"BE", []byte{0xfe, 0xff}, binary.BigEndian.PutUint16}} {
			in := append([]byte(nil), enc.bom...)
			for _, u := range utf16.Encode([]rune(tt.text)) {
				var b [2]byte
				enc.put(b[:], u)
				in = append(in, b[:]...)
			}
			got, err := Parse(tt.f, bytes.NewReader(in))
			if err != nil {
				t.Fatalf("%s UTF-16%s: %v", tt.f, enc.name, err)
			}
			if !reflect.DeepEqual(got.Lines, want.Lines) {
				t.Errorf("%s UTF-16%s:\n got %+v\nwant %+v", tt.f, enc.name, got.Lines, want.Lines)
			}
		}
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name string
		head string
		want Format
		ok   bool
	}{
		{"a.txt", "hello", FormatText, true},
		{"A.TXT", "", FormatText, true},
		{"a.text", "caf\xc3", FormatText, true},               // cut inside a character
		{"a.txt", "\xff\xfeh\x00i\x00", FormatText, true},     // UTF-16LE, as Notepad saves "Unicode"
		{"a.txt", "\xfe\xff\x00h\x00i", FormatText, true},     // UTF-16BE
		{"a.txt", "\xff\xfeh\x00i\x00\x3d", FormatText, true}, // cut inside a character
		{"a.txt", "h\x00i\x00", FormatText, false},            // UTF-16 without its mark
		{"call.srt", "\xff\xfe1\x00\r\x00\n\x000\x000\x00:\x000\x000\x00:\x000\x001\x00,\x000\x000\x000\x00 \x00-\x00-\x00>\x00", FormatSRT, true},
		{"call.vtt", "\xff\xfeW\x00E\x00B\x00V\x00T\x00T\x00\n\x00", FormatVTT, true},
		{"a.txt", "bin\x00ary", FormatText, false},
		{"a.txt", "caf\xe9 au lait", FormatText, false},
		{"notes.md", "# Notes", FormatMarkdown, true},
		{"notes.markdown", "x", FormatMarkdown, true},
		{"call.vtt", "WEBVTT\n\n", FormatVTT, true},
		{"call.vtt", "\ufeffWEBVTT - Teams", FormatVTT, true},
		{"call.vtt", "WEBVTT", FormatVTT, true},
		{"call.vtt", "WEBVTTX", FormatVTT, false},
		{"call.vtt", "1\n00:00:01,000 --> 00:00:02,000", FormatVTT, false},
		{"call.srt", "1\r\n00:00:01,000 --> 00:00:02,000", FormatSRT, true},
		{"call.srt", "\n\n00:00:01,000 --> 00:00:02,000", FormatSRT, true},
		{"call.srt", "WEBVTT\n", FormatSRT, false},
		{"t.docx", "PK\x03\x04\x14\x00", FormatDocx, true},
		{"t.docx", "PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00mimetypeapplication/vnd.oasis.opendocument.text", FormatDocx, false},
		{"t.docx", "\xd0\xcf\x11\xe0", FormatDocx, false}, // a .doc or encrypted file
		{"t.pdf", "%PDF", "", false},
		{"noext", "hello", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DetectFormat(tt.name, []byte(tt.head))
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("DetectFormat(%q, %q) = %q, %v; want %q, %v", tt.name, tt.head, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestTurnMerge checks that consecutive cues of one speaker form one turn,
// while text formats keep every written label as a turn.
func TestTurnMerge(t *testing.T) {
	vtt := "WEBVTT\n\n00:01.000 --> 00:02.000\nAda Moss: one\n\n00:02.000 --> 00:03.000\nAda Moss: two\n\n00:03.000 --> 00:04.000\nthree\n\n00:04.000 --> 00:05.000\n<v Ben Ode>four</v>\n\n00:05.000 --> 00:06.000\n<v Ben Ode>five</v>"
	doc, err := Parse(FormatVTT, strings.NewReader(vtt))
	if err != nil {
		t.Fatal(err)
	}
	type tl struct {
		text, speaker string
		turn          bool
	}
	want := []tl{
		{"Ada Moss: one", "Ada Moss", true},
		{"two", "Ada Moss", false},
		{"three", "Ada Moss", false},
		{"Ben Ode: four", "Ben Ode", true},
		{"five", "Ben Ode", false},
	}
	var got []tl
	for _, l := range doc.Lines {
		got = append(got, tl{l.Text, l.Speaker, l.Turn})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("vtt got %+v\nwant %+v", got, want)
	}
	doc, err = Parse(FormatText, strings.NewReader("Ada Moss: one\nAda Moss: two\n\nthree"))
	if err != nil {
		t.Fatal(err)
	}
	wantTxt := []tl{{"Ada Moss: one", "Ada Moss", true}, {"Ada Moss: two", "Ada Moss", true}, {"", "Ada Moss", false}, {"three", "Ada Moss", false}}
	got = got[:0]
	for _, l := range doc.Lines {
		got = append(got, tl{l.Text, l.Speaker, l.Turn})
	}
	if !reflect.DeepEqual(got, wantTxt) {
		t.Errorf("txt got %+v\nwant %+v", got, wantTxt)
	}
}

// TestExcludedLabelWords checks that every listed word is refused as a
// label in any case.
func TestExcludedLabelWords(t *testing.T) {
	words := excludedLabelWords
	if len(words) == 0 {
		t.Fatal("no excluded words")
	}
	for _, w := range words {
		for _, form := range []string{strings.ToUpper(w[:1]) + w[1:], strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:] + "."} {
			if label, _, ok := ParseLabel(form + ": x"); ok {
				t.Errorf("ParseLabel(%q) accepted label %q", form+": x", label)
			}
		}
	}
}

// TestReaders parses every fixture through a one-byte-at-a-time reader and
// from an *os.File: the result is the same as from memory.
func TestReaders(t *testing.T) {
	for _, file := range []string{"interview.txt", "crlf.txt", "fieldnotes.md", "teams.vtt", "zoom.vtt", "interview.srt", "interview.docx"} {
		t.Run(file, func(t *testing.T) {
			in := readFixture(t, file)
			f, _ := DetectFormat(file, in)
			want, err := Parse(f, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(f, iotest.OneByteReader(bytes.NewReader(in)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("one-byte reader: got\n%s\nwant\n%s", dump(got), dump(want))
			}
			fh, err := os.Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			got, err = Parse(f, fh)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("os.File: got\n%s\nwant\n%s", dump(got), dump(want))
			}
		})
	}
	// A lone "\r" at a read boundary still ends one line.
	doc, err := Parse(FormatText, iotest.HalfReader(strings.NewReader("a\r\r\nb\rc")))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, l := range doc.Lines {
		texts = append(texts, l.Text)
	}
	if want := []string{"a", "", "b", "c"}; !reflect.DeepEqual(texts, want) {
		t.Errorf("lines %q, want %q", texts, want)
	}
}
