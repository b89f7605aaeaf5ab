package main

import (
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/urfave/cli/v2"
)

// Checks of flag values. Every one fails as a usage error that echoes the
// flag and the value typed and shows the form expected:
//
//	fieldvault: ingest: --handle "P02-int": expected letters then digits, like D12

// badValue is the usage error for flag's value.
func badValue(c *cli.Context, flag, value, expected string) error {
	return usagef("%s: --%s %q: %s", cmdName(c), flag, clip(value), expected)
}

// badArg is the usage error for a positional argument.
func badArg(c *cli.Context, value, expected string) error {
	return usagef("%s: %q: %s", cmdName(c), clip(value), expected)
}

// clip shortens a value echoed in an error.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// dateFlag reads an optional YYYY-MM-DD flag (the zero date when absent).
func dateFlag(c *cli.Context, name string) (policy.Date, error) {
	v := c.String(name)
	if v == "" {
		return policy.Date{}, nil
	}
	d, err := policy.ParseDate(v)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), policy.ErrInvalidDate.Error()+": ")
		return d, badValue(c, name, v, msg+", like 2026-03-14")
	}
	return d, nil
}

// checkDates checks optional date flags, keeping their text for the request.
func checkDates(c *cli.Context, names ...string) error {
	for _, n := range names {
		if _, err := dateFlag(c, n); err != nil {
			return err
		}
	}
	return nil
}

// handleForm is the expected form of a handle, with an example.
func handleForm(example string) string {
	return "expected a handle, letters then digits, like " + example
}

// checkHandleFlags checks that the flags given (single or repeated) hold
// handles; example shows the form ("P07", "D12").
func checkHandleFlags(c *cli.Context, example string, names ...string) error {
	for _, n := range names {
		var vals []string
		for _, f := range c.Command.Flags {
			switch f := f.(type) {
			case *cli.StringSliceFlag:
				if f.Name == n {
					vals = c.StringSlice(n)
				}
			case *cli.StringFlag:
				if f.Name == n && c.String(n) != "" {
					vals = []string{c.String(n)}
				}
			}
		}
		for _, v := range vals {
			if !vault.ValidHandle(v) {
				return badValue(c, n, v, handleForm(example))
			}
		}
	}
	return nil
}

// handleArg checks a positional handle.
func handleArg(c *cli.Context, v, example string) error {
	if !vault.ValidHandle(v) {
		return badArg(c, v, handleForm(example))
	}
	return nil
}

// versionFlag reads an optional --version N (0: the latest).
func versionFlag(c *cli.Context) (int, error) {
	n := c.Int("version")
	if n < 0 {
		return 0, badValue(c, "version", strconv.Itoa(n), "expected a version number, 1 or more (default: the latest)")
	}
	return n, nil
}

// linesFlag reads --lines A-B (one line is A-A).
func linesFlag(c *cli.Context, doc string) (int, int, error) {
	v, err := need(c, "lines")
	if err != nil {
		return 0, 0, err
	}
	_, from, to, err := gate.ParseQuoteRef(doc + ":" + v)
	if err != nil {
		return 0, 0, badValue(c, "lines", v, gate.RangeForm)
	}
	return from, to, nil
}
