package qdpx

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testNS derives the fixture's GUIDs, as a caller derives them from handles.
var testNS = uuid.MustParse("6f1f3c52-4a57-4b8e-9d0e-2f6c1a7d9b10")

func gid(name string) string { return uuid.NewSHA1(testNS, []byte(name)).String() }

// Synthetic, already pseudonymised texts: every person and place is invented.
const (
	textInterview = "Interviewer: Thank you for coming, Hazel.\n" +
		"Hazel Thornbury: Happy to. At Brackenford Café we started the food co-op in 2019.\n" +
		"[not for quotation: 3 lines withheld]\n" +
		"Hazel Thornbury: The volunteers — Ōmura-san, Zoë and 李明 — kept it going 🌱.\n"
	textMeeting = "Meeting M03, Riverside Forum (pseudonymised).\n" +
		"Chair (Gideon Ashcombe): Item 4 is confidential.\n" +
		"[withheld: 5 lines confidential]\n" +
		"[withheld: 2 lines off the record]\n" +
		"Naïve question from the floor about the 👩‍🔬 survey.\n"
)

// A textProject is a Project with its source texts beside it, one per
// source, as the tests build projects and read them back: the package
// itself takes each text as a stream (Writer.Text) and then each source's
// length (Writer.Close), as an export that never holds a document does.
// Source.Length is left 0 here; write fills it in from Texts.
type textProject struct {
	Project
	Texts []string
}

// streamed is p ready for Writer.Close: each source's Length is its text's, on
// a copy of the sources.
func (p textProject) streamed() Project {
	sp := p.Project
	sp.Sources = append([]Source(nil), p.Sources...)
	for i := range sp.Sources {
		sp.Sources[i].Length = utf8.RuneCountInString(p.Texts[i])
	}
	return sp
}

// write writes p as the QDA export does: each text into its entry in one
// piece, then project.qde.
func (p textProject) write(w io.Writer) error {
	return p.writeIn(w, p.streamed(), func(i int) string { return p.Texts[i] }, 1<<30)
}

// writeIn writes sp's archive with text(i) as source i's text, in pieces
// of at most piece bytes.
func (p textProject) writeIn(w io.Writer, sp Project, text func(i int) string, piece int) error {
	qw := NewWriter(w)
	for i, src := range sp.Sources {
		tw, err := qw.Text(src.GUID)
		if err != nil {
			return err
		}
		for s := text(i); s != ""; {
			n := min(piece, len(s))
			if _, err := io.WriteString(tw, s[:n]); err != nil {
				return err
			}
			s = s[n:]
		}
	}
	return qw.Close(sp)
}

// charOffsets returns the code-point positions of text[bs:be], the unit
// selections count in.
func charOffsets(text string, bs, be int) (int, int) {
	return utf8.RuneCountInString(text[:bs]), utf8.RuneCountInString(text[:be])
}

// selectionOf builds a selection over the first occurrence of part in text.
func selectionOf(tb testing.TB, name, text, part, code string) Selection {
	tb.Helper()
	i := strings.Index(text, part)
	if i < 0 {
		tb.Fatalf("fixture: %q not in text", part)
	}
	s, e := charOffsets(text, i, i+len(part))
	return Selection{GUID: gid("sel:" + name), Name: name, Start: s, End: e, CodeGUID: code}
}

