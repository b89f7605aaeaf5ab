// Command fieldvault is the command-line interface of a research-ethics data
// vault: age-encrypted study material, a consent register, keyed pseudonyms,
// a policy gate for everything that leaves, and a tamper-evident audit log.
//
// This package only wires the command line to packages vault (the store),
// vault/gate (every exit is one gate.Request through gate.Run), vault/keys
// (it chooses the key provider and the audit anchor and hands them to the
// store), redact and policy: each command reads its flags into an options
// struct or request, calls one function and prints the result. Exit codes are decided in one
// place, exitCode.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/fieldvault/fieldvault/vault/keys"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Exit codes.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitRefused   = 3
	exitIntegrity = 4
)

const exitCodesHelp = `EXIT CODES:
   0  ok
   1  error (bad input, unknown handle, missing file, no identity, ...)
   2  usage: unknown command, bad flags or arguments
   3  refused by policy: the gate (consent, flags, residual identifiers) said no
   4  integrity problem: stored data, the catalogue or the audit log does not
      verify (open, verify, audit verify)`

func main() { os.Exit(runMain()) }

// runMain runs the program as a process: Ctrl-C (SIGINT) or SIGTERM
// cancels the command's context, so a change not yet committed is
// abandoned and leaves the vault as it was.
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A reader that closes the pipe early ("| head") makes a write to
	// standard output fail with EPIPE instead of killing the process
	// silently: an exit cut short is then recorded as partial in the audit
	// log, not left out of it.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	return run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
}

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// problemsFound reports that a verify found problems (exit code 4).
func problemsFound(what string, n int) error {
	noun := "problems"
	if n == 1 {
		noun = "problem"
	}
	return fmt.Errorf("%w: %s found %d %s", vault.ErrIntegrity, what, n, noun)
}

// run is the whole program: it builds the app, runs it and maps the outcome
// to an exit code. It never panics and never calls os.Exit.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value is not printed: it might hold protected data.
			what := "unexpected failure"
			if re, ok := r.(runtime.Error); ok {
				what = re.Error()
			}
			fmt.Fprintf(stderr, "fieldvault: internal error (%s); please report it\n", what)
			code = exitError
		}
	}()
	env := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	app := newApp(env)
	if len(args) == 0 {
		args = []string{"fieldvault"}
	}
	args = intersperse(app, args)
	err := repeatedFlag(app, args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	code = exitCode(err)
	if err != nil {
		printError(stderr, err, code)
	}
	return code
}

// exitCode maps an error to the program's exit code. This is the one place
// where that decision is made.
func exitCode(err error) int {
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage):
		return exitUsage
	case errors.Is(err, policy.ErrRefused):
		return exitRefused
	case errors.Is(err, vault.ErrIntegrity):
		return exitIntegrity
	default:
		return exitError
	}
}

