package transcript

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
