package gate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/qdpx"
	"github.com/fieldvault/fieldvault/vault"
)

// TestQDASpoolEncrypted: a selection spool's file is 0600 and holds none
// of what it was given in the clear (the canary: a marker's text, a
// name), yet gives it all back; reading it back removes it.
func TestQDASpoolEncrypted(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	spools, err := newQDASpools()
	if err != nil {
		t.Fatal(err)
	}
	defer spools.remove()
	const canary = "Genevieve Okafor-Hale CANARY-SPOOL-5521"
	st := spools.store()
	sp := qdpx.NewSelectionSpool(uuid.NameSpaceURL, "sel:D1:", st)
	for k := range 500 {
		if err := sp.Add(int64(10*k), qdpx.Selection{Name: canary, Start: k, End: k + 1, CodeGUID: "code"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.End(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(st.path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || !strings.HasPrefix(filepath.Base(st.path), "fieldvault-qda-") || filepath.Dir(st.path) != os.TempDir() {
		t.Errorf("spool %s mode %v, want 0600 fieldvault-qda-* in the temporary directory", st.path, fi.Mode().Perm())
	}
	raw, err := os.ReadFile(st.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{canary, "Genevieve", "CANARY-SPOOL", "sel:D1:"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("spool file holds %q in the clear", secret)
		}
	}
	n := 0
	if err := sp.Each(func(sel *qdpx.Selection) error {
		if sel.Name != canary || sel.Start != n {
			t.Fatalf("selection %d: %+v", n, sel)
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 500 {
		t.Errorf("%d selections back, want 500", n)
	}
	if _, err := os.Stat(st.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("spool file left after it was read: %v", err)
	}
}

// TestQDASpoolsRemoved: export-qda leaves no spool, nor any other file, in
// the temporary directory, whether it succeeds, is refused at its second
// document (after the first one's selections were spooled) or is
// cancelled while its selections are spooled.
func TestQDASpoolsRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 2 MB transcript")
	}
	left := func(t *testing.T, tmp string) {
		t.Helper()
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			t.Errorf("left in the temporary directory: %s", e.Name())
		}
	}
	t.Run("success and refusal", func(t *testing.T) {
		s := canaryStudy(t)
		if _, err := s.Ingest(ctx, vault.IngestRequest{Path: writeFile(t, "b.txt", "Interviewer: Contact?\nGenevieve Okafor-Hale: Write to g.hale@example.org please.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D13"}); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "p.qdpx")
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		if _, err := Run(ctx, s, Request{Exit: ExitQDA, Docs: []string{"D12"}, Output: out, Force: true}); err != nil {
			t.Fatal(err)
		}
		if n := countSelections(t, out); n == 0 {
			t.Fatal("no selection: nothing was spooled")
		}
		left(t, tmp)
		var rerr *ResidualError
		if _, err := Run(ctx, s, Request{Exit: ExitQDA, Docs: []string{"D12", "D13"}, Output: out, Force: true}); !errors.As(err, &rerr) {
			t.Fatalf("err = %v, want a residual refusal", err)
		}
		left(t, tmp)
	})
	t.Run("cancelled", func(t *testing.T) {
		s, h := exportStudy(t, 1000, 2<<20)
		if _, err := s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P2"}); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "p.qdpx")
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			// Cancel once a selection spool is there.
			for cctx.Err() == nil {
				if m, _ := filepath.Glob(filepath.Join(tmp, "fieldvault-qda-*")); len(m) > 0 {
					cancel()
					return
				}
				time.Sleep(100 * time.Microsecond)
			}
		}()
		_, err := Run(cctx, s, Request{Exit: ExitQDA, Docs: []string{h}, Output: out, Force: true})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the export cancelled", err)
		}
		left(t, tmp)
	})
}
