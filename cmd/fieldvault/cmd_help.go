package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// Help, shell completion and the man page, all from the one command tree.

// completionFlag is the hidden flag by which a shell asks urfave/cli for the
// words that may follow the ones typed.
const completionFlag = "--generate-bash-completion"

func init() {
	defaultFlagString := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string { return flagString(f, defaultFlagString(f)) }
}

// flagString drops urfave/cli's "(default: …)" where it says nothing or
// repeats the usage: a bool flag's "(default: false)", a number flag's
// "(default: 0)" (not given), and the default of a flag whose usage already
// says what its default means ("(default: the latest)" rather than
// "(default: 0)").
func flagString(f cli.Flag, s string) string {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return s
	}
	def := df.GetDefaultText()
	if def == "" {
		return s
	}
	_, isBool := f.(*cli.BoolFlag)
	_, isInt := f.(*cli.IntFlag)
	if (isBool && def == "false") || (isInt && def == "0") || strings.Contains(df.GetUsage(), "(default:") {
		s = strings.Replace(s, " (default: "+def+")", "", 1)
	}
	return s
}

const completionHelp = `Prints a completion script for your shell. Install it:

  bash:  fieldvault completion bash > ~/.local/share/bash-completion/completions/fieldvault
  zsh:   fieldvault completion zsh > "${fpath[1]}/_fieldvault"   (then restart zsh)
  fish:  fieldvault completion fish > ~/.config/fish/completions/fieldvault.fish

Completion asks fieldvault itself which commands and flags may follow, so it
always matches the installed version.`

func completionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "completion",
		Usage:       "print a shell completion script: bash, zsh or fish",
		ArgsUsage:   "bash|zsh|fish",
		Description: completionHelp,
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one shell: bash, zsh or fish")
			if err != nil {
				return err
			}
			switch a[0] {
			case "bash":
				_, err = fmt.Fprint(e.stdout, bashCompletion)
			case "zsh":
				_, err = fmt.Fprint(e.stdout, zshCompletion)
			case "fish":
				var script string
				if script, err = c.App.ToFishCompletion(); err == nil {
					_, err = fmt.Fprint(e.stdout, strings.ReplaceAll(script, "`", ""))
				}
			default:
				return badArg(c, a[0], "expected bash, zsh or fish")
			}
			return err
		},
	}
}

// bashCompletion asks fieldvault for the words that may follow those typed.
const bashCompletion = `# bash completion for fieldvault (fieldvault completion bash)
_fieldvault_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  if [[ "$cur" == -* ]]; then
    words+=("$cur")
  fi
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$("${words[@]}" ` + completionFlag + ` 2>/dev/null)" -- "$cur"))
  if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _fieldvault_complete fieldvault
`

// zshCompletion does the same for zsh; files when fieldvault offers nothing.
const zshCompletion = `#compdef fieldvault
# zsh completion for fieldvault (fieldvault completion zsh)
_fieldvault() {
  local -a opts
  local cur=${words[CURRENT]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[1,CURRENT-1]} $cur ` + completionFlag + ` 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[1,CURRENT-1]} ` + completionFlag + ` 2>/dev/null)}")
  fi
  if [[ -n "${opts[1]}" ]]; then
    _describe 'fieldvault' opts
  else
    _files
  fi
}
compdef _fieldvault fieldvault
`

func manCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff) built from the commands' own help",
		Description: "Install it where man looks, for example:\n\n" +
			"  mkdir -p ~/.local/share/man/man1\n" +
			"  fieldvault man > ~/.local/share/man/man1/fieldvault.1\n\n" +
			"then 'man fieldvault'. The page holds every command, its arguments, options and\n" +
			"description, exactly as 'fieldvault COMMAND --help' shows them.",
		Action: func(c *cli.Context) error {
			if _, err := args(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			_, err := e.stdout.Write(md2man.Render([]byte(manMarkdown(c.App))))
			return err
		},
	}
}

// manMarkdown is the manual page in the Markdown dialect go-md2man turns
// into roff: the app's description, global options, then every command
// (depth first) with its arguments, description and options.
func manMarkdown(app *cli.App) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%% %s 1\n\n# NAME\n\n%s - %s\n\n", app.Name, app.Name, app.Usage)
	fmt.Fprintf(&b, "# SYNOPSIS\n\n**%s** [*global options*] *command* [*options*] [*arguments*]\n\n", app.Name)
	fmt.Fprintf(&b, "# DESCRIPTION\n\n%s\n\n", manText(app.Description))
	b.WriteString("# GLOBAL OPTIONS\n\n")
	manFlags(&b, app.VisibleFlags())
	b.WriteString("# COMMANDS\n\n")
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, cmd := range cmds {
			if cmd.Hidden || cmd.Name == "help" {
				continue
			}
			name := strings.TrimSpace(prefix + " " + cmd.Name)
			fmt.Fprintf(&b, "### %s\n\n", name)
			synopsis := "**" + app.Name + " " + name + "**"
			if len(cmd.VisibleFlags()) > 0 {
				synopsis += " [*options*]"
			}
			if cmd.ArgsUsage != "" {
				synopsis += " " + manEscape(cmd.ArgsUsage)
			}
			fmt.Fprintf(&b, "%s\n\n%s\n\n", synopsis, manEscape(cmd.Usage))
			if cmd.Description != "" {
				fmt.Fprintf(&b, "%s\n\n", manText(cmd.Description))
			}
			manFlags(&b, cmd.VisibleFlags())
			walk(name, cmd.Subcommands)
		}
	}
	walk("", app.VisibleCommands())
	return b.String()
}

// manFlags lists flags as help shows them (one definition list item each).
func manFlags(b *strings.Builder, flags []cli.Flag) {
	var items []string
	for _, f := range flags {
		if f.Names()[0] == "help" {
			continue
		}
		names, usage, _ := strings.Cut(cli.FlagStringer(f), "\t")
		items = append(items, fmt.Sprintf("**%s**\n: %s\n", manEscape(names), manEscape(usage)))
	}
	sort.Strings(items)
	for _, it := range items {
		b.WriteString(it + "\n")
	}
}

// manText keeps a help description's layout: indented lines (examples, the
// exit code table) stay as they are, the rest is prose.
func manText(s string) string {
	var out []string
	block := false
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "  ") {
			if !block {
				out = append(out, "")
			}
			block = true
			out = append(out, "    "+l)
			continue
		}
		if block && l != "" {
			out = append(out, "")
		}
		block = false
		out = append(out, manEscape(l))
	}
	return strings.Join(out, "\n")
}

// manEscape keeps Markdown from reading help text as markup.
func manEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`).Replace(s)
}
