package qdpx

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/google/uuid"
)

// A SpoolStore is where a SelectionSpool keeps its records until
// Writer.Close reads them back: the caller's storage (fieldvault's gate
// uses a temporary file encrypted to a key it forgets), since the package
// never touches the disk. Close is called once the last record is
// written; Reader, called once, after Close, gives back everything
// written, from the start.
type SpoolStore interface {
	io.WriteCloser
	Reader() (io.ReadCloser, error)
}

// A SelectionSpool takes a source's selections as they are found and
// gives them back to Writer.Close in the same order, holding none of them:
// a Source whose Spool is set has its selections written to project.qde
// from the spool, one at a time, so project.qde's memory does not grow
// with the number of selections.
//
// The GUIDs of spooled selections are not the caller's: each is the
// name-based (SHA-1) UUID, in namespace space, of prefix followed by the
// selection's key in decimal, and its Coding's GUID is derived from it
// as for a held Selection without a CodingGUID. Keys must increase from
// one selection to the next and prefix must end in a character that is
// not a digit, so that two selections of a source, or of two sources
// with different prefixes or namespaces, never have the same name and so
// never the same GUID. That makes the GUIDs unique by construction,
// which Close checks (keys, prefixes) instead of holding one GUID per
// selection; it still checks each against the GUIDs the Project holds.
type SelectionSpool struct {
	space  uuid.UUID
	prefix string
	store  SpoolStore
	bw     *bufio.Writer
	n      int   // records written
	last   int64 // the last key written, or -1
	ended  bool
	read   bool
	buf    []byte
}

// NewSelectionSpool starts the spool of a source's selections in store.
func NewSelectionSpool(space uuid.UUID, prefix string, store SpoolStore) *SelectionSpool {
	return &SelectionSpool{space: space, prefix: prefix, store: store, last: -1}
}

// GUID is the GUID of the selection with key key.
func (s *SelectionSpool) GUID(key int64) string {
	return uuid.NewSHA1(s.space, []byte(s.prefix+strconv.FormatInt(key, 10))).String()
}

// Len is the number of selections added.
func (s *SelectionSpool) Len() int { return s.n }

// Add spools the next selection, keyed by key (greater than the last
// one's). Its GUID and CodingGUID must be empty: the spool gives them
// (GUID). Positions, code and text are checked by Writer.Close.
func (s *SelectionSpool) Add(key int64, sel Selection) error {
	switch {
	case s.ended:
		return errors.New("qdpx: selection added to an ended spool")
	case key < 0 || key <= s.last:
		return fmt.Errorf("qdpx: selection keys must increase (%d after %d)", key, s.last)
	case sel.GUID != "" || sel.CodingGUID != "":
		return errors.New("qdpx: a spooled selection's GUIDs are the spool's, not the caller's")
	case sel.Start < 0 || sel.End < 0:
		return errors.New("qdpx: negative selection position")
	}
	if s.bw == nil {
		s.bw = bufio.NewWriterSize(s.store, 4<<10)
	}
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(key))
	b = binary.AppendUvarint(b, uint64(sel.Start))
	b = binary.AppendUvarint(b, uint64(sel.End))
	for _, str := range []string{sel.Name, sel.CodeGUID, sel.Description} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	s.buf = b
	if _, err := s.bw.Write(b); err != nil {
		return fmt.Errorf("spooling a selection: %w", err)
	}
	s.n++
	s.last = key
	return nil
}

// End writes what is buffered and closes the store: no selection comes
// after.
func (s *SelectionSpool) End() error {
	if s.ended {
		return nil
	}
	s.ended = true
	s.buf = nil
	if s.bw != nil {
		err := s.bw.Flush()
		s.bw = nil
		if err != nil {
			s.store.Close()
			return fmt.Errorf("spooling a selection: %w", err)
		}
	}
	if err := s.store.Close(); err != nil {
		return fmt.Errorf("spooling a selection: %w", err)
	}
	return nil
}

// maxSpooledString bounds a string read back from a spool, so that a
// damaged store cannot make Each allocate without limit.
const maxSpooledString = 16 << 20

// Each reads the selections back, in order, each with its GUID, and
// calls fn with each; the spool is ended first if it was not. It may be
// called once: the store is read, not held.
func (s *SelectionSpool) Each(fn func(*Selection) error) error {
	if err := s.End(); err != nil {
		return err
	}
	if s.read {
		return errors.New("qdpx: selection spool read twice")
	}
	s.read = true
	rc, err := s.store.Reader()
	if err != nil {
		return fmt.Errorf("reading spooled selections: %w", err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 16<<10)
	damaged := errors.New("reading spooled selections: the spool is damaged")
	num := func() (int64, error) {
		v, err := binary.ReadUvarint(br)
		if err != nil || v > 1<<62 {
			return 0, damaged
		}
		return int64(v), nil
	}
	str := func() (string, error) {
		n, err := num()
		if err != nil || n > maxSpooledString {
			return "", damaged
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil || !utf8.Valid(b) {
			return "", damaged
		}
		return string(b), nil
	}
	last := int64(-1)
	for i := 0; i < s.n; i++ {
		var key, start, end int64
		var sel Selection
		var err error
		if key, err = num(); err == nil {
			if start, err = num(); err == nil {
				if end, err = num(); err == nil {
					if sel.Name, err = str(); err == nil {
						if sel.CodeGUID, err = str(); err == nil {
							sel.Description, err = str()
						}
					}
				}
			}
		}
		if err != nil {
			return err
		}
		// Unique GUIDs rest on increasing keys: checked on what is read
		// back, not only on what was added.
		if key <= last {
			return damaged
		}
		last = key
		sel.Start, sel.End = int(start), int(end)
		sel.GUID = s.GUID(key)
		if err := fn(&sel); err != nil {
			return err
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return damaged // more than was written
	}
	return nil
}
