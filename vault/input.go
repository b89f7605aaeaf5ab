package vault

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/fieldvault/fieldvault/vault/store"
)

// maxSmallInput bounds a file read whole into memory (a chapter draft, a
// file to scan, a CSV to import): far above any real one.
const maxSmallInput = 32 << 20

// OpenInput opens a file the user named for reading, refusing at once
// anything but a regular file: a FIFO, a socket or a device would block or
// never end. It opens without blocking (a FIFO with no writer would hang a
// plain open) and checks the opened file, not the name, so a file swapped
// after a check is caught too. what names the file in errors ("input",
// "evidence file", "chapter").
func OpenInput(path, what string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s %s: %w", what, path, unwrapPath(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("reading %s %s: %w", what, path, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%w: %s %s is not a regular file (%s); only regular files are read", ErrInvalid, what, path, store.FileKind(fi.Mode()))
	}
	return f, fi, nil
}

// ReadInput reads a small regular file whole (OpenInput's rules), refusing
// one over maxSmallInput.
func ReadInput(path, what string) ([]byte, error) {
	f, fi, err := OpenInput(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > maxSmallInput {
		return nil, fmt.Errorf("%w: %s %s is larger than %d MiB", ErrInvalid, what, path, maxSmallInput>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSmallInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", what, path, unwrapPath(err))
	}
	if len(data) > maxSmallInput {
		return nil, fmt.Errorf("%w: %s %s is larger than %d MiB", ErrInvalid, what, path, maxSmallInput>>20)
	}
	return data, nil
}

// ctxWriter stops a copy soon after ctx is cancelled (SIGINT, SIGTERM):
// every write checks it. transcript.ContextReader is its reading side.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (w ctxWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}
