package redact

import (
	"fmt"
	"math/rand/v2"
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
		{"We met Sunita Rahman in town.", []string{"person@1:8:Sunita Rahman"}},
		{"Sunita met us. Then we left.", []string{"possible-name@1:1:Sunita"}},
		{"Will you come? Then we left.", nil},
		{"On Monday in March I said OK to the NHS.", nil},
		{"Interviewer: Right. So where?", nil},
		{"café\nthe Zoë Ó Brien one", []string{"person@2:5:Zoë Ó Brien"}},
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
	// Names are weighed: a bare unknown name is low, see TestScanNameRules.
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

// TestScanNameRules: one row per evidence rule and per false-alarm class.
// Each want is kind:text of the name and citation findings, in order.
func TestScanNameRules(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"listed given and family", "We met Dervla Quennell there.", "person:Dervla Quennell"},
		{"title", "I asked Mrs Pellegrini and Dr Nkemelu.", "person:Pellegrini|person:Nkemelu"},
		{"title with ordinary word", "We rang Mrs Green.", "person:Green"},
		{"said after ordinary name", "Later Rose said no.", "person:Rose"},
		{"would say", "'Frank would say it.'", "person:Frank"},
		{"kin before name", "My sister Keeley works shifts.", "person:Keeley"},
		{"wrapped line is not a sentence start", "and on the first day of the project it was then\nWill started the van and we all went out to them", "possible-name:Will"},
		{"line after a full stop is a sentence start", "and on the first day of the project it was good.\nWill you come back to see the new place?", ""},
		{"speaker label", "Tariq: one in reception", "person:Tariq"},
		{"speaker label then sentence start", "Hannah: Honestly it was fine.", "person:Hannah"},
		{"forum header", "Yusuf Demir wrote:\nFour years is nothing.", "person:Yusuf Demir"},
		{"posted by", "Posted by Gwen Harrowby on Monday", "person:Gwen Harrowby"},
		{"bracketed attribution", "'This is a proper job.' (Tobias, interview)", "person:Tobias"},
		{"bracketed attribution alone", "'At the foodbank I'm somebody.' (Mei-Ling)", "person:Mei-Ling"},
		{"dear", "Dear Anand, thank you.", "person:Anand"},
		{"sign-off", "Best wishes,\nHope", "person:Hope"},
		{"particles", "Ask Ana de la Cruz or Pieter van der Berg.", "person:Ana de la Cruz|person:Pieter van der Berg"},
		{"arabic particle", "Apologies: Fatima al-Sayed", "person:Fatima al-Sayed"},
		{"initials", "Present: J. R. Pemberton (Chair)", "person:J. R. Pemberton"},
		{"diacritics", "We met Siobhán Ní Bhriain later.", "person:Siobhán Ní Bhriain"},
		{"org run", "She went to the Wexelham Night Shelter instead.", "org:Wexelham Night Shelter"},
		{"org with of", "Three joined from the University of Tamberford union.", "org:University of Tamberford"},
		{"saint", "I spoke to the vicar at St Cuthbert's yesterday.", "org:St Cuthbert"},
		{"street", "The surgery on Kestle Road was good.", "place:Kestle Road"},
		{"invented place", "Deliveries out to Ashenholt mostly.", "place:Ashenholt"},
		{"short capitals next to a place", "She moved to Corvelbury, NY last year.", "place:Corvelbury|place:NY"},
		{"short capitals alone", "She moved to the US last year and joined the PTA.", ""},
		{"citation year", "Following Hartwell (2005), I treat it as done.", "citation:Hartwell"},
		{"citation bracket", "as before (Lindqvist, 2003; Marsh and Dunleavy, 2008).", "citation:Lindqvist|citation:Marsh and Dunleavy"},
		{"citation et al", "As Ferreira et al. (2019) note.", "citation:Ferreira et al."},
		{"citation possessive", "This echoes Okonjo's (2016) account.", "citation:Okonjo"},
		{"generic org is not a name", "The Steering Group met at the Community Centre.", ""},
		{"structural words", "Re: Allotments\nReply #2\nQuote:\nAgenda Item 3\nAction: chase it\nApologies: none", ""},
		{"job titles", "The Chair thanked the Treasurer and the Secretary.", ""},
		{"months and days", "On Monday in March and Tue 3 Oct we met.", ""},
		{"plural acronyms", "The CEOs of two NGOs and the GPs agreed.", ""},
		{"acronyms", "The NHS and the PTA and DBS checks.", ""},
		{"sentence-initial words", "Tried them. Lovely. Honestly it was fine.", ""},
		{"interjections", "Yeah. Um, okay. Hmm. Oh well.", ""},
		{"pronoun I and contractions", "I think so. She'd know. We've seen it. I'm sure.", ""},
		{"name-word at sentence start", "Will I lose it? Hope it goes well.", ""},
		{"hyphenated words", "Anti-social behaviour on the estate.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Scan(tt.in, nil) {
				if f.IsName() || f.Kind == FindCitation {
					got = append(got, f.Kind+":"+f.Text)
				}
			}
			if g := strings.Join(got, "|"); g != tt.want {
				t.Errorf("Scan(%q)\n got  %q\n want %q", tt.in, g, tt.want)
			}
		})
	}
}

