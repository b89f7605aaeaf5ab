// Package transcripttest reads whole documents for tests. The product
// never does: ingest and every exit stream a document a line at a time
// (transcript.ParseLines) and hold none of its lines.
package transcripttest

import (
	"context"
	"io"

	"github.com/fieldvault/fieldvault/redact/format/transcript"
)

// Parse reads a whole document of format f from r: its lines and what the
// parser left out (transcript.Summary.Dropped). Errors are ParseLines'.
func Parse(ctx context.Context, f transcript.Format, r io.Reader) ([]transcript.Line, []string, error) {
	var lines []transcript.Line
	sum, err := transcript.ParseLines(ctx, f, r, func(l transcript.Line) error {
		lines = append(lines, l)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return lines, sum.Dropped, nil
}
