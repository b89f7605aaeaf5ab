package transcript

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDocxOpensInLibreOffice converts WriteDocx output to plain text with a
// real office suite (LibreOffice, headless), proving the file opens and says
// what we wrote. It skips when soffice is absent, unless
// FIELDVAULT_TEST_DISALLOW_SKIP=1 (set by .ci/run, which installs it).
func TestDocxOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("FIELDVAULT_TEST_DISALLOW_SKIP") == "1" {
			t.Fatal("soffice not found and FIELDVAULT_TEST_DISALLOW_SKIP=1 (apt-get install libreoffice-writer-nogui)")
		}
		t.Skip("soffice not found")
	}
	blocks := []Block{
		{Text: "Interview at the church hall."},
		{Speaker: "Walter", Text: "I drove the van in Brackelcote.\nOn Saturdays, mostly."},
		{Text: "[not for quotation: 2 lines withheld]", Marker: true},
		{Text: "Élodie said: « déjà vu » & <more>", Quote: true},
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := WriteDocx(&buf, blocks); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "extract.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "txt:Text", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "extract.txt"))
	if err != nil {
		t.Fatalf("LibreOffice produced no text: %v", err)
	}
	text := strings.TrimPrefix(string(got), "\ufeff")
	for _, want := range []string{"Interview at the church hall.", "Walter", "I drove the van in Brackelcote.", "On Saturdays, mostly.", "[not for quotation: 2 lines withheld]", "Élodie said: « déjà vu » & <more>"} {
		if !strings.Contains(text, want) {
			t.Errorf("LibreOffice's text lacks %q:\n%s", want, text)
		}
	}
}

// appendixBlocks is a pseudonymised interview as the gate hands it to the
// writer: numbered lines, speaker labels, a table, a marker for withheld
// lines, notes.
func appendixBlocks() []Block {
	lines := []struct {
		n     int
		text  string
		label int
		t     float64
		row   bool
	}{
		{1, "Interview 7, the allotment society (pseudonymised)", 0, -1, false},
		{3, "Interviewer: How did you first get involved with the allotments?", 12, 2, false},
		{4, "Tobias Wren: My neighbour had a plot by the railway, and she said come and see the beans. That was the spring of 2015, and I have been there every Saturday since, more or less.", 12, 9, false},
		{5, "Interviewer: And the committee?", 12, 62, false},
		{6, "Tobias Wren: That's another story.", 12, 65, false},
		{8, "Year | Plot | Rent", 0, -1, true},
		{9, "2015 | 14 | £32", 0, -1, true},
		{10, "2019 | 14 and 15 | £60", 0, -1, true},
	}
	var text []string
	var refs []LineRef
	for _, l := range lines {
		text = append(text, l.text)
		r := LineRef{N: l.n, Label: l.label, Row: l.row}
		if l.t >= 0 {
			r.HasTime, r.Start = true, time.Duration(l.t*float64(time.Second))
		}
		refs = append(refs, r)
	}
	return []Block{
		{Text: strings.Join(text, "\n"), Lines: refs},
		{Text: "[not for quotation: 3 lines withheld]", Marker: true, Lines: []LineRef{{N: 11, To: 13}}},
		{Text: "Interviewer: Thank you, that's all.\n[footnote 1] Tobias Wren asked to see the transcript.", Lines: []LineRef{{N: 14, Label: 12, HasTime: true, Start: 1501 * time.Second}, {N: 15, Note: true}}},
	}
}

// TestAppendixDocxInLibreOffice renders the appendix .docx with LibreOffice
// to PDF, then to PNG (kept as a CI artefact under $FIELDVAULT_ARTIFACTS),
// and checks in LibreOffice's own text conversion that every vault line
// number stands beside its line.
func TestAppendixDocxInLibreOffice(t *testing.T) {
	soffice := needTool(t, "soffice", "libreoffice-writer-nogui")
	pdftoppm := needTool(t, "pdftoppm", "poppler-utils")
	dir := t.TempDir()
	var buf bytes.Buffer
	title := &Title{Handle: "D7", Kind: "transcript", Date: "2026-03-04", Participants: []string{"Tobias Wren"}}
	if err := Write(&buf, FormatDocx, appendixBlocks(), WriteOptions{Timestamps: true, Title: title}); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "appendix.docx")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	convert := func(to string) {
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
			"--convert-to", to, "--outdir", dir, in)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, out)
		}
	}
	convert("txt:Text")
	convert("pdf")
	got, err := os.ReadFile(filepath.Join(dir, "appendix.txt"))
	if err != nil {
		t.Fatalf("LibreOffice produced no text: %v", err)
	}
	text := strings.TrimPrefix(string(got), "\ufeff")
	// LibreOffice writes each table cell as a line: the number, then its line.
	for _, want := range []string{
		"D7: transcript", "Participants: Tobias Wren",
		"3\n[00:00:02] Interviewer: How did you first get involved",
		"4\n[00:00:09] Tobias Wren: My neighbour had a plot",
		"6\n[00:01:05] Tobias Wren: That's another story.",
		"9\n2015\n14\n£32",
		"11–13\n[not for quotation: 3 lines withheld]",
		"15\n[footnote 1] Tobias Wren asked",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LibreOffice's text lacks %q:\n%s", want, text)
		}
	}
	art := os.Getenv("FIELDVAULT_ARTIFACTS")
	if art == "" {
		art = dir
	}
	if err := os.MkdirAll(art, 0o755); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(art, "appendix-docx")
	cmd := exec.Command(pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", filepath.Join(dir, "appendix.pdf"), prefix)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	if fi, err := os.Stat(prefix + ".png"); err != nil || fi.Size() < 1000 {
		t.Fatalf("no page image: %v", err)
	}
	t.Logf("page image: %s.png", prefix)
}

// needTool finds a command the test needs, skipping without it unless
// FIELDVAULT_TEST_DISALLOW_SKIP=1 (set by .ci/run, which installs it).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("FIELDVAULT_TEST_DISALLOW_SKIP") == "1" {
			t.Fatalf("%s not found and FIELDVAULT_TEST_DISALLOW_SKIP=1 (apt-get install %s)", name, pkg)
		}
		t.Skipf("%s not found", name)
	}
	return p
}