// printError prints the error as one line, and a hint where one helps.
func printError(w io.Writer, err error, code int) {
	if errors.Is(err, context.Canceled) {
		// SIGINT or SIGTERM: the change was abandoned before it committed.
		fmt.Fprintln(w, "fieldvault: interrupted; nothing was changed or delivered")
		return
	}
	var partial *vault.PartialDeliveryError
	if errors.Is(err, syscall.EPIPE) && !errors.As(err, &partial) {
		// A listing whose reader stopped early ("| head"): nothing to say,
		// as for any command in a pipe. An exit or an open cut short says
		// what left (PartialDeliveryError).
		return
	}
	fmt.Fprintf(w, "fieldvault: %v\n", err)
	if h := hint(err, code); h != "" {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
}

func hint(err error, code int) string {
	var (
		locked   *vault.LockedError
		residual *gate.ResidualError
		perm     *hcvault.PermissionError
	)
	var notRecipient *vault.RecipientError
	switch {
	case code == exitUsage:
		return "run 'fieldvault help' or 'fieldvault COMMAND --help'"
	case errors.Is(err, store.ErrDenied), errors.Is(err, store.ErrNoBucket), errors.Is(err, store.ErrUnreachable):
		return "" // the store's message says what to check
	case errors.Is(err, vault.ErrBusy):
		return "other researchers' changes kept committing first; run the command again"
	case errors.Is(err, vault.ErrNotVault):
		return "run 'fieldvault init' or pass --vault DIR"
	case errors.Is(err, vault.ErrExists):
		return "choose another directory, or work with this vault through --vault DIR"
	case errors.Is(err, vault.ErrFormat):
		return "this vault was written by a newer fieldvault; upgrade fieldvault to open it"
	case errors.Is(err, vault.ErrPassphrase):
		return "the identity file is protected with a passphrase: run the command from a terminal and type the right one"
	case errors.Is(err, vault.ErrNoIdentity):
		return "pass --identity FILE or set FIELDVAULT_IDENTITY"
	case errors.As(err, &notRecipient) && notRecipient.Class == vault.ClassRaw && notRecipient.Officer:
		return "the researcher or a supervisor recipient can open it"
	case errors.As(err, &notRecipient) && notRecipient.Class == vault.ClassRaw:
		return "you are not a recipient of raw material in this vault; the researcher or a supervisor recipient can open it"
	case errors.Is(err, vault.ErrNotRecipient):
		return "ask the study's researcher to add your age recipient, or pass --identity FILE"
	case errors.As(err, &locked):
		return "another fieldvault command is changing this vault; wait for it to finish"
	case errors.As(err, &residual):
		return "see them with 'fieldvault scan DOC'"
	case errors.As(err, &perm):
		return "print the policy the token needs with 'fieldvault transit policy'"
	case errors.Is(err, vault.ErrReadOnly):
		return "ask the researcher (a recipient of raw material) to make this change"
	case errors.Is(err, vault.ErrNotFound) && strings.Contains(err.Error(), "(see '"):
		return "" // the message names the listing to look in
	case errors.Is(err, vault.ErrNotFound):
		return "list what exists with 'fieldvault doc list', 'participant list' or 'entity list'"
	case code == exitIntegrity:
		return "run 'fieldvault verify --read-data' and 'fieldvault audit verify'; restore from a backup if they confirm it"
	}
	return ""
}

// env is what every command writes to and reads from.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	Dir          string
	IdentityFile string
}

func globals(c *cli.Context) globalOptions {
	return globalOptions{Dir: c.String("vault"), IdentityFile: c.String("identity")}
}

// openStudy opens the study vault the global flags name, with progress and
// notes wired to stderr.
func (e *env) openStudy(c *cli.Context) (*vault.Study, error) {
	g := globals(c)
	s, err := vault.Open(g.Dir, vault.Options{Providers: keys.For, IdentityFile: g.IdentityFile, Passphrase: askPassphrase})
	if err != nil {
		return nil, err
	}
	e.wire(s)
	return s, nil
}

// askPassphrase reads a passphrase from the controlling terminal (never
// from standard input, which may carry data), without echoing it.
func askPassphrase(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", errors.New("no terminal to ask for the passphrase on")
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s: ", prompt)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("reading the passphrase: %w", err)
	}
	return string(b), nil
}

// catalog opens the study and reads its catalogue, for the commands that
// only list or show records.
func (e *env) catalog(c *cli.Context) (*vault.Catalog, error) {
	s, err := e.openStudy(c)
	if err != nil {
		return nil, err
	}
	return s.Catalog()
}

// wire connects a study's progress and notes to stderr.
func (e *env) wire(s *vault.Study) {
	s.Notes = func(msg string) { fmt.Fprintf(e.stderr, "fieldvault: note: %s\n", msg) }
	if isTerminal(e.stderr) {
		p := &progress{w: e.stderr, last: -1}
		s.Progress = p.update
	}
}

// progress redraws a one-line percentage on a terminal.
type progress struct {
	w    io.Writer
	last int
}

