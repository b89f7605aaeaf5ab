package qdpx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxQDESize bounds the project.qde that ValidateQDE accepts (it holds
// the GUIDs a document declares). What Writer.Close writes is validated
// without it.
const MaxQDESize = 64 << 20

// maxDepth bounds element nesting (nested codes are the only deep part).
const maxDepth = 128

// ErrInvalidQDE is wrapped by every ValidationError.
var ErrInvalidQDE = errors.New("invalid project.qde")

// ValidationError locates a problem in a project.qde. It names elements and
// attributes, never their values, which may be study material.
type ValidationError struct {
	Line, Column int    // 1-based position in project.qde; 0 if unknown
	Element      string // local name of the element at fault
	Msg          string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("project.qde")
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ", column %d", e.Column)
		}
	}
	if e.Element != "" {
		b.WriteString(": " + e.Element)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalidQDE) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalidQDE }

// Simple (attribute or text-only element) types of the schema.
type simple int

const (
	sString simple = iota
	sGUID
	sInteger
	sBoolean
	sDecimal
	sDate
	sDateTime
	sRGB
	sVarType
)

func (s simple) check(v string) string {
	tok := strings.TrimSpace(v)
	switch s {
	case sGUID:
		if !ValidGUID(tok) {
			return "is not a GUID (8-4-4-4-12 hexadecimal digits)"
		}
	case sInteger:
		if !integerRE.MatchString(tok) {
			return "is not an integer"
		}
	case sBoolean:
		if !booleanRE.MatchString(tok) {
			return "is not a boolean"
		}
	case sDecimal:
		if !decimalRE.MatchString(tok) {
			return "is not a decimal number"
		}
	case sDate:
		if _, err := time.Parse("2006-01-02", strings.TrimSuffix(tok, "Z")); err != nil {
			return "is not a date"
		}
	case sDateTime:
		if !validDateTime(tok) {
			return "is not a date and time"
		}
	case sRGB:
		if !rgbRE.MatchString(tok) {
			return "is not an RGB colour (#RRGGBB or #RGB)"
		}
	case sVarType:
		if !validVariableType(tok) {
			return "is not a variable type (Text, Boolean, Integer, Float, Date, DateTime)"
		}
	}
	return ""
}

type attrRule struct {
	kind     simple
	required bool
}

// particle is one step of a sequence: one of names, min to max times
// (max < 0: unbounded).
type particle struct {
	names    []string
	types    []*elemType
	min, max int
}

// elemType is a complex type of the schema, or a text-only element when
// textOnly is set, or an element whose content is not checked when lax.
type elemType struct {
	attrs    map[string]attrRule
	seq      []particle
	textOnly bool
	text     simple
	lax      bool
}

func one(name string, t *elemType) particle { return particle{[]string{name}, []*elemType{t}, 1, 1} }
func opt(name string, t *elemType) particle { return particle{[]string{name}, []*elemType{t}, 0, 1} }
func many(name string, t *elemType) particle {
	return particle{[]string{name}, []*elemType{t}, 0, -1}
}
func some(name string, t *elemType) particle {
	return particle{[]string{name}, []*elemType{t}, 1, -1}
}

// projectType is the content model of the REFI-QDA project schema (version
// 1.0, March 2019) as far as fieldvault writes it, with the remaining
// top-level parts (Notes, Links, Graphs, non-text sources) accepted in their
// place without checking their contents.
var projectType = buildSchema()

