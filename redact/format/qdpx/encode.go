package qdpx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"time"
)

var (
	integerRE = regexp.MustCompile(`^[+-]?[0-9]+$`)
	decimalRE = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)
	booleanRE = regexp.MustCompile(`^(?:true|false|1|0)$`)
)

// checkValue checks a lexical value against the XML Schema type the standard
// uses for a variable type. Errors never repeat the value.
func checkValue(typ, val string) error {
	switch typ {
	case "", TypeText:
		if err := checkXMLText("text value", val); err != nil {
			return errors.New("contains characters XML cannot carry")
		}
		return nil
	case TypeBoolean:
		if booleanRE.MatchString(val) {
			return nil
		}
		return errors.New("not a boolean (true, false, 1 or 0)")
	case TypeInteger:
		if integerRE.MatchString(val) {
			return nil
		}
		return errors.New("not an integer")
	case TypeFloat:
		if decimalRE.MatchString(val) {
			return nil
		}
		return errors.New("not a decimal number")
	case TypeDate:
		if _, err := time.Parse("2006-01-02", val); err == nil {
			return nil
		}
		return errors.New("not a date (YYYY-MM-DD)")
	case TypeDateTime:
		if validDateTime(val) {
			return nil
		}
		return errors.New("not a date and time (YYYY-MM-DDThh:mm:ss with optional zone)")
	}
	return errors.New("unknown variable type")
}

func validDateTime(val string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if _, err := time.Parse(layout, val); err == nil {
			return true
		}
	}
	return false
}

// xmlWriter writes an indented XML document as it goes. It escapes
// everything it is given; callers have checked that strings hold only XML
// characters. Write errors stick in buf and come back from its Flush.
type xmlWriter struct {
	buf   *bufio.Writer
	depth int
}

type attr struct{ name, value string }

func (x *xmlWriter) indent() {
	for i := 0; i < x.depth; i++ {
		x.buf.WriteString("  ")
	}
}

func (x *xmlWriter) startTag(name string, attrs []attr, empty bool) {
	x.indent()
	x.buf.WriteByte('<')
	x.buf.WriteString(name)
	for _, a := range attrs {
		x.buf.WriteByte(' ')
		x.buf.WriteString(a.name)
		x.buf.WriteString(`="`)
		escape(x.buf, a.value, true)
		x.buf.WriteByte('"')
	}
	if empty {
		x.buf.WriteString("/>\n")
		return
	}
	x.buf.WriteString(">\n")
	x.depth++
}

// open writes a start tag; close must follow.
func (x *xmlWriter) open(name string, attrs ...attr) { x.startTag(name, attrs, false) }

// empty writes an element without content.
func (x *xmlWriter) empty(name string, attrs ...attr) { x.startTag(name, attrs, true) }

func (x *xmlWriter) close(name string) {
	x.depth--
	x.indent()
	x.buf.WriteString("</")
	x.buf.WriteString(name)
	x.buf.WriteString(">\n")
}

// text writes an element holding only character data.
func (x *xmlWriter) text(name, value string) {
	x.indent()
	x.buf.WriteString("<" + name + ">")
	escape(x.buf, value, false)
	x.buf.WriteString("</" + name + ">\n")
}

// escape writes s as XML character data. In an attribute value (inAttr)
// it escapes the quote, tab and line feed too, which attribute-value
// normalisation would otherwise turn into spaces or take as the value's end.
func escape(b *bufio.Writer, s string, inAttr bool) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case inAttr && r == '"':
			b.WriteString("&quot;")
		case inAttr && r == '\t':
			b.WriteString("&#x9;")
		case inAttr && r == '\n':
			b.WriteString("&#xA;")
		default:
			b.WriteRune(r)
		}
	}
}

// description writes a Description element unless d is empty.
func (x *xmlWriter) description(d string) {
	if d != "" {
		x.text("Description", d)
	}
}

// described writes an element whose only content is an optional
// Description: an empty element without one.
func (x *xmlWriter) described(name string, attrs []attr, d string) {
	if d == "" {
		x.empty(name, attrs...)
		return
	}
	x.open(name, attrs...)
	x.text("Description", d)
	x.close(name)
}

// optional returns the attribute, or nothing when value is empty.
func optional(name, value string) []attr {
	if value == "" {
		return nil
	}
	return []attr{{name, value}}
}

