package transcript

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
)

var (
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
	htmlPara  = regexp.MustCompile(`(?s)<p>(.*?)</p>`)
	htmlBlock = regexp.MustCompile(`<(h[1-6]|ul|ol|li|hr|pre|code|table|img|a)\b|raw HTML omitted`)
)

// commonMarkParagraphs renders md with goldmark (an independent CommonMark
// implementation) and returns the text of each paragraph as a reader sees
// it, or the name of a block or inline construct the writer must never
// produce (a heading, list, rule, code, link, image or raw HTML).
func commonMarkParagraphs(tb testing.TB, md []byte) ([]string, string) {
	tb.Helper()
	var out bytes.Buffer
	if err := goldmark.Convert(md, &out); err != nil {
		tb.Fatalf("goldmark: %v", err)
	}
	if m := htmlBlock.FindString(out.String()); m != "" {
		return nil, m
	}
	var paras []string
	for _, m := range htmlPara.FindAllStringSubmatch(out.String(), -1) {
		paras = append(paras, html.UnescapeString(htmlTag.ReplaceAllString(m[1], "")))
	}
	return paras, ""
}

// wantParagraphs is what a reader should see of blocks: one paragraph per
// non-blank line, the label and its words.
func wantParagraphs(blocks []Block, opt WriteOptions) []string {
	var want []string
	for _, bl := range blocks {
		lines, first := blockText(bl)
		for k, l := range lines {
			l = strings.TrimSpace(l)
			if k == 0 && bl.Speaker != "" {
				l = strings.TrimSpace(bl.Speaker + ": " + l)
			}
			if l == "" {
				continue
			}
			want = append(want, bl.stamp(first+k, opt)+l)
		}
	}
	return want
}

func checkMarkdown(tb testing.TB, blocks []Block, opt WriteOptions) {
	tb.Helper()
	var buf bytes.Buffer
	if err := writeMarkdown(&buf, blocks, opt); err != nil {
		tb.Fatal(err)
	}
	md := buf.Bytes()
	for _, line := range strings.Split(string(md), "\n") {
		if n := len(line) - len(strings.TrimRight(line, "\\")); n%2 == 1 {
			tb.Fatalf("hard line break (trailing backslash) in\n%s", md)
		}
	}
	got, bad := commonMarkParagraphs(tb, md)
	if bad != "" {
		tb.Fatalf("markdown\n%s\nrenders %q", md, bad)
	}
	want := wantParagraphs(blocks, opt)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		tb.Fatalf("markdown\n%s\nreads as %q\nwant %q", md, got, want)
	}
}

// TestMarkdownCommonMark checks the Markdown writer against goldmark: every
// line reads as written, as its own paragraph, with nothing interpreted.
func TestMarkdownCommonMark(t *testing.T) {
	checkMarkdown(t, exportBlocks, WriteOptions{})
	tricky := []Block{
		{Text: "# heading?\n#hashtag\n- bullet?\n-5 degrees\n* star\n+ plus\n1. one\n2024. A year\n1.5 million\n3) three\n> quote\n---\n***\n___\n=====\n```code\n~~~fence\n    indented\n<div>html</div>\n<b>bold</b> and <3\n[link](http://x) and [not a link] and [ref]\n[ref]: http://example.org\n![img](x.png)\n<http://example.org>\nAT&T &amp; &#38; &copy\na*b*c _d_ e_f_g **h** `i`\nback\\slash \\* and a trailing \\\n~~struck~~\n| a | b |\nline with trailing spaces   \n\ttabbed"},
		{Speaker: "Anna van Dijk", Text: "*not emphasis* [and](brackets)"},
		{Text: "[not for quotation: 12 lines withheld]", Marker: true},
		{Text: "# quoted\nsecond *line*", Quote: true},
		{Text: "Leila: hello\nTom: [laughs]", Lines: []LineRef{{N: 4, Label: len("Leila:"), HasTime: true, Start: 83e9}, {N: 5, Label: len("Tom:")}}},
	}
	checkMarkdown(t, tricky, WriteOptions{})
	checkMarkdown(t, tricky, WriteOptions{Timestamps: true})
}

// FuzzWriteMarkdown checks, with goldmark as the oracle, that written
// Markdown reads back as the words written, one paragraph per line, and
// that every writer accepts any text.
func FuzzWriteMarkdown(f *testing.F) {
	f.Add("Carol", "a *b* [c]\nd", false, true, false)
	f.Add("", "# x\n\n- y", true, false, true)
	f.Add("", "2009. then\n<b>x</b> &amp; `y`\n[a]: /b", false, false, false)
	f.Fuzz(func(t *testing.T, speaker, text string, marker, quote, stamps bool) {
		if !utf8.ValidString(speaker) || !utf8.ValidString(text) || strings.ContainsRune(speaker+text, 0) {
			t.Skip() // CommonMark replaces these; transcripts are valid UTF-8 without NUL
		}
		if speaker != "" && !validLabel(speaker) {
			speaker = "" // the gate's labels are labels
		}
		blocks := []Block{{Speaker: speaker, Text: text, Marker: marker, Quote: quote}}
		if stamps {
			for range blockLines(text) {
				blocks[0].Lines = append(blocks[0].Lines, LineRef{N: 1, HasTime: true, Start: 61e9})
			}
		}
		for _, format := range []Format{FormatMarkdown, FormatText, FormatDocx, FormatVTT, FormatSRT} {
			var buf bytes.Buffer
			if err := Write(&buf, format, blocks, WriteOptions{Timestamps: stamps}); err != nil {
				if err != ErrNoTimings || stamps {
					t.Fatal(err)
				}
				continue
			}
			if format == FormatVTT || format == FormatSRT {
				// Our captions parse; only markup in the words may be refused.
				if _, err := Parse(format, bytes.NewReader(buf.Bytes())); err != nil && !strings.Contains(err.Error(), "[") {
					t.Fatalf("our own %s does not parse: %v\n%s", format, err, buf.Bytes())
				}
			}
		}
		checkMarkdown(t, blocks, WriteOptions{Timestamps: stamps})
		var buf bytes.Buffer
		if err := WriteDocx(&buf, blocks); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(FormatDocx, bytes.NewReader(buf.Bytes())); err != nil {
			var pe *ParseError
			if !errorsAs(err, &pe) || pe.Part != "" {
				t.Fatalf("our own docx does not parse: %v", err)
			}
		}
	})
}
