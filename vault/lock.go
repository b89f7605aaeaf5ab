package vault

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/vault/store"
)

// lockWait is how long a writer waits for another writer to finish before
// giving up and naming the holder.
var lockWait = 10 * time.Second

// lock is a held flock on the vault's lock file.
type lock struct{ l *store.FileLock }

// acquire takes the lock: exclusive for writers (who then record who holds
// it), shared for readers that need a consistent catalogue and log.
func acquire(dir string, exclusive bool) (*lock, error) {
	return acquireContext(context.Background(), dir, exclusive)
}

// acquireContext is acquire that stops waiting when ctx is cancelled (an
// interrupted command does not wait out another writer). A study on
// object storage takes no lock (a nil *lock, whose release does nothing).
func acquireContext(ctx context.Context, dir string, exclusive bool) (*lock, error) {
	if store.IsURL(dir) {
		return nil, nil // object storage: conditional writes, no lock
	}
	l, err := store.AcquireFile(ctx, filepath.Join(dir, LockFile), exclusive, lockWait)
	if errors.Is(err, store.ErrLockFile) {
		return nil, integrity("%s in the study folder is not the vault's lock file (%v); someone who can write the folder replaced it: remove it, then run 'fieldvault verify'", LockFile, strings.TrimPrefix(err.Error(), store.ErrLockFile.Error()+": "))
	}
	if err != nil {
		return nil, err
	}
	return &lock{l}, nil
}

func (l *lock) release() {
	if l != nil {
		l.l.Release()
	}
}