func buildSchema() *elemType {
	str := &elemType{textOnly: true, text: sString}
	txt := func(s simple) *elemType { return &elemType{textOnly: true, text: s} }
	ref := &elemType{attrs: map[string]attrRule{"targetGUID": {sGUID, true}}}
	lax := &elemType{lax: true}
	audit := func(m map[string]attrRule) map[string]attrRule {
		m["creatingUser"] = attrRule{sGUID, false}
		m["creationDateTime"] = attrRule{sDateTime, false}
		m["modifyingUser"] = attrRule{sGUID, false}
		m["modifiedDateTime"] = attrRule{sDateTime, false}
		return m
	}

	user := &elemType{attrs: map[string]attrRule{"guid": {sGUID, true}, "name": {sString, false}, "id": {sString, false}}}
	users := &elemType{seq: []particle{some("User", user)}}

	code := &elemType{attrs: map[string]attrRule{
		"guid": {sGUID, true}, "name": {sString, true}, "isCodable": {sBoolean, true}, "color": {sRGB, false},
	}}
	code.seq = []particle{opt("Description", str), many("NoteRef", ref), many("Code", code)}
	codes := &elemType{seq: []particle{some("Code", code)}}
	codeBook := &elemType{seq: []particle{one("Codes", codes)}}

	variable := &elemType{
		attrs: map[string]attrRule{"guid": {sGUID, true}, "name": {sString, true}, "typeOfVariable": {sVarType, true}},
		seq:   []particle{opt("Description", str)},
	}
	variables := &elemType{seq: []particle{some("Variable", variable)}}

	variableValue := &elemType{seq: []particle{
		one("VariableRef", ref),
		{
			names: []string{"TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue"},
			types: []*elemType{str, txt(sBoolean), txt(sInteger), txt(sDecimal), txt(sDate), txt(sDateTime)},
			min:   0, max: 1,
		},
	}}

	kase := &elemType{
		attrs: map[string]attrRule{"guid": {sGUID, true}, "name": {sString, false}},
		seq: []particle{opt("Description", str), many("CodeRef", ref), many("VariableValue", variableValue),
			many("SourceRef", ref), many("SelectionRef", ref)},
	}
	cases := &elemType{seq: []particle{some("Case", kase)}}

	coding := &elemType{
		attrs: map[string]attrRule{"guid": {sGUID, true}, "creatingUser": {sGUID, false}, "creationDateTime": {sDateTime, false}},
		seq:   []particle{one("CodeRef", ref), many("NoteRef", ref)},
	}
	selection := &elemType{
		attrs: audit(map[string]attrRule{"guid": {sGUID, true}, "name": {sString, false},
			"startPosition": {sInteger, true}, "endPosition": {sInteger, true}}),
		seq: []particle{opt("Description", str), many("Coding", coding), many("NoteRef", ref)},
	}
	textSource := &elemType{
		attrs: audit(map[string]attrRule{"guid": {sGUID, true}, "name": {sString, false},
			"richTextPath": {sString, false}, "plainTextPath": {sString, false}}),
		seq: []particle{opt("Description", str), opt("PlainTextContent", str), many("PlainTextSelection", selection),
			many("Coding", coding), many("NoteRef", ref), many("VariableValue", variableValue)},
	}
	sources := &elemType{seq: []particle{{
		names: []string{"TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"},
		types: []*elemType{textSource, lax, lax, lax, lax},
		min:   1, max: -1,
	}}}

	set := &elemType{
		attrs: map[string]attrRule{"guid": {sGUID, true}, "name": {sString, true}},
		seq:   []particle{opt("Description", str), many("MemberCode", ref), many("MemberSource", ref), many("MemberNote", ref)},
	}
	sets := &elemType{seq: []particle{some("Set", set)}}

	return &elemType{
		attrs: map[string]attrRule{
			"name": {sString, true}, "origin": {sString, false},
			"creatingUserGUID": {sGUID, false}, "creationDateTime": {sDateTime, false},
			"modifyingUserGUID": {sGUID, false}, "modifiedDateTime": {sDateTime, false},
			"basePath": {sString, false},
		},
		seq: []particle{
			opt("Users", users), opt("CodeBook", codeBook), opt("Variables", variables), opt("Cases", cases),
			opt("Sources", sources), opt("Notes", lax), opt("Links", lax), opt("Sets", sets), opt("Graphs", lax),
			opt("Description", str), many("NoteRef", ref),
		},
	}
}

