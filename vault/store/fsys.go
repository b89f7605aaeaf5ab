package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// FS is the file-system seam every write of a directory store goes through,
// so that tests can inject faults (a full disk, an I/O error, a short write)
// at each step. OS is the real one.
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

// TempPrefix marks temporary files; verify reports them and the next writer
// removes them.
const TempPrefix = ".tmp-"

// crashHook is called at every named step of a write. Only crash-consistency
// tests set it (SetCrashHook), in a child process they kill at that step.
var crashHook func(step string)

// SetCrashHook installs f to be called at every named step of a write
// ("after-temp-write", "after-fsync", "before-rename", "before-dir-fsync").
// It exists for crash-consistency tests, which kill a child process at a
// step; nothing else sets it.
func SetCrashHook(f func(step string)) { crashHook = f }

func crashPoint(step string) {
	if crashHook != nil {
		crashHook(step)
	}
}

// WriteAtomic writes a file whose content comes from fill: a temp file in
// the same directory, filled, synced, closed, renamed over name, and the
// directory synced. On any error the temp file is removed and name is
// untouched, except that a *DirSyncError says the rename happened.
func WriteAtomic(fsys FS, name string, fill func(io.Writer) error) error {
	tmp, err := StageFile(fsys, name, fill)
	if err != nil {
		return err
	}
	return place(fsys, tmp, name)
}

// place renames a staged temp file over name and syncs the directory. If
// the rename fails the temp file is removed.
func place(fsys FS, tmp, name string) error {
	crashPoint("before-rename")
	if err := fsys.Rename(tmp, name); err != nil {
		fsys.Remove(tmp)
		return err
	}
	crashPoint("before-dir-fsync")
	if err := fsys.SyncDir(filepath.Dir(name)); err != nil {
		return &DirSyncError{Err: err}
	}
	return nil
}

// DirSyncError reports that the rename happened but the directory could not
// be synced: the new file is in place, its durability unknown.
type DirSyncError struct{ Err error }

func (e *DirSyncError) Error() string { return "syncing the directory: " + e.Err.Error() }
func (e *DirSyncError) Unwrap() error { return e.Err }

// WriteNew is WriteAtomic for a file that did not matter before (an object,
// an output): if the directory cannot be synced after the rename, the new
// file is removed again, so a failed write leaves nothing at name.
func WriteNew(fsys FS, name string, fill func(io.Writer) error) error {
	return undoUnsynced(fsys, name, WriteAtomic(fsys, name, fill))
}

// undoUnsynced removes name again when err says its directory could not be
// synced after the rename.
func undoUnsynced(fsys FS, name string, err error) error {
	var ds *DirSyncError
	if errors.As(err, &ds) {
		fsys.Remove(name)
	}
	return err
}

// StageFile fills a synced temp file beside name and returns its path; the
// caller renames it into place (or removes it). On error nothing is left.
// A large file is written to disk while it is filled (writeBehind).
func StageFile(fsys FS, name string, fill func(io.Writer) error) (_ string, err error) {
	f, err := fsys.CreateTemp(filepath.Dir(name), TempPrefix+filepath.Base(name)+"-*")
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
	if err = fill(newWriteBehind(f)); err != nil {
		return "", err
	}
	crashPoint("after-temp-write")
	if err = f.Sync(); err != nil {
		return "", err
	}
	crashPoint("after-fsync")
	return tmp, f.Close()
}
