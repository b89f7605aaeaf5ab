package qdpx

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Namespace is the XML namespace of a REFI-QDA project document.
const Namespace = "urn:QDA-XML:project:1.0"

// Names of the entries inside a .qdpx archive.
const (
	ProjectEntry = "project.qde"
	SourcesDir   = "sources/" // as REFI-QDA 1.5 names it
	internalURL  = "internal://"
)

// Variable types the standard defines (typeOfVariable).
const (
	TypeText     = "Text"
	TypeBoolean  = "Boolean"
	TypeInteger  = "Integer"
	TypeFloat    = "Float"
	TypeDate     = "Date"
	TypeDateTime = "DateTime"
)

// zipTime is the modification time of every archive entry, so that the same
// project always gives the same bytes. It is the earliest time a zip header
// can hold and says nothing about when or where the export ran.
var zipTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// ErrInvalidProject is wrapped by every error Writer.Close returns for a
// Project it refuses to write; callers branch on it with errors.Is.
var ErrInvalidProject = errors.New("invalid qdpx project")

// Project is everything a REFI-QDA project export holds.
type Project struct {
	Name      string    // e.g. the study's name or "fieldvault export"
	Origin    string    // "fieldvault"
	CreatedAt time.Time // written as creationDateTime in UTC; zero omits it
	// Description of the project as a whole; optional.
	Description string
	Users       []User     // at least one; the first is the creating user
	Codes       []Code     // flat code book
	Sources     []Source   // text sources
	Cases       []Case     // participants by pseudonym
	Sets        []Set      // meetings
	Variables   []Variable // attribute definitions for cases
}

// User is a user of the project; use a neutral name such as "researcher".
type User struct {
	GUID, Name string
}

// Code is an entry of the code book.
type Code struct {
	GUID        string
	Name        string
	Color       string // "#RRGGBB" or "#RGB"; optional
	Description string
}

// Source is a text source. Its text, the exported plain text (UTF-8), is
// not held here: the caller streams it into the archive (Writer.Text),
// stored as sources/<GUID>.txt byte for byte as written.
type Source struct {
	GUID, Name string
	// Length is the length in characters (code points) of the text the
	// caller streams into the archive.
	Length     int
	Selections []Selection
	// Spool, if set, holds the source's selections instead of Selections
	// (which must then be empty): Close reads them back one at a time.
	Spool *SelectionSpool
	// Description of the source; optional.
	Description string
}

// selectionCount is the number of the source's selections.
func (s *Source) selectionCount() int {
	if s.Spool != nil {
		return s.Spool.Len()
	}
	return len(s.Selections)
}

// Selection is a span of a source's text, optionally coded.
type Selection struct {
	GUID, Name string
	// Start and End are zero-based code-point positions in the source's
	// text, End exclusive.
	Start, End  int
	CodeGUID    string // the code applied to the span; empty for none
	Description string
	// CodingGUID identifies the Coding element that applies CodeGUID. If
	// empty it is derived from GUID (a name-based UUID), so output stays
	// deterministic.
	CodingGUID string
}

// Case is a participant, by pseudonym.
type Case struct {
	GUID, Name  string
	Attributes  map[string]string // variable name → value
	SourceGUIDs []string
	Description string // optional
}

// Set groups sources, e.g. the documents of one meeting.
//
// The REFI-QDA 1.0 schema has no case members in a set (a set holds
// MemberCode, MemberSource and MemberNote only): Writer.Close refuses a Set with
// MemberCaseGUIDs rather than drop them silently. Relate cases to a meeting
// through the sources they share instead.
type Set struct {
	GUID, Name, Description string
	MemberSourceGUIDs       []string
	MemberCaseGUIDs         []string
	MemberCodeGUIDs         []string
}

// Variable defines an attribute of cases.
type Variable struct {
	GUID, Name  string
	Type        string // one of the Type* constants; empty means Text
	Description string
}

// A Writer writes a project's archive as its sources' texts come, never
// holding one: each text goes straight into its entry (Text), and
// project.qde, which says where each text's selections lie, goes last
// (Close), once every source is known. The order of a zip's entries means
// nothing to a REFI-QDA reader.
type Writer struct {
	zw    *zip.Writer
	texts []*textWriter // the texts written, in order
	guids []string
}

