package main

import (
	"fmt"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

// Commands that correct mistakes: entity edit, meeting edit, participant
// remove, doc remove. (Clearing and correcting a flag is part of flag.)

func entityEditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "edit",
		Usage:     "change an entity's name or aliases (its pseudonym stays)",
		ArgsUsage: "HANDLE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the real `NAME`"},
			&cli.StringSliceFlag{Name: "alias", Usage: "replace the aliases with these (`NAME`); repeat"},
			&cli.StringSliceFlag{Name: "add-alias", Usage: "add an alias `NAME`; repeat"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one HANDLE (such as E3)")
			if err != nil {
				return err
			}
			var ed vault.EntityEdit
			ed.Name = optString(c, "name")
			ed.Aliases = optSlice(c, "alias")
			ed.AddAliases = c.StringSlice("add-alias")
			if ed.Name == nil && ed.Aliases == nil && ed.AddAliases == nil {
				return usagef("entity edit: nothing to change; pass --name, --alias or --add-alias")
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			if err := s.EditEntity(c.Context, a[0], ed); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "updated entity %s\n", a[0])
			return nil
		},
	}
}

func meetingEditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "edit",
		Usage:     "change a meeting's record (its pseudonym stays)",
		ArgsUsage: "HANDLE",
		Description: "Lifting do-not-quote (--dnq=false) or making a private meeting public lets more of\n" +
			"it out, so it needs --reason, which the meeting's record keeps.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the meeting's real `NAME`"},
			&cli.StringSliceFlag{Name: "alias", Usage: "replace the aliases with these (`NAME`); repeat"},
			&cli.StringSliceFlag{Name: "add-alias", Usage: "add an alias `NAME`; repeat"},
			&cli.BoolFlag{Name: "public", Usage: "a public meeting"},
			&cli.BoolFlag{Name: "private", Usage: "a private meeting"},
			&cli.BoolFlag{Name: "dnq", Usage: "do not quote (--dnq=false lifts it)"},
			&cli.StringFlag{Name: "observed-with-consent-of", Usage: "who allowed the observation (`TEXT`)"},
			&cli.StringFlag{Name: "reason", Usage: "why more of the meeting may leave (`TEXT`)"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one HANDLE (such as M03)")
			if err != nil {
				return err
			}
			if c.IsSet("public") && c.IsSet("private") {
				return usagef("meeting edit: --public and --private exclude each other")
			}
			ed := vault.MeetingEdit{Name: optString(c, "name"), Aliases: optSlice(c, "alias"), AddAliases: c.StringSlice("add-alias"),
				ObservedWithConsentOf: optString(c, "observed-with-consent-of"), Reason: c.String("reason")}
			if c.IsSet("public") {
				v := c.Bool("public")
				ed.Public = &v
			}
			if c.IsSet("private") {
				v := !c.Bool("private")
				ed.Public = &v
			}
			if c.IsSet("dnq") {
				v := c.Bool("dnq")
				ed.DNQ = &v
			}
			if ed.Name == nil && ed.Aliases == nil && ed.AddAliases == nil && ed.Public == nil && ed.DNQ == nil && ed.ObservedWithConsentOf == nil {
				return usagef("meeting edit: nothing to change; pass --name, --alias, --add-alias, --public, --private, --dnq or --observed-with-consent-of")
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			if err := s.EditMeeting(c.Context, a[0], ed); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "updated meeting %s\n", a[0])
			return nil
		},
	}
}

func participantRemoveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "remove",
		Usage:     "remove a participant registered by mistake (only before any exit used them)",
		ArgsUsage: "HANDLE",
		Description: "Removes the record, its pseudonym and the participant's consent forms. Once their\n" +
			"words have left the vault, use 'consent withdraw' (with --erase) instead.",
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one HANDLE")
			if err != nil {
				return err
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			if err := s.RemoveParticipant(c.Context, a[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "removed participant %s\n", a[0])
			return nil
		},
	}
}

func docRemoveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "remove",
		Usage:     "remove a document ingested by mistake (only before any exit used it)",
		ArgsUsage: "DOC",
		Description: "Removes the record and every version's stored object. Once the document has left\n" +
			"the vault, flag its lines or use 'consent withdraw --erase' instead.",
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one DOC handle")
			if err != nil {
				return err
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			if err := s.RemoveDoc(c.Context, a[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "removed document %s\n", a[0])
			return nil
		},
	}
}

// optString returns the flag's value if it was given.
func optString(c *cli.Context, name string) *string {
	if !c.IsSet(name) {
		return nil
	}
	v := c.String(name)
	return &v
}

// optSlice returns the repeated flag's values if it was given.
func optSlice(c *cli.Context, name string) *[]string {
	if !c.IsSet(name) {
		return nil
	}
	v := c.StringSlice(name)
	return &v
}
