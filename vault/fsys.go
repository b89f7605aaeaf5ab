package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
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

// stageOutput writes an exit's output (or an opened document) to a temp
// file beside path, to be renamed into place once the change commits. An
// intent file in the vault names path first, so that if the process dies
// before the rename the next writer removes the temp file: a crash leaves
// no partial output behind.
func (s *Study) stageOutput(tx *Tx, path string, fill func(io.Writer) error) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	intent := filepath.Join(s.Dir, intentPrefix+uuid.NewString())
	done := func() { s.FS.Remove(intent) }
	if err := writeAtomic(s.FS, intent, func(w io.Writer) error {
		_, err := io.WriteString(w, abs)
		return err
	}); err != nil {
		done()
		return fmt.Errorf("recording the output in the vault: %w", err)
	}
	tmp, err := stageFile(s.FS, abs, fill)
	if err != nil {
		done()
		return err
	}
	tx.OnAbort(func() {
		s.FS.Remove(tmp)
		done()
	})
	tx.OnCommit(func() error {
		defer done()
		if err := s.FS.Rename(tmp, abs); err != nil {
			s.FS.Remove(tmp)
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := s.FS.SyncDir(filepath.Dir(abs)); err != nil {
			return fmt.Errorf("writing %s: syncing its directory: %w", path, err)
		}
		return nil
	})
	return nil
}

// intentPrefix names the files that record outputs being staged.
const intentPrefix = tempPrefix + "output-"

// cleanIntents removes the temp files of outputs a crashed command was
// staging, and their intent files.
func (s *Study) cleanIntents() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), intentPrefix) {
			continue
		}
		intent := filepath.Join(s.Dir, e.Name())
		data, err := os.ReadFile(intent)
		if err != nil {
			return nil, err
		}
		out := string(data)
		dir, prefix := filepath.Dir(out), tempPrefix+filepath.Base(out)+"-"
		if others, err := os.ReadDir(dir); err == nil {
			for _, o := range others {
				if strings.HasPrefix(o.Name(), prefix) {
					if err := s.FS.Remove(filepath.Join(dir, o.Name())); err != nil && !os.IsNotExist(err) {
						return nil, fmt.Errorf("removing an unfinished output beside %s: %w", out, err)
					}
					notes = append(notes, "removed an unfinished output beside "+out+" left by an interrupted command")
				}
			}
		}
		if err := s.FS.Remove(intent); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	return notes, nil
}