// TestScanContactForms: phone numbers, postcodes, NI numbers and e-mail
// addresses as people write them, and numbers that are none of these.
func TestScanContactForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"call (555) 123-4567 today", "phone:(555) 123-4567"},
		{"call 555.123.4567 now", "phone:555.123.4567"},
		{"call 555-123-4567 x123", "phone:555-123-4567 x123"},
		{"call 555-123-4567 ext. 45", "phone:555-123-4567 ext. 45"},
		{"call 1-800-555-0199 free", "phone:1-800-555-0199"},
		{"call +1 415 555 2671", "phone:+1 415 555 2671"},
		{"call +33 1 23 45 67 89", "phone:+33 1 23 45 67 89"},
		{"call +49 30 1234567", "phone:+49 30 1234567"},
		{"call +91 98765 43210", "phone:+91 98765 43210"},
		{"call +44 (0)20 7946 0958", "phone:+44 (0)20 7946 0958"},
		{"call 020 7946 0958", "phone:020 7946 0958"},
		{"call 07700900123", "phone:07700900123"},
		{"call (01632) 960001.", "phone:(01632) 960001"},
		{"postcode mk7 6aa", "postcode:mk7 6aa"},
		{"postcode MK76AA", "postcode:MK76AA"},
		{"postcode sw1a1aa", "postcode:sw1a1aa"},
		{"NI AB 123 456 C", "ni-number:AB 123 456 C"},
		{"NI ab123456c", "ni-number:ab123456c"},
		{"NI AB 12 34 56 C", "ni-number:AB 12 34 56 C"},
		{"mail jo dot bloggs at example dot com", "email:jo dot bloggs at example dot com"},
		{"mail sam [at] uni [dot] ac [dot] uk", "email:sam [at] uni [dot] ac [dot] uk"},
		{"we looked at the shop dot by dot", ""},
		{"In 2019 we had 1500 people", ""},
		{"It cost £1,234,567 or $2500000000", ""},
		{"at 10:30 and 14:45:10", ""},
		{"from 1998-2004 and 2010 to 2020", ""},
		{"order 12345678 and ref 20190304", ""},
		{"pi is 3.14159265 and 2.7182818284", ""},
		{"about 20 people, 3 or 4 times", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range Scan(tt.in, nil) {
			if !f.IsName() && f.Kind != FindCitation {
				got = append(got, f.Kind+":"+f.Text)
			}
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("Scan(%q)\n got  %q\n want %q", tt.in, g, tt.want)
		}
	}
}

// IsName reports whether the finding is a name of a person, place or
// organisation (sure or not). Citations are not.
func (f Finding) IsName() bool {
	switch f.Kind {
	case FindPerson, FindPlace, FindOrg, FindPossibleName:
		return true
	}
	return false
}

// TestContainsShort: containsShort agrees with strings.Contains wherever
// the needle lies, in particular across the 64-byte pieces' seams.
func TestContainsShort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sub := range []string{"dot", "://", "d"} {
		for n := range 200 {
			for range 20 {
				b := make([]byte, n)
				for i := range b {
					b[i] = "dot:/ x"[rng.IntN(7)]
				}
				s := string(b)
				if got, want := containsShort(s, sub), strings.Contains(s, sub); got != want {
					t.Fatalf("containsShort(%q, %q) = %v, want %v", s, sub, got, want)
				}
			}
			for at := 0; at+len(sub) <= n; at++ {
				s := strings.Repeat("x", at) + sub + strings.Repeat("x", n-at-len(sub))
				if !containsShort(s, sub) {
					t.Fatalf("containsShort misses %q at %d of %d bytes", sub, at, n)
				}
			}
		}
	}
}
