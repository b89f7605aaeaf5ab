package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/urfave/cli/v2"
)

// commandPath is a command and the names leading to it ("consent record").
type commandPath struct {
	path []string
	cmd  *cli.Command
}

// allCommands walks the whole command tree (help excluded), so the
// conventions below hold for every command, including those added later.
func allCommands() []commandPath {
	app := newApp(&env{stdout: io.Discard, stderr: io.Discard, stdin: strings.NewReader("")})
	var out []commandPath
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			p := append(append([]string{}, prefix...), c.Name)
			out = append(out, commandPath{p, c})
			walk(p, c.Subcommands)
		}
	}
	walk(nil, app.Commands)
	return out
}

// sentences splits help prose into sentences.
func sentences(s string) []string {
	s = strings.Join(strings.Fields(s), " ")
	var out []string
	for _, sent := range regexp.MustCompile(`\.\s`).Split(s, -1) {
		if sent = strings.TrimSuffix(sent, "."); sent != "" {
			out = append(out, sent)
		}
	}
	return out
}

// TestHelpConventions: every command has a usage line of its own, its
// --help prints it, every listing command takes --json, no default is stated twice, and no two descriptions
// begin or end alike (shared reference text, such as the chapter
// directives, may stand between).
func TestHelpConventions(t *testing.T) {
	cmds := allCommands()
	if len(cmds) < 30 {
		t.Fatalf("walked %d commands; the tree is larger", len(cmds))
	}
	usageOf := map[string]string{}
	// The first and the last sentence of each description, by command.
	firstOf, lastOf := map[string][]string{}, map[string][]string{}
	sentenceIn := map[string][]*cli.Command{} // every sentence, by the commands whose help has it
	for _, cp := range cmds {
		ss := sentences(cp.cmd.Description)
		if len(ss) > 0 {
			name := strings.Join(cp.path, " ")
			firstOf[ss[0]] = append(firstOf[ss[0]], name)
			lastOf[ss[len(ss)-1]] = append(lastOf[ss[len(ss)-1]], name)
		}
		for _, s := range ss {
			sentenceIn[s] = append(sentenceIn[s], cp.cmd)
		}
	}
	for _, cp := range cmds {
		name := strings.Join(cp.path, " ")
		t.Run(name, func(t *testing.T) {
			if strings.TrimSpace(cp.cmd.Usage) == "" {
				t.Fatalf("no usage line")
			}
			if other, ok := usageOf[cp.cmd.Usage]; ok {
				t.Errorf("usage %q is also %s's", cp.cmd.Usage, other)
			}
			usageOf[cp.cmd.Usage] = name
			if ss := sentences(cp.cmd.Description); len(ss) > 0 {
				if first := ss[0]; len(strings.Fields(first)) >= 4 && len(firstOf[first]) > 1 {
					t.Errorf("description begins as %v's do: %q", firstOf[first], first)
				}
				if last := ss[len(ss)-1]; len(strings.Fields(last)) >= 4 && len(lastOf[last]) > 1 {
					t.Errorf("description ends as %v's do: %q", lastOf[last], last)
				}
			}
			// Text shared with another command is reference text: it speaks
			// of neither ("any refusal fails the whole render" is render's).
			for _, s := range sentences(cp.cmd.Description) {
				for _, other := range sentenceIn[s] {
					if other != cp.cmd && regexp.MustCompile(`\b`+regexp.QuoteMeta(other.Name)+`\b`).MatchString(s) {
						t.Errorf("sentence %q is %s's own, not %s's", s, other.Name, cp.cmd.Name)
					}
				}
			}
			for _, f := range cp.cmd.Flags {
				if df, ok := f.(cli.DocGenerationFlag); ok && df.TakesValue() && !regexp.MustCompile("`[A-Z][A-Za-z0-9.=|_-]*`").MatchString(df.GetUsage()) {
					t.Errorf("--%s takes a value but its usage names no `PLACEHOLDER`: %q", f.Names()[0], df.GetUsage())
				}
			}
			switch cp.cmd.Name {
			case "list", "show", "log", "due":
				if !hasFlagNamed(cp.cmd, "json") {
					t.Errorf("a listing command without --json")
				}
			}
			code, stdout, stderr := runCLI(t, append(cp.path, "--help")...)
			if code != 0 || stderr != "" {
				t.Fatalf("--help: exit %d, stderr %q", code, stderr)
			}
			if !strings.Contains(stdout, cp.cmd.Usage) {
				t.Errorf("--help does not show the usage line %q", cp.cmd.Usage)
			}
			for _, l := range strings.Split(stdout, "\n") {
				if strings.Count(l, "(default:") > 1 {
					t.Errorf("a default stated twice: %q", strings.TrimSpace(l))
				}
				if strings.Contains(l, "(default: false)") {
					t.Errorf("a bool flag's default stated: %q", strings.TrimSpace(l))
				}
			}
		})
	}
}