func (p *progress) update(done, total int64) {
	if total <= 0 {
		return
	}
	pct := int(done * 100 / total)
	if pct == p.last {
		return
	}
	p.last = pct
	fmt.Fprintf(p.w, "\r%3d%%", pct)
	if done >= total {
		fmt.Fprint(p.w, "\r    \r")
	}
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:    "fieldvault",
		Usage:   "a research-ethics data vault for qualitative studies",
		Version: buildVersion(),
		Description: "fieldvault keeps a study's raw material (recordings, transcripts, field notes, consent\n" +
			"forms) encrypted with age, holds the consent register, and lets text out only through\n" +
			"one gate that pseudonymises it, applies consent and do-not-quote rules, scans for\n" +
			"identifiers left over and records the exit in a hash-chained audit log.\n\n" +
			"Global flags (--vault, --identity) may go before or after the command.\n\n" +
			exitCodesHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "vault", Value: ".", EnvVars: []string{"FIELDVAULT_DIR"}, Usage: "the study vault `DIR` or s3://BUCKET/PREFIX"},
			&cli.StringFlag{Name: "identity", EnvVars: []string{vault.IdentityEnv}, Usage: "age identity `FILE` (default: fieldvault/identity.txt in your config directory)"},
		},
		Reader:                    e.stdin,
		Writer:                    e.stdout,
		ErrWriter:                 e.stderr,
		HideHelpCommand:           false,
		DisableSliceFlagSeparator: true,
		ExitErrHandler:            func(*cli.Context, error) {},
		OnUsageError:              onUsageError,
		EnableBashCompletion:      true,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unknown command %q%s", c.Args().First(), didYouMean(c.Args().First(), c.App.Commands))
			}
			return usageShown(c, "no command given", cli.ShowAppHelp)
		},
		Commands: []*cli.Command{
			demoCommand(e),
			initCommand(e),
			participantCommand(e),
			consentCommand(e),
			entityCommand(e),
			meetingCommand(e),
			researcherCommand(e),
			ingestCommand(e),
			docCommand(e),
			flagCommand(e),
			openCommand(e),
			pseudonymCommand(e),
			scanCommand(e),
			exportCommand(e),
			quoteCommand(e),
			renderCommand(e),
			checkCommand(e),
			qdaCommand(e),
			depositCommand(e),
			retentionCommand(e),
			studyCommand(e),
			auditCommand(e),
			reportCommand(e),
			verifyCommand(e),
			recipientCommand(e),
			backupCommand(e),
			transitCommand(e),
			completionCommand(e),
			manCommand(e),
		},
	}
	for _, cmd := range app.Commands {
		setUsageHandlers(cmd)
	}
	return app
}

// buildVersion is the module version the binary was built from.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func onUsageError(c *cli.Context, err error, _ bool) error {
	msg := err.Error()
	const undefined = "flag provided but not defined: -"
	if typed, ok := strings.CutPrefix(msg, undefined); ok && c != nil && c.Command != nil {
		var names []string
		for _, f := range append(c.Command.Flags, c.App.Flags...) {
			names = append(names, f.Names()...)
		}
		if near := vault.Nearest(strings.TrimLeft(typed, "-"), names); near != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", near)
		}
	}
	return &usageError{msg: msg}
}

// setUsageHandlers makes every flag-parsing error of cmd and its
// subcommands a usage error, and an unknown subcommand too.
func setUsageHandlers(cmd *cli.Command) {
	if cmd.OnUsageError == nil {
		cmd.OnUsageError = onUsageError
	}
	if len(cmd.Subcommands) > 0 && cmd.Action == nil {
		name := cmd.Name
		cmd.Action = func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unknown command %q for %s%s", c.Args().First(), name, didYouMean(c.Args().First(), c.Command.Subcommands))
			}
			return usageShown(c, name+": no subcommand given", cli.ShowSubcommandHelp)
		}
	}
	for _, sub := range cmd.Subcommands {
		setUsageHandlers(sub)
	}
}

// didYouMean suggests the command nearest to a mistyped one.
func didYouMean(typed string, cmds []*cli.Command) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if near := vault.Nearest(typed, names); near != "" {
		return fmt.Sprintf(" (did you mean %q?)", near)
	}
	return ""
}

// usageShown prints help on standard error (standard output may be piped
// into something that expects a command's output) and returns the usage
// error msg: a command line that names nothing to do is a mistake (exit 2).
func usageShown(c *cli.Context, msg string, show func(*cli.Context) error) error {
	w := c.App.Writer
	c.App.Writer = c.App.ErrWriter
	err := show(c)
	c.App.Writer = w
	if err != nil {
		return err
	}
	return usagef("%s", msg)
}

// args checks the number of positional arguments.
func args(c *cli.Context, min, max int, what string) ([]string, error) {
	a := c.Args().Slice()
	if len(a) < min || (max >= 0 && len(a) > max) {
		return nil, usagef("%s: expected %s", cmdName(c), what)
	}
	return a, nil
}

// cmdName is the running command's name as typed ("participant add").
func cmdName(c *cli.Context) string {
	if c.Command == nil {
		return "fieldvault"
	}
	return strings.TrimPrefix(c.Command.HelpName, "fieldvault ")
}

// need returns a string flag that must be given.
func need(c *cli.Context, name string) (string, error) {
	v := c.String(name)
	if v == "" {
		return "", usagef("%s: --%s is required", cmdName(c), name)
	}
	return v, nil
}