// Namespaces whose attributes any element may carry.
const (
	nsXMLNS = "xmlns"
	nsXSI   = "http://www.w3.org/2001/XMLSchema-instance"
	nsXML   = "http://www.w3.org/XML/1998/namespace"
)

// ValidateQDE checks a project.qde against the REFI-QDA project schema
// (structure, cardinality, attribute and value types) and the rules the
// schema leaves to prose: GUIDs unique, references resolved, selections not
// inverted, each text source with exactly one of PlainTextContent and
// plainTextPath. Errors are *ValidationError.
//
// It reads the document once, as a stream of tokens, holding the open
// elements and the GUIDs the document declares (to find duplicates and
// resolve references, which may point forward), so its memory grows with
// the number of GUIDs: it refuses a document larger than MaxQDESize.
// Writer.Close validates what it writes without that bound (validateQDE
// with trusted selections), holding no GUID per selection.
func ValidateQDE(r io.Reader) error { return validateQDE(r, false) }

// validateQDE is ValidateQDE. With trustedSelections, as Writer.Close
// calls it, the GUIDs of PlainTextSelection elements and of their Coding
// elements are not held for the duplicate check and cannot be referred
// to (SelectionRef, which Writer never writes, fails): Close has made
// them unique, among themselves by construction (SelectionSpool, or the
// check of a held Project's GUIDs) and against every other GUID by
// checking each against the Project's. So memory does not grow with the
// number of selections, and the document is not bounded in size. The
// alternatives were a set of every selection's GUID (grows with the
// document) or a probabilistic filter (bounded, but it would refuse a
// valid project now and then, or need a second pass to confirm).
func validateQDE(r io.Reader, trustedSelections bool) error {
	v := &validator{
		trusted: trustedSelections,
		all:     map[string]decl{}, users: map[string]bool{}, codes: map[string]bool{},
		sources: map[string]bool{}, variables: map[string]string{}, selects: map[string]bool{},
	}
	if trustedSelections {
		return v.run(r)
	}
	lr := &io.LimitedReader{R: r, N: MaxQDESize + 1}
	err := v.run(lr)
	if lr.N <= 0 {
		return &ValidationError{Msg: fmt.Sprintf("larger than %d bytes", MaxQDESize)}
	}
	return err
}

// decl is where a GUID was declared.
type decl struct {
	local string
	line  int
}

// A frame is an open element.
type frame struct {
	local, space string
	line, col    int
	// t is the element's type while its content is checked against the
	// schema: nil inside a lax element.
	t         *elemType
	pi, count int             // the particle of t.seq reached, and how many of it seen
	text      strings.Builder // content of a text-only element of a checked type
	textLen   int
	children  int
	laxKids   bool // its children are in a part whose content is not checked (collect)
	noResolve bool // references in it are not checked
	// TextSource: plainTextPath and PlainTextContent seen
	hasPath, hasContent bool
	// VariableValue: the variable its VariableRef names
	varGUID string
}

func (f *frame) fail(format string, args ...any) *ValidationError {
	return &ValidationError{Line: f.line, Column: f.col, Element: f.local, Msg: fmt.Sprintf(format, args...)}
}

// A pending reference names a GUID not declared yet when it was read.
type pending struct {
	f    *frame // only its place and name
	set  map[string]bool
	key  string
	msg  string
	user bool // an attribute naming a user (the root's, read before Users)
}

// maxTypedText bounds the content of a text-only element whose type is
// checked (a number, a date): no valid value comes near it.
const maxTypedText = 64 << 10

// validator is ValidateQDE's state as it walks the document. Errors come
// back in the order the tree-walking checks gave them: XML errors first,
// then the first schema error, then the first duplicate GUID, then the
// first (in document order) dangling reference or other rule broken.
type validator struct {
	trusted bool
	stack   []*frame
	root    bool

	schemaErr error
	dupErr    error
	refErr    *ValidationError

	all       map[string]decl
	users     map[string]bool
	codes     map[string]bool
	sources   map[string]bool
	variables map[string]string // GUID → typeOfVariable
	selects   map[string]bool
	hasUsers  bool
	pending   []pending
}

