package redact

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScanTable(t *testing.T) {
	tests := []struct {
		in   string
		want []string // kind@line:col:text
	}{
		{"Ring 07700 900123 today.", []string{"phone@1:6:07700 900123"}},
		{"Ring +44 7700 900123.", []string{"phone@1:6:+44 7700 900123"}},
		{"Office (01632) 960001.", []string{"phone@1:8:(01632) 960001"}},
		{"Order 0770090012345678 arrived.", nil},
		{"Write to jo.bloggs@example.ac.uk.", []string{"email@1:10:jo.bloggs@example.ac.uk"}},
		{"See https://example.org/a?b=c.", []string{"url@1:5:https://example.org/a?b=c"}},
		{"Postcode MK7 6AA and SW1A 1AA.", []string{"postcode@1:10:MK7 6AA", "postcode@1:22:SW1A 1AA"}},
		{"NI AB 12 34 56 C and AB123456C.", []string{"ni-number@1:4:AB 12 34 56 C", "ni-number@1:22:AB123456C"}},
		{"NI GB 12 34 56 C is not issued.", nil},
		{"On 12/03/2024 and 2024-03-12.", []string{"date@1:4:12/03/2024", "date@1:19:2024-03-12"}},
		{"On 3rd March 2023, or March 3, 2023.", []string{"date@1:4:3rd March 2023", "date@1:23:March 3, 2023"}},
		{"Not a date: 45/19/2024.", nil},
		{"We met Sunita Rahman in town.", []string{"possible-name@1:8:Sunita Rahman"}},
		{"Sunita met us. Then we left.", nil},
		{"On Monday in March I said OK to the NHS.", nil},
		{"Interviewer: Right. So where?", nil},
		{"café\nthe Zoë Ó Brien one", []string{"possible-name@2:5:Zoë Ó Brien"}},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range Scan(tt.in, nil) {
			got = append(got, fmt.Sprintf("%s@%d:%d:%s", f.Kind, f.Line, f.Col, f.Text))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Scan(%q):\n got  %q\n want %q", tt.in, got, tt.want)
		}
	}
}

func TestScanConfidence(t *testing.T) {
	want := map[string]Confidence{FindEmail: High, FindPhone: High, FindPostcode: High, FindNINumber: High, FindURL: Low, FindDate: Low, FindPossibleName: Low}
	text := "a jo@x.org b 07700 900123 c MK7 6AA d AB 12 34 56 C e www.x.org f 1/2/2020 g Zed Quill"
	seen := map[string]bool{}
	for _, f := range Scan(text, nil) {
		seen[f.Kind] = true
		if f.Confidence != want[f.Kind] {
			t.Errorf("%s: confidence %v, want %v", f.Kind, f.Confidence, want[f.Kind])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("found kinds %v, want all of %v", seen, want)
	}
}

func TestScanKnownDictionary(t *testing.T) {
	r := compileStudy(t, loadStudy(t))
	in := "Yesterday Carol and Zed Quill met.\n"
	out := r.Redact(in)
	var got []string
	for _, f := range Scan(out, r) {
		got = append(got, f.Text)
	}
	if strings.Join(got, "|") != "Zed Quill" {
		t.Errorf("Scan(redacted) = %q, want only the unknown name (pseudonyms are not findings)", got)
	}
	var raw []string
	for _, f := range Scan(in, r) {
		raw = append(raw, f.Text)
	}
	if strings.Join(raw, "|") != "Zed Quill" {
		t.Errorf("Scan(raw) = %q, want known aliases skipped", raw)
	}
}

func TestMasked(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{Kind: FindEmail, Text: "jo.bloggs@example.ac.uk"}, "j***@***.uk"},
		{Finding{Kind: FindURL, Text: "https://carol.example.org/p?q"}, "***.org/***"},
		{Finding{Kind: FindPhone, Text: "07700 900123"}, "0**** ******"},
		{Finding{Kind: FindPostcode, Text: "MK7 6AA"}, "M** ***"},
		{Finding{Kind: FindPossibleName, Text: "Zed Quill"}, "Z** *****"},
	}
	for _, tt := range tests {
		if got := tt.f.Masked(); got != tt.want {
			t.Errorf("Masked(%s) = %q, want %q", tt.f.Kind, got, tt.want)
		}
	}
}

func TestScanGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "scan.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range Scan(string(in), nil) {
		fmt.Fprintf(&b, "%d:%d %s %s %s\n", f.Line, f.Col, f.Kind, f.Confidence, f.Masked())
	}
	golden(t, "scan.golden", b.String())
}