// NewWriter starts an archive on w. Nothing is held: if Close (or a
// write) fails, part of the archive may have been written to w, so the
// caller stages it.
func NewWriter(w io.Writer) *Writer { return &Writer{zw: zip.NewWriter(w)} }

// Text starts the entry of the next source's text, the source with GUID
// guid: what is written to the writer it returns, until the next Text or
// Close, is that text, stored as sources/<GUID>.txt byte for byte. It must
// be valid UTF-8 of the source's Length characters, or Close fails: the
// selections would point elsewhere.
func (w *Writer) Text(guid string) (io.Writer, error) {
	fw, err := createEntry(w.zw, sourceEntry(guid))
	if err != nil {
		return nil, err
	}
	tw := &textWriter{w: fw}
	w.texts = append(w.texts, tw)
	w.guids = append(w.guids, guid)
	return tw, nil
}

// Close checks p against the texts written (one per source, in order,
// each Source.Length characters long), writes its project.qde as the last
// entry and closes the archive. project.qde is written as it is built,
// each spooled source's selections read back one at a time and checked as
// they come, and ValidateQDE's checks run on it as it is written: neither
// holds the document. A Project it refuses gives an error wrapping
// ErrInvalidProject; part of project.qde may have been written by then
// (NewWriter: the caller stages the archive).
func (w *Writer) Close(p Project) error {
	if len(p.Sources) != len(w.texts) {
		return problem("sources", "%d sources, but %d texts written", len(p.Sources), len(w.texts))
	}
	for i, tw := range w.texts {
		f := fmt.Sprintf("source %d", i+1)
		if normGUID(p.Sources[i].GUID) != normGUID(w.guids[i]) {
			return problem(f, "GUID is not the one its text was written under")
		}
		if err := tw.check(f, p.Sources[i].Length); err != nil {
			return err
		}
	}
	// checkProject fills in defaults; keep them off the caller's slices.
	p.Variables = append([]Variable(nil), p.Variables...)
	ck, err := checkProject(&p)
	if err != nil {
		return err
	}
	fw, err := createEntry(w.zw, ProjectEntry)
	if err != nil {
		return err
	}
	// The validator reads what the encoder writes through a pipe. If it
	// refuses the document it stops reading and closes the pipe with its
	// error, which the encoder's next write returns.
	pr, pw := io.Pipe()
	verr := make(chan error, 1)
	go func() {
		err := validateQDE(pr, true)
		pr.CloseWithError(errValidated)
		verr <- err
	}()
	eerr := encodeQDE(io.MultiWriter(fw, pw), &p, func(i int, each func(*Selection) error) error {
		return ck.selections(i, each)
	})
	pw.CloseWithError(eerr) // nil: the validator reads to the end
	vr := <-verr
	switch {
	case eerr != nil && !errors.Is(eerr, errValidated):
		// The encoder's own failure (a spooled selection refused, the
		// archive not written) is the cause; the validator saw it as
		// the document's end.
		if errors.Is(eerr, ErrInvalidProject) {
			return eerr
		}
		return fmt.Errorf("adding %s to qdpx archive: %w", ProjectEntry, eerr)
	case vr != nil:
		return fmt.Errorf("%w: generated project.qde fails validation: %w", ErrInvalidProject, vr)
	case eerr != nil:
		return fmt.Errorf("adding %s to qdpx archive: %w", ProjectEntry, eerr)
	}
	if err := w.zw.Close(); err != nil {
		return fmt.Errorf("closing qdpx archive: %w", err)
	}
	return nil
}

// errValidated closes the validator's end of the pipe: a write after it
// means the validator stopped early, and its own error says why.
var errValidated = errors.New("project.qde validation ended")

// A textWriter passes a source's text on to its entry, counting its
// characters and checking that it is UTF-8 (a character may be split
// between two writes).
type textWriter struct {
	w     io.Writer
	runes int
	part  []byte // the start of a character cut off at the end of a write
	bad   bool
}

