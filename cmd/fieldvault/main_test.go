package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files (testscript cmp against archive files)")

// withVault stops the shared Vault dev server (if a test started one) after
// the tests run.
type withVault struct{ m *testing.M }

func (w withVault) Run() int { return hcvaulttest.Main(w.m) }

func TestMain(m *testing.M) {
	testscript.Main(withVault{m}, map[string]func(){
		"fieldvault": func() { os.Exit(runMain()) },
	})
}

// TestScripts runs every user story and failure in testdata/script as the
// real program in a subprocess.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/script", nil))
}

// scriptParams are the testscript parameters of the CLI stories in dir;
// setup, if set, adds to each script's environment.
func scriptParams(dir string, setup func(env *testscript.Env) error) testscript.Params {
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"exits":    cmdExits,
		"agekey":   cmdAgeKey,
		"flipbyte": cmdFlipByte,
		"lines":    cmdLines,
		"jsonset":  cmdJSONSet,
		"cpdir":    cmdCpDir,
		"truncate": cmdTruncate,
		"nopanic":  cmdNoPanic,
		"unzip":    cmdUnzip,
		"mask":     cmdMask,
	}
	for name, f := range attackCmds {
		cmds[name] = f
	}
	for name, f := range formatCmds {
		cmds[name] = f
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("FIELDVAULT_IDENTITY", filepath.Join(env.WorkDir, "keys", "researcher.txt"))
			env.Setenv("FIELDVAULT_DIR", "")
			env.Setenv("VAULT_ADDR", "http://127.0.0.1:1")
			env.Setenv("VAULT_TOKEN", "")
			env.Setenv("TZ", "UTC")
			if setup != nil {
				return setup(env)
			}
			return nil
		},
		Cmds: cmds,
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // root may write where permissions say no
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

// exits N PROG ARGS...: runs PROG and checks that it exits with code N.
// stdout and stderr are kept for the following stdout/stderr assertions.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code: got %d, want %d", got, want)
	}
}

// agekey FILE VAR: writes a new age identity to FILE and sets VAR to its
// recipient.
func cmdAgeKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: agekey FILE VAR")
	}
	id, err := age.GenerateX25519Identity()
	ts.Check(err)
	path := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o700))
	ts.Check(os.WriteFile(path, []byte(id.String()+"\n"), 0o600))
	ts.Setenv(args[1], id.Recipient().String())
}

// flipbyte GLOB [OFFSET]: flips one byte of the single file matching GLOB
// (a negative offset counts from the end; default: the middle).
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: flipbyte GLOB [OFFSET]")
	}
	matches, err := filepath.Glob(ts.MkAbs(args[0]))
	ts.Check(err)
	if len(matches) != 1 {
		ts.Fatalf("flipbyte: %d files match %s, want 1", len(matches), args[0])
	}
	b, err := os.ReadFile(matches[0])
	ts.Check(err)
	off := len(b) / 2
	if len(args) == 2 {
		off, err = strconv.Atoi(args[1])
		ts.Check(err)
		if off < 0 {
			off += len(b)
		}
	}
	if off < 0 || off >= len(b) {
		ts.Fatalf("flipbyte: offset %d outside a %d-byte file", off, len(b))
	}
	b[off] ^= 0x01
	ts.Check(os.WriteFile(matches[0], b, 0o600))
}

// truncate FILE SIZE: truncates FILE to SIZE bytes (negative: drop that many).
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE SIZE")
	}
	path := ts.MkAbs(args[0])
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	if n < 0 {
		fi, err := os.Stat(path)
		ts.Check(err)
		n += fi.Size()
	}
	ts.Check(os.Truncate(path, n))
}