func (v *validator) run(r io.Reader) error {
	d := xml.NewDecoder(r)
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				// The decoder's message can quote the document; give
				// only the position.
				return &ValidationError{Line: se.Line, Msg: "malformed XML"}
			}
			line, col := d.InputPos()
			return &ValidationError{Line: line, Column: col, Msg: "unreadable XML"}
		}
		line, col := d.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			if v.root && len(v.stack) == 0 {
				return &ValidationError{Line: line, Column: col, Msg: "more than one root element"}
			}
			if len(v.stack) >= maxDepth {
				return &ValidationError{Line: line, Column: col, Msg: fmt.Sprintf("elements nested deeper than %d", maxDepth)}
			}
			v.root = true
			f := &frame{local: t.Name.Local, space: t.Name.Space, line: line, col: col}
			v.start(f, t.Attr)
			v.stack = append(v.stack, f)
		case xml.EndElement:
			f := v.stack[len(v.stack)-1]
			v.stack = v.stack[:len(v.stack)-1]
			v.end(f)
		case xml.CharData:
			if len(v.stack) == 0 {
				if strings.TrimSpace(string(t)) != "" {
					return &ValidationError{Line: line, Column: col, Msg: "text outside the root element"}
				}
				continue
			}
			v.chars(v.stack[len(v.stack)-1], t)
		case xml.Directive:
			return &ValidationError{Line: line, Column: col, Msg: "document type declarations are not allowed"}
		case xml.ProcInst:
			if t.Target == "xml" && v.root {
				return &ValidationError{Line: line, Column: col, Msg: "misplaced XML declaration"}
			}
		}
	}
	if !v.root {
		return &ValidationError{Msg: "no root element"}
	}
	if v.schemaErr != nil {
		return v.schemaErr
	}
	if v.dupErr != nil {
		return v.dupErr
	}
	for _, p := range v.pending {
		switch {
		case p.user && !v.hasUsers:
		case p.set[p.key]:
		default:
			v.refFail(p.f.fail("%s", p.msg))
		}
	}
	if v.refErr != nil {
		return v.refErr
	}
	return nil
}

// refFail keeps the first, in document order, of the reference errors.
func (v *validator) refFail(e *ValidationError) {
	if v.refErr == nil || e.Line < v.refErr.Line || e.Line == v.refErr.Line && e.Column < v.refErr.Column {
		v.refErr = e
	}
}

