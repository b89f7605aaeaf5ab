package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// lockWait is how long a writer waits for another writer to finish before
// giving up and naming the holder.
var lockWait = 10 * time.Second

// lock is a held flock on the vault's lock file.
type lock struct {
	f         *os.File
	exclusive bool
}

// acquire takes the lock: exclusive for writers (who then record who holds
// it), shared for readers that need a consistent catalogue and log.
func acquire(dir string, exclusive bool) (*lock, error) {
	return acquireContext(context.Background(), dir, exclusive)
}

// acquireContext is acquire that stops waiting when ctx is cancelled (an
// interrupted command does not wait out another writer).
func acquireContext(ctx context.Context, dir string, exclusive bool) (*lock, error) {
	path := filepath.Join(dir, LockFile)
	flag := os.O_RDWR | os.O_CREATE
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil && !exclusive {
		// A reader without write access to the vault: read-only lock file.
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(lockWait)
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
		time.Sleep(50 * time.Millisecond)
	}
	if exclusive {
		host, _ := os.Hostname()
		info := fmt.Sprintf("host %s, pid %d, since %s", host, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(info+"\n"), 0)
		}
	}
	return &lock{f: f, exclusive: exclusive}, nil
}

func (l *lock) release() {
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