// encodeQDE writes a checked Project as project.qde to w, each source's
// selections as sels gives them (Writer.Close: held or spooled), never
// holding the document.
func encodeQDE(w io.Writer, p *Project, sels func(i int, each func(*Selection) error) error) error {
	x := &xmlWriter{buf: bufio.NewWriterSize(w, 64<<10)}
	x.buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	user := p.Users[0].GUID
	created := ""
	if !p.CreatedAt.IsZero() {
		created = p.CreatedAt.UTC().Format(time.RFC3339)
	}
	root := []attr{{"xmlns", Namespace}, {"name", p.Name}}
	root = append(root, optional("origin", p.Origin)...)
	root = append(root, attr{"creatingUserGUID", user})
	root = append(root, optional("creationDateTime", created)...)
	x.open("Project", root...)

	x.open("Users")
	for _, u := range p.Users {
		x.empty("User", append([]attr{{"guid", u.GUID}}, optional("name", u.Name)...)...)
	}
	x.close("Users")

	if len(p.Codes) > 0 {
		x.open("CodeBook")
		x.open("Codes")
		for _, c := range p.Codes {
			attrs := []attr{{"guid", c.GUID}, {"name", c.Name}, {"isCodable", "true"}}
			attrs = append(attrs, optional("color", c.Color)...)
			x.described("Code", attrs, c.Description)
		}
		x.close("Codes")
		x.close("CodeBook")
	}

	varByName := map[string]*Variable{}
	if len(p.Variables) > 0 {
		x.open("Variables")
		for i := range p.Variables {
			v := &p.Variables[i]
			varByName[v.Name] = v
			attrs := []attr{{"guid", v.GUID}, {"name", v.Name}, {"typeOfVariable", v.Type}}
			x.described("Variable", attrs, v.Description)
		}
		x.close("Variables")
	}

	if len(p.Cases) > 0 {
		x.open("Cases")
		for _, c := range p.Cases {
			x.open("Case", append([]attr{{"guid", c.GUID}}, optional("name", c.Name)...)...)
			x.description(c.Description)
			// Values in the order the variables are declared: stable
			// output whatever the map's iteration order.
			for _, v := range p.Variables {
				val, ok := c.Attributes[v.Name]
				if !ok {
					continue
				}
				x.open("VariableValue")
				x.empty("VariableRef", attr{"targetGUID", v.GUID})
				x.text(valueElement(v.Type), val)
				x.close("VariableValue")
			}
			for _, g := range c.SourceGUIDs {
				x.empty("SourceRef", attr{"targetGUID", g})
			}
			x.close("Case")
		}
		x.close("Cases")
	}

	if len(p.Sources) > 0 {
		x.open("Sources")
		for i := range p.Sources {
			s := &p.Sources[i]
			attrs := []attr{{"guid", s.GUID}}
			attrs = append(attrs, optional("name", s.Name)...)
			attrs = append(attrs, attr{"plainTextPath", sourcePath(s.GUID)}, attr{"creatingUser", user})
			attrs = append(attrs, optional("creationDateTime", created)...)
			if s.Description == "" && s.selectionCount() == 0 {
				x.empty("TextSource", attrs...)
				continue
			}
			x.open("TextSource", attrs...)
			x.description(s.Description)
			err := sels(i, func(sel *Selection) error {
				sa := []attr{{"guid", sel.GUID}}
				sa = append(sa, optional("name", sel.Name)...)
				sa = append(sa,
					attr{"startPosition", strconv.Itoa(sel.Start)},
					attr{"endPosition", strconv.Itoa(sel.End)},
					attr{"creatingUser", user})
				sa = append(sa, optional("creationDateTime", created)...)
				if sel.Description == "" && sel.CodeGUID == "" {
					x.empty("PlainTextSelection", sa...)
					return nil
				}
				x.open("PlainTextSelection", sa...)
				x.description(sel.Description)
				if sel.CodeGUID != "" {
					ca := []attr{{"guid", codingGUID(sel)}, {"creatingUser", user}}
					ca = append(ca, optional("creationDateTime", created)...)
					x.open("Coding", ca...)
					x.empty("CodeRef", attr{"targetGUID", sel.CodeGUID})
					x.close("Coding")
				}
				x.close("PlainTextSelection")
				return nil
			})
			if err != nil {
				return err
			}
			x.close("TextSource")
			// A write that failed (the validator refused what it read)
			// stops the document here, not after every selection.
			if err := x.buf.Flush(); err != nil {
				return err
			}
		}
		x.close("Sources")
	}

	if len(p.Sets) > 0 {
		x.open("Sets")
		for _, s := range p.Sets {
			attrs := []attr{{"guid", s.GUID}, {"name", s.Name}}
			if s.Description == "" && len(s.MemberCodeGUIDs) == 0 && len(s.MemberSourceGUIDs) == 0 {
				x.empty("Set", attrs...)
				continue
			}
			x.open("Set", attrs...)
			x.description(s.Description)
			for _, g := range s.MemberCodeGUIDs {
				x.empty("MemberCode", attr{"targetGUID", g})
			}
			for _, g := range s.MemberSourceGUIDs {
				x.empty("MemberSource", attr{"targetGUID", g})
			}
			x.close("Set")
		}
		x.close("Sets")
	}

	x.description(p.Description)
	x.close("Project")
	if x.depth != 0 {
		return fmt.Errorf("%w: internal error: unbalanced project.qde", ErrInvalidProject)
	}
	return x.buf.Flush()
}
