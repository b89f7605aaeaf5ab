package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// frozenDir is a vault written by format 1 of fieldvault, committed once and
// never regenerated (testdata/frozen/format1/README.md).
const frozenDir = "../../testdata/frozen/format1"

// frozenKeyCheck is the check value of the frozen vault's pseudonym key
// (HMAC-SHA256 of vault.KeyCheckLabel), pinned by its first write.
const frozenKeyCheck = "9b823e2399121e3c7e397a55af9b69de6054c318a9b2fe5797cbb633fa7dddb1"

// copyFrozen copies the frozen vault to a temp dir: the tests write audit
// entries, and the committed copy must stay as the old release wrote it.
func copyFrozen(t testing.TB) (dir, identity string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "study")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(frozenDir, "study"))); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(frozenDir, "identity.txt")
}

// markdownWords is the sequence of words of a Markdown export, without its
// layout (emphasis, escapes, block quote marks, line breaks): the text,
// the pseudonyms and the markers, which must never change for an old vault,
// while the Markdown writer may lay them out differently over time.
func markdownWords(md string) []string {
	return strings.Fields(strings.NewReplacer("\\", "", "*", "", ">", " ").Replace(md))
}

func readGolden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(frozenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFrozenFormat1 opens, verifies and exports a vault made by an earlier
// release and compares what leaves with what that release let out.
func TestFrozenFormat1(t *testing.T) {
	dir, id := copyFrozen(t)
	cli := func(t *testing.T, want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, append([]string{"--vault", dir, "--identity", id}, args...)...)
		if code != want {
			t.Fatalf("%s: exit %d, want %d\nstderr: %s", strings.Join(args, " "), code, want, stderr)
		}
		return stdout
	}
	// Read-only checks first, on the vault exactly as the old release left it.
	t.Run("verify", func(t *testing.T) {
		out := cli(t, 0, "verify", "--read-data")
		if !strings.Contains(out, "no problems found") || !strings.Contains(out, "not pinned yet") {
			t.Errorf("verify: %q", out)
		}
		if out := cli(t, 0, "audit", "verify"); !strings.Contains(out, "the chain is intact") {
			t.Errorf("audit verify: %q", out)
		}
	})
	t.Run("open", func(t *testing.T) {
		for doc, input := range map[string]string{"D1": "interview.txt", "D2": "session.vtt", "D3": "notes.md", "D4": "interview.docx"} {
			out := filepath.Join(t.TempDir(), input)
			cli(t, 0, "open", doc, "-o", out)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if want := readGolden(t, filepath.Join("inputs", input)); string(got) != want {
				t.Errorf("open %s: the decrypted object differs from inputs/%s", doc, input)
			}
		}
	})
	t.Run("pseudonyms", func(t *testing.T) {
		var got strings.Builder
		for _, h := range []string{"P01", "P02", "P03", "E1", "E2", "E3"} {
			got.WriteString(cli(t, 0, "pseudonym", h))
		}
		if want := readGolden(t, "golden/pseudonyms.txt"); got.String() != want {
			t.Errorf("pseudonyms:\n got %q\nwant %q", got.String(), want)
		}
	})
	t.Run("exits", func(t *testing.T) {
		for _, tc := range []struct {
			args   []string
			golden string
		}{
			{[]string{"export", "D1"}, "export-D1.txt"},
			{[]string{"export", "D2"}, "export-D2.txt"},
			{[]string{"export", "D3"}, "export-D3.txt"},
			{[]string{"quote", "D1:3-4"}, "quote-D1-3-4.txt"},
		} {
			got, want := cli(t, 0, tc.args...), readGolden(t, filepath.Join("golden", tc.golden))
			if g, w := markdownWords(got), markdownWords(want); !slices.Equal(g, w) {
				t.Errorf("%s: the words that leave differ from what release 1 let out\n got %q\nwant %q", strings.Join(tc.args, " "), got, want)
			}
		}
	})
	// The exits above wrote to the vault: the first pinned the key (issue
	// 14), audited, and the vault still verifies.
	t.Run("verify after writes", func(t *testing.T) {
		if out := cli(t, 0, "verify", "--read-data"); strings.Contains(out, "not pinned") {
			t.Errorf("verify after the first write: %q", out)
		}
		cli(t, 0, "audit", "verify")
		cfg, err := os.ReadFile(filepath.Join(dir, "fieldvault.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(cfg), `"key_check": "`+frozenKeyCheck+`"`) {
			t.Errorf("fieldvault.json after the first write lacks the key check value:\n%s", cfg)
		}
		if out := cli(t, 0, "audit", "log", "--action", "key-pin"); strings.Count(out, "key-pin") != 1 {
			t.Errorf("audit log --action key-pin: %q", out)
		}
	})
}
