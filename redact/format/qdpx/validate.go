package qdpx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxQDESize bounds the project.qde that ValidateQDE and Read accept.
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

// node is an element of a parsed project.qde.
type node struct {
	local     string
	space     string
	line, col int
	attrs     []xml.Attr
	children  []*node
	text      strings.Builder
	hasText   bool // non-whitespace character data seen
}

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) fail(format string, args ...any) error {
	return &ValidationError{Line: n.line, Column: n.col, Element: n.local, Msg: fmt.Sprintf(format, args...)}
}

// parseQDE reads a project.qde into a tree. It accepts well-formed UTF-8
// XML without a document type declaration.
func parseQDE(r io.Reader) (*node, error) {
	lr := &io.LimitedReader{R: r, N: MaxQDESize + 1}
	d := xml.NewDecoder(lr)
	d.Strict = true
	var root *node
	var stack []*node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return nil, &ValidationError{Msg: fmt.Sprintf("larger than %d bytes", MaxQDESize)}
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				// The decoder's message can quote the document; give
				// only the position.
				return nil, &ValidationError{Line: se.Line, Msg: "malformed XML"}
			}
			line, col := d.InputPos()
			return nil, &ValidationError{Line: line, Column: col, Msg: "unreadable XML"}
		}
		line, col := d.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, &ValidationError{Line: line, Column: col, Msg: "more than one root element"}
			}
			if len(stack) >= maxDepth {
				return nil, &ValidationError{Line: line, Column: col, Msg: fmt.Sprintf("elements nested deeper than %d", maxDepth)}
			}
			n := &node{local: t.Name.Local, space: t.Name.Space, line: line, col: col, attrs: t.Copy().Attr}
			if len(stack) == 0 {
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if strings.TrimSpace(string(t)) != "" {
					return nil, &ValidationError{Line: line, Column: col, Msg: "text outside the root element"}
				}
				continue
			}
			n := stack[len(stack)-1]
			n.text.Write(t)
			if strings.TrimSpace(string(t)) != "" {
				n.hasText = true
			}
		case xml.Directive:
			return nil, &ValidationError{Line: line, Column: col, Msg: "document type declarations are not allowed"}
		case xml.ProcInst:
			if t.Target == "xml" && root != nil {
				return nil, &ValidationError{Line: line, Column: col, Msg: "misplaced XML declaration"}
			}
		}
	}
	if lr.N <= 0 {
		return nil, &ValidationError{Msg: fmt.Sprintf("larger than %d bytes", MaxQDESize)}
	}
	if root == nil {
		return nil, &ValidationError{Msg: "no root element"}
	}
	return root, nil
}

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

