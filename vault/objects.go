package vault

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// open opens object id for reading: only a regular file (openRegular).
func (o dirObjects) open(id string) (io.ReadCloser, error) {
	f, err := openRegular(objectPath(o.dir, id))
	if err != nil {
		return nil, err
	}
	return f, nil
}

// copyBufSize and readBufSize size the buffers of a re-encryption (a
// recipient change): age's 64 KiB chunks, and a read of two of them.
const (
	copyBufSize = 64 << 10
	readBufSize = 128 << 10
)

// putObject streams src into a new age-encrypted object for rcpts. It returns
// the object's UUID, the plaintext size and SHA-256. Memory stays flat
// whatever the size; the object appears at its final path only complete.
func putObject(objs objectStore, src io.Reader, rcpts []age.Recipient, progress func(int64)) (id string, size int64, sum string, err error) {
	id = uuid.NewString()
	h := sha256.New()
	if progress != nil {
		src = &progressReader{r: src, f: progress}
	}
	err = objs.create(id, func(w io.Writer) error {
		// This goroutine reads the input; SHA-256 and age run on goroutines
		// of their own, from the same buffers, and age's ciphertext is
		// written to the object (and to disk, see store.StageFile) on a
		// fourth: the kernel's copy into the page cache costs about as
		// much as the encryption.
		bw := newBGWriter(sideWriter{w, "writing the object"})
		defer bw.Close()
		aw, err := age.Encrypt(bw, rcpts...)
		if err != nil {
			return err // only a write fails, and the header is buffered
		}
		if size, err = teeCopy(sideReader{src, "reading input"}, h, aw); err != nil {
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
	return id, size, hex.EncodeToString(h.Sum(nil)), nil
}

// bgCause returns, for an error that says bw failed, bw's own error.
func bgCause(err error, bw *bgWriter) error {
	if errors.Is(err, errBGFailed) {
		return bw.Close()
	}
	return err
}

// progressReader reports the bytes read so far after every read.
type progressReader struct {
	r io.Reader
	n int64
	f func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.f(p.n)
	return n, err
}

// readObject decrypts an object and streams it to dst, verifying size and
// SHA-256 at the end. dst may have received plaintext before an error is
// found (age releases each chunk once it authenticates), so callers write to
// a temp file or a hash, never to a final destination.
func readObject(objs objectStore, v *Version, id *Identity, listed bool, dst io.Writer) error {
	f, err := openObject(objs, v)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := decryptObject(f, id, "this material ("+v.Class+" class)", v.Class, listed)
	if err != nil {
		return objectDecryptErr(v, err)
	}
	return checkObject(r, v, dst)
}

// openObject opens object v's ciphertext.
func openObject(objs objectStore, v *Version) (io.ReadCloser, error) {
	f, err := objs.open(v.Object)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, integrity("object %s is missing", v.Object)
		}
		if errors.Is(err, ErrIntegrity) {
			return nil, err
		}
		return nil, fmt.Errorf("opening object %s: %w", v.Object, err)
	}
	return f, nil
}

// objectDecryptErr names object v in an error of decryptObject.
func objectDecryptErr(v *Version, err error) error {
	if errors.Is(err, ErrIntegrity) {
		return integrity("object %s is damaged (its header does not decrypt)", v.Object)
	}
	if errors.Is(err, errPayload) {
		return integrity("object %s is damaged (flipped or truncated bytes)", v.Object)
	}
	return err
}

// checkObject streams the plaintext r of object v to dst, verifying size
// and SHA-256 at the end.
func checkObject(r io.Reader, v *Version, dst io.Writer) error {
	// This goroutine decrypts; SHA-256 and dst are written on goroutines
	// of their own, from the same buffers.
	h := sha256.New()
	n, err := teeCopy(r, h, errWriter{dst})
	if err != nil {
		if isDiskErr(err) || isWriteErr(err) {
			return err // the disk or the store failed, not the object
		}
		return integrity("object %s is damaged (flipped or truncated bytes)", v.Object)
	}
	if n != v.Size || hex.EncodeToString(h.Sum(nil)) != v.SHA256 {
		return integrity("object %s does not match its catalogue record (size or SHA-256 differs)", v.Object)
	}
	return nil
}

// isDiskErr reports whether err is the failure of a file or of the store
// rather than damage to what was read.
func isDiskErr(err error) bool {
	var pe *os.PathError
	var se *store.Error
	return errors.As(err, &pe) || errors.As(err, &se)
}

// objectAt returns the plaintext of object v for reads at any offset,
// verified first against the catalogue's size and SHA-256 with one pass
// over it, and a function that releases it. Memory stays flat whatever
// the object's size: a reader reads only what it asks for. An object on
// object storage is first copied, still encrypted, to a temp file (mode
// 0600, removed by release, and on any error); plaintext never reaches
// the disk. It stops when ctx is cancelled.
func objectAt(ctx context.Context, objs objectStore, v *Version, id *Identity, listed bool) (_ *io.SectionReader, _ func(), err error) {
	f, err := openObject(objs, v)
	if err != nil {
		return nil, nil, err
	}
	file, ok := f.(*os.File)
	release := func() { f.Close() }
	if !ok {
		file, err = spoolObject(ctx, f, v)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		release = func() {
			file.Close()
			os.Remove(file.Name())
		}
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	r, err := decryptFile(file, id, "this material ("+v.Class+" class)", v.Class, listed)
	if err != nil {
		return nil, nil, objectDecryptErr(v, err)
	}
	if err := checkObject(r, v, ctxWriter{ctx, io.Discard}); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	return io.NewSectionReader(r, 0, r.Size()), release, nil
}

// spoolObject copies the ciphertext of object v from r to a new temp
// file (mode 0600), which the caller removes. It copies no more than an
// object of v's size can hold: what is longer is damaged.
func spoolObject(ctx context.Context, r io.Reader, v *Version) (_ *os.File, err error) {
	f, err := os.CreateTemp("", "fieldvault-object-*")
	if err != nil {
		return nil, fmt.Errorf("staging object %s: %w", v.Object, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// An age file of v.Size bytes: a header, a nonce, v.Size bytes and a
	// tag a chunk; a header of many recipients stays well under 1 MiB.
	limit := v.Size + (v.Size/copyBufSize+1)*16 + 16 + 1<<20
	buf := make([]byte, readBufSize)
	n, err := io.CopyBuffer(errWriter{f}, io.LimitReader(r, limit+1), buf)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case isWriteErr(err):
		return nil, fmt.Errorf("staging object %s: %w", v.Object, err)
	case isDiskErr(err):
		return nil, err // the store's own error names the object's key
	case err != nil:
		return nil, fmt.Errorf("reading object %s: %w", v.Object, err)
	case n > limit:
		return nil, integrity("object %s is damaged (flipped or truncated bytes)", v.Object)
	}
	return f, nil
}

// errPayload says an object's header decrypted but its payload did not
// (its size or its last chunk is wrong).
var errPayload = errors.New("the payload does not decrypt")

// decryptObject returns the plaintext of an object (decrypt's rules). An
// object that is a file is decrypted through age's DecryptReaderAt, which
// authenticates the last chunk (the size) first, then decrypts each chunk
// in place and copies it once into the reader's buffer; age's streaming
// reader, used for objects on object storage, allocates and copies each
// chunk twice more.
func decryptObject(f io.Reader, id *Identity, what, class string, listed bool) (io.Reader, error) {
	file, ok := f.(*os.File)
	if !ok {
		return decrypt(bufio.NewReaderSize(f, readBufSize), id, what, class, listed)
	}
	return decryptFile(file, id, what, class, listed)
}

// decryptFile is decryptObject for an object that is a file.
func decryptFile(file *os.File, id *Identity, what, class string, listed bool) (*io.SectionReader, error) {
	fi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	hdr, err := age.ExtractHeader(io.NewSectionReader(file, 0, fi.Size()))
	if err != nil {
		return nil, integrity("%s: not a readable age file", what)
	}
	key, err := decryptHeader(hdr, id, what, class, listed)
	if err != nil {
		return nil, err
	}
	if fi.Size() < int64(len(hdr))+streamNonceSize {
		return nil, integrity("%s: not a readable age file", what) // no payload nonce
	}
	ra, size, err := age.DecryptReaderAt(file, fi.Size(), age.NewInjectedFileKeyIdentity(key))
	if err != nil {
		return nil, errPayload
	}
	return io.NewSectionReader(ra, 0, size), nil
}

// streamNonceSize is the length of the nonce between an age header and its
// payload.
const streamNonceSize = 16

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
