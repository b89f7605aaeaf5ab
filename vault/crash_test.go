package vault

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
)

// The crash-consistency test re-runs this test binary as a child that
// performs one command on a copy of a vault and SIGKILLs itself at the n-th
// time it reaches a named write step.
const crashEnv = "FIELDVAULT_CRASH_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	os.Exit(hcvaulttest.Main(m))
}

var crashSteps = []string{"after-temp-write", "after-fsync", "before-rename", "before-dir-fsync", "before-audit-append", "before-object-remove"}

// crashCommands are the commands the harness interrupts.
var crashCommands = map[string]func(s *Study, input string) error{
	"ingest": func(s *Study, input string) error {
		_, err := s.Ingest(context.Background(), IngestRequest{Path: input, Kind: policy.KindTranscript, Participants: []string{"P1"}})
		return err
	},
	"flag": func(s *Study, _ string) error {
		return s.Flag(context.Background(), FlagRequest{Doc: "D1", From: 2, To: 2, Kind: policy.FlagDNQ, Reason: "convenor asked"})
	},
	"consent": func(s *Study, _ string) error {
		_, err := s.RecordConsent(context.Background(), ConsentRequest{Handle: "P1", Form: "v2", Signed: "2025-03-01", Scopes: []policy.Scope{"participate", "quote", "off-record"}})
		return err
	},
	"withdraw-erase": func(s *Study, _ string) error {
		_, err := s.Withdraw(context.Background(), WithdrawRequest{Handle: "P1", Erase: true})
		return err
	},
	"retention-destroy": func(s *Study, _ string) error {
		_, err := s.DestroyDue(context.Background())
		return err
	},
	"deposit": func(s *Study, input string) error {
		err := exitVia(context.Background(), s, "deposit", exitRequest{Output: input + ".deposit.zip"})
		return err
	},
	"open": func(s *Study, input string) error {
		_, err := s.OpenDoc(context.Background(), OpenRequest{Handle: "D1", Output: input + ".open.txt"})
		return err
	},
	"recipient-add": func(s *Study, rcpt string) error {
		_, err := s.AddRecipient(context.Background(), RecipientRequest{Role: RoleResearcher, Recipient: rcpt})
		return err
	},
	"recipient-remove": func(s *Study, rcpt string) error {
		_, err := s.RemoveRecipient(context.Background(), rcpt)
		return err
	},
	"doc-remove": func(s *Study, _ string) error {
		return s.RemoveDoc(context.Background(), "D1")
	},
	"open-stream": func(s *Study, _ string) error {
		_, err := s.OpenDoc(context.Background(), OpenRequest{Handle: "D1", W: io.Discard})
		return err
	},
	"export": func(s *Study, input string) error {
		err := exitVia(context.Background(), s, "export", exitRequest{Doc: "D1", Output: input + ".export.md"})
		return err
	},
}

