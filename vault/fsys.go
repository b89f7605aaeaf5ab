package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/google/uuid"
)

// FS is the file-system seam every write of the vault goes through, so that
// tests can inject faults at each step; package store defines it, with the
// atomic writes over it. OS is the real one.
type (
	FS   = store.FS
	File = store.File
	OS   = store.OS
)

// tempPrefix marks temporary files; verify reports them and the next writer
// removes them.
const tempPrefix = store.TempPrefix

// writeAtomic replaces name with what fill writes (store.WriteAtomic). A
// *dirSyncError says the rename happened but the directory was not synced.
func writeAtomic(fsys FS, name string, fill func(io.Writer) error) error {
	return fromStore(name, store.WriteAtomic(fsys, name, fill))
}

// writeNew is store.WriteNew: a failed write leaves nothing at name.
func writeNew(fsys FS, name string, fill func(io.Writer) error) error {
	return fromStore(name, store.WriteNew(fsys, name, fill))
}

// stageFile is store.StageFile.
func stageFile(fsys FS, name string, fill func(io.Writer) error) (string, error) {
	return store.StageFile(fsys, name, fill)
}

// dirSyncError reports that the rename happened but the directory could not
// be synced: the new file is in place, its durability unknown.
type dirSyncError struct{ err error }

func (e *dirSyncError) Error() string { return "syncing the directory: " + e.err.Error() }
func (e *dirSyncError) Unwrap() error { return e.err }

// fromStore gives the store's write errors the vault's shapes: a directory
// that could not be synced is a *dirSyncError, and a failed rename names
// the file written, not its temp file.
func fromStore(name string, err error) error {
	var ds *store.DirSyncError
	if errors.As(err, &ds) {
		return &dirSyncError{ds.Err}
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return &sideError{"replacing " + filepath.Base(name), le.Err}
	}
	return err
}

// checkOutput checks an output path before any work is done: not inside
// the vault, not an existing file unless force is set, never a directory or
// anything but a regular file, in a directory that exists and can be
// written to. Each refusal names the path and what to do.
func checkOutput(vaultDir, path string, force bool) error {
	if inside(vaultDir, path) {
		return fmt.Errorf("%w: output %s is inside the vault; write it outside the study folder", ErrInvalid, path)
	}
	if err := CheckOutputTarget(path); err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("%w: output %s exists (use --force to replace it)", ErrInvalid, path)
	}
	return nil
}

// CheckOutputTarget checks where an output file would go, before anything
// else is checked or done: never a directory or anything but a regular
// file, in a directory that exists and can be written to. Each refusal
// names the path and what to do. "" (standard output) passes.
func CheckOutputTarget(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil {
		switch {
		case fi.IsDir():
			return fmt.Errorf("%w: output %s is a directory; name a file, e.g. %s", ErrInvalid, path, filepath.Join(path, "out.md"))
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%w: output %s exists and is not a regular file", ErrInvalid, path)
		}
	} else if _, lerr := os.Lstat(path); lerr == nil {
		return fmt.Errorf("%w: output %s is a dangling symbolic link; remove it or name another file", ErrInvalid, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%w: the output directory %s does not exist; create it first (mkdir -p %s)", ErrInvalid, dir, dir)
	case err != nil:
		return fmt.Errorf("%w: the output directory %s: %v", ErrInvalid, dir, errors.Unwrap(err))
	case !fi.IsDir():
		return fmt.Errorf("%w: %s in the output path is not a directory", ErrInvalid, dir)
	}
	if err := writable(dir); err != nil {
		return fmt.Errorf("%w: the output directory %s is not writable (%v); choose another place or fix its permissions", ErrInvalid, dir, err)
	}
	return nil
}

// precheckOutput is checkOutput before an exit's work starts ("" is a stream).
func (s *Study) precheckOutput(path string, force bool) error {
	if path == "" {
		return nil
	}
	return checkOutput(s.Dir, path, force)
}

// CheckOutput is checkOutput for commands outside this package that write
// a file the vault does not stage (reports, audit CSV): run it before work.
func (s *Study) CheckOutput(path string, force bool) error { return checkOutput(s.Dir, path, force) }

// stageOutput writes an exit's output (or an opened document) to a temp
// file beside path, renamed into place when the change is complete and
// before it commits. An intent file in the vault names path first, so that
// if the process dies before the rename the next writer removes the temp
// file: a crash leaves no partial output behind.
func (s *Study) stageOutput(tx *Tx, path string, fill func(io.Writer) error) error {
	_, err := s.stageOutputFile(tx, path, nil, fill)
	return err
}

// stageOutputFile is stageOutput that returns the staged temp file, for a
// caller that checks it before it is delivered (a backup). known, if not
// nil, gives the output's SHA-256 once fill has written it (an opened
// document: readObject verifies that what it wrote has it; an export
// hashes what it writes), so that it is not computed twice; with known nil
// it is computed as fill writes, on a goroutine of its own.
func (s *Study) stageOutputFile(tx *Tx, path string, known func() string, fill func(io.Writer) error) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	intent, err := s.newIntent()
	if err != nil {
		return "", err
	}
	done := func() { s.FS.Remove(intent) }
	if err := writeIntent(s.FS, intent, outputIntent{Output: abs}); err != nil {
		done()
		return "", nameSide(err, "recording the output in the vault")
	}
	var sum string
	tmp, err := stageFile(s.FS, abs, func(w io.Writer) error {
		if known != nil {
			err := fill(sideWriter{w, "writing " + path})
			sum = known()
			return err
		}
		h := newBGHash()
		defer h.stop()
		err := fill(sideWriter{io.MultiWriter(w, h), "writing " + path})
		sum = h.sum()
		return err
	})
	if err != nil {
		done()
		return "", nameSide(err, "writing "+path)
	}
	_, existed := os.Lstat(abs)
	undo := func() {
		if existed != nil { // a new file: take it back; a replaced one stays
			s.FS.Remove(abs)
		}
	}
	tx.OnAbort(func() {
		s.FS.Remove(tmp)
		done()
	})
	tx.OnCommit(done)
	tx.Deliver(func() error {
		// The intent now names what is delivered and the exit's entries,
		// so that if the process dies between this rename and the commit,
		// the next writer records the delivered exit (recoverIntents).
		oi := outputIntent{Output: abs, SHA256: sum, Entries: tx.entries}
		if err := writeIntent(s.FS, intent, oi); err != nil {
			return nameSide(err, "recording the output in the vault")
		}
		if err := s.FS.Rename(tmp, abs); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		if err := s.FS.SyncDir(filepath.Dir(abs)); err != nil {
			undo()
			return fmt.Errorf("writing %s: syncing its directory: %w", path, err)
		}
		return nil
	}, undo)
	return tmp, nil
}

