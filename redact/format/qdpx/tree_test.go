package qdpx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The tree of a project.qde that Read (read_test.go) walks.

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
