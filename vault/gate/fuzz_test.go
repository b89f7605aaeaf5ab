package gate

import (
	"errors"
	"io"
	"strings"
	"testing"
)

var directiveSeeds = []string{
	"{{quote D12:120-134}}",
	"As {{pseudonym P07}} said at {{entity E3}}:\n\n{{quote D1:4-4}}\n",
	"{{quote D1:5-2}}", "{{quote D1}}", "{{ pseudonym  P1 }}", "{{unknown X1}}", "{{", "}}", "{{{{quote D1:1-1}}}}",
	"line one\n{{quote D2:1-3}} and {{quote D3:4-5}}\n",
}

// FuzzParseDirectives: never panics; positions lie inside the chapter; a
// malformed directive is a *DirectiveError that does not quote the chapter.
func FuzzParseDirectives(f *testing.F) {
	if len(directiveSeeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range directiveSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, chapter string) {
		ds, err := ParseDirectives(chapter)
		if err != nil {
			var de *DirectiveError
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T", err)
			}
			if len(chapter) > 12 && strings.Contains(err.Error(), chapter) {
				t.Fatalf("error quotes the chapter")
			}
			return
		}
		lines := strings.Split(chapter, "\n")
		for _, d := range ds {
			if d.Line < 1 || d.Line > len(lines) || d.Start < 0 || d.End > len(lines[d.Line-1]) || d.Start >= d.End {
				t.Fatalf("directive out of range: %+v", d)
			}
			if d.Verb == "quote" && (d.From < 1 || d.To < d.From) {
				t.Fatalf("bad range: %+v", d)
			}
		}
		// Substituting every directive must not panic and removes them all.
		var b strings.Builder
		if err := substitute(&b, chapter, ds, func(int, io.Writer) error { return nil }); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if again, err := ParseDirectives(out); err == nil && len(again) >= len(ds) && len(ds) > 0 {
			t.Fatalf("substitution left %d directives", len(again))
		}
	})
}