func crashChild(spec string) int {
	// spec: command:step:n:dir:identity:input
	parts := strings.SplitN(spec, "|", 6)
	n, _ := strconv.Atoi(parts[2])
	seen := 0
	crashHook = func(step string) {
		if step == parts[1] {
			seen++
			if seen == n {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}
	}
	s, err := Open(parts[3], Options{Providers: testProviders, IdentityFile: parts[4]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := crashCommands[parts[0]](s, parts[5]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// copyDir copies a vault directory (regular files only).
func copyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestCrashConsistency kills a real process at every write step of ingest,
// flag, consent change, withdrawal with erase, destruction of what a
// retention rule made due, a deposit, and export. After each kill
// verify --read-data and audit verify find no problem, the catalogue is at
// the generation before or after the command (never between), and the next
// writer cleans up and reports what it removed.
func TestCrashConsistency(t *testing.T) {
	base := newStudy(t)
	addParticipant(t, base, "P1", "Genevieve Okafor-Hale", "participate", "quote", "record-audio", "archive")
	transcript := writeFile(t, "t.txt", "Interviewer: How did it start?\nGenevieve Okafor-Hale: At the depot in Wexcombe.\n")
	if _, err := base.Ingest(ctx, IngestRequest{Path: transcript, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	// Two recordings of P1, transcribed by D1: due at once under the rule.
	for _, name := range []string{"a.wav", "b.wav"} {
		if _, err := base.Ingest(ctx, IngestRequest{Path: writeFile(t, name, "RIFF\x00\x01 not really audio "+name), Kind: policy.KindRecording, Participants: []string{"P1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := base.SetRetention(ctx, policy.RetentionRule{Kind: policy.KindRecording, Basis: policy.BasisAfterTranscript}); err != nil {
		t.Fatal(err)
	}
	cat0, _ := base.Catalog()
	kills, completions := 0, 0
	for _, cmd := range []string{"ingest", "flag", "consent", "withdraw-erase", "retention-destroy", "deposit", "open", "doc-remove", "export"} {
		for _, step := range crashSteps {
			for n := 1; n < 20; n++ {
				dir := filepath.Join(t.TempDir(), "study")
				copyDir(t, base.Dir, dir)
				input := filepath.Join(t.TempDir(), "in.txt")
				os.WriteFile(input, []byte("Interviewer: And then?\nGenevieve Okafor-Hale: We moved on.\n"), 0o600)
				spec := strings.Join([]string{cmd, step, strconv.Itoa(n), dir, base.Identity.Path, input}, "|")
				name := fmt.Sprintf("%s killed %s #%d", cmd, step, n)
				killed := runCrashChild(t, name, spec)
				s, err := Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path})
				if err != nil {
					t.Fatalf("%s: open: %v", name, err)
				}
				cat, err := s.Catalog()
				if err != nil {
					t.Fatalf("%s: catalogue: %v", name, err)
				}
				if g := cat.Generation; g != cat0.Generation && g != cat0.Generation+1 {
					t.Errorf("%s: generation %d, want %d or %d", name, g, cat0.Generation, cat0.Generation+1)
				}
				rep, err := s.Verify(true)
				if err != nil || !rep.OK() {
					t.Errorf("%s: verify --read-data: %v %v", name, err, rep.Problems)
				}
				arep, err := s.VerifyAudit(ctx, "")
				if err != nil || !arep.OK() {
					t.Errorf("%s: audit verify: %v %v", name, err, arep.Problems)
				}
				if arep != nil && arep.Entries != int(cat.Audit.Seq) {
					t.Errorf("%s: audit entries %d, catalogue head %d", name, arep.Entries, cat.Audit.Seq)
				}
				if err := s.Update(ctx, func(tx *Tx) error { return nil }); err != nil {
					t.Errorf("%s: next writer: %v", name, err)
				}
				// A delivered output is on record, even if the kill came
				// between its delivery and the commit.
				if out := map[string]string{"export": input + ".export.md", "open": input + ".open.txt"}[cmd]; out != "" && fileExists(out) {
					entries, _ := s.AuditLog(AuditFilter{Action: cmd})
					if len(entries) == 0 || entries[len(entries)-1].Outcome != "ok" {
						t.Errorf("%s: %s was delivered but the audit log holds no %s", name, filepath.Base(out), cmd)
					}
				}
				if rep, _ := s.Verify(false); len(rep.Notes) != 0 {
					t.Errorf("%s: left after the next writer: %v", name, rep.Notes)
				}
				if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(input), tempPrefix+"*")); killed && len(tmp) > 0 {
					t.Errorf("%s: temp files beside the input: %v", name, tmp)
				}
				destroyed := 0
				for _, d := range cat.Documents {
					if d.Kind == policy.KindRecording && d.Erased {
						destroyed++
					}
				}
				if cmd == "retention-destroy" && destroyed != 0 && (destroyed != 2 || len(cat.Tombstones) != 2) {
					t.Errorf("%s: %d recordings destroyed, %d tombstones: want none or both", name, destroyed, len(cat.Tombstones))
				}
				if cmd == "retention-destroy" && !killed && destroyed != 2 {
					t.Errorf("%s: the destruction completed but destroyed %d recordings, want 2", name, destroyed)
				}
				if !killed {
					completions++
					break
				}
				kills++
			}
		}
	}
	t.Logf("processes killed: %d; runs that completed: %d", kills, completions)
	if kills < 20 {
		t.Errorf("only %d kills: the crash points are not reached", kills)
	}
}

// runCrashChild runs one command in a child process (crashChild) and
// reports whether it was killed at its crash point; any other failure
// fails the test.
func runCrashChild(tb testing.TB, name, spec string) bool {
	tb.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), crashEnv+"="+spec)
	out, err := c.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		tb.Fatalf("%s: child failed: %v\n%s", name, err, out)
	} else if err != nil {
		tb.Fatal(err)
	}
	return false
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
