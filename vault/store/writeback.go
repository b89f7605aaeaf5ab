package store

import (
	"io"
	"syscall"
)

// writeBehindStep is how much a staged file is written before the kernel
// is asked to start writing it to disk.
const writeBehindStep = 8 << 20

// startWriteback starts writing a range of a file to disk (sync_file_range
// on Linux); a test replaces it to see the ranges.
var startWriteback = syncFileRange

// writeBehind passes writes to a file and, after every writeBehindStep
// bytes, asks the kernel to start writing the range just written to disk
// without waiting for it (startWriteback), so that the disk works while
// the file is still being produced (encrypted, decrypted) and the fsync
// that ends StageFile finds little left to write. It changes no guarantee:
// that fsync is what makes the file durable, it still runs, and it reports
// any error of the early writing. A file that is not an operating-system
// file (a test's fault-injecting one) is written as it is.
type writeBehind struct {
	w            io.Writer
	rc           syscall.RawConn
	off, started int64
}

func newWriteBehind(f File) io.Writer {
	sc, ok := f.(syscall.Conn)
	if !ok || !writebackSupported {
		return f
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return f
	}
	return &writeBehind{w: f, rc: rc}
}

func (w *writeBehind) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.off += int64(n)
	if w.off-w.started >= writeBehindStep {
		w.rc.Control(func(fd uintptr) { startWriteback(fd, w.started, w.off-w.started) })
		w.started = w.off
	}
	return n, err
}
