package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// intersperse lets flags follow positional arguments, as in
// "fieldvault participant add P01 --name NAME": urfave/cli stops parsing
// flags at the first positional argument, so the arguments of the command
// that will run are reordered to put its flags first. Arguments after "--"
// stay positional.
func intersperse(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
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
	var fl, pos []string
	for len(rest) > 0 {
		a := rest[0]
		if a == "--" {
			pos = append(pos, rest...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			n := flagWidth(flags, a, rest)
			fl = append(fl, rest[:n]...)
			rest = rest[n:]
			continue
		}
		pos = append(pos, a)
		rest = rest[1:]
	}
	out = append(out, fl...)
	return append(out, pos...)
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
