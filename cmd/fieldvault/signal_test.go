package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fieldvaultCmd runs this test binary as the fieldvault program in a
// subprocess (testscript.Main in TestMain runs main when argv[0] is
// "fieldvault"), so that its memory and its handling of signals can be
// measured as a user's would be.
func fieldvaultCmd(t *testing.T, dir, identity string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--vault", dir, "--identity", identity}, args...)...)
	cmd.Args[0] = "fieldvault"
	cmd.Dir = filepath.Dir(dir)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "VAULT_ADDR=http://127.0.0.1:1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

// maxRSS is a finished process's peak resident set size in bytes.
func maxRSS(cmd *exec.Cmd) int64 {
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return -1
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}

// snapshotDir maps every file of a tree (the lock file aside) to the
// SHA-256 of its content.
func snapshotDir(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for name, sum := range after {
		if before[name] != sum {
			t.Errorf("the vault changed: %s is new or different", name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("the vault changed: %s is gone", name)
		}
	}
}

// emptyParagraphsDocx is the hostile .docx of issue 14: a few hundred KB
// whose document.xml holds n empty paragraphs.
func emptyParagraphsDocx(t *testing.T, path string, n int) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	chunk := []byte(strings.Repeat("<w:p/>", 1<<14))
	for i := 0; i < n; i += 1 << 14 {
		w.Write(chunk)
	}
	io.WriteString(w, `</w:body></w:document>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// manyCues writes a WebVTT file of n cues. It writes as it goes: a child
// process's peak RSS counts the parent's at the fork (Linux), so the test
// must not grow its own.
func manyCues(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	b := bufio.NewWriter(f)
	b.WriteString("WEBVTT\n\n")
	for i := range n {
		s := time.Duration(i) * time.Second
		fmt.Fprintf(b, "%02d:%02d:%02d.000 --> %02d:%02d:%02d.900\nSpeaker %d: and then we went down to the hall\n\n",
			int(s.Hours()), int(s.Minutes())%60, int(s.Seconds())%60, int(s.Hours()), int(s.Minutes())%60, int(s.Seconds())%60, i%2+1)
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestIngestHostileBounded ingests the hostile inputs of issue 14 as the
// real program: each is refused at its named limit, the process never holds
// more than 256 MiB, and the vault stays byte for byte as it was.
func TestIngestHostileBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	dir, id := newStudy(t)
	for _, args := range [][]string{
		{"participant", "add", "P01", "--name", "Ottilie Varga"},
		{"consent", "record", "P01", "--form", "v1", "--signed", "2026-01-05", "--scope", "participate"},
	} {
		if code, _, stderr := runCLI(t, append([]string{"--vault", dir, "--identity", id}, args...)...); code != 0 {
			t.Fatal(stderr)
		}
	}
	in := t.TempDir()
	emptyParagraphsDocx(t, filepath.Join(in, "bomb.docx"), 40_000_000)
	manyCues(t, filepath.Join(in, "captions.vtt"), 1_600_000)
	for _, tc := range []struct{ file, limit string }{
		{"bomb.docx", "lines limit of 2000000"},
		{"captions.vtt", "cues limit of 1500000"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			before := snapshotDir(t, dir)
			cmd, stderr := fieldvaultCmd(t, dir, id, "ingest", filepath.Join(in, tc.file), "--kind", "transcript", "--participant", "P01")
			start := time.Now()
			err := cmd.Run()
			fi, _ := os.Stat(filepath.Join(in, tc.file))
			t.Logf("%s (%d bytes): exit %v after %v, peak RSS %d MiB", tc.file, fi.Size(), err, time.Since(start).Round(time.Millisecond), maxRSS(cmd)>>20)
			if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), tc.limit) {
				t.Errorf("exit %d, stderr %q: want 1 and the %q", code, stderr, tc.limit)
			}
			if rss := maxRSS(cmd); rss > 256<<20 && !raceEnabled {
				t.Errorf("peak RSS %d MiB, ceiling 256 MiB", rss>>20)
			}
			sameTree(t, before, snapshotDir(t, dir))
		})
	}
}

// TestSignalEndsCommands sends SIGTERM (and SIGINT) to each long-running
// command (ingest, open, export, verify --read-data) as it works: it ends within one second, says it was
// interrupted, delivers nothing and leaves the vault byte for byte as it
// was (no audit entry, no object, no temp file).
func TestSignalEndsCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	dir, id := newStudy(t)
	in := t.TempDir()
	cli := func(args ...string) {
		t.Helper()
		if code, _, stderr := runCLI(t, append([]string{"--vault", dir, "--identity", id}, args...)...); code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
	}
	// A long recording (sparse: quick to make, slow to encrypt) and a long
	// transcript already in the vault, to open and export.
	rec := filepath.Join(in, "recording.wav")
	if err := os.WriteFile(rec, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(rec, 600<<20); err != nil {
		t.Fatal(err)
	}
	cli("participant", "add", "P01", "--name", "Ottilie Varga")
	cli("consent", "record", "P01", "--form", "v1", "--signed", "2026-01-05", "--scope", "participate,record-audio,quote")
	cli("ingest", rec, "--kind", "recording", "--participant", "P01")
	var tr strings.Builder
	for i := range 240_000 {
		speaker := "Interviewer"
		if i%2 == 1 {
			speaker = "Ottilie Varga"
		}
		fmt.Fprintf(&tr, "%s: we talked about the allotments and the bus route and the chapel on Mill Lane and how the group changed, turn %d\n", speaker, i)
	}
	if err := os.WriteFile(filepath.Join(in, "long.txt"), []byte(tr.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cli("ingest", filepath.Join(in, "long.txt"), "--kind", "transcript", "--participant", "P01")
	// A longer transcript to interrupt the ingest of (ingest streams its
	// check: 30 MB is taken in before the signal lands).
	f, err := os.Create(filepath.Join(in, "longer.txt"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range 1_500_000 {
		fmt.Fprintf(w, "Ottilie Varga: we talked about the allotments and the bus route and the chapel on Mill Lane, turn %d\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	big := filepath.Join(in, "big.wav")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 4<<30); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		sig    syscall.Signal
		output string
	}{
		{"ingest a recording", []string{"ingest", big, "--kind", "recording"}, syscall.SIGTERM, ""},
		{"ingest a transcript", []string{"ingest", filepath.Join(in, "longer.txt"), "--kind", "transcript", "--participant", "P01"}, syscall.SIGINT, ""},
		{"open to a file", []string{"open", "D1", "-o", filepath.Join(out, "open.wav")}, syscall.SIGTERM, "open.wav"},
		{"open to standard output", []string{"open", "D1"}, syscall.SIGINT, ""},
		{"export", []string{"export", "D2", "-o", filepath.Join(out, "export.md")}, syscall.SIGTERM, "export.md"},
		{"export to standard output", []string{"export", "D2"}, syscall.SIGINT, ""},
		{"verify --read-data", []string{"verify", "--read-data"}, syscall.SIGTERM, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshotDir(t, dir)
			cmd, stderr := fieldvaultCmd(t, dir, id, tc.args...)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(250 * time.Millisecond) // well into the work
			sent := time.Now()
			cmd.Process.Signal(tc.sig)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 5 s after %v", tc.sig)
			}
			took := time.Since(sent)
			t.Logf("ended %v after %v: exit %d", tc.sig, took.Round(time.Millisecond), cmd.ProcessState.ExitCode())
			if cmd.ProcessState.ExitCode() == 0 {
				t.Skipf("the command finished before the signal arrived (%v); nothing to check", took)
			}
			if took > time.Second {
				t.Errorf("ended %v after %v, want within 1 s", took, tc.sig)
			}
			if !strings.Contains(stderr.String(), "interrupted; nothing was changed or delivered") {
				t.Errorf("stderr %q", stderr)
			}
			if stdout.Len() > 0 {
				t.Errorf("%d bytes delivered to standard output", stdout.Len())
			}
			sameTree(t, before, snapshotDir(t, dir))
			if left, _ := os.ReadDir(out); len(left) > 0 {
				t.Errorf("files left in the output directory: %v", left)
			}
		})
	}
}

// TestBrokenPipe: "fieldvault export D1 | head -1" and the same for open.
// The reader closes the pipe after one line, so only part of the output
// leaves: the command says so in one line (exit 1), and the audit log
// records the exit or the open as partial with the bytes that left, never
// nothing (a process killed by SIGPIPE recorded no entry at all).
func TestBrokenPipe(t *testing.T) {
	dir, id := newStudy(t)
	in := filepath.Join(t.TempDir(), "t.txt")
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "Ottilie Varga: the rota is the whole thing, week %d, whatever the weather.\n", i)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"participant", "add", "P01", "--name", "Ottilie Varga"},
		{"consent", "record", "P01", "--form", "v1", "--signed", "2026-01-05", "--scope", "participate,quote"},
		{"ingest", in, "--kind", "transcript", "--participant", "P01"},
	} {
		if code, _, stderr := runCLI(t, append([]string{"--vault", dir, "--identity", id}, args...)...); code != 0 {
			t.Fatal(stderr)
		}
	}
	for _, args := range [][]string{{"export", "D1"}, {"quote", "D1:1-5000"}, {"open", "D1"}, {"open", "D1", "--lines"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd, stderr := fieldvaultCmd(t, dir, id, args...)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n') // head -1
			if err != nil || line == "" {
				t.Fatalf("first line: %q, %v", line, err)
			}
			out.Close()
			cmd.Wait()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				t.Fatalf("killed by %v: nothing said, nothing recorded", ws.Signal())
			}
			if code := cmd.ProcessState.ExitCode(); code != 1 || strings.Count(stderr.String(), "\n") != 1 ||
				!strings.Contains(stderr.String(), "broken pipe") || !strings.Contains(stderr.String(), "recorded in the audit log as a partial exit") {
				t.Errorf("exit %d, stderr %q: want 1 and one line saying the output was cut short and recorded", code, stderr)
			}
			code, log, _ := runCLI(t, "--vault", dir, "--identity", id, "audit", "log", "--json", "--action", args[0])
			if code != 0 {
				t.Fatalf("audit log: exit %d", code)
			}
			entries := strings.Split(strings.TrimSpace(log), "\n")
			last := entries[len(entries)-1]
			if !strings.Contains(last, `"outcome":"partial"`) || !strings.Contains(last, `"delivered_bytes":"`) {
				t.Errorf("last %s entry: %s, want outcome partial with delivered_bytes", args[0], last)
			}
		})
	}
	// The participant's record counts the exits cut short among those that
	// used their words.
	code, out, _ := runCLI(t, "--vault", dir, "--identity", id, "participant", "show", "P01")
	if code != 0 || !strings.Contains(out, "export (partial)") || !strings.Contains(out, "quote (partial)") {
		t.Errorf("participant show: exit %d\n%s\nwant the partial export and quote listed", code, out)
	}
}
