package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"os"
	"strings"
	"unicode/utf16"

	"github.com/rogpeppe/go-internal/testscript"
)

// formatCmds make the files real tools write from a script's text files.
var formatCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"mkdocx": cmdMkDocx,
	"encode": cmdEncode,
}

// mkdocx SPEC OUT: writes a Word .docx whose paragraphs are SPEC's lines.
// In a line, a tab is a w:tab, "\n" a soft line break (w:br), "**x**" a
// bold run; a line holding " | " is a table row (consecutive rows make one
// table, a cell "~" is empty); "#header TEXT" and "#comment TEXT" add a
// header part and a comment part.
func cmdMkDocx(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkdocx SPEC OUT")
	}
	const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	esc := func(s string) string {
		var b bytes.Buffer
		ts.Check(xml.EscapeText(&b, []byte(s)))
		return b.String()
	}
	para := func(line string) string {
		var b strings.Builder
		b.WriteString("<w:p>")
		for k, part := range strings.Split(line, "**") {
			rpr := ""
			if k%2 == 1 {
				rpr = "<w:rPr><w:b/></w:rPr>"
			}
			for j, seg := range strings.Split(part, `\n`) {
				if j > 0 {
					b.WriteString("<w:r><w:br/></w:r>")
				}
				for i, t := range strings.Split(seg, "\t") {
					if i > 0 {
						b.WriteString("<w:r><w:tab/></w:r>")
					}
					if t != "" {
						b.WriteString(`<w:r>` + rpr + `<w:t xml:space="preserve">` + esc(t) + `</w:t></w:r>`)
					}
				}
			}
		}
		b.WriteString("</w:p>")
		return b.String()
	}
	var body strings.Builder
	var header, comment string
	inTable := false
	for _, line := range strings.Split(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n") {
		if h, ok := strings.CutPrefix(line, "#header "); ok {
			header = h
			continue
		}
		if c, ok := strings.CutPrefix(line, "#comment "); ok {
			comment = c
			continue
		}
		row := strings.Contains(line, " | ")
		if row && !inTable {
			body.WriteString("<w:tbl>")
		}
		if !row && inTable {
			body.WriteString("</w:tbl>")
		}
		inTable = row
		if !row {
			body.WriteString(para(line))
			continue
		}
		body.WriteString("<w:tr>")
		for _, cell := range strings.Split(line, " | ") {
			if cell = strings.TrimSpace(cell); cell == "~" {
				cell = ""
			}
			body.WriteString("<w:tc>" + para(cell) + "</w:tc>")
		}
		body.WriteString("</w:tr>")
	}
	if inTable {
		body.WriteString("</w:tbl>")
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	put := func(name, data string) {
		f, err := zw.Create(name)
		ts.Check(err)
		_, err = f.Write([]byte(data))
		ts.Check(err)
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`)
	put("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document `+w+`><w:body>`+body.String()+`</w:body></w:document>`)
	if header != "" {
		put("word/header1.xml", `<w:hdr `+w+`>`+para(header)+`</w:hdr>`)
	}
	if comment != "" {
		put("word/comments.xml", `<w:comments `+w+`><w:comment w:id="0">`+para(comment)+`</w:comment></w:comments>`)
	}
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out.Bytes(), 0o600))
}

// encode ENC IN OUT: writes IN's text in encoding ENC: utf16le-bom (Windows
// Notepad's "Unicode"), utf16le (no byte-order mark), latin1 (Windows-1252's
// apostrophe included), crlf-bom (UTF-8 with a byte-order mark and CRLF).
func cmdEncode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: encode utf16le-bom|utf16le|latin1|crlf-bom IN OUT")
	}
	text := ts.ReadFile(args[1])
	var out []byte
	switch args[0] {
	case "utf16le-bom", "utf16le":
		if args[0] == "utf16le-bom" {
			out = []byte{0xff, 0xfe}
		}
		for _, u := range utf16.Encode([]rune(text)) {
			out = append(out, byte(u), byte(u>>8))
		}
	case "latin1":
		for _, r := range text {
			switch {
			case r == '\u2019':
				out = append(out, 0x92)
			case r < 0x100:
				out = append(out, byte(r))
			default:
				ts.Fatalf("encode: %q is not Latin-1", r)
			}
		}
	case "crlf-bom":
		out = append([]byte("\ufeff"), strings.ReplaceAll(text, "\n", "\r\n")...)
	default:
		ts.Fatalf("encode: unknown encoding %q", args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), out, 0o600))
}