func attrOf(attrs []xml.Attr, name string) (string, bool) {
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// start takes an element's start tag.
func (v *validator) start(f *frame, attrs []xml.Attr) {
	var p *frame
	if len(v.stack) > 0 {
		p = v.stack[len(v.stack)-1]
		p.children++
	}
	if v.schemaErr != nil {
		return // the rest is not checked: only XML errors can still come
	}
	if err := v.place(p, f); err != nil {
		v.schemaErr = err
		return
	}
	if f.t != nil {
		if err := checkStart(f, attrs); err != nil {
			v.schemaErr = err
			return
		}
		if f.t.lax {
			f.t = nil
		}
	}
	v.collect(p, f, attrs)
	v.resolve(p, f, attrs)
}

// place finds f's type in its parent's content model (the root's is
// Project's), or the schema error of its being there.
func (v *validator) place(p, f *frame) error {
	if p == nil {
		if f.local != "Project" {
			return f.fail("root element must be Project")
		}
		f.t = projectType
		return nil
	}
	if p.t == nil {
		return nil // inside a lax element
	}
	if p.t.textOnly {
		return f.fail("element not allowed inside %s", p.local)
	}
	for {
		if p.pi >= len(p.t.seq) {
			return f.fail("element not allowed here in %s", p.local)
		}
		pt := p.t.seq[p.pi]
		idx := indexOf(pt.names, f.local)
		if idx >= 0 && (pt.max < 0 || p.count < pt.max) {
			p.count++
			f.t = pt.types[idx]
			return nil
		}
		if p.count < pt.min {
			return f.fail("found where %s is required in %s", strings.Join(pt.names, " or "), p.local)
		}
		p.pi, p.count = p.pi+1, 0
	}
}

// checkStart checks an element's namespace and attributes against its
// type.
func checkStart(f *frame, attrs []xml.Attr) error {
	t := f.t
	if f.space != Namespace {
		return f.fail("not in namespace %s", Namespace)
	}
	if t.lax {
		return nil
	}
	seen := map[string]bool{}
	for _, a := range attrs {
		switch {
		case a.Name.Space == nsXMLNS, a.Name.Space == "" && a.Name.Local == "xmlns":
			continue
		case a.Name.Space == nsXSI, a.Name.Space == nsXML, a.Name.Space == "xml":
			continue
		case a.Name.Space != "":
			return f.fail("attribute %s from a foreign namespace is not allowed", a.Name.Local)
		}
		rule, ok := t.attrs[a.Name.Local]
		if !ok {
			return f.fail("attribute %s is not allowed", a.Name.Local)
		}
		if seen[a.Name.Local] {
			return f.fail("attribute %s repeated", a.Name.Local)
		}
		seen[a.Name.Local] = true
		if msg := rule.kind.check(a.Value); msg != "" {
			return f.fail("attribute %s %s", a.Name.Local, msg)
		}
	}
	for name, rule := range t.attrs {
		if rule.required && !seen[name] {
			return f.fail("required attribute %s missing", name)
		}
	}
	return nil
}

// chars takes character data inside element f.
func (v *validator) chars(f *frame, data []byte) {
	if v.schemaErr != nil || f.t == nil {
		return
	}
	if f.t.textOnly {
		if f.t.text == sString {
			return // any text is a string
		}
		f.textLen += len(data)
		if f.textLen > maxTypedText {
			v.schemaErr = f.fail("content is too long")
			return
		}
		f.text.Write(data)
		return
	}
	if len(bytes.TrimSpace(data)) > 0 {
		v.schemaErr = f.fail("text not allowed here")
	}
}

// end takes an element's end tag.
func (v *validator) end(f *frame) {
	if v.schemaErr != nil {
		return
	}
	if t := f.t; t != nil {
		if t.textOnly {
			if msg := t.text.check(f.text.String()); msg != "" {
				v.schemaErr = f.fail("content %s", msg)
				return
			}
		} else {
			for pi, count := f.pi, f.count; pi < len(t.seq); pi, count = pi+1, 0 {
				if count < t.seq[pi].min {
					v.schemaErr = f.fail("required element %s missing", strings.Join(t.seq[pi].names, " or "))
					return
				}
			}
		}
	}
	if f.local == "TextSource" && !f.noResolve && f.hasPath == f.hasContent {
		v.refFail(f.fail("exactly one of PlainTextContent and plainTextPath is required"))
	}
}

// collect records the GUID f declares, and finds it a duplicate.
func (v *validator) collect(p, f *frame, attrs []xml.Attr) {
	parent, inLax := "", false
	if p != nil {
		parent, inLax = p.local, p.laxKids
	}
	f.laxKids = inLax || (parent == "Sources" && f.local != "TextSource") ||
		(parent == "Project" && (f.local == "Notes" || f.local == "Links" || f.local == "Graphs"))
	if f.local == "Users" && parent == "Project" {
		v.hasUsers = true
	}
	g, ok := attrOf(attrs, "guid")
	if !ok {
		return
	}
	if v.trusted && !inLax && (f.local == "PlainTextSelection" || f.local == "Coding" && parent == "PlainTextSelection") {
		return // unique by construction (validateQDE)
	}
	key := normGUID(strings.TrimSpace(g))
	if prev, dup := v.all[key]; dup {
		if v.dupErr == nil {
			v.dupErr = f.fail("guid already used by %s on line %d", prev.local, prev.line)
		}
		return
	}
	v.all[key] = decl{f.local, f.line}
	switch {
	case inLax:
		v.selects[key] = true
	case f.local == "User":
		v.users[key] = true
	case f.local == "Code" && (parent == "Codes" || parent == "Code"):
		v.codes[key] = true
	case parent == "Sources":
		v.sources[key] = true
	case f.local == "Variable":
		t, _ := attrOf(attrs, "typeOfVariable")
		v.variables[key] = strings.TrimSpace(t)
	case f.local == "PlainTextSelection":
		v.selects[key] = true
	}
}

// resolve checks f's references and the rules the schema leaves to prose.
// A reference to a GUID not declared yet waits for the document's end.
func (v *validator) resolve(p, f *frame, attrs []xml.Attr) {
	parent := ""
	if p != nil {
		parent = p.local
		f.noResolve = p.noResolve
	}
	switch f.local {
	case "Notes", "Links", "Graphs", "PictureSource", "PDFSource", "AudioSource", "VideoSource":
		if parent == "Project" || parent == "Sources" {
			f.noResolve = true
		}
	}
	if f.noResolve {
		return
	}
	target := func(set map[string]bool, what string) {
		g, _ := attrOf(attrs, "targetGUID")
		key := normGUID(strings.TrimSpace(g))
		if !set[key] {
			v.pending = append(v.pending, pending{f: f, set: set, key: key, msg: "targetGUID names no " + what + " in the project"})
		}
	}
	if p != nil && parent == "VariableValue" {
		switch p.children {
		case 1:
			p.varGUID, _ = attrOf(attrs, "targetGUID")
		case 2:
			if t, ok := v.variables[normGUID(strings.TrimSpace(p.varGUID))]; ok {
				if want := valueElement(t); f.local != want {
					v.refFail(f.fail("variable of type %s needs %s", t, want))
				}
			}
		}
	}
	switch f.local {
	case "CodeRef", "MemberCode":
		target(v.codes, "code")
	case "SourceRef", "MemberSource":
		target(v.sources, "source")
	case "SelectionRef":
		target(v.selects, "selection")
	case "VariableRef":
		g, _ := attrOf(attrs, "targetGUID")
		if _, ok := v.variables[normGUID(strings.TrimSpace(g))]; !ok {
			// Variables come before every part that refers to them.
			v.refFail(f.fail("targetGUID names no variable in the project"))
		}
	case "PlainTextSelection":
		s, _ := attrOf(attrs, "startPosition")
		e, _ := attrOf(attrs, "endPosition")
		si, err1 := strconv.Atoi(strings.TrimSpace(s))
		ei, err2 := strconv.Atoi(strings.TrimSpace(e))
		if err1 != nil || err2 != nil || si < 0 || ei < si {
			v.refFail(f.fail("positions must be non-negative with startPosition <= endPosition"))
		}
	case "TextSource":
		_, f.hasPath = attrOf(attrs, "plainTextPath")
	case "PlainTextContent":
		if parent == "TextSource" {
			p.hasContent = true
		}
	}
	for _, a := range []string{"creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID"} {
		u, ok := attrOf(attrs, a)
		if !ok {
			continue
		}
		key := normGUID(strings.TrimSpace(u))
		msg := "attribute " + a + " names no user in the project"
		switch {
		case p == nil:
			// The root's attributes come before Users.
			v.pending = append(v.pending, pending{f: f, set: v.users, key: key, msg: msg, user: true})
		case v.hasUsers && !v.users[key]:
			// Users, if any, come first: they are all known here.
			v.refFail(f.fail("%s", msg))
		}
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
