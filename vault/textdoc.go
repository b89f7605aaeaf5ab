package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// FormatBinary is the stored format of material the gate does not parse
// (recordings, scans, PDFs).
const FormatBinary = "binary"

// maxTextSize bounds the file of a text document ingest takes (the parser
// streams it; its text is bounded again by transcript.MaxTextBytes, and a
// .docx's expanded XML by its own limits).
const maxTextSize = 512 << 20

func checkDate(s string) error {
	if _, err := policy.ParseDate(s); err != nil {
		return fmt.Errorf("%w: date: %v", ErrInvalid, err)
	}
	return nil
}

// detectFormat reads the head of f to tell a parseable text format from
// binary material, then rewinds f.
func detectFormat(f *os.File, path string) (string, error) {
	head := make([]byte, 4096)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading input %s: %w", path, unwrapPath(err))
	}
	format, ok := transcript.DetectFormat(filepath.Base(path), head[:n])
	if !ok {
		return FormatBinary, nil
	}
	return string(format), nil
}

// notTextReason says why a file named as a text format was not taken for
// one (its encoding; for a .docx, what it is instead), or "" (a name of
// another format, or a content that contradicts its name otherwise).
func notTextReason(f *os.File) string {
	why := transcript.NotTextReason
	switch strings.ToLower(filepath.Ext(f.Name())) {
	case ".txt", ".text", ".md", ".markdown", ".srt", ".vtt":
	case ".docx":
		why = transcript.NotDocxReason
	default:
		return ""
	}
	head := make([]byte, 4096)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return ""
	}
	return why(head[:n])
}

// textFacts is what ingest keeps of a text document as its lines stream
// past: their number, the flag ranges its inline markup sets, what the
// parser did not carry into them (Document.Dropped) and, when flags are to
// be carried onto it, each line's hash (lineHash).
type textFacts struct {
	lines   int
	markup  []policy.Flag
	dropped []string
	hashes  []uint64
}

