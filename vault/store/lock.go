package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// LockedError reports that another writer holds a study directory's lock.
type LockedError struct {
	Holder string // "host h, pid n, since t" as the holder wrote it
}

func (e *LockedError) Error() string {
	if e.Holder == "" {
		return "the study vault is locked by another fieldvault process"
	}
	return "the study vault is locked by another fieldvault process (" + e.Holder + ")"
}

// ErrLockFile reports a lock file that is not a regular file of its own
// (a symbolic link, a hard link, a named pipe): someone who can write the
// study folder replaced it.
var ErrLockFile = errors.New("the lock file is not a regular file of its own")

// FileKind names what a file that is not a regular file is, for a
// message: "a named pipe", "a directory".
func FileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// FileLock is a held flock on a lock file.
type FileLock struct {
	f         *os.File
	exclusive bool
}

// AcquireFile takes a flock on the file at path, waiting up to wait for
// another holder: exclusive for writers (who then record who holds it in
// the file), shared for readers that need a consistent view. After wait it
// gives up with a *LockedError naming the holder; a cancelled ctx ends the
// wait with ctx's error (an interrupted command does not wait out another
// writer).
func AcquireFile(ctx context.Context, path string, exclusive bool, wait time.Duration) (*FileLock, error) {
	// The lock file is truncated and written by a writer: a symbolic
	// link or a hard link planted in its place by anyone who can write the
	// study folder would have the researcher's process overwrite the file
	// it leads to. O_NOFOLLOW refuses a symbolic link, O_NONBLOCK keeps a
	// named pipe from blocking the open, and only a regular file with one
	// link is used.
	const flags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|flags, 0o600)
	if err != nil && !exclusive && !errors.Is(err, syscall.ELOOP) {
		// A reader without write access to the vault: read-only lock file.
		f, err = os.OpenFile(path, os.O_RDONLY|flags, 0)
	}
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%w: it is a symbolic link", ErrLockFile)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("opening the lock file: %w", err)
	} else if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%w: it is %s", ErrLockFile, FileKind(fi.Mode()))
	} else if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink != 1 {
		f.Close()
		return nil, fmt.Errorf("%w: it has %d hard links", ErrLockFile, st.Nlink)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking the study vault: %w", err)
		}
		if err := ctx.Err(); err != nil {
			f.Close()
			return nil, err
		}
		if time.Now().After(deadline) {
			holder, _ := io.ReadAll(io.LimitReader(f, 256))
			f.Close()
			return nil, &LockedError{Holder: strings.TrimSpace(string(holder))}
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	if exclusive {
		host, _ := os.Hostname()
		info := fmt.Sprintf("host %s, pid %d, since %s", host, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(info+"\n"), 0)
		}
	}
	return &FileLock{f: f, exclusive: exclusive}, nil
}

// Release gives the lock up; it is safe to call more than once.
func (l *FileLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	if l.exclusive {
		l.f.Truncate(0)
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}
