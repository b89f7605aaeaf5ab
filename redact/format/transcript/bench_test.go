package transcript

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

func largeText(lines int) []byte {
	var b strings.Builder
	for i := range lines {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&b, "Interviewer: question %d about the allotments and the bus route?\n", i)
		case 3:
			fmt.Fprintf(&b, "[dnq]Rosalind Quill: an answer that should not be quoted, line %d.[/dnq]\n", i)
		default:
			fmt.Fprintf(&b, "and the residents' group met at the chapel on Mill Lane, line %d.\n", i)
		}
	}
	return []byte(b.String())
}

func largeVTT(cues int) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	for i := range cues {
		s := i * 3
		fmt.Fprintf(&b, "%d\n%02d:%02d:%02d.000 --> %02d:%02d:%02d.500\n<v Speaker %d>we talked about the allotments &amp; the bus route, cue %d</v>\n\n",
			i, s/3600, s/60%60, s%60, s/3600, s/60%60, s%60, i%3, i)
	}
	return []byte(b.String())
}

func BenchmarkParseText(b *testing.B) {
	in := largeText(100000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(FormatText, bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVTT(b *testing.B) {
	in := largeVTT(20000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(FormatVTT, bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchBlocks() []Block {
	blocks := make([]Block, 0, 10000)
	for i := range 10000 {
		blocks = append(blocks, Block{Speaker: "Ruth Hale", Text: fmt.Sprintf("we talked about the *allotments* and the bus route, paragraph %d.\nA second line.", i), Quote: i%5 == 0})
	}
	return blocks
}

func BenchmarkWrite(b *testing.B) {
	blocks := benchBlocks()
	for _, w := range []struct {
		name string
		fn   func(io.Writer, []Block) error
	}{{"md", WriteMarkdown}, {"txt", WriteText}, {"docx", WriteDocx}} {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := w.fn(io.Discard, blocks); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
