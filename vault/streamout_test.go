package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
)

// cutWriter takes n bytes, then fails as a pipe closed by its reader does.
type cutWriter struct{ n int }

func (w *cutWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	k := w.n
	w.n = 0
	return k, errors.New("write |1: broken pipe")
}

// TestStreamCutShort: an open to standard output that the reader cuts
// short ("| head") let part of the document out, so it is on record with
// the outcome partial and the bytes that left, and counts for nothing
// less; one that let nothing out is recorded as failed.
func TestStreamCutShort(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	in := writeFile(t, "t.txt", strings.Repeat("Genevieve Okafor-Hale: the rota is the whole thing.\n", 50))
	if _, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		take     int
		outcome  string
		bytes    string
		partialE bool
	}{
		{"cut after 100 bytes", 100, OutcomePartial, "100", true},
		{"nothing written", 0, "failed", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.OpenDoc(ctx, OpenRequest{Handle: "D1", W: &cutWriter{n: tt.take}})
			var pd *PartialDeliveryError
			if err == nil || errors.As(err, &pd) != tt.partialE {
				t.Fatalf("OpenDoc = %v, want an error (partial: %v)", err, tt.partialE)
			}
			entries, err := s.AuditLog(AuditFilter{Action: "open"})
			if err != nil || len(entries) == 0 {
				t.Fatalf("audit log: %v, %d open entries", err, len(entries))
			}
			last := entries[len(entries)-1]
			if last.Outcome != tt.outcome || last.Detail["delivered_bytes"] != tt.bytes {
				t.Errorf("open entry: outcome %q, delivered_bytes %q; want %q, %q", last.Outcome, last.Detail["delivered_bytes"], tt.outcome, tt.bytes)
			}
			if last.LetOut() != tt.partialE {
				t.Errorf("LetOut() = %v, want %v", last.LetOut(), tt.partialE)
			}
			if left, _ := filepath.Glob(filepath.Join(s.Dir, intentPrefix+"*")); len(left) > 0 {
				t.Errorf("intent files left: %v", left)
			}
		})
	}
}

// TestStreamKilled: a process killed while writing a document to
// standard output let part of it out; the next writer records the open
// as partial ("unknown" bytes), and the vault verifies.
func TestStreamKilled(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	in := writeFile(t, "t.txt", "Genevieve Okafor-Hale: the rota is the whole thing.\n")
	if _, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "study")
	copyDir(t, s.Dir, dir)
	if !runCrashChild(t, "open-stream", strings.Join([]string{"open-stream", "stream-written", "1", dir, s.Identity.Path, os.DevNull}, "|")) {
		t.Fatal("the child was not killed at stream-written")
	}
	k, err := Open(dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Update(ctx, func(tx *Tx) error { return nil }); err != nil {
		t.Fatalf("next writer: %v", err)
	}
	entries, _ := k.AuditLog(AuditFilter{Action: "open"})
	if len(entries) != 1 || entries[0].Outcome != OutcomePartial || entries[0].Detail["delivered_bytes"] != "unknown" || entries[0].Detail["recorded"] != "after an interruption" {
		t.Fatalf("open entries after the kill: %+v, want one partial, recorded after an interruption", entries)
	}
	if rep, err := k.Verify(true); err != nil || !rep.OK() || len(rep.Notes) > 0 {
		t.Errorf("verify: %v %v %v", err, rep.Problems, rep.Notes)
	}
	if arep, err := k.VerifyAudit(ctx, ""); err != nil || !arep.OK() {
		t.Errorf("audit verify: %v %v", err, arep.Problems)
	}
}
