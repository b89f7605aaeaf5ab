// Package store is where a study vault's files live. A study in a prefix
// of an S3-compatible bucket (S3) is reached through one seam, Backend: the
// study store (package vault) names its files by key ("catalog.age",
// "objects/ab/<uuid>.age") and reads and writes them through it, knowing
// nothing of buckets. A study in a directory on a local disk is written by
// package vault's own file layer over this package's primitives: atomic
// writes through a fault-injectable file system (FS, WriteAtomic, WriteNew,
// StageFile) and the flock on the study's lock file (AcquireFile).
//
// Items are of two sorts. Immutable items (encrypted objects) are written
// once with PutNew, which streams with flat memory and fails if the key
// exists. Mutable items (the catalogue, the head of the audit log) are
// replaced with Replace, a compare-and-swap on the version the writer last
// read: a writer that lost a race gets ErrConflict, reloads and tries again.
// On object storage the swap is a conditional write (If-Match on the ETag,
// or If-None-Match: * for a new key), so no lock object is needed or
// trusted.
//
// Errors name the store (the bucket), the operation and the key; never a
// credential. Callers branch on ErrNotExist, ErrExists, ErrConflict,
// ErrDenied and ErrUnreachable.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Backend is a study vault's storage in an object-store prefix. Keys are
// slash-separated relative names (see ValidKey). Every method may be called
// from several goroutines at once.
type Backend interface {
	// Get opens key for streaming. The reader's Version may be passed to
	// Replace to swap the item only if nobody changed it meanwhile.
	Get(ctx context.Context, key string) (*Reader, error)
	// PutNew writes what fill writes to a new item at key, which appears
	// only complete; memory stays flat whatever the size. If key exists
	// (or another writer creates it first) it fails with ErrExists; if
	// fill fails it returns fill's error. Either way nothing changes.
	PutNew(ctx context.Context, key string, fill Fill) (Info, error)
	// Replace writes what fill writes at key if the item there is still at
	// version match ("" = there must be no item yet). A writer that lost
	// the race gets ErrConflict and nothing changes.
	Replace(ctx context.Context, key, match string, fill Fill) (Info, error)
	// List calls fn for every item whose key starts with prefix, in
	// lexicographic key order. Temporary and lock files are not items.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// String names the store for messages: s3://bucket/prefix.
	String() string
}

// Fill writes an item's content to w. It is how content is streamed into a
// store: the writer (an age encryptor, a JSON encoder) writes, and the store
// passes each chunk on to the next part of a multipart upload.
type Fill func(w io.Writer) error

// Info describes a stored item. List leaves Version empty.
type Info struct {
	Key      string
	Size     int64
	Version  string // opaque: the ETag on object storage
	Modified time.Time
}

// Reader streams a stored item.
type Reader struct {
	io.ReadCloser
	Size     int64
	Modified time.Time
	version  func() (string, error)
}

// Version is the version of the item being read, for Replace.
func (r *Reader) Version() (string, error) { return r.version() }

// Errors callers branch on (with errors.Is). ErrNotExist and ErrExists are
// the io/fs ones, so errors.Is(err, fs.ErrNotExist) holds on both backends.
var (
	ErrNotExist = fs.ErrNotExist
	ErrExists   = fs.ErrExist
	// ErrConflict: a conditional replace lost a race (the item changed).
	ErrConflict = errors.New("changed by another writer")
	// ErrDenied: the store refused the credentials or the permission.
	ErrDenied = errors.New("access denied")
	// ErrNoBucket: the bucket named in an s3:// location does not exist.
	ErrNoBucket = errors.New("no such bucket")
	// ErrUnreachable: the store could not be reached (network, server down).
	ErrUnreachable = errors.New("store unreachable")
)

// Error is a failed operation on a store. It names the store, the
// operation and the key, and wraps the cause; never a credential.
type Error struct {
	Store string // "bucket b"
	Op    string // "get", "put-new", "replace", "list", "delete"
	Key   string
	Err   error
}

func (e *Error) Error() string {
	s := e.Store + ": " + e.Op
	if e.Key != "" {
		s += " " + e.Key
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// LockName is the lock file of a study in a directory (package vault's
// LockFile); it is never an item.
const LockName = "lock"

// ValidKey reports whether key can name an item: slash-separated segments
// of letters, digits, '.', '_' and '-', none empty, "." or "..", none
// beginning with TempPrefix, at most 512 bytes, and not the lock file.
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 || key == LockName {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasPrefix(seg, TempPrefix) {
			return false
		}
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
				return false
			}
		}
	}
	return true
}

// checkKey refuses a key ValidKey rejects; the key is not echoed, since a
// bad one may carry text that was never meant to be a name.
func checkKey(store, op, key string) error {
	if !ValidKey(key) {
		return &Error{Store: store, Op: op, Err: fmt.Errorf("%w: not a valid item key", fs.ErrInvalid)}
	}
	return nil
}

// checkPrefix accepts "" or a key prefix (a valid key, optionally followed
// by "/").
func checkPrefix(store, prefix string) error {
	if prefix == "" || ValidKey(strings.TrimSuffix(prefix, "/")) {
		return nil
	}
	return &Error{Store: store, Op: "list", Err: fmt.Errorf("%w: not a valid key prefix", fs.ErrInvalid)}
}