// TestNoCommandIsUsage: no command, or a group without its subcommand, is
// a usage error (exit 2) with the help on stderr.
func TestNoCommandIsUsage(t *testing.T) {
	for _, cp := range append([]commandPath{{}}, allCommands()...) {
		if cp.cmd != nil && len(cp.cmd.Subcommands) == 0 {
			continue
		}
		code, stdout, stderr := runCLI(t, cp.path...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "USAGE:") {
			t.Errorf("fieldvault %s: exit %d, stdout %q; want exit 2 and the help on stderr", strings.Join(cp.path, " "), code, stdout)
		}
	}
}

var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkKeys walks decoded JSON and reports object keys not in snake_case.
// Keys that are data rather than schema are told by their shape: handles
// (P01), prefixed keys ("version:D1", "file:README.txt"), and the project's
// kebab-case vocabularies (rules, scopes, actions, withheld groups such as
// "quote-consent"), which no struct tag uses.
func checkKeys(t *testing.T, where string, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if !snakeKey.MatchString(k) && !strings.Contains(k, ":") && !handleRE.MatchString(k) && !kebabWord.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", where, k)
			}
			checkKeys(t, where+"."+k, val)
		}
	case []any:
		for _, val := range x {
			checkKeys(t, where+"[]", val)
		}
	}
}

var (
	handleRE  = regexp.MustCompile(`^[A-Z]{1,4}[0-9]{1,6}$`)
	kebabWord = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)
)

