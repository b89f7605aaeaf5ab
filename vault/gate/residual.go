package gate

import (
	"strings"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// origin says where scanned output came from: the document, and for each
// output line the source line it holds (0 for a marker or an attribution).
type origin struct {
	doc string
	src []int
}

// locate sets each finding's document and source line.
func (o origin) locate(fs []redact.Finding) []redact.Finding {
	for i := range fs {
		fs[i].Doc = o.doc
		if n := fs[i].Line - 1; n >= 0 && n < len(o.src) { // else streamed: SourceLine is set
			fs[i].SourceLine = o.src[n]
		}
	}
	return fs
}

// sourceLines returns, for each line of the blocks' text as scanned (one
// per line of a block's Text), the document line it came from: a marker
// gives the first line it withholds, an attribution 0.
func sourceLines(blocks []transcript.Block) []int {
	var out []int
	for _, b := range blocks {
		n := strings.Count(b.Text, "\n") + 1
		for i := range n {
			src := 0
			if len(b.Lines) == n || b.Marker && i == 0 && len(b.Lines) > 0 {
				src = b.Lines[i].N
			}
			out = append(out, src)
		}
	}
	return out
}