func sampleProject(tb testing.TB) textProject {
	tb.Helper()
	return textProject{Texts: []string{textInterview, textMeeting, ""}, Project: Project{
		Name:        "Community food study",
		Origin:      "fieldvault",
		CreatedAt:   time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
		Description: "Pseudonymised export; withheld passages are marked.",
		Users:       []User{{GUID: gid("user:researcher"), Name: "researcher"}},
		Codes: []Code{
			{GUID: gid("code:dnq"), Name: "withheld: do not quote", Color: "#D55E00", Description: "Lines flagged do-not-quote; replaced by a marker."},
			{GUID: gid("code:confidential"), Name: "withheld: confidential", Color: "#CC79A7"},
			{GUID: gid("code:struck"), Name: "withheld: struck", Color: "#999"},
			{GUID: gid("code:off-record"), Name: "withheld: off the record", Color: "#0072B2"},
		},
		Variables: []Variable{
			{GUID: gid("var:org"), Name: "kind of organisation", Type: TypeText},
			{GUID: gid("var:role"), Name: "role", Type: TypeText, Description: "Role in the organisation, as catalogued."},
		},
		Sources: []Source{
			{
				GUID: gid("doc:D12"), Name: "D12 interview transcript",
				Description: "Transcript, version 2.",
				Selections: []Selection{
					selectionOf(tb, "D12 withheld 1", textInterview, "[not for quotation: 3 lines withheld]", gid("code:dnq")),
					selectionOf(tb, "D12 volunteers", textInterview, "Ōmura-san, Zoë and 李明", ""),
				},
			},
			{
				GUID: gid("doc:D14"), Name: "D14 meeting notes",
				Selections: []Selection{
					selectionOf(tb, "D14 withheld 1", textMeeting, "[withheld: 5 lines confidential]", gid("code:confidential")),
					selectionOf(tb, "D14 withheld 2", textMeeting, "[withheld: 2 lines off the record]", gid("code:off-record")),
				},
			},
			{GUID: gid("doc:D15"), Name: "D15 empty field notes"},
		},
		Cases: []Case{
			{
				GUID: gid("case:P07"), Name: "Hazel Thornbury",
				Attributes:  map[string]string{"role": "coordinator", "kind of organisation": "community café"},
				SourceGUIDs: []string{gid("doc:D12"), gid("doc:D14")},
			},
			{GUID: gid("case:P09"), Name: "Gideon Ashcombe", Attributes: map[string]string{"role": "chair"}, SourceGUIDs: []string{gid("doc:D14")}},
		},
		Sets: []Set{
			{GUID: gid("set:M03"), Name: "M03 Riverside Forum", Description: "Observed with the convenor's consent.", MemberSourceGUIDs: []string{gid("doc:D14")}},
		},
	}}
}

func writeBytes(tb testing.TB, p textProject) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := p.write(&buf); err != nil {
		tb.Fatalf("writing: %v", err)
	}
	return buf.Bytes()
}

// unzip returns the entries of an archive in order, with their contents.
func unzip(tb testing.TB, data []byte) ([]string, map[string][]byte) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatalf("zip: %v", err)
	}
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		names = append(names, f.Name)
		files[f.Name] = b
	}
	return names, files
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

