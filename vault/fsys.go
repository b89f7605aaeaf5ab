package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FS is the file-system seam every write of the vault goes through, so that
// tests can inject faults (a full disk, an I/O error, a short write) at each
// step. OS is the real one.
type FS interface {
	// CreateTemp creates a new file in dir for writing, mode 0600.
	CreateTemp(dir, pattern string) (File, error)
	// OpenAppend opens (creating if needed, mode 0600) a file for appending.
	OpenAppend(name string) (File, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	MkdirAll(path string, perm os.FileMode) error
	// SyncDir makes a directory's entries (a rename, a new or removed file) durable.
	SyncDir(dir string) error
	Truncate(name string, size int64) error
}

// File is a file being written.
type File interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// OS is the real file system.
type OS struct{}

func (OS) CreateTemp(dir, pattern string) (File, error) { return os.CreateTemp(dir, pattern) }

func (OS) OpenAppend(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

func (OS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (OS) Remove(name string) error                     { return os.Remove(name) }
func (OS) MkdirAll(path string, perm os.FileMode) error { return os.MkdirAll(path, perm) }
func (OS) Truncate(name string, size int64) error       { return os.Truncate(name, size) }

func (OS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// tempPrefix marks temporary files; verify reports them and the next writer
// removes them.
const tempPrefix = ".tmp-"

// writeAtomic writes a file whose content comes from fill: a temp file in the
// same directory, filled, synced, closed, renamed over name, and the
// directory synced. On any error the temp file is removed and name is
// untouched.
func writeAtomic(fsys FS, name string, fill func(io.Writer) error) error {
	tmp, err := stageFile(fsys, name, fill)
	if err != nil {
		return err
	}
	crashPoint("before-rename")
	if err := fsys.Rename(tmp, name); err != nil {
		fsys.Remove(tmp)
		return err
	}
	crashPoint("before-dir-fsync")
	if err := fsys.SyncDir(filepath.Dir(name)); err != nil {
		return &dirSyncError{err}
	}
	return nil
}

// dirSyncError reports that the rename happened but the directory could not
// be synced: the new file is in place, its durability unknown.
type dirSyncError struct{ err error }

func (e *dirSyncError) Error() string { return "syncing the directory: " + e.err.Error() }
func (e *dirSyncError) Unwrap() error { return e.err }

// writeNew is writeAtomic for a file that did not matter before (an object,
// an output): if the directory cannot be synced after the rename, the new
// file is removed again, so a failed write leaves nothing at name.
func writeNew(fsys FS, name string, fill func(io.Writer) error) error {
	err := writeAtomic(fsys, name, fill)
	var ds *dirSyncError
	if errors.As(err, &ds) {
		fsys.Remove(name)
	}
	return err
}

// stageFile fills a synced temp file beside name and returns its path; the
// caller renames it into place (or removes it). On error nothing is left.
func stageFile(fsys FS, name string, fill func(io.Writer) error) (_ string, err error) {
	f, err := fsys.CreateTemp(filepath.Dir(name), tempPrefix+filepath.Base(name)+"-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			fsys.Remove(tmp)
		}
	}()
	if err = fill(f); err != nil {
		return "", err
	}
	crashPoint("after-temp-write")
	if err = f.Sync(); err != nil {
		return "", err
	}
	crashPoint("after-fsync")
	return tmp, f.Close()
}

// checkOutput refuses an output path inside the vault, or an existing file
// unless force is set.
func checkOutput(vaultDir, path string, force bool) error {
	if inside(vaultDir, path) {
		return fmt.Errorf("%w: output %s is inside the vault", ErrInvalid, path)
	}
	if _, err := os.Lstat(path); err == nil && !force {
		return fmt.Errorf("%w: output %s exists (use --force to replace it)", ErrInvalid, path)
	}
	return nil
}

// deliverOnCommit moves a staged output into place once the change has
// committed, and removes it if the change does not.
func (s *Study) deliverOnCommit(tx *Tx, tmp, path string) {
	tx.OnAbort(func() { s.FS.Remove(tmp) })
	tx.OnCommit(func() error {
		if err := s.FS.Rename(tmp, path); err != nil {
			s.FS.Remove(tmp)
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := s.FS.SyncDir(filepath.Dir(path)); err != nil {
			return fmt.Errorf("writing %s: syncing its directory: %w", path, err)
		}
		return nil
	})
}
