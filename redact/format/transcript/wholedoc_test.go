package transcript

import (
	"context"
	"io"
)

// Whole-document forms of the streaming writer and parser, for tests that
// hold a document's blocks or lines in a slice. Each goes through the path
// the exits use (NewWriter and Writer.Block; ParseContext over ParseLines).

// Write writes blocks in format f through a Writer.
func Write(w io.Writer, f Format, blocks []Block, opt WriteOptions) error {
	bw, err := NewWriter(w, f, opt)
	if err != nil {
		return err
	}
	for _, bl := range blocks {
		if err := bw.Block(bl); err != nil {
			return err
		}
	}
	return bw.Close()
}

// WriteText writes blocks as plain text.
func WriteText(w io.Writer, blocks []Block) error {
	return Write(w, FormatText, blocks, WriteOptions{})
}

// WriteMarkdown writes blocks as Markdown.
func WriteMarkdown(w io.Writer, blocks []Block) error {
	return writeMarkdown(w, blocks, WriteOptions{})
}

func writeMarkdown(w io.Writer, blocks []Block, opt WriteOptions) error {
	return Write(w, FormatMarkdown, blocks, opt)
}

// WriteDocx writes blocks as a Word document with no title block.
func WriteDocx(w io.Writer, blocks []Block) error {
	return Write(w, FormatDocx, blocks, WriteOptions{})
}

// Document is a whole parsed document: its lines and what the parser left
// out (Summary.Dropped).
type Document struct {
	Format  Format
	Lines   []Line
	Dropped []string
}

// ParseContext reads a whole document of format f from r through
// ParseLines (package transcripttest does the same for other packages'
// tests; it cannot serve these, which are inside the package).
func ParseContext(ctx context.Context, f Format, r io.Reader) (*Document, error) {
	doc := &Document{Format: f}
	sum, err := ParseLines(ctx, f, r, func(l Line) error {
		doc.Lines = append(doc.Lines, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	doc.Dropped = sum.Dropped
	return doc, nil
}

// Parse reads a whole document of format f from r.
func Parse(f Format, r io.Reader) (*Document, error) {
	return ParseContext(context.Background(), f, r)
}
