package vault

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

// TestBackupUnderConcurrentWriters takes backups while other writers ingest
// and flag: each backup verifies (objects read, audit chain against the
// catalogue's head) and, restored, opens at one whole generation.
func TestBackupUnderConcurrentWriters(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	var stop atomic.Bool
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ws, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path, Now: fixedNow})
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; !stop.Load(); i++ {
				p := writeFile(t, "n.txt", fmt.Sprintf("Interviewer: writer %d, note %d\nGenevieve Okafor-Hale: yes\n", w, i))
				d, err := ws.Ingest(ctx, IngestRequest{Path: p, Kind: policy.KindTranscript, Participants: []string{"P1"}})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if err := ws.Flag(ctx, FlagRequest{Doc: d.Handle, From: 2, To: 2, Kind: policy.FlagDNQ, Reason: "asked"}); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				writes.Add(2)
				time.Sleep(20 * time.Millisecond) // a person types between commands
			}
		}(w)
	}
	var lastGen uint64
	for i := 0; i < 4; i++ {
		// Let the writers get ahead, then back up while they go on.
		deadline := time.Now().Add(20 * time.Second)
		for writes.Load() < int64(4*(i+1)) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		out := filepath.Join(t.TempDir(), fmt.Sprintf("b%d.tar", i))
		res, err := s.Backup(ctx, BackupRequest{Output: out})
		if err != nil {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("backup %d: %v", i, err)
		}
		if !res.Verify.OK() || !res.Audit.OK() || res.Verify.Objects == 0 {
			t.Errorf("backup %d: %+v %+v", i, res.Verify, res.Audit)
		}
		dir := filepath.Join(t.TempDir(), "restored")
		if err := Restore(out, dir); err != nil {
			t.Fatal(err)
		}
		r, err := Open(dir, Options{Providers: testProviders, IdentityFile: s.Identity.Path})
		if err != nil {
			t.Fatal(err)
		}
		cat, err := r.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		if cat.Generation < lastGen {
			t.Errorf("backup %d: generation %d after %d", i, cat.Generation, lastGen)
		}
		lastGen = cat.Generation
		rep, err := r.Verify(true)
		if err != nil || !rep.OK() || len(rep.Notes) != 0 {
			t.Errorf("backup %d restored: %v %+v", i, err, rep)
		}
		arep, err := r.VerifyAudit(ctx, "")
		if err != nil || !arep.OK() || arep.Entries != int(cat.Audit.Seq) {
			t.Errorf("backup %d restored: audit %v %+v (head %d)", i, err, arep, cat.Audit.Seq)
		}
		if res.Verify.Objects != len(cat.Documents) {
			t.Errorf("backup %d: %d objects read, the restored catalogue has %d documents", i, res.Verify.Objects, len(cat.Documents))
		}
	}
	stop.Store(true)
	wg.Wait()
	if writes.Load() == 0 {
		t.Error("no write happened while backing up")
	}
	t.Logf("writes while backing up: %d", writes.Load())
}

func TestBackupRefusals(t *testing.T) {
	s := newStudy(t)
	existing := writeFile(t, "b.tar", "x")
	for _, tc := range []struct{ name, out string }{
		{"none", ""},
		{"exists", existing},
		{"inside the vault", filepath.Join(s.Dir, "b.tar")},
	} {
		before := snapshot(t, s.Dir)
		if _, err := s.Backup(ctx, BackupRequest{Output: tc.out}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", tc.name, err)
		}
		sameSnapshot(t, before, snapshot(t, s.Dir))
	}
	// A tar with an entry outside the target is refused on restore.
	bad := filepath.Join(t.TempDir(), "bad.tar")
	if err := os.WriteFile(bad, []byte("not a tar at all, but long enough to read a header from it........"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Restore(bad, t.TempDir()); err == nil {
		t.Error("restored a file that is not a tar")
	}
}

// tarOf builds a tar of (name, content) pairs, for seeds.
func tarOf(tb testing.TB, typ byte, files ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		hdr := &tar.Header{Typeflag: typ, Name: files[i], Size: int64(len(files[i+1])), Mode: 0o600}
		if typ != tar.TypeReg {
			hdr.Size, hdr.Linkname = 0, "/etc/passwd"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			tb.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(files[i+1]))
		}
	}
	tw.Close()
	return buf.Bytes()
}

// FuzzRestore: restoring any file never panics and never writes outside the
// target directory; an entry that climbs out, a link or a device is refused.
func FuzzRestore(f *testing.F) {
	seeds := [][]byte{
		tarOf(f, tar.TypeReg, "fieldvault.json", "{}", "objects/ab/x.age", "age"),
		tarOf(f, tar.TypeReg, "../escape", "x"),
		tarOf(f, tar.TypeReg, "/abs", "x"),
		tarOf(f, tar.TypeSymlink, "link", ""),
		tarOf(f, tar.TypeReg, "a", "1", "a", "2"),
		[]byte("not a tar"),
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		src := filepath.Join(root, "in.tar")
		if err := os.WriteFile(src, data, 0o600); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, "out")
		_ = Restore(src, dst)
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "in.tar" && e.Name() != "out" {
				t.Fatalf("restore wrote %s outside its directory", e.Name())
			}
		}
		filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !d.Type().IsRegular() {
				t.Fatalf("restore made a non-regular file %s", p)
			}
			return nil
		})
	})
}
