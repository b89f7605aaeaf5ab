package main

import (
	"fmt"
	"strings"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func researcherCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "researcher",
		Usage: "the study team: whose turns are the researcher's (add, list)",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "register a researcher: their turns leave under nobody's consent, labelled with a role",
				ArgsUsage: "NAME",
				Description: "A transcript line that begins with the researcher's name or an alias (\"Siân Evans:\",\n" +
					"\"**Siân:**\", <v Siân Evans>) is the researcher's turn; in everything that leaves it is\n" +
					"labelled with --label, never the name. Generic labels always mean the researcher:\n" +
					strings.Join(vault.GenericResearcherLabels(), ", ") + ".",
				Flags: []cli.Flag{
					&cli.StringSliceFlag{Name: "alias", Usage: "another `NAME` the researcher appears under; repeat"},
					&cli.StringFlag{Name: "label", Usage: "the role `LABEL` their turns carry in exports (default: " + vault.DefaultRoleLabel + ")"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one NAME (quote it)")
					if err != nil {
						return err
					}
					req := vault.ResearcherRequest{Name: a[0], Aliases: c.StringSlice("alias"), Label: c.String("label")}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					r, err := s.AddResearcher(c.Context, req)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "added researcher %s (label %s)\n", r.Handle, r.Label)
					return nil
				},
			},
			catalogList[researcherView]{
				usage:       "list researchers (names only with --names)",
				namesUsage:  "include names and aliases",
				views:       researcherViews,
				columns:     []string{"HANDLE", "LABEL"},
				cells:       func(v researcherView) []string { return []string{v.Handle, v.Label} },
				nameColumns: []string{"NAME", "ALIASES"},
				nameCells:   func(v researcherView) []string { return []string{v.Name, strings.Join(v.Aliases, ", ")} },
				none:        "no researchers registered; generic labels (Interviewer, Q, …) still mean the researcher",
			}.command(e),
		},
	}
}

type researcherView struct {
	Handle  string   `json:"handle"`
	Label   string   `json:"label"`
	Name    string   `json:"name,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

func researcherViews(cat *vault.Catalog, names bool) []researcherView {
	views := []researcherView{}
	for _, r := range cat.Researchers {
		v := researcherView{Handle: r.Handle, Label: r.Label}
		if names {
			v.Name, v.Aliases = r.Name, r.Aliases
		}
		views = append(views, v)
	}
	return views
}