// intentPrefix names the files that record outputs being staged.
const intentPrefix = tempPrefix + "output-"

// On object storage no lock keeps writers apart, so the intent files of
// commands running at once on one machine share a directory, and one
// command's recovery must not take another's staged output for an
// interrupted one. Each process marks its intents with an owner id
// ("<intentPrefix><owner>.<uuid>") and holds a flock on the owner's file
// ("<livePrefix><owner>") while it lives; the kernel releases it when the
// process ends, however it ends, so an intent whose owner's file is not
// locked is an interrupted command's.
const livePrefix = tempPrefix + "live-"

// liveIntents is this process's owner id and the lock that marks it live.
type liveIntents struct {
	id   string
	lock *store.FileLock
}

// newIntent names a new intent file in the intent directory: on object
// storage marked with this process's owner id, whose file it then locks.
func (s *Study) newIntent() (string, error) {
	idir, err := s.intentDir()
	if err != nil {
		return "", err
	}
	if s.Store == nil {
		// A directory vault's writers hold its lock: no intent found by
		// recovery is a live command's.
		return filepath.Join(idir, intentPrefix+uuid.NewString()), nil
	}
	if s.live == nil {
		id := uuid.NewString()
		l, err := store.AcquireFile(context.Background(), filepath.Join(idir, livePrefix+id), true, 0)
		if err != nil {
			return "", fmt.Errorf("marking this command's outputs as live: %w", err)
		}
		s.live = &liveIntents{id: id, lock: l}
	}
	return filepath.Join(idir, intentPrefix+s.live.id+"."+uuid.NewString()), nil
}

// intentLive reports whether the intent file name is a command's that is
// still running (this one's, or another process's whose owner file is
// locked).
func (s *Study) intentLive(idir, name string) bool {
	owner, _, ok := strings.Cut(strings.TrimPrefix(name, intentPrefix), ".")
	if !ok {
		return false // no owner: an earlier release's, or a directory vault's
	}
	if s.live != nil && owner == s.live.id {
		return true
	}
	return ownerLive(filepath.Join(idir, livePrefix+owner))
}

// ownerLive reports whether another process holds the owner file's lock.
func ownerLive(path string) bool {
	l, err := store.AcquireFile(context.Background(), path, true, 0)
	if err != nil {
		var locked *store.LockedError
		return errors.As(err, &locked)
	}
	l.Release()
	return false
}

// sweepLive removes the owner files of processes that have ended (their
// lock is free) and whose intents are gone.
func (s *Study) sweepLive(idir string, dirents []os.DirEntry) {
	for _, e := range dirents {
		owner, ok := strings.CutPrefix(e.Name(), livePrefix)
		if !ok || s.live != nil && owner == s.live.id {
			continue
		}
		path := filepath.Join(idir, e.Name())
		l, err := store.AcquireFile(context.Background(), path, true, 0)
		if err != nil {
			continue
		}
		if matches, _ := filepath.Glob(filepath.Join(idir, intentPrefix+owner+".*")); len(matches) == 0 {
			s.FS.Remove(path)
		}
		l.Release()
	}
}

// outputIntent is the content of an intent file: the output being
// staged; once it is being delivered, also its SHA-256 and the audit
// entries its exit commits.
type outputIntent struct {
	Output  string  `json:"output"`
	SHA256  string  `json:"sha256,omitempty"`
	Entries []Entry `json:"entries,omitempty"`
	Stream  bool    `json:"stream,omitempty"` // written to standard output (DeliverStream)
}

