package main

import (
	"fmt"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

// catalogList describes a "list" subcommand over the catalogue: no
// arguments; --json prints the views, otherwise a table; --names adds what
// only the researcher may see (real names, aliases) to both.
type catalogList[V any] struct {
	usage       string // the subcommand's usage line
	namesUsage  string // what --names includes
	views       func(cat *vault.Catalog, names bool) []V
	columns     []string // the table's columns
	cells       func(v V) []string
	nameColumns []string // the columns --names adds
	nameCells   func(v V) []string
	none        string // printed instead of an empty table; "" prints the header alone
}

func (l catalogList[V]) command(e *env) *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: l.usage,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON"},
			&cli.BoolFlag{Name: "names", Usage: l.namesUsage},
		},
		Action: func(c *cli.Context) error {
			if _, err := args(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			cat, err := e.catalog(c)
			if err != nil {
				return err
			}
			names := c.Bool("names")
			views := l.views(cat, names)
			if c.Bool("json") {
				return writeJSON(e.stdout, views)
			}
			if len(views) == 0 && l.none != "" {
				fmt.Fprintln(e.stdout, l.none)
				return nil
			}
			header := append([]string(nil), l.columns...)
			if names {
				header = append(header, l.nameColumns...)
			}
			t := newTable(e.stdout, header...)
			for _, v := range views {
				cells := l.cells(v)
				if names {
					cells = append(cells, l.nameCells(v)...)
				}
				t.row(cells...)
			}
			return t.flush()
		},
	}
}
