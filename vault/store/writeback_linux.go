package store

import "golang.org/x/sys/unix"

const writebackSupported = true

// syncFileRange starts writing a range of a file to disk and returns
// without waiting (SYNC_FILE_RANGE_WRITE alone). Its error is ignored: the
// fsync that follows reports a failed write.
func syncFileRange(fd uintptr, off, n int64) {
	unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
