package qdpx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxSourceSize bounds one source text that Read accepts.
const MaxSourceSize = 256 << 20

// Read parses a .qdpx archive: it validates project.qde with the same rules
// as ValidateQDE, loads each text source (from sources/, or Sources/ as
// earlier releases wrote it, or inline PlainTextContent) and checks that
// every selection lies within its text. Nested codes come back flattened,
// depth first. Non-text sources, notes, links and graphs are accepted and
// ignored. Sources come back with their texts beside them and Length 0, as
// the tests build them.
func Read(r io.ReaderAt, size int64) (*textProject, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("reading qdpx archive: %w", err)
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	qf := entries[ProjectEntry]
	if qf == nil {
		return nil, fmt.Errorf("reading qdpx archive: no %s entry", ProjectEntry)
	}
	qde, err := readEntry(qf, MaxQDESize)
	if err != nil {
		return nil, err
	}
	if err := ValidateQDE(bytes.NewReader(qde)); err != nil {
		return nil, err
	}
	root, err := parseQDE(bytes.NewReader(qde))
	if err != nil {
		return nil, err
	}
	p := &textProject{}
	p.Name, _ = root.attr("name")
	p.Origin, _ = root.attr("origin")
	if v, ok := root.attr("creationDateTime"); ok {
		if t, err := parseDateTime(v); err == nil {
			p.CreatedAt = t
		}
	}
	varName := map[string]string{}
	for _, c := range root.children {
		switch c.local {
		case "Users":
			for _, u := range c.children {
				g, _ := u.attr("guid")
				name, _ := u.attr("name")
				p.Users = append(p.Users, User{GUID: g, Name: name})
			}
		case "CodeBook":
			for _, codes := range c.children {
				readCodes(codes, &p.Codes)
			}
		case "Variables":
			for _, v := range c.children {
				g, _ := v.attr("guid")
				name, _ := v.attr("name")
				typ, _ := v.attr("typeOfVariable")
				p.Variables = append(p.Variables, Variable{GUID: g, Name: name, Type: strings.TrimSpace(typ), Description: childText(v, "Description")})
				varName[normGUID(g)] = name
			}
		case "Description":
			p.Description = c.text.String()
		}
	}
	// Sources, cases and sets after variables: element order is fixed by
	// the schema, but read them in dependency order all the same.
	for _, c := range root.children {
		switch c.local {
		case "Sources":
			for _, s := range c.children {
				if s.local != "TextSource" {
					continue
				}
				src, text, err := readSource(s, entries)
				if err != nil {
					return nil, err
				}
				p.Sources = append(p.Sources, src)
				p.Texts = append(p.Texts, text)
			}
		case "Cases":
			for _, k := range c.children {
				p.Cases = append(p.Cases, readCase(k, varName))
			}
		case "Sets":
			for _, s := range c.children {
				g, _ := s.attr("guid")
				name, _ := s.attr("name")
				set := Set{GUID: g, Name: name}
				for _, m := range s.children {
					t, _ := m.attr("targetGUID")
					switch m.local {
					case "Description":
						set.Description = m.text.String()
					case "MemberSource":
						set.MemberSourceGUIDs = append(set.MemberSourceGUIDs, t)
					case "MemberCode":
						set.MemberCodeGUIDs = append(set.MemberCodeGUIDs, t)
					}
				}
				p.Sets = append(p.Sets, set)
			}
		}
	}
	return p, nil
}

func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("reading qdpx entry %s: %w", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading qdpx entry %s: %w", f.Name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("reading qdpx entry %s: larger than %d bytes", f.Name, limit)
	}
	return data, nil
}

func parseDateTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.999999999", v)
}

func childText(n *node, name string) string {
	for _, c := range n.children {
		if c.local == name {
			return c.text.String()
		}
	}
	return ""
}