// checkElement validates n, already known to be named as the schema
// expects, against t.
func checkElement(n *node, t *elemType) error {
	if n.space != Namespace {
		return n.fail("not in namespace %s", Namespace)
	}
	if t.lax {
		return nil
	}
	seen := map[string]bool{}
	for _, a := range n.attrs {
		switch {
		case a.Name.Space == nsXMLNS, a.Name.Space == "" && a.Name.Local == "xmlns":
			continue
		case a.Name.Space == nsXSI, a.Name.Space == nsXML, a.Name.Space == "xml":
			continue
		case a.Name.Space != "":
			return n.fail("attribute %s from a foreign namespace is not allowed", a.Name.Local)
		}
		rule, ok := t.attrs[a.Name.Local]
		if !ok {
			return n.fail("attribute %s is not allowed", a.Name.Local)
		}
		if seen[a.Name.Local] {
			return n.fail("attribute %s repeated", a.Name.Local)
		}
		seen[a.Name.Local] = true
		if msg := rule.kind.check(a.Value); msg != "" {
			return n.fail("attribute %s %s", a.Name.Local, msg)
		}
	}
	for name, rule := range t.attrs {
		if rule.required && !seen[name] {
			return n.fail("required attribute %s missing", name)
		}
	}
	if t.textOnly {
		if len(n.children) > 0 {
			return n.children[0].fail("element not allowed inside %s", n.local)
		}
		if msg := t.text.check(n.text.String()); msg != "" {
			return n.fail("content %s", msg)
		}
		return nil
	}
	if n.hasText {
		return n.fail("text not allowed here")
	}
	pi, count := 0, 0
	for _, c := range n.children {
		for {
			if pi >= len(t.seq) {
				return c.fail("element not allowed here in %s", n.local)
			}
			p := t.seq[pi]
			idx := indexOf(p.names, c.local)
			if idx >= 0 && (p.max < 0 || count < p.max) {
				count++
				if err := checkElement(c, p.types[idx]); err != nil {
					return err
				}
				break
			}
			if count < p.min {
				return c.fail("found where %s is required in %s", strings.Join(p.names, " or "), n.local)
			}
			pi, count = pi+1, 0
		}
	}
	for ; pi < len(t.seq); pi, count = pi+1, 0 {
		if count < t.seq[pi].min {
			return n.fail("required element %s missing", strings.Join(t.seq[pi].names, " or "))
		}
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// ValidateQDE checks a project.qde against the REFI-QDA project schema
// (structure, cardinality, attribute and value types) and the rules the
// schema leaves to prose: GUIDs unique, references resolved, selections not
// inverted, each text source with exactly one of PlainTextContent and
// plainTextPath. Errors are *ValidationError.
func ValidateQDE(r io.Reader) error {
	root, err := parseQDE(r)
	if err != nil {
		return err
	}
	return validateTree(root)
}

func validateTree(root *node) error {
	if root.local != "Project" {
		return root.fail("root element must be Project")
	}
	if err := checkElement(root, projectType); err != nil {
		return err
	}
	return checkSemantics(root)
}

// index holds the GUIDs a project.qde declares, by kind.
type index struct {
	all       map[string]*node
	users     map[string]bool
	codes     map[string]bool
	sources   map[string]bool
	variables map[string]string // GUID → typeOfVariable
	selects   map[string]bool
	hasUsers  bool
}

func checkSemantics(root *node) error {
	ix := &index{all: map[string]*node{}, users: map[string]bool{}, codes: map[string]bool{},
		sources: map[string]bool{}, variables: map[string]string{}, selects: map[string]bool{}}
	if err := ix.collect(root, "", false); err != nil {
		return err
	}
	return ix.resolve(root, "")
}

func (ix *index) collect(n *node, parent string, inLax bool) error {
	if g, ok := n.attr("guid"); ok {
		key := normGUID(strings.TrimSpace(g))
		if prev, dup := ix.all[key]; dup {
			return n.fail("guid already used by %s on line %d", prev.local, prev.line)
		}
		ix.all[key] = n
		switch {
		case inLax:
			ix.selects[key] = true
		case n.local == "User":
			ix.users[key] = true
		case n.local == "Code" && (parent == "Codes" || parent == "Code"):
			ix.codes[key] = true
		case parent == "Sources":
			ix.sources[key] = true
		case n.local == "Variable":
			t, _ := n.attr("typeOfVariable")
			ix.variables[key] = strings.TrimSpace(t)
		case n.local == "PlainTextSelection":
			ix.selects[key] = true
		}
	}
	if n.local == "Users" && parent == "Project" {
		ix.hasUsers = true
	}
	lax := inLax || (parent == "Sources" && n.local != "TextSource") ||
		(parent == "Project" && (n.local == "Notes" || n.local == "Links" || n.local == "Graphs"))
	for _, c := range n.children {
		if err := ix.collect(c, n.local, lax); err != nil {
			return err
		}
	}
	return nil
}

func (ix *index) target(n *node, set map[string]bool, what string) error {
	g, _ := n.attr("targetGUID")
	if !set[normGUID(strings.TrimSpace(g))] {
		return n.fail("targetGUID names no %s in the project", what)
	}
	return nil
}

func (ix *index) resolve(n *node, parent string) error {
	switch n.local {
	case "Notes", "Links", "Graphs", "PictureSource", "PDFSource", "AudioSource", "VideoSource":
		if parent == "Project" || parent == "Sources" {
			return nil
		}
	}
	var err error
	switch n.local {
	case "CodeRef", "MemberCode":
		err = ix.target(n, ix.codes, "code")
	case "SourceRef", "MemberSource":
		err = ix.target(n, ix.sources, "source")
	case "SelectionRef":
		err = ix.target(n, ix.selects, "selection")
	case "VariableRef":
		g, _ := n.attr("targetGUID")
		if _, ok := ix.variables[normGUID(strings.TrimSpace(g))]; !ok {
			err = n.fail("targetGUID names no variable in the project")
		}
	case "VariableValue":
		err = ix.checkValueType(n)
	case "PlainTextSelection":
		s, _ := n.attr("startPosition")
		e, _ := n.attr("endPosition")
		si, err1 := strconv.Atoi(strings.TrimSpace(s))
		ei, err2 := strconv.Atoi(strings.TrimSpace(e))
		if err1 != nil || err2 != nil || si < 0 || ei < si {
			err = n.fail("positions must be non-negative with startPosition <= endPosition")
		}
	case "TextSource":
		_, hasPath := n.attr("plainTextPath")
		hasContent := false
		for _, c := range n.children {
			if c.local == "PlainTextContent" {
				hasContent = true
			}
		}
		if hasPath == hasContent {
			err = n.fail("exactly one of PlainTextContent and plainTextPath is required")
		}
	}
	if err != nil {
		return err
	}
	if ix.hasUsers {
		for _, a := range []string{"creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID"} {
			if v, ok := n.attr(a); ok && !ix.users[normGUID(strings.TrimSpace(v))] {
				return n.fail("attribute %s names no user in the project", a)
			}
		}
	}
	for _, c := range n.children {
		if err := ix.resolve(c, n.local); err != nil {
			return err
		}
	}
	return nil
}

func (ix *index) checkValueType(n *node) error {
	if len(n.children) < 2 {
		return nil
	}
	g, _ := n.children[0].attr("targetGUID")
	t, ok := ix.variables[normGUID(strings.TrimSpace(g))]
	if !ok {
		return nil // reported by the VariableRef check
	}
	if want := valueElement(t); n.children[1].local != want {
		return n.children[1].fail("variable of type %s needs %s", t, want)
	}
	return nil
}
