package store_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fieldvault/fieldvault/vault/store"
)

// syncFailFS fails every directory sync once fail is set.
type syncFailFS struct {
	store.OS
	fail bool
}

func (f *syncFailFS) SyncDir(dir string) error {
	if f.fail {
		return syscall.EIO
	}
	return f.OS.SyncDir(dir)
}

// TestWriteSyncFailure: a file whose directory cannot be synced after the
// rename has been written and says so (*DirSyncError): WriteAtomic leaves
// the replacement in place (a catalogue), WriteNew removes the new file
// again (an object). Neither leaves a temp file.
func TestWriteSyncFailure(t *testing.T) {
	tests := []struct {
		name     string
		write    func(store.FS, string, func(io.Writer) error) error
		existing bool   // a file is there before
		want     string // what name holds after; "" for nothing
	}{
		{"WriteAtomic replaces", store.WriteAtomic, true, "generation 2"},
		{"WriteAtomic creates", store.WriteAtomic, false, "generation 2"},
		{"WriteNew creates nothing", store.WriteNew, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "catalog.age")
			if tt.existing {
				if err := store.WriteAtomic(store.OS{}, name, fill("generation 1")); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.write(&syncFailFS{fail: true}, name, fill("generation 2"))
			var ds *store.DirSyncError
			if !errors.As(err, &ds) || !errors.Is(err, syscall.EIO) {
				t.Fatalf("write with a failing directory sync = %v, want a DirSyncError wrapping EIO", err)
			}
			got, err := os.ReadFile(name)
			switch {
			case tt.want == "" && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("an unsynced new file stayed (%q, %v)", got, err)
			case tt.want != "" && (err != nil || string(got) != tt.want):
				t.Errorf("after the unsynced write the file reads %q (%v), want %q", got, err, tt.want)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), store.TempPrefix) {
					t.Errorf("temp file %s left behind", e.Name())
				}
			}
		})
	}
}

func fill(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}
