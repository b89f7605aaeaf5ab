package vault

import (
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/fieldvault/fieldvault/vault/store"
)

// openRegular opens a file of the vault for reading, refusing anything but
// a regular file: a named pipe or device put in its place by someone who
// can write the study folder would block the command (and a writer's lock)
// beyond the reach of a signal, or never end. O_NONBLOCK keeps the open
// itself from blocking; it changes nothing for a regular file. Errors
// opening it are returned as they are (fs.ErrNotExist stays testable).
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, integrity("%s in the study folder is %s, not a regular file; restore it from a backup", filepath.Base(path), store.FileKind(fi.Mode()))
	}
	return f, nil
}

// readRegular reads a whole file of the vault with openRegular.
func readRegular(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
