package main

import (
	"fmt"
	"sort"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func entityCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "entity",
		Usage: "people mentioned, places, organisations, meetings: add, list, import, edit",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add an entity to pseudonymise",
				ArgsUsage: "person|place|org|meeting|other NAME",
				Flags: []cli.Flag{
					&cli.StringSliceFlag{Name: "alias", Usage: "another `NAME` it goes by; repeat"},
					&cli.StringFlag{Name: "pseudonym", Usage: "a chosen `PSEUDONYM` (default: derived from the study key)"},
					&cli.BoolFlag{Name: "family-first", Usage: "a person's name written family name first (\"Wang Xiuying\"): its first word is the family name"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 2, 2, "a kind (person, place, org, meeting, other) and a NAME")
					if err != nil {
						return err
					}
					req := vault.EntityRequest{Kind: redact.Kind(a[0]), Name: a[1], Aliases: c.StringSlice("alias"), Pseudonym: c.String("pseudonym")}
					if !req.Kind.Valid() {
						return badArg(c, a[0], "expected a kind: "+vault.EntityKindList())
					}
					if req.FamilyFirst = c.Bool("family-first"); req.FamilyFirst && req.Kind != redact.KindPerson {
						return usagef("entity add: --family-first is for a person's name, not a %s", req.Kind)
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					ents, err := s.AddEntities(c.Context, []vault.EntityRequest{req})
					if err != nil {
						return err
					}
					for _, en := range ents {
						fmt.Fprintf(e.stdout, "added %s %s\n", en.Kind, en.Handle)
					}
					warnNames(e, req.Kind, req.Name, req.Aliases)
					for _, en := range ents {
						warnShared(e, s, en.Handle)
					}
					return nil
				},
			},
			catalogList[entityView]{
				usage:       "list entities with their pseudonyms (real names only with --names)",
				namesUsage:  "include real names and aliases",
				views:       entityViews,
				columns:     []string{"HANDLE", "KIND", "PSEUDONYM"},
				cells:       func(v entityView) []string { return []string{v.Handle, string(v.Kind), v.Pseudonym} },
				nameColumns: []string{"NAME", "ALIASES"},
				nameCells:   func(v entityView) []string { return []string{v.Name, joinAliases(v.Aliases)} },
			}.command(e),
			{
				Name:      "import",
				Usage:     "add entities from a CSV file (all or nothing)",
				ArgsUsage: "FILE.csv",
				Description: "The first row names the columns: kind,name,aliases,pseudonym,name_order (kind and name\n" +
					"required; kind is person, place, org, meeting or other; aliases are separated by\n" +
					"\";\"; name_order is family-first for a person's name written family name first).\n" +
					"Any bad row stops the import and is named by its line number: all or nothing.",
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one FILE.csv")
					if err != nil {
						return err
					}
					f, _, err := vault.OpenInput(a[0], "entities file")
					if err != nil {
						return err
					}
					reqs, err := vault.ParseEntitiesCSV(f)
					f.Close()
					if err != nil {
						return fmt.Errorf("%s: %w", a[0], err)
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					ents, err := s.AddEntities(c.Context, reqs)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "imported %s", plural(len(ents), "entity", "entities"))
					if len(ents) > 0 {
						fmt.Fprintf(e.stdout, " (%s to %s)", ents[0].Handle, ents[len(ents)-1].Handle)
					}
					fmt.Fprintln(e.stdout)
					return nil
				},
			},
			entityEditCommand(e),
		},
	}
}

type entityView struct {
	Handle    string      `json:"handle"`
	Kind      redact.Kind `json:"kind"`
	Pseudonym string      `json:"pseudonym"`
	Name      string      `json:"name,omitempty"`
	Aliases   []string    `json:"aliases,omitempty"`
}

func entityViews(cat *vault.Catalog, names bool) []entityView {
	ents := append([]*vault.Entity(nil), cat.Entities...)
	sort.Slice(ents, func(i, j int) bool { return policy.HandleLess(ents[i].Handle, ents[j].Handle) })
	out := make([]entityView, 0, len(ents))
	for _, en := range ents {
		v := entityView{Handle: en.Handle, Kind: en.Kind, Pseudonym: pseudonymOf(cat, en.Kind, en.Name, en.Pseudonym, en.FamilyFirst)}
		if names {
			v.Name, v.Aliases = en.Name, en.Aliases
		}
		out = append(out, v)
	}
	return out
}

func joinAliases(a []string) string {
	out := ""
	for i, s := range a {
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}