// TestJSONKeys runs every command that has --json against a small study
// (in-process) and checks that every key of its output is snake_case.
func TestJSONKeys(t *testing.T) {
	dir, id := newStudy(t)
	base := filepath.Dir(dir)
	transcript := filepath.Join(base, "interview.txt")
	chapter := filepath.Join(base, "chapter.md")
	must := func(args ...string) {
		t.Helper()
		if code, _, stderr := runCLI(t, append([]string{"--vault", dir, "--identity", id}, args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	if err := writeFile(transcript, "Interviewer: How did it start?\nAda: With a van and a list.\nAda: And a kettle.\n"); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(chapter, "# Findings\n\n{{pseudonym P01}} said:\n\n{{quote D1:2-3}}\n"); err != nil {
		t.Fatal(err)
	}
	must("participant", "add", "P01", "--name", "Ada Quellwood", "--alias", "Ada", "--attribute", "sector=voluntary")
	must("consent", "record", "P01", "--form", "v1", "--signed", "2026-01-05", "--scope", "participate,quote,archive")
	must("entity", "add", "place", "Brindlecombe")
	must("meeting", "add", "M1", "--name", "Pantry committee", "--public")
	must("ingest", transcript, "--kind", "transcript", "--participant", "P01", "--date", "2026-01-20")
	must("render", chapter, "-o", filepath.Join(base, "out.md"))
	must("flag", "D1", "--lines", "3-3", "--dnq", "--reason", "asked") // the chapter's quote no longer stands

	// Positional arguments by the placeholder a command's help shows.
	sample := map[string][]string{
		"": nil, "HANDLE": {"P01"}, "DOC": {"D1"}, "FILE|DOC": {"D1"}, "CHAPTER.md": {chapter},
		"DOC:A-B": {"D1:2-2"}, "HANDLE|NAME": {"P01"}, " ": nil,
	}
	// Further arguments some commands need; a command with -o writes its
	// text to a file (its --json is then a report).
	extraArgs := map[string][]string{
		"export-qda": {"--all", "-o", filepath.Join(base, "study.qdpx")},
		"deposit":    {"-o", filepath.Join(base, "deposit.zip")},
	}
	ran := 0
	for _, cp := range allCommands() {
		hasJSON := false
		for _, f := range cp.cmd.Flags {
			hasJSON = hasJSON || f.Names()[0] == "json"
		}
		if !hasJSON {
			continue
		}
		name := strings.Join(cp.path, " ")
		t.Run(name, func(t *testing.T) {
			pos, ok := sample[cp.cmd.ArgsUsage]
			if !ok {
				t.Fatalf("no sample arguments for %q: add them to the test", cp.cmd.ArgsUsage)
			}
			args := append(append([]string{"--vault", dir, "--identity", id}, cp.path...), "--json")
			if more, ok := extraArgs[name]; ok {
				args = append(args, append([]string{"--force"}, more...)...)
			} else if hasFlagNamed(cp.cmd, "output") {
				// An exit's --json is its report; the text goes to -o.
				args = append(args, "--force", "-o", filepath.Join(base, strings.ReplaceAll(name, " ", "-")+".md"))
			}
			for _, extra := range [][]string{nil, {"--list"}, {"--names"}} {
				if len(extra) > 0 && !hasFlagNamed(cp.cmd, extra[0][2:]) {
					continue
				}
				code, stdout, stderr := runCLI(t, append(append(args, extra...), pos...)...)
				if code != exitOK && code != exitRefused {
					t.Fatalf("%s %v: exit %d: %s", name, extra, code, stderr)
				}
				dec := json.NewDecoder(bytes.NewReader([]byte(stdout)))
				n := 0
				for dec.More() {
					var v any
					if err := dec.Decode(&v); err != nil {
						t.Fatalf("%s %v: not JSON: %v\n%s", name, extra, err, stdout)
					}
					checkKeys(t, name, v)
					n++
				}
				if n == 0 {
					t.Fatalf("%s %v: printed no JSON", name, extra)
				}
			}
		})
		ran++
	}
	if ran < 10 {
		t.Errorf("checked %d commands with --json; expected every listing and report command", ran)
	}
}

func hasFlagNamed(c *cli.Command, name string) bool {
	for _, f := range c.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// TestCompletionAndMan: the completion scripts parse in their shells (where
// installed) and the completion protocol answers from the command tree; the
// man page holds every command with its usage line and renders cleanly.
func TestCompletionAndMan(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, script, stderr := runCLI(t, "completion", sh)
		if code != 0 || !strings.Contains(script, "fieldvault") {
			t.Fatalf("completion %s: exit %d: %s", sh, code, stderr)
		}
		if path, err := exec.LookPath(sh); err == nil {
			cmd := exec.Command(path, "-n")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v: %s", sh, err, out)
			}
		}
	}
	if code, _, stderr := runCLI(t, "completion", "tcsh"); code != exitUsage || !strings.Contains(stderr, `"tcsh": expected bash, zsh or fish`) {
		t.Errorf("completion tcsh: exit %d: %s", code, stderr)
	}
	// The completion protocol itself is exercised by testdata/script/shell.txtar
	// (urfave/cli reads os.Args for it, so it needs the real program).

	code, man, stderr := runCLI(t, "man")
	if code != 0 || !strings.Contains(man, ".TH fieldvault 1") {
		t.Fatalf("man: exit %d: %s", code, stderr)
	}
	for _, cp := range allCommands() {
		if !strings.Contains(man, ".SS "+strings.Join(cp.path, " ")+"\n") {
			t.Errorf("man page has no section for %s", strings.Join(cp.path, " "))
		}
	}
	if groff, err := exec.LookPath("groff"); err == nil {
		cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
		cmd.Stdin = strings.NewReader(man)
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("groff: %v: %s", err, out)
		}
	}
}

// mask FILE REGEXP TEXT: replaces every match of REGEXP in FILE (stdout and
// stderr name the last command's output, written to stdout.masked or
// stderr.masked) with TEXT ($1 names a group), so that a golden file can
// hold what varies from run to run (today's date) as a word.
func cmdMask(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: mask FILE REGEXP TEXT")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	out := re.ReplaceAllString(ts.ReadFile(args[0]), args[2])
	name := args[0]
	if name == "stdout" || name == "stderr" {
		name = args[0] + ".masked"
	}
	ts.Check(os.WriteFile(ts.MkAbs(name), []byte(out), 0o600))
}
