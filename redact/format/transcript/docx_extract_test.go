package transcript

import (
	"bytes"
	"reflect"
	"testing"
)

// TestDocxExtraction checks the text extraction rules one by one.
func TestDocxExtraction(t *testing.T) {
	const pre = "<w:document " + wNS + "><w:body>"
	const post = "</w:body></w:document>"
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"runs joined", `<w:p><w:r><w:t>Ca</w:t></w:r><w:r><w:t>rol: hi</w:t></w:r></w:p>`, []string{"Carol: hi"}},
		{"empty paragraph kept", `<w:p/><w:p><w:r><w:t>x</w:t></w:r></w:p>`, []string{"", "x"}},
		{"line break splits", `<w:p><w:r><w:t>a</w:t><w:br/><w:t>b</w:t><w:cr/><w:t>c</w:t></w:r></w:p>`, []string{"a", "b", "c"}},
		{"page break at start ignored", `<w:p><w:r><w:br w:type="page"/><w:t>a</w:t></w:r></w:p>`, []string{"a"}},
		{"page break mid-paragraph splits", `<w:p><w:r><w:t>a</w:t><w:br w:type="page"/><w:t>b</w:t></w:r></w:p>`, []string{"a", "b"}},
		{"insertion kept, deletion dropped", `<w:p><w:ins><w:r><w:t>new</w:t></w:r></w:ins><w:del><w:r><w:delText>old</w:delText></w:r></w:del></w:p>`, []string{"new"}},
		{"move", `<w:p><w:moveFrom><w:r><w:t>from</w:t></w:r></w:moveFrom><w:moveTo><w:r><w:t>to</w:t></w:r></w:moveTo></w:p>`, []string{"to"}},
		{"deleted paragraph mark joins", `<w:p><w:pPr><w:rPr><w:del/></w:rPr></w:pPr><w:r><w:t xml:space="preserve">a </w:t></w:r></w:p><w:p><w:r><w:t>b</w:t></w:r></w:p>`, []string{"a b"}},
		{"deleted mark before a table", `<w:p><w:pPr><w:rPr><w:del/></w:rPr></w:pPr><w:r><w:t>a</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`, []string{"a", "c"}},
		{"deleted mark at the end", `<w:p><w:pPr><w:rPr><w:del/></w:rPr></w:pPr><w:r><w:t>a</w:t></w:r></w:p>`, []string{"a"}},
		{"table rows", `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b</w:t></w:r></w:p><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>d</w:t><w:br/><w:t>e</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`, []string{"a | b c", " | d e"}},
		{"nested table flattened", `<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc><w:tc><w:p><w:r><w:t>z</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`, []string{"x y | z"}},
		{"tabs and hyphens", `<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:noBreakHyphen/><w:t>c</w:t><w:softHyphen/></w:r></w:p>`, []string{"a\tb-c"}},
		{"field instruction dropped", `<w:p><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>3</w:t></w:r></w:p>`, []string{"3"}},
		{"tab stops in pPr ignored", `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>a</w:t></w:r></w:p>`, []string{"a"}},
		{"newline inside w:t is a space", "<w:p><w:r><w:t>a\nb&#13;c</w:t></w:r></w:p>", []string{"a b c"}},
		{"hyperlink and content control", `<w:p><w:hyperlink><w:r><w:t>link</w:t></w:r></w:hyperlink><w:sdt><w:sdtContent><w:r><w:t>!</w:t></w:r></w:sdtContent></w:sdt></w:p>`, []string{"link!"}},
		{"text outside w:t ignored", `<w:p>stray<w:r>words<w:t>kept</w:t></w:r></w:p>`, []string{"kept"}},
		{"other namespaces ignored", `<w:p xmlns:x="urn:x"><w:r><x:t>no</x:t><w:t>yes</w:t></w:r></w:p>`, []string{"yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildZip(t, []struct{ name, body string }{{"word/document.xml", pre + tt.body + post}})
			doc, err := Parse(FormatDocx, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range doc.Lines {
				got = append(got, l.Text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("lines %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDocxStrict reads a document in the ISO strict namespace.
func TestDocxStrict(t *testing.T) {
	xml := `<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body><w:p><w:r><w:t>Ada Moss: strict</w:t></w:r></w:p></w:body></w:document>`
	doc, err := Parse(FormatDocx, bytes.NewReader(buildZip(t, []struct{ name, body string }{{"word/document.xml", xml}})))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Lines) != 1 || doc.Lines[0].Speaker != "Ada Moss" || !doc.Lines[0].Turn {
		t.Errorf("got %+v", doc.Lines)
	}
}
