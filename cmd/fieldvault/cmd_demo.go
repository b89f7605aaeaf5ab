package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

// demoFiles is the synthetic study the demo walks through. Every person,
// place and organisation in it is invented.
//
//go:embed demo/*.txt demo/*.md demo/*.csv
var demoFiles embed.FS

// demoStep is one command of the walk-through.
type demoStep struct {
	say  string   // what the step shows, printed as a comment
	args []string // the command line after "fieldvault"; "$DEMO" is the demo directory
	exit int      // the exit code the step is expected to end with
}

// demoSteps is the walk-through. Steps run through run(), exactly as typed.
var demoSteps = []demoStep{
	{"Create the study vault. The demo's identity lives in $DEMO, never in your config directory.",
		[]string{"init", "$DEMO/study", "--name", "Wexcombe food-aid study (synthetic)"}, 0},
	{"Register the participants (real names stay in the encrypted catalogue).",
		[]string{"participant", "import", "$DEMO/material/participants.csv"}, 0},
	{"Genevieve agreed to take part and be quoted, to the use of what she said off the record and to deposit in an archive, but not to be recorded.",
		[]string{"consent", "record", "P01", "--form", "v2", "--signed", "2026-02-03", "--scope", "participate,quote,archive,off-record"}, 0},
	{"Bramwell agreed to everything, with a cut-off for removal requests.",
		[]string{"consent", "record", "P02", "--form", "v2", "--signed", "2026-02-10", "--scope", "participate,record-audio,quote,publish", "--cutoff", "2026-12-31"}, 0},
	{"Imelda agreed to take part only.",
		[]string{"consent", "record", "P03", "--form", "v2", "--signed", "2026-02-12", "--scope", "participate"}, 0},
	{"The researcher: the transcripts name her; in everything that leaves she is the Interviewer.",
		[]string{"researcher", "add", "Morwenna Tregarthen", "--alias", "Morwenna"}, 0},
	{"Everyone and everything else that must get a pseudonym.",
		[]string{"entity", "import", "$DEMO/material/entities.csv"}, 0},
	{"The steering group allowed observation but asked not to be quoted.",
		[]string{"meeting", "add", "M01", "--name", "Wexcombe Larder Steering Group", "--private", "--dnq", "--observed-with-consent-of", "the chair"}, 0},
	{"A recording of Genevieve is refused: she did not consent to being recorded (exit 3).",
		[]string{"ingest", "$DEMO/material/conversation-p01.m4a", "--kind", "recording", "--participant", "P01"}, 3},
	{"Bramwell's interview transcript; the [dnq] markup is typed by the transcriber.",
		[]string{"ingest", "$DEMO/material/interview-p02.txt", "--kind", "transcript", "--participant", "P02", "--date", "2026-02-17"}, 0},
	{"Field notes of the conversation with Genevieve.",
		[]string{"ingest", "$DEMO/material/fieldnotes-p01.md", "--kind", "field-notes", "--participant", "P01", "--date", "2026-02-21"}, 0},
	{"Notes of the observed meeting.",
		[]string{"ingest", "$DEMO/material/meeting-m01.md", "--kind", "meeting-notes", "--meeting", "M01", "--participant", "P03", "--date", "2026-03-02"}, 0},
	{"Participants are listed by handle and pseudonym; real names only with --names.",
		[]string{"participant", "list"}, 0},
	{"What the vault holds.",
		[]string{"doc", "list"}, 0},
	{"The researcher's own view, with the line numbers quotes cite (audited).",
		[]string{"open", "D1", "--lines"}, 0},
	{"Bramwell asked that what he said about his wife's illness be struck.",
		[]string{"flag", "D1", "--lines", "15-15", "--strike", "--reason", "participant asked at member check"}, 0},
	{"The transcript as it may leave: pseudonymised, struck and do-not-quote lines withheld, the\n# caretaker nobody registered withheld too. Only your terminal is told which lines and why.",
		[]string{"export", "D1"}, 0},
	{"Your own working copy for analysis: the do-not-quote lines are there, marked; the struck\n# line and the unregistered caretaker still are not.",
		[]string{"export", "D1", "--purpose", "analysis"}, 0},
	{"A quotation with attribution.",
		[]string{"quote", "D1:7-8"}, 0},
	{"The meeting notes: the whole meeting is not for quotation.",
		[]string{"export", "D3"}, 0},
	{"Genevieve's field notes: her off-the-record remark may leave, as she consented to that.",
		[]string{"export", "D2", "--format", "txt"}, 0},
	{"The same gate makes a REFI-QDA project for NVivo, ATLAS.ti or MAXQDA: an analysis copy,\n# with Imelda's words and the do-not-quote meeting coded \"do not quote\".",
		[]string{"export-qda", "-o", "$DEMO/out/study.qdpx", "--all"}, 0},
	{"Render a chapter draft: quotes and pseudonyms filled in through the gate.",
		[]string{"render", "$DEMO/material/chapter.md", "-o", "$DEMO/out/chapter5.md"}, 0},
	{"Late in writing-up, Bramwell withdraws his consent to verbatim quotation only.",
		[]string{"consent", "withdraw", "P02", "--scope", "quote", "--reason", "prefers paraphrase"}, 0},
	{"Every chapter must be re-checked: the quote no longer stands (exit 3).",
		[]string{"check", "$DEMO/material/chapter.md"}, 3},
	{"The audio of Bramwell's interview, kept only until it is transcribed.",
		[]string{"ingest", "$DEMO/material/interview-p02.m4a", "--kind", "recording", "--participant", "P02", "--date", "2026-02-17"}, 0},
	{"The ethics approval: recordings are destroyed once transcribed (a transcript of the same participants exists).",
		[]string{"retention", "set", "recording", "--days-after-transcript", "0"}, 0},
	{"Transcripts and notes are kept for ten years after the study ends.",
		[]string{"retention", "set", "transcript", "--years-after-end", "10"}, 0},
	{"The study ends.",
		[]string{"study", "end", "--date", "2026-09-30"}, 0},
	{"What is due: Bramwell's recording, as its transcript exists.",
		[]string{"retention", "due"}, 0},
	{"Destroy exactly what is due: the recording's object goes; a tombstone (size, SHA-256, rule, day) stays, and the destruction is audited.",
		[]string{"retention", "destroy", "--yes"}, 0},
	{"The document's record says what happened to it.",
		[]string{"doc", "show", "D4"}, 0},
	{"A deposit for a data archive (the UK Data Service's ReShare): only Genevieve consented to archive, so only her words go, pseudonymised, with a data list and a README.",
		[]string{"deposit", "-o", "$DEMO/out/deposit.zip"}, 0},
	{"The consent register for the ethics officer.",
		[]string{"consent", "report"}, 0},
	{"Every exit and refusal is in the audit log, by handle and hash.",
		[]string{"audit", "log"}, 0},
	{"The chain is intact; the checkpoint kept outside the vault catches even a full rewrite.",
		[]string{"audit", "verify", "--checkpoint", "$DEMO/audit-checkpoint.json"}, 0},
	{"The ethics officer's page, one self-contained file: open it in a browser or print it to PDF for the committee.",
		[]string{"report", "-o", "$DEMO/out/ethics-report.html", "--checkpoint", "$DEMO/audit-checkpoint.json"}, 0},
	{"Every object decrypts and matches its recorded hash.",
		[]string{"verify", "--read-data"}, 0},
}

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "a synthetic study, walked through step by step",
		ArgsUsage: "[DIR]",
		Description: "Builds a small synthetic study in DIR (default: a new temporary directory) by\n" +
			"running the real commands, printing each one and its output. It uses its own\n" +
			"identity inside DIR and needs no HashiCorp Vault.",
		Action: func(c *cli.Context) error {
			a, err := args(c, 0, 1, "at most one DIR")
			if err != nil {
				return err
			}
			dir := ""
			if len(a) == 1 {
				dir = a[0]
			}
			return e.runDemo(c, dir)
		},
	}
}

