package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/google/uuid"
)

// IngestRequest describes a file to take into the vault.
type IngestRequest struct {
	Path         string
	Kind         string
	Participants []string
	Meeting      string
	Date         string // YYYY-MM-DD, optional
	Handle       string // optional; default the next D<n>
	VersionOf    string // add a new version to this document instead
	// AllowDuplicate takes in a file whose SHA-256 equals a stored version's.
	AllowDuplicate bool
	// Force stores a new version that shares few lines with the latest
	// (SharesFew): by default such a file is taken for the wrong one.
	Force bool
}

// Ingest streams a file into a new encrypted object and records it. Memory
// stays flat whatever the file's size.
func (s *Study) Ingest(ctx context.Context, req IngestRequest) (*Document, error) {
	if !slices.Contains(policy.DocKinds(), req.Kind) && req.VersionOf == "" {
		return nil, fmt.Errorf("%w: unknown kind %q (one of %s)", ErrInvalid, req.Kind, strings.Join(policy.DocKinds(), ", "))
	}
	if req.Date != "" {
		if err := checkDate(req.Date); err != nil {
			return nil, err
		}
	}
	if req.VersionOf == "" {
		if err := checkLinks(req.Kind, dedupe(req.Participants), req.Meeting); err != nil {
			return nil, err
		}
	}
	f, fi, err := OpenInput(req.Path, "input")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if inside(s.Dir, req.Path) {
		return nil, fmt.Errorf("%w: input %s is inside the vault", ErrInvalid, req.Path)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("%w: input %s is empty; nothing to ingest", ErrInvalid, req.Path)
	}
	format, err := detectFormat(f, req.Path)
	if err != nil {
		return nil, err
	}
	var doc *Document
	err = s.Write(ctx, func(tx *Tx) error {
		cat := tx.Cat
		var ver *Version
		if req.VersionOf != "" {
			d, err := cat.Doc(req.VersionOf)
			if err != nil {
				return err
			}
			if d.Erased {
				return fmt.Errorf("%w: document %s holds no material: %s", ErrInvalid, d.Handle, d.GoneWhy())
			}
			if err := checkVersionLinks(req, d); err != nil {
				return err
			}
			doc = d
		} else {
			h := strings.ToUpper(req.Handle) // case-insensitive, kept in capitals
			if h != "" {
				if err := checkHandle("document", h); err != nil {
					return err
				}
				if err := cat.handleTakenErr(h); err != nil {
					return err
				}
			} else {
				h = cat.nextHandle("D", cat.anyHandle)
			}
			doc = &Document{
				Handle: h, ID: uuid.NewString(), Kind: req.Kind,
				SourceName:   filepath.Base(req.Path),
				Participants: dedupe(req.Participants), Meeting: req.Meeting, Date: req.Date,
				Created: tx.Now().UTC(),
			}
		}
		if err := s.checkIngest(tx, doc); err != nil {
			if e, ok := RefusalEntry("ingest", nonEmpty(req.VersionOf, req.Meeting), err); ok {
				e.Participants = doc.Participants
				e.Detail = map[string]string{"kind": doc.Kind}
				tx.AuditAlways(e)
			}
			return err
		}
		if msg, ok := tx.Cat.afterStudyEnd(doc); ok {
			tx.OnCommit(func() { s.note(msg) })
		}
		if recs, err := tx.Cat.records(doc.Participants); err == nil {
			for _, r := range recs {
				for _, msg := range datedProblems(r, doc) {
					tx.OnCommit(func() { s.note(msg) })
				}
			}
		}
		var prev *Version
		if req.VersionOf != "" {
			prev = doc.Latest()
		}
		carry := carriesFlags(prev)
		// A new text version of a text is compared with it line by line:
		// to carry flags, and to catch the wrong file.
		compare := prev != nil && prev.Format != FormatBinary && format != FormatBinary && policy.IsTextKind(doc.Kind)
		text, err := s.checkText(tx.ctx, f, doc.Kind, format, carry || compare)
		if err != nil {
			return err
		}
		var cmp comparison
		if (carry || compare) && text != nil {
			if cmp, err = s.compareVersions(tx.ctx, prev, text.hashes, fileLines(tx.ctx, f, format), text.markup, carry); err != nil {
				return err
			}
			if !req.Force && SharesFew(cmp.kept, cmp.of) {
				return fmt.Errorf("%w: %s shares %d of %d lines with %s version %d; is this the right document? --force to store it as a new version anyway",
					ErrInvalid, req.Path, cmp.kept, cmp.of, doc.Handle, prev.N)
			}
		}
		var lines int
		var markup []policy.Flag
		var dropped []string
		carried, carries := cmp.flags, cmp.carries
		if text != nil {
			lines, markup, dropped = text.lines, text.markup, text.dropped
		}
		class := ClassRaw
		if doc.Kind == policy.KindConsentForm {
			class = ClassCatalog // the ethics officer must be able to read signed forms
		}
		id, size, sum, err := tx.PutObject(f, class, fi.Size())
		if err != nil {
			return fmt.Errorf("storing %s: %w", req.Path, err)
		}
		if err := tx.ctx.Err(); err != nil {
			return err // interrupted while the object was stored: say so, not what follows
		}
		if dup := cat.versionWithSum(sum); dup != "" && !req.AllowDuplicate {
			return fmt.Errorf("%w: input %s is identical to %s (same SHA-256); pass --allow-duplicate to store it again", ErrInvalid, req.Path, dup)
		}
		ver = &Version{N: len(doc.Versions) + 1, Object: id, Class: class, Size: size, SHA256: sum, Format: format, Lines: lines, Markup: markup, Dropped: dropped, Ingested: tx.Now().UTC(),
			Flags: carried, Carried: carries}
		doc.Versions = append(doc.Versions, ver)
		if req.VersionOf == "" {
			cat.Documents = append(cat.Documents, doc)
		}
		e := Entry{
			Action:       "ingest",
			Handles:      append([]string{doc.Handle}, nonEmpty(doc.Meeting)...),
			Participants: doc.Participants,
			Hashes:       map[string]string{"input": sum},
			Detail:       map[string]string{"kind": doc.Kind, "version": fmt.Sprint(ver.N), "size": fmt.Sprint(size), "format": format},
		}
		for _, f := range carried {
			e.Flags = append(e.Flags, fmt.Sprintf("%s:%d-%d:%s", doc.Handle, f.From, f.To, f.Kind))
		}
		if n := unplaced(carries); n > 0 {
			e.Detail["flags_not_placed"] = fmt.Sprint(n)
		}
		tx.Audit(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// carriesFlags reports whether prev (the latest version so far) has flags
// or inline markup to carry onto a new version. A flag cannot be carried
// from a binary version; such a version never leaves.
func carriesFlags(prev *Version) bool {
	return prev != nil && prev.Format != FormatBinary && (len(prev.Flags) > 0 || len(prev.Markup) > 0)
}

// compareVersions compares the version being ingested (its line hashes,
// the file to read its lines from again, and its own markup) with prev,
// the latest version so far, by one line diff: how many lines it keeps,
// and, when carry is set, prev's flags and inline markup mapped onto it.
func (s *Study) compareVersions(ctx context.Context, prev *Version, hashes []uint64, lines lineSource, markup []policy.Flag, carry bool) (comparison, error) {
	old := s.versionLines(prev)
	oldHashes, err := lineHashes(old, prev.Lines)
	if err == nil {
		var recorded, inline []policy.Flag
		if carry {
			recorded, inline = prev.Flags, prev.Markup
		}
		var c comparison
		if c, err = compareLines(old, lines, oldHashes, hashes, prev.N, recorded, inline, markup); err == nil {
			return c, nil
		}
	}
	if ctx.Err() != nil {
		return comparison{}, ctx.Err()
	}
	return comparison{}, fmt.Errorf("reading version %d to compare the new one with it: %w", prev.N, err)
}

func unplaced(cs []Carry) int {
	n := 0
	for _, c := range cs {
		if !c.Placed() {
			n++
		}
	}
	return n
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// inside reports whether path lies within dir.
func inside(dir, path string) bool {
	d, err1 := filepath.Abs(dir)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	if rd, err := filepath.EvalSymlinks(d); err == nil {
		d = rd
	}
	if rp, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		p = filepath.Join(rp, filepath.Base(p))
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// OpenRequest asks for a document's plaintext.
type OpenRequest struct {
	Handle  string
	Version int    // 0 = latest
	Output  string // file to create; "" = write to W
	W       io.Writer
	// Terminal: W is a terminal, so binary material is refused.
	Terminal bool
	Force    bool // replace an existing output file
}

// OpenDoc decrypts a document for the researcher. Written to a file, the
// plaintext goes to a temp file beside it that is renamed only after the
// whole object authenticated and its SHA-256 matched; on any failure no
// output file exists. Written to a stream, the object is first verified in
// full, then streamed. Every open is audited.
func (s *Study) OpenDoc(ctx context.Context, req OpenRequest) (*Document, error) {
	if err := s.precheckOutput(req.Output, req.Force); err != nil {
		return nil, err
	}
	var doc *Document
	err := s.Update(ctx, func(tx *Tx) error {
		d, err := tx.Cat.Doc(req.Handle)
		if err != nil {
			return err
		}
		if d.Erased {
			return fmt.Errorf("%w: document %s holds no material: %s", ErrNotFound, d.Handle, d.GoneWhy())
		}
		v := d.Latest()
		if req.Version != 0 {
			if v, err = d.Version(req.Version); err != nil {
				return err
			}
		}
		if req.Output == "" && req.Terminal && v.Format == FormatBinary {
			return fmt.Errorf("%w: document %s is binary (%s); refusing to write it to a terminal, use -o FILE", ErrInvalid, d.Handle, d.Kind)
		}
		if err := s.readTo(tx, v, req); err != nil {
			return err
		}
		doc = d
		tx.Audit(Entry{
			Action: "open", Handles: []string{d.Handle}, Participants: d.Participants,
			Hashes: map[string]string{"object": v.SHA256},
			Detail: map[string]string{"version": fmt.Sprint(v.N), "destination": OutputKind(req.Output)},
		})
		return nil
	})
	return doc, err
}

func (s *Study) readTo(tx *Tx, v *Version, req OpenRequest) error {
	if req.Output == "" {
		// Verify the whole object first; stream it once the open is on record.
		if err := readObject(s.objects(tx.ctx), v, s.Identity, s.listed(v.Class), ctxWriter{tx.ctx, io.Discard}); err != nil {
			return err
		}
		tx.DeliverStream(req.W, func(w io.Writer) error { return readObject(s.objects(tx.ctx), v, s.Identity, s.listed(v.Class), w) })
		return nil
	}
	if err := checkOutput(s.Dir, req.Output, req.Force); err != nil {
		return err
	}
	_, err := s.stageOutputFile(tx, req.Output, func() string { return v.SHA256 }, func(w io.Writer) error {
		return readObject(s.objects(tx.ctx), v, s.Identity, s.listed(v.Class), ctxWriter{tx.ctx, w})
	})
	return err
}

// Docs lists the documents (erased ones included, marked).
func (s *Study) Docs() ([]*Document, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	return cat.Documents, nil
}

// Doc returns one document.
func (s *Study) Doc(handle string) (*Document, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	return cat.Doc(handle)
}

func newID() string { return uuid.NewString() }

func baseName(p string) string { return filepath.Base(p) }

// versionWithSum names the stored version ("D3 v2") whose plaintext has the
// SHA-256, or "".
func (c *Catalog) versionWithSum(sum string) string {
	for _, d := range c.Documents {
		for _, v := range d.Versions {
			if v.SHA256 == sum {
				return fmt.Sprintf("%s v%d", d.Handle, v.N)
			}
		}
	}
	return ""
}
