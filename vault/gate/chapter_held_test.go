package gate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/vault"
)

// TestChapterQuotesHeld: a chapter's quotes are written from the lines
// their decision held (gated.replay) exactly as when each is read and
// decided again: the same output in every format, the same result and
// the same audit entry, whether every quote fits the budget, some do, or
// none.
func TestChapterQuotesHeld(t *testing.T) {
	s, h := exportStudy(t, 50, 64<<10)
	var ch strings.Builder
	fmt.Fprintf(&ch, "# Findings\n\nAs {{pseudonym P1}} put it: {{quote %s:1-12}} and then\n\n", h)
	for _, r := range [][2]int{{40, 41}, {100, 160}, {200, 200}, {1, 3}} {
		fmt.Fprintf(&ch, "Later:\n\n{{quote %s:%d-%d}}\n\nwhich {{pseudonym P2}} denied.\n", h, r[0], r[1])
	}
	chapter := writeFile(t, "chapter.md", ch.String())

	type outcome struct{ out, res, audit string }
	run := func(t *testing.T, exit Exit, format string, hold int) outcome {
		t.Helper()
		defer func(b int) { quoteHoldBytes = b }(quoteHoldBytes)
		quoteHoldBytes = hold
		req := Request{Exit: exit, Chapter: chapter}
		if exit == ExitRender {
			req.Output, req.Force = filepath.Join(t.TempDir(), "out."+format), true
		}
		res, err := Run(ctx, s, req)
		if err != nil {
			t.Fatalf("%s %s, hold %d: %v", exit, format, hold, err)
		}
		var o outcome
		if req.Output != "" {
			data, err := os.ReadFile(req.Output)
			if err != nil {
				t.Fatal(err)
			}
			if format == OutDocx {
				data = unzipAll(t, data)
			}
			o.out = string(data)
		}
		o.res = fmt.Sprintf("%+v", *res)
		entries, err := s.AuditLog(vault.AuditFilter{Action: string(exit)})
		if err != nil || len(entries) == 0 {
			t.Fatalf("no %s entry: %v", exit, err)
		}
		e := entries[len(entries)-1]
		o.audit = fmt.Sprint(e.Action, e.Outcome, e.Handles, e.Participants, e.Consents, e.Flags, e.Rules, e.Hashes, e.Detail)
		return o
	}
	for _, tc := range []struct {
		exit   Exit
		format string
	}{{ExitRender, OutMarkdown}, {ExitRender, OutText}, {ExitRender, OutDocx}, {ExitCheck, ""}} {
		t.Run(string(tc.exit)+" "+tc.format, func(t *testing.T) {
			read := run(t, tc.exit, tc.format, 0) // every quote read again
			if tc.exit == ExitRender && !strings.Contains(read.out, "> ") && tc.format != OutDocx {
				t.Fatalf("no quote in the output:\n%s", read.out)
			}
			for _, hold := range []int{quoteHoldBytes, 8 << 10} { // all held; the first few
				if got := run(t, tc.exit, tc.format, hold); got != read {
					t.Errorf("hold %d:\n%+v\nwant, as read again:\n%+v", hold, got, read)
				}
			}
		})
	}

	// What is held: the lines of each quote while the budget lasts.
	cat, err := s.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := cat.Redactor()
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := ParseDirectives(ch.String())
	if err != nil {
		t.Fatal(err)
	}
	canonicalHandles(cat, dirs)
	texts := map[string]*vault.VersionLines{}
	defer func() {
		for _, t := range texts {
			t.Close()
		}
	}()
	for _, budget := range []int{quoteHoldBytes, 8 << 10, 0} {
		hold, held := budget, []string{}
		for _, d := range dirs {
			if d.Verb != "quote" {
				continue
			}
			_, g, prob := fill(s, cat, rd, d, "", &hold, texts)
			if prob != nil {
				t.Fatalf("%s: %s", d, prob.Msg)
			}
			if g.heldAll != (len(g.held) == d.To-d.From+1) {
				t.Errorf("budget %d, %s: heldAll %v with %d lines held", budget, d, g.heldAll, len(g.held))
			}
			if g.heldAll {
				held = append(held, fmt.Sprintf("%d-%d", d.From, d.To))
			}
		}
		t.Logf("budget %d: held %v, %d bytes left", budget, held, hold)
		switch {
		case budget == quoteHoldBytes && len(held) != 5,
			budget == 8<<10 && (len(held) == 0 || len(held) == 5),
			budget == 0 && len(held) != 0:
			t.Errorf("budget %d: quotes held %v", budget, held)
		}
	}
}
