package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
)

// faultFS injects one fault at the n-th write operation (1-based) and
// counts operations, so a test can fail every step of a command in turn.
type faultFS struct {
	OS
	n     int   // operation to fail; 0 = none
	ops   int   // operations seen
	fault error // the error to inject; errShort injects a short write
	hit   bool
}

var errShort = errors.New("short write")

func (f *faultFS) step() error {
	f.ops++
	if f.ops == f.n {
		f.hit = true
		return f.fault
	}
	return nil
}

func (f *faultFS) CreateTemp(dir, pattern string) (File, error) {
	if err := f.step(); err != nil {
		return nil, &os.PathError{Op: "create", Path: dir, Err: err}
	}
	file, err := f.OS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) OpenAppend(name string) (File, error) {
	if err := f.step(); err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	file, err := f.OS.OpenAppend(name)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) Rename(o, n string) error {
	if err := f.step(); err != nil {
		return &os.LinkError{Op: "rename", Old: o, New: n, Err: err}
	}
	return f.OS.Rename(o, n)
}

func (f *faultFS) SyncDir(dir string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.OS.SyncDir(dir)
}

func (f *faultFS) Truncate(name string, size int64) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.OS.Truncate(name, size)
}

type faultFile struct {
	File
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (int, error) {
	if err := f.fs.step(); err != nil {
		if err == errShort && len(p) > 1 {
			n, _ := f.File.Write(p[:len(p)/2])
			return n, errShort
		}
		return 0, err
	}
	return f.File.Write(p)
}

func (f *faultFile) Sync() error {
	if err := f.fs.step(); err != nil {
		return err
	}
	return f.File.Sync()
}

// TestDiskFaults fails every write step of every changing command with each
// kind of fault. Pass: a failed command exits with an error and leaves the
// previous state intact byte for byte (temp files removed) and no output; a
// command that reports success (a fault after the catalogue committed)
// leaves a vault that verifies.
func TestDiskFaults(t *testing.T) {
	faults := map[string]error{"no space": syscall.ENOSPC, "I/O error": syscall.EIO, "short write": errShort}
	commands := []struct {
		name string
		run  func(t *testing.T, s *Study) error
	}{
		{"ingest", func(t *testing.T, s *Study) error {
			_, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", strings.Repeat("field note\n", 9000)), Kind: policy.KindFieldNotes})
			return err
		}},
		{"participant add", func(t *testing.T, s *Study) error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Odalys Pennyworth"}})
		}},
		{"consent record", func(t *testing.T, s *Study) error {
			_, err := s.RecordConsent(ctx, ConsentRequest{Handle: "P1", Form: "v2", Signed: "2025-02-01", Scopes: []policy.Scope{"participate"}})
			return err
		}},
		{"withdraw with erase", func(t *testing.T, s *Study) error {
			_, err := s.Withdraw(ctx, WithdrawRequest{Handle: "P1", Erase: true})
			return err
		}},
		{"flag", func(t *testing.T, s *Study) error {
			return s.Flag(ctx, FlagRequest{Doc: "D1", From: 1, To: 1, Kind: policy.FlagConfidential, Reason: "r"})
		}},
		{"export", func(t *testing.T, s *Study) error {
			err := exitVia(ctx, s, "export", exitRequest{Doc: "D1", Output: filepath.Join(s.Dir+"-out", "export.md")})
			return err
		}},
	}
	base := newStudy(t)
	addParticipant(t, base, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	if _, err := base.Ingest(ctx, IngestRequest{Path: writeFile(t, "t.txt", "Genevieve Okafor-Hale: we met at the depot.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	injected := 0
	for _, c := range commands {
		for fname, fault := range faults {
			for n := 1; ; n++ {
				dir := filepath.Join(t.TempDir(), "study")
				copyDir(t, base.Dir, dir)
				s, err := Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path, Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
				os.MkdirAll(s.Dir+"-out", 0o700)
				before := snapshot(t, s.Dir)
				ffs := &faultFS{n: n, fault: fault}
				s.FS = ffs
				err = c.run(t, s)
				if !ffs.hit {
					if err != nil {
						t.Fatalf("%s without a fault: %v", c.name, err)
					}
					break // every step has been failed
				}
				injected++
				s.FS = OS{}
				name := fmt.Sprintf("%s/%s/step %d", c.name, fname, n)
				after := snapshot(t, s.Dir)
				if err != nil && c.name == "export" && after[CatalogFile] != before[CatalogFile] {
					// The fault hit the delivery: the exit is recorded as
					// failed, never as "ok", and nothing was delivered.
					entries, _ := s.AuditLog(AuditFilter{})
					if last := entries[len(entries)-1]; last.Action != "export" || last.Outcome != "failed" {
						t.Errorf("%s: delivery failed but the last entry is %s/%s", name, last.Action, last.Outcome)
					}
					if _, serr := os.Stat(filepath.Join(s.Dir+"-out", "export.md")); serr == nil {
						t.Errorf("%s: an output file exists after a failed delivery", name)
					}
				} else if err != nil {
					sameSnapshot(t, before, after)
					// The message names the real cause: a write, never the input.
					if strings.Contains(err.Error(), "reading input") || strings.Contains(err.Error(), tempPrefix) {
						t.Errorf("%s: error %q blames the input or names a temp file", name, err)
					}
					if fault == syscall.ENOSPC && !strings.Contains(err.Error(), "no space left on device") {
						t.Errorf("%s: error %q hides the full disk", name, err)
					}
					if _, serr := os.Stat(filepath.Join(s.Dir+"-out", "export.md")); serr == nil {
						t.Errorf("%s: an output file exists after a failed export", name)
					}
					if tmp, _ := filepath.Glob(filepath.Join(s.Dir+"-out", tempPrefix+"*")); len(tmp) > 0 {
						t.Errorf("%s: temp files left beside the output: %v", name, tmp)
					}
					if strings.Contains(err.Error(), "Genevieve") {
						t.Errorf("%s: error leaks a name: %v", name, err)
					}
				}
				rep, verr := s.Verify(true)
				if verr != nil || !rep.OK() {
					t.Errorf("%s: verify after fault: %v %v", name, verr, rep.Problems)
				}
				arep, aerr := s.VerifyAudit(ctx, "")
				if aerr != nil || !arep.OK() {
					t.Errorf("%s: audit verify after fault: %v %v", name, aerr, arep.Problems)
				}
				// The next writer works and leaves nothing stray.
				if err := s.Update(ctx, func(tx *Tx) error { return nil }); err != nil {
					t.Errorf("%s: next writer: %v", name, err)
				}
				if rep, _ := s.Verify(false); len(rep.Notes) != 0 {
					t.Errorf("%s: strays after the next writer: %v", name, rep.Notes)
				}
			}
		}
	}
	t.Logf("faults injected: %d", injected)
	if injected < 50 {
		t.Errorf("only %d faults injected; the seam is not in the write path", injected)
	}
}

// TestIngestFullDiskMessage: a full disk while the object is written says
// so, naming what was being written, not the input.
func TestIngestFullDiskMessage(t *testing.T) {
	s := newStudy(t)
	in := writeFile(t, "notes.txt", strings.Repeat("field note\n", 9000))
	for n := 1; n < 4; n++ { // the object's temp file: created, written, synced
		s.FS = &faultFS{n: n, fault: syscall.ENOSPC}
		_, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindFieldNotes})
		want := "storing " + in + ": writing the object: no space left on device"
		if err == nil || err.Error() != want {
			t.Errorf("fault at step %d: got %v, want %q", n, err, want)
		}
	}
}
