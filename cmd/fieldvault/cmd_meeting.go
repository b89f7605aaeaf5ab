package main

import (
	"fmt"
	"strings"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func meetingCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "meeting",
		Usage: "observed meetings: add, list, edit",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add an observed meeting",
				ArgsUsage: "HANDLE",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "the meeting's real `NAME` (pseudonymised on every exit)"},
					&cli.StringSliceFlag{Name: "alias", Usage: "another `NAME` it goes by; repeat"},
					&cli.BoolFlag{Name: "public", Usage: "a public meeting"},
					&cli.BoolFlag{Name: "private", Usage: "a private meeting (the default)"},
					&cli.BoolFlag{Name: "dnq", Usage: "the convenor asked that the meeting not be quoted"},
					&cli.StringFlag{Name: "observed-with-consent-of", Usage: "who allowed the observation (`TEXT`)"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one HANDLE (such as M03)")
					if err != nil {
						return err
					}
					if err := handleArg(c, a[0], "M03"); err != nil {
						return err
					}
					if c.Bool("public") && c.Bool("private") {
						return usagef("meeting add: --public and --private exclude each other")
					}
					req := vault.MeetingRequest{Handle: a[0], Aliases: c.StringSlice("alias"), Public: c.Bool("public"),
						DNQ: c.Bool("dnq"), ObservedWithConsentOf: c.String("observed-with-consent-of")}
					if req.Name, err = need(c, "name"); err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if err := s.AddMeeting(c.Context, req); err != nil {
						return err
					}
					kind := "private"
					if req.Public {
						kind = "public"
					}
					if req.DNQ {
						kind += ", do not quote"
					}
					fmt.Fprintf(e.stdout, "added meeting %s (%s)\n", strings.ToUpper(req.Handle), kind)
					return nil
				},
			},
			catalogList[meetingView]{
				usage:      "list meetings (real names only with --names)",
				namesUsage: "include real names",
				views:      meetingViews,
				columns:    []string{"HANDLE", "ACCESS", "QUOTABLE"},
				cells: func(v meetingView) []string {
					access, quot := "private", "yes"
					if v.Public {
						access = "public"
					}
					if v.DNQ {
						quot = "no (dnq)"
					}
					return []string{v.Handle, access, quot}
				},
				nameColumns: []string{"NAME"},
				nameCells:   func(v meetingView) []string { return []string{v.Name} },
			}.command(e),
			meetingEditCommand(e),
		},
	}
}

type meetingView struct {
	Handle string `json:"handle"`
	Public bool   `json:"public"`
	DNQ    bool   `json:"dnq"`
	Name   string `json:"name,omitempty"`
}

func meetingViews(cat *vault.Catalog, names bool) []meetingView {
	views := []meetingView{}
	for _, m := range cat.Meetings {
		v := meetingView{Handle: m.Handle, Public: m.Public, DNQ: m.DNQ}
		if names {
			v.Name = m.Name
		}
		views = append(views, v)
	}
	return views
}
