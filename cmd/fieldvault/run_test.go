package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/fieldvault/fieldvault/vault/keys"
)

func TestExitCode(t *testing.T) {
	refusal := &policy.Refusal{Rule: policy.RuleDNQ, Msg: "lines are marked do-not-quote"}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain error", errors.New("boom"), exitError},
		{"not found", fmt.Errorf("opening: %w", vault.ErrNotFound), exitError},
		{"invalid request is not usage", fmt.Errorf("%w: bad range", vault.ErrInvalid), exitError},
		{"no identity", vault.ErrNoIdentity, exitError},
		{"locked", &vault.LockedError{Holder: "host h, pid 1"}, exitError},
		{"usage", usagef("quote: expected DOC:A-B"), exitUsage},
		{"wrapped usage", fmt.Errorf("x: %w", usagef("y")), exitUsage},
		{"refusal", refusal, exitRefused},
		{"refused", &policy.Refused{Refusals: []*policy.Refusal{refusal}}, exitRefused},
		{"wrapped refusal", fmt.Errorf("quote D1: %w", refusal), exitRefused},
		{"residual", &gate.ResidualError{}, exitRefused},
		{"integrity", fmt.Errorf("opening D1: %w", vault.ErrIntegrity), exitIntegrity},
		{"problems found", problemsFound("verify", 2), exitIntegrity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestHint(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // substring; "" = no hint
	}{
		{"not a vault", fmt.Errorf("%w: .", vault.ErrNotVault), "run 'fieldvault init' or pass --vault DIR"},
		{"no identity", vault.ErrNoIdentity, "pass --identity FILE or set FIELDVAULT_IDENTITY"},
		{"raw material", fmt.Errorf("opening: %w", &vault.RecipientError{Class: vault.ClassRaw, What: "this material (raw class)"}), "not a recipient of raw material"},
		{"catalogue", fmt.Errorf("%w of this material (catalog class) in this vault", vault.ErrNotRecipient), "add your age recipient"},
		{"locked", &vault.LockedError{}, "wait for it to finish"},
		{"format", vault.ErrFormat, "upgrade fieldvault"},
		{"usage", usagef("x"), "fieldvault help"},
		{"integrity", vault.ErrIntegrity, "verify --read-data"},
		{"plain", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hint(tt.err, exitCode(tt.err))
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("hint(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestIntersperse(t *testing.T) {
	app := newApp(&env{ctx: context.Background()})
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"flags after positional", "fieldvault participant add P01 --name A --role r", "fieldvault participant add --name A --role r P01"},
		{"global flags stay first", "fieldvault --vault v --identity i doc show D1 --json", "fieldvault --vault v --identity i doc show --json D1"},
		{"bool flag takes no value", "fieldvault open D1 --lines", "fieldvault open --lines D1"},
		{"short alias", "fieldvault open D1 -o out.txt", "fieldvault open -o out.txt D1"},
		{"equals form", "fieldvault quote D1:1-2 --output=x", "fieldvault quote --output=x D1:1-2"},
		{"double dash keeps the rest", "fieldvault participant add -- --odd --name A", "fieldvault participant add -- --odd --name A"},
		{"stdin dash is positional", "fieldvault scan - --json", "fieldvault scan --json -"},
		{"entity kind and name", "fieldvault entity add place Wexcombe --alias W", "fieldvault entity add --alias W place Wexcombe"},
		{"unknown command untouched", "fieldvault frob a --b", "fieldvault frob a --b"},
		{"group without subcommand", "fieldvault participant", "fieldvault participant"},
		{"global flag after the command", "fieldvault participant list --vault v --json", "fieldvault --vault v participant list --json"},
		{"global flag in equals form after the command", "fieldvault doc show D1 --identity=i", "fieldvault --identity=i doc show D1"},
		{"help TOPIC is TOPIC --help", "fieldvault help consent record", "fieldvault consent record --help"},
		{"help alone", "fieldvault help", "fieldvault help"},
		{"flag at the end without value", "fieldvault open D1 --version", "fieldvault open --version D1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(intersperse(app, strings.Fields(tt.in)), " ")
			if got != tt.want {
				t.Errorf("intersperse(%q) =\n  %q\nwant\n  %q", tt.in, got, tt.want)
			}
		})
	}
}

// intersperseSeeds is the seed corpus of FuzzIntersperse.
var intersperseSeeds = []string{
	"participant add P01 --name A --role r",
	"--vault v open D1 -o x --lines",
	"consent record P01 --scope participate,quote --form v1 --signed 2026-01-01",
	"participant list --vault v --identity",
	"help consent record",
	"quote -- --x",
	"- -- --",
	"",
}

func FuzzIntersperse(f *testing.F) {
	for _, s := range intersperseSeeds {
		f.Add(s)
	}
	app := newApp(&env{ctx: context.Background()})
	f.Fuzz(func(t *testing.T, s string) {
		in := append([]string{"fieldvault"}, strings.Fields(s)...)
		out := intersperse(app, in)
		// The result is a reordering of the input: nothing lost or added,
		// except that "help TOPIC" becomes "TOPIC --help".
		a, b := append([]string(nil), in...), append([]string(nil), out...)
		if len(in) > 2 && (in[1] == "help" || in[1] == "h") {
			a = append(append([]string{in[0]}, in[2:]...), "--help")
		}
		sort.Strings(a)
		sort.Strings(b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("intersperse(%q) = %q: not a permutation", in, out)
		}
		if out[0] != "fieldvault" {
			t.Fatalf("program name moved: %q", out)
		}
	})
}

// TestRunRecoversPanic: a panic inside a command (here: writing to a nil
// stdout) is one line on stderr and exit 1, never a stack trace.
func TestRunRecoversPanic(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"fieldvault", "transit", "policy", "--key", "k"}, strings.NewReader(""), nil, &stderr)
	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	got := stderr.String()
	if !strings.HasPrefix(got, "fieldvault: internal error (") || strings.Count(got, "\n") != 1 || strings.Contains(got, "goroutine") {
		t.Errorf("stderr = %q, want one 'fieldvault: internal error' line", got)
	}
}

