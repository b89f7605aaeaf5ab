package vault

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFilesInVault: someone who can write the study folder puts a
// symbolic link, a hard link, a named pipe or a device where the vault
// keeps a file. No command follows the lock file to overwrite what it
// leads to (the researcher's chapter here), none blocks on a pipe (which
// no signal ends, and an exit would hold the writer's lock meanwhile):
// each is an integrity problem naming the file.
func TestSpecialFilesInVault(t *testing.T) {
	base, _, _ := rekeyStudy(t)
	cat, err := base.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := cat.Doc("D1")
	object := filepath.Join("objects", d1.Latest().Object[:2], d1.Latest().Object+".age")
	fifo := func(p string) error { return syscall.Mkfifo(p, 0o600) }
	tests := []struct {
		name  string
		file  string
		plant func(path, chapter string) error
		// writes, reads: whether a writer (participant add), a reader
		// (open D1) meets it.
		writes, reads bool
	}{
		{"lock is a symbolic link", LockFile, func(p, ch string) error { return os.Symlink(ch, p) }, true, false},
		{"lock is a hard link", LockFile, func(p, ch string) error { return os.Link(ch, p) }, true, false},
		{"lock is a named pipe", LockFile, func(p, _ string) error { return fifo(p) }, true, false},
		{"an object is a named pipe", object, func(p, _ string) error { return fifo(p) }, false, true},
		{"an object leads to a device", object, func(p, _ string) error { return os.Symlink("/dev/zero", p) }, false, true},
		{"the catalogue is a named pipe", CatalogFile, func(p, _ string) error { return fifo(p) }, true, true},
		{"the config is a named pipe", ConfigFile, func(p, _ string) error { return fifo(p) }, true, true},
		{"the pseudonym key is a named pipe", LocalKeyFile, func(p, _ string) error { return fifo(p) }, true, false},
		{"rekey.json is a named pipe", rekeyFile, func(p, _ string) error { return fifo(p) }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "study")
			copyDir(t, base.Dir, dir)
			chapter := filepath.Join(t.TempDir(), "chapter3.md")
			const text = "# Chapter 3\n\nThe researcher's own draft.\n"
			if err := os.WriteFile(chapter, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tt.file)
			os.Remove(path)
			if err := tt.plant(path, chapter); err != nil {
				t.Fatal(err)
			}
			within := func(what string, f func() error) error {
				t.Helper()
				done := make(chan error, 1)
				go func() { done <- f() }()
				select {
				case err := <-done:
					return err
				case <-time.After(20 * time.Second):
					t.Fatalf("%s blocked on %s", what, tt.file)
					return nil
				}
			}
			err := within("opening the study", func() error {
				s, err := Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path, Now: fixedNow})
				if err != nil {
					return err
				}
				err = s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Bramwell Ashdown"}})
				if tt.writes && !errors.Is(err, ErrIntegrity) {
					t.Errorf("participant add: %v, want an integrity error", err)
				}
				if !tt.reads {
					return nil
				}
				out := filepath.Join(t.TempDir(), "d1.txt")
				if _, err := s.OpenDoc(ctx, OpenRequest{Handle: "D1", Output: out}); !errors.Is(err, ErrIntegrity) {
					t.Errorf("open D1: %v, want an integrity error", err)
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("open D1 wrote %s", out)
				}
				tar := filepath.Join(t.TempDir(), "backup.tar")
				if _, err := s.Backup(ctx, BackupRequest{Output: tar}); !errors.Is(err, ErrIntegrity) {
					t.Errorf("backup: %v, want an integrity error", err)
				}
				if _, err := os.Stat(tar); err == nil {
					t.Errorf("backup wrote %s", tar)
				}
				return nil
			})
			if err != nil && !errors.Is(err, ErrIntegrity) {
				t.Errorf("open the study: %v, want an integrity error", err)
			}
			if got, _ := os.ReadFile(chapter); string(got) != text {
				t.Errorf("the chapter the lock file led to now reads %q", got)
			}
		})
	}
}
