package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

// studyWithLog makes a study whose log holds several entries.
func studyWithLog(t *testing.T) *Study {
	t.Helper()
	s := newStudy(t)
	for i := 0; i < 4; i++ {
		if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", fmt.Sprintf("note %d\n", i)), Kind: policy.KindFieldNotes}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func logLines(t *testing.T, s *Study) [][]byte {
	data, err := os.ReadFile(filepath.Join(s.Dir, AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

func writeLog(t *testing.T, s *Study, lines [][]byte) {
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(bytes.TrimSuffix(l, []byte("\n")))
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(s.Dir, AuditFile), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyIntact(t *testing.T) {
	s := studyWithLog(t)
	rep, err := s.VerifyAudit(ctx, "")
	if err != nil || !rep.OK() {
		t.Fatalf("VerifyAudit: %v %v", err, rep.Problems)
	}
	if rep.Entries != 5 {
		t.Errorf("entries = %d, want 5 (init + 4 ingests)", rep.Entries)
	}
}

func TestAuditTampering(t *testing.T) {
	tests := []struct {
		name      string
		tamper    func([][]byte) [][]byte
		wantLine  int
		wantInMsg string
	}{
		{"edit", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte(`"ingest"`), []byte(`"ingesT"`), 1)
			return l
		}, 3, "edited"},
		{"delete", func(l [][]byte) [][]byte { return append(l[:1], l[2:]...) }, 2, ""},
		{"reorder", func(l [][]byte) [][]byte { l[1], l[2] = l[2], l[1]; return l }, 2, ""},
		{"insert", func(l [][]byte) [][]byte {
			return append(l[:2], append([][]byte{append([]byte(nil), l[1]...)}, l[2:]...)...)
		}, 3, ""},
		{"duplicate last", func(l [][]byte) [][]byte { return append(l, l[len(l)-1]) }, 6, ""},
		{"truncate", func(l [][]byte) [][]byte { return l[:3] }, 4, "truncated"},
		{"garbage line", func(l [][]byte) [][]byte { l[1] = []byte("{not json"); return l }, 2, "not a valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := studyWithLog(t)
			writeLog(t, s, tt.tamper(logLines(t, s)))
			rep, err := s.VerifyAudit(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || rep.First == nil {
				t.Fatalf("tampering not detected")
			}
			if rep.First.Line != tt.wantLine {
				t.Errorf("first bad line = %d, want %d (%s)", rep.First.Line, tt.wantLine, rep.First)
			}
			if !strings.Contains(rep.First.Error(), tt.wantInMsg) {
				t.Errorf("message %q lacks %q", rep.First.Error(), tt.wantInMsg)
			}
			// Writers refuse to extend a damaged log.
			if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "x.txt", "x\n"), Kind: policy.KindFieldNotes}); !errors.Is(err, ErrIntegrity) {
				t.Errorf("ingest on a damaged log: err = %v, want ErrIntegrity", err)
			}
		})
	}
}

func TestAuditCheckpointDetectsRewrite(t *testing.T) {
	s := studyWithLog(t)
	cp := filepath.Join(t.TempDir(), "officer.checkpoint")
	rep, err := s.VerifyAudit(ctx, cp)
	if err != nil || !rep.OK() || !strings.Contains(rep.Checkpoint, "wrote") {
		t.Fatalf("first checkpoint: %v %+v", err, rep)
	}
	// More activity: the checkpoint still matches.
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "later\n"), Kind: policy.KindFieldNotes}); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.VerifyAudit(ctx, cp); err != nil || !rep.OK() || !strings.Contains(rep.Checkpoint, "matches") {
		t.Fatalf("later verify: %v %+v", err, rep)
	}
	// A full rewrite: a fresh chain with consistent hashes, and a catalogue
	// whose head agrees with it (what an attacker who replaced both would
	// produce). Only the checkpoint can tell.
	lines := logLines(t, s)
	var rewritten []Entry
	prev := ""
	for i := range lines {
		e := Entry{Action: "init", Time: fixedNow()}
		if i > 0 {
			e.Action = "ingest"
		}
		e.seal(uint64(i+1), prev)
		prev = e.Hash
		rewritten = append(rewritten, e)
	}
	var out [][]byte
	for _, e := range rewritten {
		out = append(out, e.line())
	}
	writeLog(t, s, out)
	cat, err := s.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cat.Audit = AuditHead{Seq: uint64(len(rewritten)), Hash: prev}
	rcpts, _ := s.recipients(ClassCatalog)
	if err := writeCatalog(OS{}, s.Dir, cat, rcpts); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.VerifyAudit(ctx, ""); !rep.OK() {
		t.Fatalf("without a checkpoint the rewrite is consistent; got %v", rep.Problems)
	}
	rep, err = s.VerifyAudit(ctx, cp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.First == nil || !strings.Contains(rep.First.Error(), "checkpoint") {
		t.Fatalf("rewrite not detected against the checkpoint: %+v", rep)
	}
}