// TestLockHeld: while another writer holds the vault's lock, a writing
// command fails with exit 1 and the hint to wait, and changes nothing.
func TestLockHeld(t *testing.T) {
	dir, identity := newStudy(t)
	s, err := vault.Open(dir, vault.Options{Providers: keys.For, IdentityFile: identity})
	if err != nil {
		t.Fatal(err)
	}
	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(tx *vault.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	select {
	case <-holding:
	case err := <-done:
		t.Fatalf("Update returned before holding the lock: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the lock was not taken")
	}
	code, _, stderr := runCLI(t, "--vault", dir, "--identity", identity, "participant", "add", "P01", "--name", "Bramwell Ashdown")
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("holder's Update: %v", err)
	}
	if code != exitError {
		t.Errorf("exit code = %d, want %d", code, exitError)
	}
	for _, want := range []string{"fieldvault: the study vault is locked by another fieldvault process", "hint: another fieldvault command is changing this vault; wait for it to finish"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, want)
		}
	}
	if strings.Contains(stderr, "Bramwell") {
		t.Errorf("stderr names the participant: %q", stderr)
	}
	// Once the lock is free the same command works, and it is the first P01.
	code, _, stderr = runCLI(t, "--vault", dir, "--identity", identity, "participant", "add", "P01", "--name", "Bramwell Ashdown")
	if code != exitOK {
		t.Fatalf("after release: exit %d: %s", code, stderr)
	}
}

// TestProgressOnlyOnTerminal: a writer that is not a terminal gets no
// progress function; the progress line redraws only on change.
func TestProgressOnlyOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	e := &env{ctx: context.Background(), stderr: &buf, stdout: &buf}
	s := &vault.Study{}
	e.wire(s)
	if s.Progress != nil {
		t.Error("Progress set for a writer that is not a terminal")
	}
	if s.Notes == nil {
		t.Fatal("Notes not set")
	}
	s.Notes("finished an interrupted ingest")
	if got, want := buf.String(), "fieldvault: note: finished an interrupted ingest\n"; got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
	// A pipe is an *os.File that is not a terminal.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) {
		t.Error("isTerminal(pipe) = true")
	}

	buf.Reset()
	p := &progress{w: &buf, last: -1}
	for _, d := range []int64{0, 1, 1, 50, 100} {
		p.update(d, 100)
	}
	p.update(5, 0) // unknown total: nothing
	if got, want := buf.String(), "\r  0%\r  1%\r 50%\r100%\r    \r"; got != want {
		t.Errorf("progress output = %q, want %q", got, want)
	}
}

