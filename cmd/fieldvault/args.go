package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// intersperse lets flags follow positional arguments, as in
// "fieldvault participant add P01 --name NAME": urfave/cli stops parsing
// flags at the first positional argument, so the arguments of the command
// that will run are reordered to put its flags first, and global flags
// typed after the command (--vault, --identity) move before it. Arguments
// after "--" stay positional.
func intersperse(app *cli.App, args []string) []string {
	if len(args) < 2 || args[len(args)-1] == completionFlag {
		// Shell completion asks about the words typed so far, in order.
		return args
	}
	if (args[1] == "help" || args[1] == "h") && len(args) > 2 {
		// "help consent" shows what "consent --help" shows, subcommands included.
		args = append(append([]string{args[0]}, args[2:]...), "--help")
	}
	out := []string{args[0]}
	rest := args[1:]
	flags := app.Flags
	cmds := app.Commands
	leaf := false
	// Walk global flags and command names down to the command that runs.
	for len(rest) > 0 {
		a := rest[0]
		if strings.HasPrefix(a, "-") && a != "-" && a != "--" {
			n := flagWidth(flags, a, rest)
			out = append(out, rest[:n]...)
			rest = rest[n:]
			continue
		}
		cmd := findCommand(cmds, a)
		if cmd == nil {
			break
		}
		out = append(out, a)
		rest = rest[1:]
		flags = cmd.Flags
		cmds = cmd.Subcommands
		if len(cmds) == 0 {
			leaf = true
			break
		}
	}
	if !leaf {
		// No command to run, or a group given no subcommand it knows:
		// leave the rest to the usage error.
		return append(out, rest...)
	}
	var global, fl, pos []string
	for len(rest) > 0 {
		a := rest[0]
		if a == "--" {
			pos = append(pos, rest...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			if !hasFlag(flags, a) && hasFlag(app.Flags, a) {
				// A global flag typed after the command goes before it.
				n := flagWidth(app.Flags, a, rest)
				global = append(global, rest[:n]...)
				rest = rest[n:]
				continue
			}
			n := flagWidth(flags, a, rest)
			fl = append(fl, rest[:n]...)
			rest = rest[n:]
			continue
		}
		pos = append(pos, a)
		rest = rest[1:]
	}
	res := append([]string{out[0]}, global...)
	res = append(res, out[1:]...)
	res = append(res, fl...)
	return append(res, pos...)
}

// hasFlag reports whether the flag argument a ("--name", "-o", "--x=y")
// names one of flags.
func hasFlag(flags []cli.Flag, a string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// flagWidth returns how many arguments the flag at rest[0] spans: two for
// a flag that takes a value given as the next argument, else one.
func flagWidth(flags []cli.Flag, a string, rest []string) int {
	if strings.Contains(a, "=") || len(rest) < 2 {
		return 1
	}
	name := strings.TrimLeft(a, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, isBool := f.(*cli.BoolFlag); isBool {
				return 1
			}
			if n == "help" || n == "h" {
				return 1
			}
			return 2
		}
	}
	return 1
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// repeatedFlag refuses a flag that takes one value given more than once
// ("--scope participate --scope quote"): urfave/cli keeps the last value
// and drops the others without a word, so a consent would be recorded
// with fewer scopes than the form grants. Flags that may be repeated
// (--participant, --alias) and on/off flags are not counted. The values
// are not repeated in the message: they may be names.
func repeatedFlag(app *cli.App, args []string) error {
	if len(args) < 2 || args[len(args)-1] == completionFlag {
		return nil
	}
	flags, cmds := app.Flags, app.Commands
	var path []string
	seen := map[cli.Flag]int{}
	rest := args[1:]
	for len(rest) > 0 {
		a := rest[0]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if cmd := findCommand(cmds, a); cmd != nil && cmds != nil {
				path = append(path, cmd.Name)
				flags, cmds = cmd.Flags, cmd.Subcommands
			} else {
				cmds = nil // a positional argument: no more command names
			}
			rest = rest[1:]
			continue
		}
		set := flags
		f := lookupFlag(set, a)
		if f == nil {
			set = app.Flags
			f = lookupFlag(set, a)
		}
		n := flagWidth(set, a, rest)
		rest = rest[n:]
		if f == nil || !takesOneValue(f) {
			continue
		}
		seen[f]++
		if seen[f] == 2 {
			where := ""
			if len(path) > 0 {
				where = strings.Join(path, " ") + ": "
			}
			also := ""
			if df, ok := f.(cli.DocGenerationFlag); ok && strings.Contains(df.GetUsage(), "comma-separated") {
				also = ", with its values comma-separated"
			}
			return usagef("%s--%s is given more than once; give it once%s", where, f.Names()[0], also)
		}
	}
	return nil
}

// lookupFlag finds the flag the argument a ("--name", "-o", "--x=y") names.
func lookupFlag(flags []cli.Flag, a string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesOneValue reports whether f holds one value (the last of several
// would silently win): not an on/off flag, not one meant to be repeated.
func takesOneValue(f cli.Flag) bool {
	if _, isBool := f.(*cli.BoolFlag); isBool {
		return false
	}
	if sf, ok := f.(cli.DocGenerationSliceFlag); ok && sf.IsSliceFlag() {
		return false
	}
	return true
}
