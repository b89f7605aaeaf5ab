package vault

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/google/uuid"
)

// objectPath is objects/<first two hex digits>/<uuid>.age.
func objectPath(dir, id string) string {
	return filepath.Join(dir, ObjectsDir, id[:2], id+".age")
}

// objectStore is where objects are written (once, under a fresh UUID) and
// read: the vault directory, or a prefix in object storage.
type objectStore interface {
	// create writes what fill writes as object id; it appears only
	// complete, and a failed write leaves nothing.
	create(id string, fill func(io.Writer) error) error
	open(id string) (io.ReadCloser, error)
}

// dirObjects are objects in the vault directory.
type dirObjects struct {
	fsys FS
	dir  string
}

func (o dirObjects) create(id string, fill func(io.Writer) error) error {
	final := objectPath(o.dir, id)
	if err := o.fsys.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return &sideError{"creating object directory", unwrapPath(err)}
	}
	return writeNew(o.fsys, final, fill)
}

func (o dirObjects) open(id string) (io.ReadCloser, error) { return os.Open(objectPath(o.dir, id)) }

// copyBufSize matches age's 64 KiB chunks (larger reads and writes cost the
// kernel more per byte here); readBufSize serves decryption, where many
// small objects are read in one exit.
const (
	copyBufSize = 64 << 10
	readBufSize = 128 << 10
)

// putObject streams src into a new age-encrypted object for rcpts. It returns
// the object's UUID, the plaintext size and SHA-256. Memory stays flat
// whatever the size; the object appears at its final path only complete.
func putObject(objs objectStore, src io.Reader, rcpts []age.Recipient, progress func(int64)) (id string, size int64, sum string, err error) {
	id = uuid.NewString()
	ch := newBGHash()
	defer ch.stop()
	err = objs.create(id, func(w io.Writer) error {
		// The file is written on a goroutine of its own (the kernel's copy
		// into the page cache is as costly as encryption), the hash on
		// another.
		bw := newBGWriter(sideWriter{w, "writing the object"})
		defer bw.Close()
		aw, err := age.Encrypt(bw, rcpts...)
		if err != nil {
			return bgCause(err, bw)
		}
		var dst io.Writer = io.MultiWriter(aw, ch)
		if progress != nil {
			dst = &progressWriter{w: dst, f: progress}
		}
		buf := make([]byte, copyBufSize)
		if _, err := io.CopyBuffer(dst, sideReader{src, "reading input"}, buf); err != nil {
			return bgCause(err, bw)
		}
		if err := aw.Close(); err != nil {
			return bgCause(err, bw)
		}
		return bw.Close()
	})
	if err != nil {
		return "", 0, "", nameSide(err, "writing the object")
	}
	return id, ch.n, ch.sum(), nil
}

// bgCause returns, for an error that says bw failed, bw's own error.
func bgCause(err error, bw *bgWriter) error {
	if errors.Is(err, errBGFailed) {
		return bw.Close()
	}
	return err
}

type progressWriter struct {
	w io.Writer
	n int64
	f func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.f(p.n)
	return n, err
}

// readObject decrypts an object and streams it to dst, verifying size and
// SHA-256 at the end. dst may have received plaintext before an error is
// found (age releases each chunk once it authenticates), so callers write to
// a temp file or a hash, never to a final destination.
func readObject(objs objectStore, v *Version, id *Identity, listed bool, dst io.Writer) error {
	f, err := objs.open(v.Object)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return integrity("object %s is missing", v.Object)
		}
		return fmt.Errorf("opening object %s: %w", v.Object, err)
	}
	defer f.Close()
	r, err := decrypt(bufio.NewReaderSize(f, readBufSize), id, "this material ("+v.Class+" class)", v.Class, listed)
	if err != nil {
		if errors.Is(err, ErrIntegrity) {
			return integrity("object %s is damaged (its header does not decrypt)", v.Object)
		}
		return err
	}
	ch := newBGHash()
	defer ch.stop()
	// dst is written on a goroutine of its own, the hash on another, while
	// this one decrypts.
	bw := newBGWriter(errWriter{dst})
	defer bw.Close()
	buf := make([]byte, readBufSize)
	_, err = io.CopyBuffer(io.MultiWriter(bw, ch), r, buf)
	if err == nil {
		err = bw.Close()
	}
	if err = bgCause(err, bw); err != nil {
		var pe *os.PathError
		var se *store.Error
		if errors.As(err, &pe) || errors.As(err, &se) || isWriteErr(err) {
			return err // the disk or the store failed, not the object
		}
		return integrity("object %s is damaged (flipped or truncated bytes)", v.Object)
	}
	if ch.n != v.Size || ch.sum() != v.SHA256 {
		return integrity("object %s does not match its catalogue record (size or SHA-256 differs)", v.Object)
	}
	return nil
}

// writeErr marks errors from the destination side of a copy, so they are not
// mistaken for damage to the object.
type writeErr struct{ err error }

func (w writeErr) Error() string { return w.err.Error() }
func (w writeErr) Unwrap() error { return w.err }

func isWriteErr(err error) bool {
	var we writeErr
	return errors.As(err, &we)
}

// errWriter wraps a destination so its errors are recognisable.
type errWriter struct{ w io.Writer }

func (e errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		return n, writeErr{err}
	}
	return n, nil
}