func (e *env) runDemo(c *cli.Context, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "fieldvault-demo-")
		if err != nil {
			return fmt.Errorf("creating the demo directory: %w", err)
		}
		dir = d
	} else {
		entries, err := os.ReadDir(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("creating the demo directory: %w", err)
			}
		case err != nil:
			return fmt.Errorf("reading the demo directory: %w", err)
		case len(entries) > 0:
			return fmt.Errorf("%w: demo directory %s is not empty; pass a new or empty directory", vault.ErrInvalid, dir)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("demo directory: %w", err)
	}
	if err := writeDemoMaterial(abs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# A synthetic study in %s (DEMO). Everyone in it is invented.\n", abs)
	identity := filepath.Join(abs, "identity.txt")
	vaultDir := filepath.Join(abs, "study")
	for i, st := range demoSteps {
		argv := []string{"fieldvault", "--vault", vaultDir, "--identity", identity}
		shown := []string{"fieldvault"}
		for _, a := range st.args {
			argv = append(argv, strings.ReplaceAll(a, "$DEMO", abs))
			shown = append(shown, shellQuote(a))
		}
		fmt.Fprintf(e.stdout, "\n# %s\n$ %s\n", st.say, strings.Join(shown, " "))
		got := run(c.Context, argv, strings.NewReader(""), e.stdout, e.stdout)
		if got != st.exit {
			return fmt.Errorf("demo step %d (%s) ended with exit code %d, expected %d", i+1, strings.Join(shown[1:3], " "), got, st.exit)
		}
		if st.exit != 0 {
			fmt.Fprintf(e.stdout, "# (exit code %d, as expected)\n", got)
		}
	}
	fmt.Fprintf(e.stdout, "\n# Done. The vault is %s/study; try:\n#   fieldvault --vault %s/study --identity %s/identity.txt participant list --names\n", abs, abs, abs)
	return nil
}

// writeDemoMaterial writes the embedded study files, and a stand-in for a
// recording, to DIR/material, and creates DIR/out.
func writeDemoMaterial(dir string) error {
	mat := filepath.Join(dir, "material")
	for _, d := range []string{mat, filepath.Join(dir, "out")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("creating the demo directory: %w", err)
		}
	}
	entries, err := demoFiles.ReadDir("demo")
	if err != nil {
		return fmt.Errorf("reading the demo study: %w", err)
	}
	for _, en := range entries {
		b, err := demoFiles.ReadFile("demo/" + en.Name())
		if err != nil {
			return fmt.Errorf("reading the demo study: %w", err)
		}
		if err := os.WriteFile(filepath.Join(mat, en.Name()), b, 0o600); err != nil {
			return fmt.Errorf("writing the demo study: %w", err)
		}
	}
	// Not real audio: a few bytes standing in for a recording.
	fake := append([]byte("\x00\x00\x00\x18ftypM4A "), make([]byte, 256)...)
	for _, name := range []string{"conversation-p01.m4a", "interview-p02.m4a"} {
		if err := os.WriteFile(filepath.Join(mat, name), fake, 0o600); err != nil {
			return fmt.Errorf("writing the demo study: %w", err)
		}
	}
	return nil
}

// shellQuote quotes an argument for display the way a shell would need it.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if !strings.ContainsAny(s, " \t\n'\"\\|&;<>()*?[]#~%!{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
