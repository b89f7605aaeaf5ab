package gate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"filippo.io/age"

	"github.com/fieldvault/fieldvault/redact/format/qdpx"
)

// qdaSpools are the selection spools of one export-qda: a temporary file
// (0600, in the system's temporary directory, as the exit's other spools)
// per document with selections, where the document's selections wait,
// from its pass until project.qde is written (qdpx.SelectionSpool), so
// that none is held. A selection names a marker by its text, which says
// what was withheld and, for a marker of pseudonymised text, can carry a
// pseudonym: each file is encrypted with age to an X25519 identity made
// for the export and never written anywhere, so a file left behind (the
// process killed) is unreadable. remove deletes every file; the export
// calls it however it ends.
type qdaSpools struct {
	id *age.X25519Identity

	mu    sync.Mutex
	paths []string
	gone  bool
}

func newQDASpools() (*qdaSpools, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("staging the QDA project: %w", err)
	}
	return &qdaSpools{id: id}, nil
}

// store is a new, empty store for one document's selections: its file is
// made on the first write.
func (s *qdaSpools) store() *qdaSpool { return &qdaSpool{spools: s} }

// create makes a spool file and records it for remove.
func (s *qdaSpools) create() (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return nil, errors.New("staging the QDA project: the export has ended")
	}
	f, err := os.CreateTemp("", "fieldvault-qda-*")
	if err != nil {
		return nil, fmt.Errorf("staging the QDA project: %w", err)
	}
	s.paths = append(s.paths, f.Name())
	return f, nil
}

// remove deletes every spool file; none can be made after.
func (s *qdaSpools) remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone = true
	for _, p := range s.paths {
		os.Remove(p)
	}
	s.paths = nil
}

// A qdaSpool is a qdpx.SpoolStore: one document's spool file, encrypted.
type qdaSpool struct {
	spools *qdaSpools
	f      *os.File
	w      io.WriteCloser // age's writer over f, until Close
	path   string
}

func (q *qdaSpool) Write(p []byte) (int, error) {
	if q.w == nil {
		if q.path != "" {
			return 0, errors.New("staging the QDA project: spool written after its end")
		}
		f, err := q.spools.create()
		if err != nil {
			return 0, err
		}
		w, err := age.Encrypt(f, q.spools.id.Recipient())
		if err != nil {
			f.Close()
			return 0, fmt.Errorf("staging the QDA project: %w", err)
		}
		q.f, q.w, q.path = f, w, f.Name()
	}
	n, err := q.w.Write(p)
	if err != nil {
		err = fmt.Errorf("staging the QDA project: %w", err)
	}
	return n, err
}

// Close ends the file: the last chunk is sealed and the file closed until
// Reader opens it again.
func (q *qdaSpool) Close() error {
	if q.w == nil {
		return nil
	}
	err := q.w.Close()
	if cerr := q.f.Close(); err == nil {
		err = cerr
	}
	q.w, q.f = nil, nil
	if err != nil {
		return fmt.Errorf("staging the QDA project: %w", err)
	}
	return nil
}

// Reader decrypts the file from the start; closing it removes the file.
func (q *qdaSpool) Reader() (io.ReadCloser, error) {
	if q.path == "" {
		return io.NopCloser(strings.NewReader("")), nil
	}
	f, err := os.Open(q.path)
	if err != nil {
		return nil, fmt.Errorf("reading the staged QDA project: %w", err)
	}
	r, err := age.Decrypt(f, q.spools.id)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading the staged QDA project: %w", err)
	}
	return &spoolReader{Reader: r, f: f}, nil
}

type spoolReader struct {
	io.Reader
	f *os.File
}

func (r *spoolReader) Close() error {
	err := r.f.Close()
	os.Remove(r.f.Name())
	return err
}

var _ qdpx.SpoolStore = (*qdaSpool)(nil)