func (t *textWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("adding a source to qdpx archive: %w", err)
	}
	if len(t.part) > 0 {
		k := 0
		for k < len(p) && len(t.part) < utf8.UTFMax && !utf8.FullRune(t.part) {
			t.part = append(t.part, p[k])
			k++
		}
		if !utf8.FullRune(t.part) {
			return n, nil // still cut off: p was short
		}
		if r, size := utf8.DecodeRune(t.part); r == utf8.RuneError && size <= 1 || size != len(t.part) {
			t.bad = true
		}
		t.runes++
		t.part = t.part[:0]
		p = p[k:]
	}
	// Hold back a character cut off at the end.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	t.part = append(t.part, p[cut:]...)
	p = p[:cut]
	if !utf8.Valid(p) {
		t.bad = true
	}
	t.runes += utf8.RuneCount(p)
	return n, nil
}

// check reports a text that is not UTF-8 or not the length its selections
// were counted against.
func (t *textWriter) check(field string, length int) error {
	if t.bad || len(t.part) > 0 {
		return problem(field, "text is not valid UTF-8")
	}
	if t.runes != length {
		return problem(field, "text is %d characters, not the %d its selections were counted in", t.runes, length)
	}
	return nil
}

func createEntry(zw *zip.Writer, name string) (io.Writer, error) {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
	fw, err := zw.CreateHeader(fh)
	if err != nil {
		return nil, fmt.Errorf("adding %s to qdpx archive: %w", name, err)
	}
	return fw, nil
}

// sourceEntry is the archive path of a source's plain text.
func sourceEntry(guid string) string { return SourcesDir + normGUID(guid) + ".txt" }

// sourcePath is the plainTextPath attribute that points at sourceEntry.
func sourcePath(guid string) string { return internalURL + normGUID(guid) + ".txt" }

var guidRE = regexp.MustCompile(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$`)

var rgbRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$`)

// ValidGUID reports whether s has the GUID form the standard requires
// (8-4-4-4-12 hexadecimal digits, optionally in braces).
func ValidGUID(s string) bool { return guidRE.MatchString(s) }

// normGUID gives the form used to compare GUIDs: lower case, no braces.
func normGUID(s string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}"))
}

// codingGUID derives the GUID of a selection's Coding element.
func codingGUID(sel *Selection) string {
	if sel.CodingGUID != "" {
		return sel.CodingGUID
	}
	ns, err := uuid.Parse(normGUID(sel.GUID))
	if err != nil {
		// checkProject has validated sel.GUID; fall back to a name-based
		// UUID over its text so this stays total and deterministic.
		ns = uuid.NameSpaceOID
	}
	return uuid.NewSHA1(ns, []byte("fieldvault qdpx coding")).String()
}

// problem builds an ErrInvalidProject error naming the field at fault.
func problem(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidProject, field, fmt.Sprintf(format, args...))
}

// checked is a Project checkProject accepted: the GUIDs it holds and its
// code book, against which its spooled selections are checked as Close
// reads them back.
type checked struct {
	p     *Project
	seen  map[string]string // normalised GUID → the field that holds it
	codes map[string]bool
}

// selections calls each with source i's selections, in order: held ones
// as checkProject checked them, spooled ones checked as they are read
// back. A spooled selection's GUID and its coding's are unique among the
// spool's by construction (SelectionSpool); each is checked here against
// the GUIDs the Project holds.
func (c *checked) selections(i int, each func(*Selection) error) error {
	s := &c.p.Sources[i]
	if s.Spool == nil {
		for j := range s.Selections {
			if err := each(&s.Selections[j]); err != nil {
				return err
			}
		}
		return nil
	}
	j := 0
	return s.Spool.Each(func(sel *Selection) error {
		j++
		sf := fmt.Sprintf("source %d selection %d", i+1, j)
		if err := c.checkSelection(sf, s.Length, sel); err != nil {
			return err
		}
		for _, g := range []string{sel.GUID, codingGUID(sel)} {
			if prev, ok := c.seen[normGUID(g)]; ok {
				return problem(sf, "GUID already used by %s", prev)
			}
		}
		return each(sel)
	})
}