// TestDemoInProcess runs the demo through run() and checks that every step
// ran and the demo did not write outside its directory.
func TestDemoInProcess(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("FIELDVAULT_IDENTITY", filepath.Join(home, "must-not-exist.txt"))
	dir := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := runCLI(t, "demo", dir)
	if code != exitOK {
		t.Fatalf("demo: exit %d\nstderr: %s\nstdout: %s", code, stderr, stdout)
	}
	if got, want := strings.Count(stdout, "\n$ fieldvault "), len(demoSteps); got != want {
		t.Errorf("demo printed %d commands, want %d", got, want)
	}
	if fileExists(filepath.Join(home, "must-not-exist.txt")) || fileExists(filepath.Join(home, ".config", "fieldvault")) {
		t.Error("the demo wrote an identity outside its directory")
	}
	if !fileExists(filepath.Join(dir, "out", "chapter5.md")) {
		t.Error("the demo rendered no chapter")
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", "''"},
		{"two words", "'two words'"},
		{"it's", `'it'\''s'`},
		{"$DEMO/x", "$DEMO/x"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFuzzSeedCorpora checks the seed corpus of FuzzIntersperse; the CSV fuzz
// targets and their seeds live in package vault.
func TestFuzzSeedCorpora(t *testing.T) {
	if len(intersperseSeeds) == 0 {
		t.Fatal("a fuzz target has an empty seed corpus")
	}
}

// TestRepeatedFlag: a flag that holds one value, given twice, is a usage
// error (urfave/cli would keep the last and drop the rest: a consent
// recorded with fewer scopes than the form grants); repeatable and on/off
// flags may be repeated.
func TestRepeatedFlag(t *testing.T) {
	app := newApp(&env{ctx: context.Background()})
	tests := []struct {
		name string
		in   string
		want string // "" = accepted
	}{
		{"scope twice", "fieldvault consent record P01 --form v1 --signed 2026-01-01 --scope participate --scope quote", "consent record: --scope is given more than once; give it once, with its values comma-separated"},
		{"scope once, comma-separated", "fieldvault consent record P01 --form v1 --signed 2026-01-01 --scope participate,quote", ""},
		{"equals form and alias", "fieldvault export D1 -o a.md --output=b.md", "export: --output is given more than once"},
		{"participant repeats", "fieldvault ingest t.txt --kind transcript --participant P01 --participant P02", ""},
		{"alias repeats", "fieldvault participant add P01 --name N --alias A --alias B", ""},
		{"bool twice", "fieldvault open D1 --lines --lines", ""},
		{"global flag twice", "fieldvault --vault a participant list --vault b", "--vault is given more than once"},
		{"after double dash", "fieldvault participant add P01 --name N -- --name", ""},
		{"value that looks like a command", "fieldvault participant add P01 --name list --role list", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := repeatedFlag(app, intersperse(app, strings.Fields(tt.in)))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("repeatedFlag = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("repeatedFlag = %v, want %q", err, tt.want)
			case err != nil && exitCode(err) != exitUsage:
				t.Errorf("exit code %d, want %d", exitCode(err), exitUsage)
			}
		})
	}
}

// TestPrintErrorBrokenPipe: a listing whose reader closed the pipe ends
// quietly, as any command in a pipe does; an exit cut short says what left.
func TestPrintErrorBrokenPipe(t *testing.T) {
	epipe := &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"listing", fmt.Errorf("writing json: %w", epipe), ""},
		{"exit cut short", &vault.PartialDeliveryError{Bytes: 4096, Err: fmt.Errorf("writing the output: %w", epipe)}, "fieldvault: writing the output: write /dev/stdout: broken pipe; 4096 bytes of it had reached standard output (recorded in the audit log as a partial exit)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printError(&b, tt.err, exitCode(tt.err))
			if b.String() != tt.want {
				t.Errorf("printError = %q, want %q", b.String(), tt.want)
			}
			if exitCode(tt.err) != exitError {
				t.Errorf("exit code %d, want %d", exitCode(tt.err), exitError)
			}
		})
	}
}
