package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Dir is a study vault in a directory on a local disk. Every write is
// atomic (temp file beside the target, fsync, rename, fsync of the
// directory); a crash leaves the previous or the next item, never a broken
// one. Versions are the SHA-256 of an item's content.
type Dir struct {
	Root string
	FS   FS // nil = OS
	// LockWait bounds how long Lock waits for another holder (0 = 10 s).
	LockWait time.Duration
}

// NewDir returns the directory store at root.
func NewDir(root string) *Dir { return &Dir{Root: root} }

func (d *Dir) String() string { return d.Root }

func (d *Dir) fs() FS {
	if d.FS == nil {
		return OS{}
	}
	return d.FS
}

func (d *Dir) fail(op, key string, err error) error {
	return &Error{Store: d.name(), Op: op, Key: key, Err: err}
}

func (d *Dir) name() string { return "directory " + d.Root }

func (d *Dir) path(key string) string { return filepath.Join(d.Root, filepath.FromSlash(key)) }

// open opens key inside the root: a symbolic link that leads out of the
// directory is refused (os.Root).
func (d *Dir) open(key string) (*os.File, os.FileInfo, error) {
	root, err := os.OpenRoot(d.Root)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(key))
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%w: not a regular file", ErrNotExist)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// Get opens key; the reader's Version hashes the open file on first call.
func (d *Dir) Get(ctx context.Context, key string) (*Reader, error) {
	if err := checkKey(d.name(), "get", key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, d.fail("get", key, err)
	}
	f, fi, err := d.open(key)
	if err != nil {
		return nil, d.fail("get", key, err)
	}
	var once sync.Once
	var ver string
	var verr error
	return &Reader{
		ReadCloser: f,
		Size:       fi.Size(),
		Modified:   fi.ModTime(),
		version: func() (string, error) {
			once.Do(func() {
				ver, verr = hashReader(io.NewSectionReader(f, 0, fi.Size()))
				if verr != nil {
					verr = d.fail("get", key, verr)
				}
			})
			return ver, verr
		},
	}, nil
}

func hashReader(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// current is the version of the item at key now, "" if there is none.
func (d *Dir) current(key string) (string, error) {
	f, _, err := d.open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	return hashReader(f)
}

// PutNew stages the item beside key and renames it into place under the
// directory's flock if key is still free.
func (d *Dir) PutNew(ctx context.Context, key string, fill Fill) (Info, error) {
	info, err := d.write(ctx, "put-new", key, fill, func(cur string) error {
		if cur != "" {
			return ErrExists
		}
		return nil
	})
	if err != nil {
		return Info{}, err
	}
	return info, nil
}

// Replace stages the item beside key and renames it into place under the
// directory's flock if key still holds version match. An error wrapping a
// *DirSyncError means the item was replaced but the directory could not be
// synced: the change happened, its durability is unknown (PutNew removes
// the new item again instead).
func (d *Dir) Replace(ctx context.Context, key, match string, fill Fill) (Info, error) {
	return d.write(ctx, "replace", key, fill, func(cur string) error {
		if cur != match {
			return ErrConflict
		}
		return nil
	})
}

// write stages fill's content in a synced temp file, then, holding an
// exclusive flock on the target's directory, checks the item there with
// check and renames the temp file over it. Every writer of the directory's
// items takes the same flock, so the check and the rename are one step.
func (d *Dir) write(ctx context.Context, op, key string, fill Fill, check func(cur string) error) (Info, error) {
	if err := checkKey(d.name(), op, key); err != nil {
		return Info{}, err
	}
	fsys := d.fs()
	name := d.path(key)
	if err := fsys.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return Info{}, d.fail(op, key, err)
	}
	h := sha256.New()
	var size int64
	tmp, err := StageFile(fsys, name, func(w io.Writer) error {
		cw := &ctxWriter{ctx: ctx, w: io.MultiWriter(w, h)}
		err := fill(cw)
		size = cw.n
		return err
	})
	if err != nil {
		return Info{}, d.fail(op, key, err)
	}
	unlock, err := flockDir(filepath.Dir(name))
	if err != nil {
		fsys.Remove(tmp)
		return Info{}, d.fail(op, key, err)
	}
	defer unlock()
	cur, err := d.current(key)
	if err == nil {
		err = check(cur)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		fsys.Remove(tmp)
		return Info{}, d.fail(op, key, err)
	}
	err = place(fsys, tmp, name)
	if op == "put-new" {
		err = undoUnsynced(fsys, name, err)
	}
	if err != nil {
		return Info{}, d.fail(op, key, err)
	}
	return Info{Key: key, Size: size, Version: hex.EncodeToString(h.Sum(nil)), Modified: time.Now()}, nil
}

// flockDir holds an exclusive flock on a directory until the returned func
// is called.
func flockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// List walks the directory holding prefix; temp files and the lock file are
// not items, nor are files whose names are not valid keys.
func (d *Dir) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := checkPrefix(d.name(), prefix); err != nil {
		return err
	}
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = prefix[:i]
	}
	root, err := os.OpenRoot(d.Root)
	if err != nil {
		return d.fail("list", prefix, err)
	}
	defer root.Close()
	var items []Info
	err = fs.WalkDir(root.FS(), start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			if strings.HasPrefix(e.Name(), TempPrefix) {
				return fs.SkipDir
			}
			return nil
		}
		key := path.Clean(p)
		if !e.Type().IsRegular() || !ValidKey(key) || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while we walked
		}
		if err != nil {
			return err
		}
		items = append(items, Info{Key: key, Size: fi.Size(), Modified: fi.ModTime()})
		return nil
	})
	if err != nil {
		return d.fail("list", prefix, err)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes key and syncs its directory; a missing key is no error.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := checkKey(d.name(), "delete", key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return d.fail("delete", key, err)
	}
	name := d.path(key)
	if err := d.fs().Remove(name); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return d.fail("delete", key, err)
	}
	if err := d.fs().SyncDir(filepath.Dir(name)); err != nil {
		return d.fail("delete", key, err)
	}
	return nil
}

// Lock takes the flock on the directory's lock file.
func (d *Dir) Lock(ctx context.Context, exclusive bool) (func(), error) {
	wait := d.LockWait
	if wait == 0 {
		wait = 10 * time.Second
	}
	l, err := AcquireFile(ctx, filepath.Join(d.Root, LockName), exclusive, wait)
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}

// ctxWriter stops a fill once its context ends, and counts what passed.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	n   int64
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