// checkText parses a text document at ingest, so malformed markup or a
// broken file is refused before anything is stored. Recordings and consent
// forms are stored as binary whatever they look like. It holds none of
// the lines: it returns their facts (nil for binary material), with the
// lines' hashes if hash is set. It stops when ctx is cancelled.
func (s *Study) checkText(ctx context.Context, f *os.File, kind, format string, hash bool) (*textFacts, error) {
	defer f.Seek(0, io.SeekStart)
	if !policy.IsTextKind(kind) {
		return nil, nil
	}
	if format == FormatBinary {
		if kind == policy.KindDocument {
			return nil, nil // a PDF or image: kept, never exported
		}
		if why := notTextReason(f); why != "" {
			return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, f.Name(), why)
		}
		return nil, fmt.Errorf("%w: %s: a %s must be plain text, Markdown, WebVTT, SRT or .docx", ErrInvalid, f.Name(), kind)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxTextSize {
		return nil, fmt.Errorf("%w: %s: text documents are limited to %d MiB", ErrInvalid, f.Name(), maxTextSize>>20)
	}
	facts := &textFacts{}
	var markup markupRanges
	sum, err := transcript.ParseLines(ctx, transcript.Format(format), io.NewSectionReader(f, 0, fi.Size()), func(l transcript.Line) error {
		markup.add(l)
		if hash {
			facts.hashes = append(facts.hashes, lineHash(l.Text))
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, f.Name(), err)
	}
	facts.lines, facts.markup, facts.dropped = sum.Lines, markup.out, sum.Dropped
	return facts, nil
}

// fileLines streams the lines of a text file being ingested (checkText
// has parsed it once already).
func fileLines(ctx context.Context, f *os.File, format string) lineSource {
	return func(fn func(string) error) error {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		_, err = transcript.ParseLines(ctx, transcript.Format(format), io.NewSectionReader(f, 0, fi.Size()), func(l transcript.Line) error {
			return fn(l.Text)
		})
		var pe *transcript.ParseError
		if errors.As(err, &pe) && ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
}

// versionLines streams the lines of a stored text version.
func (s *Study) versionLines(v *Version) lineSource {
	return func(fn func(string) error) error {
		return s.streamLines(v, func(l transcript.Line) error { return fn(l.Text) })
	}
}

// markupRanges turns the inline flags of lines, given in order, into line
// ranges, one per run of consecutive lines carrying the same flag.
type markupRanges struct {
	out  []policy.Flag
	open map[policy.FlagKind]int // flag → index in out of its current run
}

func (m *markupRanges) add(l transcript.Line) {
	for _, f := range l.Flags {
		if i, ok := m.open[f]; ok && m.out[i].To == l.N-1 {
			m.out[i].To = l.N
			continue
		}
		if m.open == nil {
			m.open = map[policy.FlagKind]int{}
		}
		m.open[f] = len(m.out)
		m.out = append(m.out, policy.Flag{Kind: policy.FlagKind(f), From: l.N, To: l.N, Inline: true})
	}
}

// errLineStop marks an error a line callback returned, so streamLines can
// tell it from a parse error.
type errLineStop struct{ err error }

func (e errLineStop) Error() string { return e.err.Error() }
func (e errLineStop) Unwrap() error { return e.err }

// streamLines is StreamLines.
func (s *Study) streamLines(v *Version, fn func(transcript.Line) error) error {
	return s.streamKept(v, nil, fn)
}

// streamKept streams the lines of v; a .docx is read from kept, if set,
// opened there by the first pass and kept for the next (VersionLines).
func (s *Study) streamKept(v *Version, kept *docxAt, fn func(transcript.Line) error) error {
	if v.Format == FormatBinary || v.Object == "" {
		return fmt.Errorf("%w: this version is not a text document", ErrInvalid)
	}
	ctx := s.ctx()
	lines := func(l transcript.Line) error {
		if err := fn(l); err != nil {
			return errLineStop{err}
		}
		return nil
	}
	if transcript.Format(v.Format) == transcript.FormatDocx {
		// A .docx is a zip: its parser reads the parts it needs at their
		// offsets, not the whole file (an image in it may be most of it).
		if kept == nil {
			kept = &docxAt{}
			defer kept.close()
		}
		if kept.ra == nil {
			ra, release, err := objectAt(ctx, s.objects(ctx), v, s.Identity, s.listed(v.Class))
			if err != nil {
				return err
			}
			kept.ra, kept.release = ra, release
		}
		cr := &chunkReaderAt{ra: kept.ra, size: kept.ra.Size()}
		_, err := transcript.ParseLines(ctx, transcript.FormatDocx, io.NewSectionReader(cr, 0, cr.size), lines)
		return parsedLines(ctx, err, cr.failed(v))
	}
	pr, pw := io.Pipe()
	read := make(chan error, 1)
	go func() {
		err := readObject(s.objects(ctx), v, s.Identity, s.listed(v.Class), pw)
		pw.CloseWithError(err) // nil: the parser sees the end of the text
		read <- err
	}()
	_, err := transcript.ParseLines(ctx, transcript.Format(v.Format), pr, lines)
	pr.CloseWithError(io.ErrClosedPipe) // a parse that stopped early stops the reader
	rerr := <-read
	if isWriteErr(rerr) {
		rerr = nil // the parse stopped first
	}
	return parsedLines(ctx, err, rerr)
}

// docxAt is a .docx version's plaintext at offsets (objectAt): its object
// fetched (on object storage, its ciphertext copied to a temp file) and
// verified once, for every parse until close releases it.
type docxAt struct {
	ra      *io.SectionReader
	release func()
}

func (d *docxAt) close() {
	if d.release != nil {
		d.release()
	}
	d.ra, d.release = nil, nil
}

// parsedLines is the outcome of a parse of a stored version that ended
// with err, the reading of its object with rerr.
func parsedLines(ctx context.Context, err, rerr error) error {
	var stop errLineStop
	switch {
	case errors.As(err, &stop):
		return stop.err
	case rerr != nil:
		return rerr // the object: missing, damaged or unreadable
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return integrity("a stored version no longer parses: %v", err)
	}
	return nil
}

// A chunkReaderAt serves reads from the stretch of plaintext it read last,
// readBufSize bytes at an aligned offset: archive/zip reads a .docx's
// parts a few KiB at a time, and age's ReaderAt decrypts a whole chunk
// into a new buffer for every read. It remembers the first read that
// failed.
type chunkReaderAt struct {
	ra   io.ReaderAt
	size int64
	mu   sync.Mutex
	buf  []byte // the plaintext at off
	off  int64
	err  error
}

func (c *chunkReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for len(p) > 0 {
		if off >= c.size {
			return n, io.EOF
		}
		if c.buf == nil || off < c.off || off >= c.off+int64(len(c.buf)) {
			if c.err != nil {
				return n, c.err
			}
			start := off - off%readBufSize
			want := int(min(readBufSize, c.size-start))
			if cap(c.buf) < readBufSize {
				c.buf = make([]byte, readBufSize)
			}
			k, err := c.ra.ReadAt(c.buf[:want], start)
			if k < want {
				if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				c.buf, c.err = nil, err
				return n, err
			}
			c.buf, c.off = c.buf[:want], start
		}
		k := copy(p, c.buf[off-c.off:])
		p, off, n = p[k:], off+int64(k), n+k
	}
	return n, nil
}

// failed is the error of a failed read of object v's plaintext, if one
// failed: the object changed since it was verified.
func (c *chunkReaderAt) failed(v *Version) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err == nil:
		return nil
	case isDiskErr(c.err):
		return c.err
	}
	return integrity("object %s is damaged (flipped or truncated bytes)", v.Object)
}