func writeIntent(fsys FS, name string, oi outputIntent) error {
	return writeAtomic(fsys, name, func(w io.Writer) error { return json.NewEncoder(w).Encode(oi) })
}

// readIntent reads an intent file (one of an earlier release holds the
// output path alone).
func readIntent(name string) (outputIntent, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return outputIntent{}, err
	}
	var oi outputIntent
	if json.Unmarshal(data, &oi) != nil || oi.Output == "" {
		return outputIntent{Output: string(data)}, nil
	}
	return oi, nil
}

// cleanIntents removes the temp files of outputs a crashed command was
// staging, and their intent files. An output that was delivered but whose
// exit the crash kept from the audit log (the file is in place with the
// recorded SHA-256) is returned with its entries, to be recorded now.
func (s *Study) cleanIntents() (notes []string, delivered []Entry, err error) {
	idir, err := s.intentDir()
	if err != nil {
		return nil, nil, err
	}
	dirents, err := os.ReadDir(idir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range dirents {
		if !strings.HasPrefix(e.Name(), intentPrefix) {
			continue
		}
		intent := filepath.Join(idir, e.Name())
		if s.intentLive(idir, e.Name()) {
			continue // a command running now (object storage takes no lock)
		}
		oi, err := readIntent(intent)
		if err != nil {
			return nil, nil, err
		}
		if oi.Stream {
			// An output to a stream was being written when the command
			// died: how much of it left is unknown, and that it began is
			// enough to record it.
			if len(oi.Entries) > 0 {
				for _, en := range partialEntries(oi.Entries, "unknown") {
					en.Detail["recorded"] = "after an interruption"
					delivered = append(delivered, en)
				}
				notes = append(notes, "recorded an output to standard output that an interruption cut short as a partial exit")
			}
			if err := s.FS.Remove(intent); err != nil && !os.IsNotExist(err) {
				return nil, nil, err
			}
			continue
		}
		out := oi.Output
		unfinished := false
		dir, prefix := filepath.Dir(out), tempPrefix+filepath.Base(out)+"-"
		if others, err := os.ReadDir(dir); err == nil {
			for _, o := range others {
				if strings.HasPrefix(o.Name(), prefix) {
					rm := s.FS.Remove
					if o.IsDir() { // a backup directory being staged
						rm = os.RemoveAll
					}
					if err := rm(filepath.Join(dir, o.Name())); err != nil && !os.IsNotExist(err) {
						return nil, nil, fmt.Errorf("removing an unfinished output beside %s: %w", out, err)
					}
					unfinished = true
					notes = append(notes, "removed an unfinished output beside "+out+" left by an interrupted command")
				}
			}
		}
		if !unfinished && len(oi.Entries) > 0 && fileSHA256(out) == oi.SHA256 {
			for _, en := range oi.Entries {
				if en.Detail == nil {
					en.Detail = map[string]string{}
				}
				en.Detail["recorded"] = "after an interruption"
				delivered = append(delivered, en)
			}
			notes = append(notes, "recorded the exit that delivered "+out+" before an interruption kept it from the audit log")
		}
		if err := s.FS.Remove(intent); err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
	}
	s.sweepLive(idir, dirents)
	return notes, delivered, nil
}

// fileSHA256 is the hex SHA-256 of a file's content, "" if it cannot be read.
func fileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writable reports whether this process may create files in dir.
func writable(dir string) error {
	if err := syscall.Access(dir, 0x2|0x1); err != nil { // W_OK|X_OK
		return err
	}
	return nil
}

// sideError says which side of a copy failed (reading the input, writing
// the object or the output), so that a message names the real cause and
// the path the user gave, never a temp file.
type sideError struct {
	what string
	err  error
}

func (e *sideError) Error() string { return e.what + ": " + e.err.Error() }
func (e *sideError) Unwrap() error { return e.err }

// sideReader and sideWriter tag their errors with what failed.
type sideReader struct {
	r    io.Reader
	what string
}

func (r sideReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sideError{r.what, unwrapPath(err)}
	}
	return n, err
}

type sideWriter struct {
	w    io.Writer
	what string
}

func (w sideWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		err = &sideError{w.what, unwrapPath(err)}
	}
	return n, err
}

// nameSide names a file-system failure of a write (creating, syncing,
// closing or renaming the temp file) as what; errors already tagged, and
// errors of another kind (a damaged object, an interrupt), pass unchanged.
func nameSide(err error, what string) error {
	var (
		se    *sideError
		pe    *os.PathError
		le    *os.LinkError
		errno syscall.Errno
	)
	switch {
	case errors.As(err, &se):
		if strings.HasPrefix(se.what, "replacing "+tempPrefix) { // a file of ours: name what it was for
			return &sideError{what, se.err}
		}
		return err
	case errors.As(err, &pe):
		return &sideError{what, pe.Err}
	case errors.As(err, &le):
		return &sideError{what, le.Err}
	case errors.As(err, &errno):
		return &sideError{what, errno}
	}
	return err
}