func readCodes(n *node, out *[]Code) {
	for _, c := range n.children {
		if c.local != "Code" {
			continue
		}
		g, _ := c.attr("guid")
		name, _ := c.attr("name")
		color, _ := c.attr("color")
		*out = append(*out, Code{GUID: g, Name: name, Color: strings.TrimSpace(color), Description: childText(c, "Description")})
		readCodes(c, out)
	}
}

func readCase(k *node, varName map[string]string) Case {
	g, _ := k.attr("guid")
	name, _ := k.attr("name")
	c := Case{GUID: g, Name: name}
	for _, e := range k.children {
		switch e.local {
		case "Description":
			c.Description = e.text.String()
		case "SourceRef":
			t, _ := e.attr("targetGUID")
			c.SourceGUIDs = append(c.SourceGUIDs, t)
		case "VariableValue":
			if len(e.children) < 2 {
				continue
			}
			t, _ := e.children[0].attr("targetGUID")
			if c.Attributes == nil {
				c.Attributes = map[string]string{}
			}
			c.Attributes[varName[normGUID(t)]] = e.children[1].text.String()
		}
	}
	return c
}

func readSource(s *node, entries map[string]*zip.File) (Source, string, error) {
	g, _ := s.attr("guid")
	name, _ := s.attr("name")
	src := Source{GUID: g, Name: name, Description: childText(s, "Description")}
	var text string
	if path, ok := s.attr("plainTextPath"); ok {
		entry, ok := entryForPath(strings.TrimSpace(path))
		if !ok {
			return Source{}, "", s.fail("plainTextPath is not an internal:// path inside sources/")
		}
		f := entries[entry]
		if f == nil {
			f = entries[legacySourcesDir+strings.TrimPrefix(entry, SourcesDir)]
		}
		if f == nil {
			return Source{}, "", s.fail("plainTextPath names no entry of the archive")
		}
		data, err := readEntry(f, MaxSourceSize)
		if err != nil {
			return Source{}, "", err
		}
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark is not text
		if !utf8.Valid(data) {
			return Source{}, "", s.fail("source text is not valid UTF-8")
		}
		text = string(data)
	} else {
		text = childText(s, "PlainTextContent")
	}
	n := utf8.RuneCountInString(text)
	for _, e := range s.children {
		if e.local != "PlainTextSelection" {
			continue
		}
		sg, _ := e.attr("guid")
		sname, _ := e.attr("name")
		st, _ := e.attr("startPosition")
		en, _ := e.attr("endPosition")
		start, _ := strconv.Atoi(strings.TrimSpace(st))
		end, _ := strconv.Atoi(strings.TrimSpace(en))
		if end > n {
			return Source{}, "", e.fail("endPosition beyond the end of the source text (%d characters)", n)
		}
		sel := Selection{GUID: sg, Name: sname, Start: start, End: end}
		for _, c := range e.children {
			switch c.local {
			case "Description":
				sel.Description = c.text.String()
			case "Coding":
				if sel.CodeGUID != "" {
					continue // a second coding of the same span: keep the first
				}
				cg, _ := c.attr("guid")
				if normGUID(cg) != normGUID(codingGUID(&Selection{GUID: sg})) {
					sel.CodingGUID = cg // not the one Stream derives
				}
				sel.CodeGUID, _ = c.children[0].attr("targetGUID")
			}
		}
		src.Selections = append(src.Selections, sel)
	}
	return src, text, nil
}

// legacySourcesDir is the folder name earlier releases (and some tools)
// wrote; reading accepts it beside SourcesDir.
const legacySourcesDir = "Sources/"

// entryForPath turns a plainTextPath into the archive entry it names (in
// SourcesDir; the caller falls back to legacySourcesDir).
func entryForPath(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, internalURL)
	if !ok || rest == "" || strings.Contains(rest, "..") || strings.HasPrefix(rest, "/") || strings.Contains(rest, "\\") {
		return "", false
	}
	return SourcesDir + rest, true
}
