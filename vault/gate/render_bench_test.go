package gate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRenderQuotes renders a chapter of five short quotes from a
// 20 MB interview transcript (1,000 registered people with three aliases
// each), as Markdown to a file: what a quote costs is the passes over its
// document, not the few lines it cites.
func BenchmarkRenderQuotes(b *testing.B) {
	s, h := exportStudy(b, 1000, 20<<20)
	var ch strings.Builder
	ch.WriteString("# Findings\n\n")
	for i := range 5 {
		from := 1000 + 20_000*i
		fmt.Fprintf(&ch, "As one said:\n\n{{quote %s:%d-%d}}\n\nand so on.\n\n", h, from, from+5)
	}
	chapter := filepath.Join(b.TempDir(), "chapter.md")
	if err := os.WriteFile(chapter, []byte(ch.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "out.md")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(ctx, s, Request{Exit: ExitRender, Chapter: chapter, Output: out, Force: true}); err != nil {
			b.Fatal(err)
		}
	}
}