func TestAuditPendingEntryCompleted(t *testing.T) {
	s := studyWithLog(t)
	lines := logLines(t, s)
	// A crash between the catalogue's commit and the log's append: the last
	// entry is only in the catalogue; a partial line is left behind.
	writeLog(t, s, lines[:len(lines)-1])
	f, _ := os.OpenFile(filepath.Join(s.Dir, AuditFile), os.O_APPEND|os.O_WRONLY, 0o600)
	f.Write(lines[len(lines)-1][:30])
	f.Close()
	rep, err := s.VerifyAudit(ctx, "")
	if err != nil || !rep.OK() {
		t.Fatalf("pending entry should be a note, not a problem: %v %v", err, rep.Problems)
	}
	if len(rep.Notes) == 0 {
		t.Errorf("no note about the pending entry")
	}
	var notes []string
	s.Notes = func(n string) { notes = append(notes, n) }
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "x\n"), Kind: policy.KindFieldNotes}); err != nil {
		t.Fatalf("next writer: %v", err)
	}
	if len(notes) == 0 {
		t.Errorf("the next writer reported nothing")
	}
	got := logLines(t, s)
	if len(got) != len(lines)+1 || !bytes.Equal(bytes.TrimSuffix(got[len(lines)-1], []byte("\n")), lines[len(lines)-1]) {
		t.Errorf("log not completed: %d lines", len(got))
	}
	if rep, err := s.VerifyAudit(ctx, ""); err != nil || !rep.OK() || len(rep.Notes) != 0 {
		t.Errorf("after recovery: %v %+v", err, rep)
	}
}

func TestAuditLogFilterAndNoNames(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P7", "Genevieve Okafor-Hale", "participate", "quote")
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "x\n"), Kind: policy.KindFieldNotes, Participants: []string{"P7"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditLog(AuditFilter{Participant: "P7"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range got {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "participant-add,consent-record,ingest" {
		t.Errorf("actions for P7 = %v", actions)
	}
	only, _ := s.AuditLog(AuditFilter{Action: "ingest", Since: fixedNow().Add(-time.Hour)})
	if len(only) != 1 {
		t.Errorf("ingest entries = %d, want 1", len(only))
	}
	data, _ := os.ReadFile(filepath.Join(s.Dir, AuditFile))
	for _, secret := range []string{"Genevieve", "Okafor", "Hale"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("audit log contains %q", secret)
		}
	}
}

func TestLockHeld(t *testing.T) {
	s := newStudy(t)
	old := lockWait
	lockWait = 200 * time.Millisecond
	defer func() { lockWait = old }()
	l, err := acquire(s.Dir, true)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s.Dir)
	_, err = s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "x\n"), Kind: policy.KindFieldNotes})
	var le *LockedError
	if !errors.As(err, &le) || !strings.Contains(le.Error(), "pid") {
		t.Fatalf("err = %v, want a LockedError naming the holder", err)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
	l.release()
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "x\n"), Kind: policy.KindFieldNotes}); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestConcurrentWritersLoseNothing(t *testing.T) {
	s := newStudy(t)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer opens the vault on its own, as separate processes do.
			sw, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path})
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < each; i++ {
				if err := sw.Update(ctx, func(tx *Tx) error {
					tx.Audit(Entry{Action: "flag"})
					return nil
				}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep, err := s.VerifyAudit(ctx, "")
	if err != nil || !rep.OK() {
		t.Fatalf("VerifyAudit: %v %v", err, rep.Problems)
	}
	if rep.Entries != 1+writers*each {
		t.Errorf("entries = %d, want %d", rep.Entries, 1+writers*each)
	}
	cat, _ := s.Catalog()
	if cat.Generation != uint64(1+writers*each) {
		t.Errorf("generation = %d, want %d", cat.Generation, 1+writers*each)
	}
}