func TestWriteGolden(t *testing.T) {
	names, files := unzip(t, writeBytes(t, sampleProject(t)))
	golden(t, "entries", []byte(strings.Join(names, "\n")+"\n"))
	for _, n := range names {
		golden(t, strings.ReplaceAll(n, "/", "_"), files[n])
	}
	// Every golden file must correspond to an entry: a stale golden file
	// would otherwise hide a dropped source.
	if !*update {
		dir, err := os.ReadDir(filepath.Join("testdata", "golden"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"entries.golden": true}
		for _, n := range names {
			want[strings.ReplaceAll(n, "/", "_")+".golden"] = true
		}
		for _, e := range dir {
			if !want[e.Name()] {
				t.Errorf("stale golden file %s matches no archive entry", e.Name())
			}
		}
	}
}

func TestWriteDeterministic(t *testing.T) {
	first := writeBytes(t, sampleProject(t))
	for i := 0; i < 20; i++ { // map iteration order varies from run to run
		if got := writeBytes(t, sampleProject(t)); !bytes.Equal(got, first) {
			t.Fatalf("write %d differs from the first write", i+2)
		}
	}
}

func TestWriteLayout(t *testing.T) {
	data := writeBytes(t, sampleProject(t))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Comment != "" {
		t.Errorf("archive comment = %q, want none", zr.Comment)
	}
	p := sampleProject(t)
	// Each text as it was written, project.qde last.
	var want []string
	for _, s := range p.Sources {
		want = append(want, "sources/"+s.GUID+".txt")
	}
	want = append(want, ProjectEntry)
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		if !f.Modified.Equal(zipTime) {
			t.Errorf("%s modified = %v, want %v", f.Name, f.Modified, zipTime)
		}
		if f.Comment != "" {
			t.Errorf("%s has a comment", f.Name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
	_, files := unzip(t, data)
	if !bytes.Contains(files[ProjectEntry], []byte(`xmlns="`+Namespace+`"`)) {
		t.Errorf("project.qde does not declare the namespace %s", Namespace)
	}
	for _, s := range p.Sources {
		path := `plainTextPath="internal://` + s.GUID + `.txt"`
		if !bytes.Contains(files[ProjectEntry], []byte(path)) {
			t.Errorf("project.qde lacks %s", path)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	p := sampleProject(t)
	data := writeBytes(t, p)
	got, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !reflect.DeepEqual(*got, p) {
		t.Errorf("round trip differs\ngot:  %+v\nwant: %+v", *got, p)
	}
	// Selections point at the same text after the round trip, counted in
	// code points as a QDA tool counts them.
	for i, s := range got.Sources {
		for j, sel := range s.Selections {
			want := p.Sources[i].Selections[j]
			if string([]rune(got.Texts[i])[sel.Start:sel.End]) != string([]rune(p.Texts[i])[want.Start:want.End]) {
				t.Errorf("source %d selection %d: text changed in round trip", i, j)
			}
		}
	}
	// And a second write of what was read gives the same bytes.
	if again := writeBytes(t, *got); !bytes.Equal(again, data) {
		t.Error("writing the read project gives different bytes")
	}
}

func edgeProject(tb testing.TB) textProject {
	tb.Helper()
	return textProject{Texts: []string{"line one\r\nline two\r\n\ttabbed & <escaped>\n"}, Project: Project{
		Name:  "a & b <c> \"d\"\ttab\nnewline",
		Users: []User{{GUID: "{" + strings.ToUpper(gid("u")) + "}", Name: ""}},
		Codes: []Code{{GUID: gid("c"), Name: "only code"}},
		Variables: []Variable{
			{GUID: gid("v1"), Name: "joined", Type: TypeDate},
			{GUID: gid("v2"), Name: "years", Type: TypeInteger},
			{GUID: gid("v3"), Name: "paid", Type: TypeBoolean},
			{GUID: gid("v4"), Name: "share", Type: TypeFloat},
			{GUID: gid("v5"), Name: "seen", Type: TypeDateTime},
		},
		Sources: []Source{{GUID: gid("s"), Name: "crlf",
			Selections: []Selection{{GUID: gid("sel"), Start: 0, End: 10, CodeGUID: gid("c"), CodingGUID: gid("coding"), Description: "x\r\ny"}}}},
		Cases: []Case{{GUID: gid("k"), Attributes: map[string]string{"joined": "2021-05-01", "years": "-3", "paid": "true", "share": "0.25", "seen": "2021-05-01T10:00:00Z"}}},
		Sets:  []Set{{GUID: gid("set"), Name: "codes only", MemberCodeGUIDs: []string{gid("c")}}},
	}}
}

func TestRoundTripEdgeCases(t *testing.T) {
	p := edgeProject(t)
	data := writeBytes(t, p)
	got, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !reflect.DeepEqual(*got, p) {
		t.Errorf("round trip differs\ngot:  %+v\nwant: %+v", *got, p)
	}
}

func TestValidGUID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", true},
		{"{0f8fad5b-d9cb-469f-a165-70867728950e}", true},
		{"0f8fad5bd9cb469fa16570867728950e", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950", false},
		{"0f8fad5b-d9cb-469f-a165-70867728950g", false},
		{"{0f8fad5b-d9cb-469f-a165-70867728950e", false},
		{" 0f8fad5b-d9cb-469f-a165-70867728950e", false},
		{"P07", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidGUID(tt.in); got != tt.want {
			t.Errorf("ValidGUID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestWriteLeavesCallerUntouched(t *testing.T) {
	p := sampleProject(t)
	p.Variables[0].Type = ""
	writeBytes(t, p)
	if p.Variables[0].Type != "" {
		t.Errorf("Writer.Close changed the caller's variable type to %q", p.Variables[0].Type)
	}
}

// largeProject is a corpus of n transcripts of about 20 KB each, with a
// coded selection per withheld marker.
func largeProject(tb testing.TB, n int) textProject {
	tb.Helper()
	p := sampleProject(tb)
	p.Sets, p.Cases = nil, nil
	p.Sources, p.Texts = nil, nil
	for i := 0; i < n; i++ {
		text := strings.Repeat(textInterview, 80)
		s := Source{GUID: gid(fmt.Sprintf("doc:%d", i)), Name: fmt.Sprintf("D%03d", i)}
		off := 0
		for j := 0; ; j++ {
			k := strings.Index(text[off:], "[not for quotation")
			if k < 0 {
				break
			}
			start := off + k
			end := start + strings.Index(text[start:], "]") + 1
			cs, ce := charOffsets(text, start, end)
			s.Selections = append(s.Selections, Selection{GUID: gid(fmt.Sprintf("sel:%d:%d", i, j)), Start: cs, End: ce, CodeGUID: p.Codes[0].GUID})
			off = end
		}
		p.Sources = append(p.Sources, s)
		p.Texts = append(p.Texts, text)
	}
	return p
}

func BenchmarkWrite(b *testing.B) {
	p := largeProject(b, 50)
	size := 0
	for _, text := range p.Texts {
		size += len(text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := p.write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	data := writeBytes(b, largeProject(b, 50))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}
