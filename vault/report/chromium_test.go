package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's headless browser. It skips when it is absent,
// unless FIELDVAULT_TEST_DISALLOW_SKIP=1 (set by .ci/run, which installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("FIELDVAULT_TEST_DISALLOW_SKIP") == "1" {
		t.Fatal("chromium not found and FIELDVAULT_TEST_DISALLOW_SKIP=1 (apt-get install chromium)")
	}
	t.Skip("chromium not found")
	return ""
}

// browse opens a local page in headless Chromium with a fresh profile, every
// host name unresolvable and a network log, and returns what it printed and
// the URLs the page itself asked for (the browser's own background traffic,
// which has no page as its initiator, is left out).
func browse(t *testing.T, bin, page string, extra ...string) (stdout string, pageRequests []string) {
	t.Helper()
	dir := t.TempDir()
	netlog := filepath.Join(dir, "netlog.json")
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--host-resolver-rules=MAP * ~NOTFOUND",
		"--log-net-log=" + netlog, "--enable-logging=stderr", "--v=0"}, extra...)
	args = append(args, "file://"+page)
	c, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(c, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, tail(errb.String()))
	}
	if strings.Contains(errb.String(), "Content Security Policy") {
		t.Errorf("the page broke its own Content-Security-Policy:\n%s", tail(errb.String()))
	}
	return out.String(), pageURLs(t, netlog)
}

// pageURLs reads a Chromium net log and lists the URL requests a page
// initiated: the browser's own requests carry the initiator "not an origin".
func pageURLs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("chromium wrote no net log: %v", err)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		// A log cut short at exit lacks its closing brackets.
		trimmed := strings.TrimRight(strings.TrimSpace(string(data)), ",")
		if err := json.Unmarshal([]byte(trimmed+"]}"), &log); err != nil {
			t.Fatalf("net log does not decode: %v", err)
		}
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatal("net log names no URL_REQUEST_START_JOB event type")
	}
	var urls []string
	for _, e := range log.Events {
		if e.Type == start && e.Params.URL != "" && e.Params.Initiator != "not an origin" {
			urls = append(urls, e.Params.URL)
		}
	}
	return urls
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// TestPageInChromium opens the page in a real browser: the DOM holds every
// section, the browser asks the network for nothing on the page's behalf,
// and a screenshot is kept under $FIELDVAULT_ARTIFACTS when set. A control
// page that does fetch proves the net-log check can see a page's requests.
func TestPageInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()

	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><html><head><title>control</title>`+
		`<link rel="stylesheet" href="https://fonts.fieldvault-test.invalid/a.css"></head>`+
		`<body><img src="http://fieldvault-test.invalid/x.png" alt=""></body></html>`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, reqs := browse(t, bin, control, "--dump-dom"); len(reqs) < 2 {
		t.Fatalf("the control page's requests were not seen in the net log (got %v): the check below would prove nothing", reqs)
	}

	st := newStudy(t)
	path := filepath.Join(dir, "ethics-report.html")
	if err := os.WriteFile(path, []byte(page(t, st, false)), 0o600); err != nil {
		t.Fatal(err)
	}

	dom, reqs := browse(t, bin, path, "--dump-dom")
	if len(reqs) > 0 {
		t.Errorf("the browser made network requests for the page: %v", reqs)
	}
	for _, id := range sectionIDs {
		if !strings.Contains(dom, `<section id="`+id+`">`) {
			t.Errorf("the DOM lacks section %q", id)
		}
	}
	for _, want := range []string{`id="p-P01"`, `id="exit-`, "Consent register", "Intact"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Errorf("the DOM holds a script element")
	}

	shot := filepath.Join(dir, "ethics-report.png")
	if art := os.Getenv("FIELDVAULT_ARTIFACTS"); art != "" {
		if err := os.MkdirAll(art, 0o755); err != nil {
			t.Fatal(err)
		}
		shot = filepath.Join(art, "ethics-report.png")
	}
	if _, reqs := browse(t, bin, path, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars"); len(reqs) > 0 {
		t.Errorf("the browser made network requests while drawing the page: %v", reqs)
	}
	png, err := os.ReadFile(shot)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 20000 {
		t.Fatalf("no screenshot at %s (%d bytes, %v)", shot, len(png), err)
	}
	t.Logf("screenshot: %s", shot)

	// Printed (to PDF, as an officer files it), the print style applies:
	// A4 pages rather than the browser's default US Letter.
	pdf := strings.TrimSuffix(shot, ".png") + ".pdf"
	if _, reqs := browse(t, bin, path, "--print-to-pdf="+pdf, "--no-pdf-header-footer"); len(reqs) > 0 {
		t.Errorf("the browser made network requests while printing the page: %v", reqs)
	}
	doc, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("no PDF at %s: %v", pdf, err)
	}
	if !a4.Match(doc) {
		t.Errorf("the printed pages are not A4: the @media print style was not applied")
	}
}

// a4 matches a PDF page box of 210 × 297 mm (595 × 842 points).
var a4 = regexp.MustCompile(`MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]`)