// checkSelection checks a selection's positions against its source's
// length n, its code against the code book and its text.
func (c *checked) checkSelection(sf string, n int, sel *Selection) error {
	if sel.Start < 0 || sel.End < sel.Start || sel.End > n {
		return problem(sf, "positions %d-%d outside the text (0-%d characters)", sel.Start, sel.End, n)
	}
	if sel.CodeGUID != "" && !c.codes[normGUID(sel.CodeGUID)] {
		return problem(sf, "code GUID is not in the code book")
	}
	if err := checkXMLText(sf+" name", sel.Name); err != nil {
		return err
	}
	return checkXMLText(sf+" description", sel.Description)
}

// checkProject refuses a Project that would not make a valid, importable
// export. Messages name fields by index, never by their (possibly
// identifying) content. Spooled selections are checked as Close reads
// them (checked.selections).
func checkProject(p *Project) (*checked, error) {
	ck := &checked{p: p, seen: map[string]string{}, codes: map[string]bool{}}
	if err := ck.check(); err != nil {
		return nil, err
	}
	return ck, nil
}

func (ck *checked) check() error {
	p := ck.p
	if strings.TrimSpace(p.Name) == "" {
		return problem("project name", "empty")
	}
	if err := checkXMLText("project name", p.Name); err != nil {
		return err
	}
	if err := checkXMLText("project origin", p.Origin); err != nil {
		return err
	}
	if err := checkXMLText("project description", p.Description); err != nil {
		return err
	}
	if len(p.Users) == 0 {
		return problem("users", "at least one user is required")
	}
	seen := ck.seen
	claim := func(field, guid string) error {
		if guid == "" {
			return problem(field, "missing GUID")
		}
		if !ValidGUID(guid) {
			return problem(field, "GUID is not in 8-4-4-4-12 hexadecimal form")
		}
		if prev, ok := seen[normGUID(guid)]; ok {
			return problem(field, "GUID already used by %s", prev)
		}
		seen[normGUID(guid)] = field
		return nil
	}
	for i, u := range p.Users {
		f := fmt.Sprintf("user %d", i+1)
		if err := claim(f, u.GUID); err != nil {
			return err
		}
		if err := checkXMLText(f+" name", u.Name); err != nil {
			return err
		}
	}
	codes := ck.codes
	for i, c := range p.Codes {
		f := fmt.Sprintf("code %d", i+1)
		if err := claim(f, c.GUID); err != nil {
			return err
		}
		if strings.TrimSpace(c.Name) == "" {
			return problem(f, "empty name")
		}
		if c.Color != "" && !rgbRE.MatchString(c.Color) {
			return problem(f, "colour is not #RRGGBB or #RGB")
		}
		if err := checkXMLText(f+" name", c.Name); err != nil {
			return err
		}
		if err := checkXMLText(f+" description", c.Description); err != nil {
			return err
		}
		codes[normGUID(c.GUID)] = true
	}
	vars := map[string]*Variable{}
	for i := range p.Variables {
		v := &p.Variables[i]
		f := fmt.Sprintf("variable %d", i+1)
		if err := claim(f, v.GUID); err != nil {
			return err
		}
		if strings.TrimSpace(v.Name) == "" {
			return problem(f, "empty name")
		}
		if err := checkXMLText(f+" name", v.Name); err != nil {
			return err
		}
		if err := checkXMLText(f+" description", v.Description); err != nil {
			return err
		}
		if _, dup := vars[v.Name]; dup {
			return problem(f, "name used by an earlier variable")
		}
		if v.Type == "" {
			v.Type = TypeText
		}
		if !validVariableType(v.Type) {
			return problem(f, "type must be Text, Boolean, Integer, Float, Date or DateTime")
		}
		vars[v.Name] = v
	}
	sources := map[string]bool{}
	// Spooled selections' GUIDs are unique by construction if no two
	// spools share a namespace and prefix and no prefix ends in a digit
	// (SelectionSpool).
	spools := map[string]string{}
	claimSpool := func(f string, sp *SelectionSpool) error {
		if r, _ := utf8.DecodeLastRuneInString(sp.prefix); sp.prefix == "" || r >= '0' && r <= '9' {
			return problem(f, "selection spool's prefix must end in a character that is not a digit")
		}
		k := sp.space.String() + " " + sp.prefix
		if prev, ok := spools[k]; ok {
			return problem(f, "selection spool's namespace and prefix already used by %s", prev)
		}
		spools[k] = f
		return nil
	}
	for i := range p.Sources {
		s := &p.Sources[i]
		f := fmt.Sprintf("source %d", i+1)
		if err := claim(f, s.GUID); err != nil {
			return err
		}
		if err := checkXMLText(f+" name", s.Name); err != nil {
			return err
		}
		if err := checkXMLText(f+" description", s.Description); err != nil {
			return err
		}
		if s.Spool != nil {
			if len(s.Selections) > 0 {
				return problem(f, "selections both held and spooled")
			}
			if err := claimSpool(f, s.Spool); err != nil {
				return err
			}
		}
		for j, sel := range s.Selections {
			sf := fmt.Sprintf("%s selection %d", f, j+1)
			if err := claim(sf, sel.GUID); err != nil {
				return err
			}
			if sel.CodingGUID != "" {
				if err := claim(sf+" coding", sel.CodingGUID); err != nil {
					return err
				}
			} else if sel.CodeGUID != "" {
				if err := claim(sf+" coding", codingGUID(&sel)); err != nil {
					return err
				}
			}
			if err := ck.checkSelection(sf, s.Length, &sel); err != nil {
				return err
			}
		}
		sources[normGUID(s.GUID)] = true
	}
	for i, c := range p.Cases {
		f := fmt.Sprintf("case %d", i+1)
		if err := claim(f, c.GUID); err != nil {
			return err
		}
		if err := checkXMLText(f+" name", c.Name); err != nil {
			return err
		}
		if err := checkXMLText(f+" description", c.Description); err != nil {
			return err
		}
		for name, val := range c.Attributes {
			v, ok := vars[name]
			if !ok {
				return problem(f, "attribute names no declared variable")
			}
			if err := checkValue(v.Type, val); err != nil {
				return problem(f, "value of variable %q: %v", name, err)
			}
		}
		for j, g := range c.SourceGUIDs {
			if !sources[normGUID(g)] {
				return problem(fmt.Sprintf("%s source reference %d", f, j+1), "no such source")
			}
		}
	}
	for i, s := range p.Sets {
		f := fmt.Sprintf("set %d", i+1)
		if err := claim(f, s.GUID); err != nil {
			return err
		}
		if strings.TrimSpace(s.Name) == "" {
			return problem(f, "empty name")
		}
		if err := checkXMLText(f+" name", s.Name); err != nil {
			return err
		}
		if err := checkXMLText(f+" description", s.Description); err != nil {
			return err
		}
		if len(s.MemberCaseGUIDs) > 0 {
			return problem(f, "the REFI-QDA schema has no case members in sets; list the sources instead")
		}
		for j, g := range s.MemberSourceGUIDs {
			if !sources[normGUID(g)] {
				return problem(fmt.Sprintf("%s member source %d", f, j+1), "no such source")
			}
		}
		for j, g := range s.MemberCodeGUIDs {
			if !codes[normGUID(g)] {
				return problem(fmt.Sprintf("%s member code %d", f, j+1), "no such code")
			}
		}
	}
	return nil
}

// checkXMLText refuses strings XML 1.0 cannot carry: invalid UTF-8 and
// control characters other than tab, line feed and carriage return.
func checkXMLText(field, s string) error {
	if !utf8.ValidString(s) {
		return problem(field, "not valid UTF-8")
	}
	for i, r := range s {
		if !isXMLChar(r) {
			return problem(field, "character U+%04X at byte %d is not allowed in XML", r, i)
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

func validVariableType(t string) bool {
	switch t {
	case TypeText, TypeBoolean, TypeInteger, TypeFloat, TypeDate, TypeDateTime:
		return true
	}
	return false
}

// valueElement is the VariableValue child element for a variable type.
func valueElement(t string) string {
	if t == "" {
		t = TypeText
	}
	return t + "Value"
}