// lines FILE OP ...: edits a line-oriented file (1-based line numbers):
//
//	lines FILE delete N      remove line N
//	lines FILE swap A B      exchange lines A and B
//	lines FILE keep N        keep the first N lines
//	lines FILE sub N OLD NEW replace OLD by NEW in line N
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: lines FILE delete N | swap A B | keep N | sub N OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	ls := strings.SplitAfter(string(b), "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > len(ls) {
			ts.Fatalf("lines: line %q outside 1-%d", s, len(ls))
		}
		return n
	}
	switch op := args[1]; {
	case op == "delete" && len(args) == 3:
		n := num(args[2])
		ls = append(ls[:n-1], ls[n:]...)
	case op == "swap" && len(args) == 4:
		a, c := num(args[2]), num(args[3])
		ls[a-1], ls[c-1] = ls[c-1], ls[a-1]
	case op == "keep" && len(args) == 3:
		ls = ls[:num(args[2])]
	case op == "sub" && len(args) == 5:
		n := num(args[2])
		if !strings.Contains(ls[n-1], args[3]) {
			ts.Fatalf("lines: line %d does not contain %q", n, args[3])
		}
		ls[n-1] = strings.Replace(ls[n-1], args[3], args[4], 1)
	default:
		ts.Fatalf("lines: bad operation %q", args[1:])
	}
	ts.Check(os.WriteFile(path, []byte(strings.Join(ls, "")), 0o600))
}

// jsonset FILE KEY JSON: sets a top-level key of a JSON object file.
func cmdJSONSet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: jsonset FILE KEY JSON")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var m map[string]json.RawMessage
	ts.Check(json.Unmarshal(b, &m))
	if !json.Valid([]byte(args[2])) {
		ts.Fatalf("jsonset: value %q is not JSON", args[2])
	}
	m[args[1]] = json.RawMessage(args[2])
	out, err := json.MarshalIndent(m, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(path, out, 0o600))
}

// cpdir SRC DST: copies a directory tree (DST must not exist).
func cmdCpDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cpdir SRC DST")
	}
	dst := ts.MkAbs(args[1])
	if _, err := os.Stat(dst); err == nil {
		ts.Fatalf("cpdir: %s exists", args[1])
	}
	if store.IsURL(args[0]) { // a study on object storage: its items
		for key, content := range storeTree(ts, args[0]) {
			p := filepath.Join(dst, filepath.FromSlash(key))
			ts.Check(os.MkdirAll(filepath.Dir(p), 0o700))
			ts.Check(os.WriteFile(p, []byte(content), 0o600))
		}
		return
	}
	ts.Check(os.CopyFS(dst, os.DirFS(ts.MkAbs(args[0]))))
}

// unzip ZIP DIR: extracts every file of a zip into DIR (which must not
// exist), refusing names that leave it.
func cmdUnzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unzip ZIP DIR")
	}
	dst := ts.MkAbs(args[1])
	if _, err := os.Stat(dst); err == nil {
		ts.Fatalf("unzip: %s exists", args[1])
	}
	zr, err := zip.OpenReader(ts.MkAbs(args[0]))
	ts.Check(err)
	defer zr.Close()
	ts.Check(os.MkdirAll(dst, 0o700))
	root, err := os.OpenRoot(dst)
	ts.Check(err)
	defer root.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		ts.Check(err)
		data, err := io.ReadAll(rc)
		rc.Close()
		ts.Check(err)
		if dir := filepath.Dir(f.Name); dir != "." {
			ts.Check(root.MkdirAll(dir, 0o700))
		}
		ts.Check(root.WriteFile(f.Name, data, 0o600))
	}
}

// nopanic: the last command's output holds no Go panic or stack trace.
func cmdNoPanic(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: nopanic")
	}
	for _, name := range []string{"stdout", "stderr"} {
		out := ts.ReadFile(name)
		for _, bad := range []string{"panic:", "goroutine ", ".go:"} {
			if strings.Contains(out, bad) {
				ts.Fatalf("%s holds %q", name, bad)
			}
		}
	}
}

// runCLI runs the program in-process and returns its exit code and output.
func runCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"fieldvault"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// newStudy creates a vault with a fresh identity, both in a temp dir.
func newStudy(t testing.TB) (dir, identity string) {
	t.Helper()
	base := t.TempDir()
	dir, identity = filepath.Join(base, "study"), filepath.Join(base, "id.txt")
	if code, _, stderr := runCLI(t, "--identity", identity, "init", dir); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	return dir, identity
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

func writeFile(path, content string) error {
	return os.WriteFile(path, []byte(content), 0o600)
}
