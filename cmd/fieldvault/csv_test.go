package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// formulaAttr is how an OpenDocument spreadsheet marks a cell that holds a
// formula.
var formulaAttr = regexp.MustCompile(`table:formula="[^"]*"`)

// calcFormulas opens a CSV file in LibreOffice Calc (headless, comma,
// double quote, UTF-8) and returns the formulas of the flat ODS it saves.
// It skips without soffice unless FIELDVAULT_TEST_DISALLOW_SKIP=1.
func calcFormulas(t *testing.T, csvPath string) []string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("FIELDVAULT_TEST_DISALLOW_SKIP") == "1" {
			t.Fatal("soffice not found and FIELDVAULT_TEST_DISALLOW_SKIP=1 (apt-get install libreoffice-calc-nogui)")
		}
		t.Skip("soffice not found")
	}
	dir := t.TempDir()
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--infilter=CSV:44,34,76,1", "--convert-to", "fods", "--outdir", dir, csvPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	fods, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(csvPath), ".csv")+".fods"))
	if err != nil {
		t.Fatalf("LibreOffice Calc did not convert %s (is libreoffice-calc-nogui installed?): %v", csvPath, err)
	}
	if !strings.Contains(string(fods), "<table:table ") {
		t.Fatalf("LibreOffice's output holds no table")
	}
	return formulaAttr.FindAllString(string(fods), -1)
}

// TestCSVInjectionCalc registers a participant, a pseudonym and a consent
// form whose values a spreadsheet would run as formulas, writes the consent
// report and the audit log as CSV, and opens both in LibreOffice Calc: no
// cell is a formula. The oracle is checked first on a CSV written without
// neutralising, where Calc does find the formulas.
func TestCSVInjectionCalc(t *testing.T) {
	dir, id := newStudy(t)
	raw := filepath.Join(t.TempDir(), "raw.csv")
	if err := os.WriteFile(raw, []byte("a,b\n=1+1,\"=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := calcFormulas(t, raw); len(got) != 2 {
		t.Fatalf("the oracle found %d formulas in an unprotected CSV, want 2: %q", len(got), got)
	}
	cli := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, append([]string{"--vault", dir, "--identity", id}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		return stdout
	}
	cli("participant", "add", "P01", "--name", `=HYPERLINK("http://example.invalid/x","open me")`, "--pseudonym", "+SUM(1,2)")
	cli("participant", "add", "P02", "--name", "@Ottilie Varga", "--alias", "-Otti")
	cli("consent", "record", "P01", "--form", "=1+1", "--signed", "2026-01-05", "--scope", "participate,quote")
	cli("consent", "record", "P02", "--form", "-2+3", "--signed", "2026-01-06", "--scope", "participate")
	for name, args := range map[string][]string{
		"report.csv": {"consent", "report", "--csv", "--names"},
		"audit.csv":  {"audit", "log", "--csv"},
	} {
		out := cli(args...)
		if name == "report.csv" && !strings.Contains(out, `'=HYPERLINK(`) {
			t.Fatalf("%s lacks the neutralised name:\n%s", name, out)
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := calcFormulas(t, path); len(got) != 0 {
			t.Errorf("%s: LibreOffice Calc finds formulas %q", name, got)
		}
	}
}
