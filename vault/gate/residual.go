package gate

import (
	"strings"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// locate names the document the residual scan's findings came from; the
// scan, given the output a line at a time, has set each finding's source
// line.
func locate(doc string, fs []redact.Finding) []redact.Finding {
	for i := range fs {
		fs[i].Doc = doc
	}
	return fs
}

// scanLines scans a block's text line by line, markers included, each line
// with the document line it came from: a marker's the first line it
// withholds, an attribution's none.
func scanLines(sc *redact.LineScanner, b transcript.Block) {
	n := strings.Count(b.Text, "\n") + 1
	text := b.Text
	for i := range n {
		line := text
		if k := strings.IndexByte(text, '\n'); k >= 0 {
			line, text = text[:k], text[k+1:]
		}
		src := 0
		if len(b.Lines) == n || b.Marker && i == 0 && len(b.Lines) > 0 {
			src = b.Lines[i].N
		}
		sc.Line(line, src)
	}
}
