package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func recipientCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "recipient",
		Usage: "who the vault is encrypted to, by role: add, remove, list",
		Description: "Roles: researcher (everything), supervisor (raw material and the catalogue opening\n" +
			"needs), ethics (the register, consent forms and the audit log; no raw material).\n" +
			"Adding or removing re-encrypts what the role reads; an interrupted re-encryption is\n" +
			"finished by the next command that changes the vault.",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add an age recipient with a role (or change its role or label)",
				ArgsUsage: "RECIPIENT",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "role", Usage: "`ROLE`: researcher, supervisor or ethics"},
					&cli.StringFlag{Name: "label", Usage: "the person's `NAME`, shown in the audit log listing and the report"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one age RECIPIENT (age1… or ssh-ed25519 …)")
					if err != nil {
						return err
					}
					req := vault.RecipientRequest{Recipient: a[0], Label: c.String("label")}
					if req.Role, err = need(c, "role"); err != nil {
						return err
					}
					if !contains(vault.Roles(), req.Role) {
						return usagef("recipient add: --role must be one of %s", strings.Join(vault.Roles(), ", "))
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					res, err := s.AddRecipient(c.Context, req)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "added %s %s%s\n", res.Person.Role, vault.Fingerprint(res.Person.Recipient), reencrypted(res))
					return nil
				},
			},
			{
				Name:        "remove",
				Usage:       "remove a recipient; what its role read is re-encrypted without it",
				ArgsUsage:   "RECIPIENT|FINGERPRINT|LABEL",
				Description: "Copies the person already made of vault files stay readable to them; the vault's\ncurrent files no longer are.",
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one RECIPIENT, fingerprint or label")
					if err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					res, err := s.RemoveRecipient(c.Context, a[0])
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "removed %s %s%s\n", res.Person.Role, vault.Fingerprint(res.Person.Recipient), reencrypted(res))
					return nil
				},
			},
			{
				Name:  "list",
				Usage: "list the recipients with their roles and labels",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					cfg, err := vault.ReadConfig(globals(c).Dir)
					if err != nil {
						return err
					}
					type view struct {
						Role      string   `json:"role"`
						Label     string   `json:"label,omitempty"`
						Recipient string   `json:"recipient"`
						Classes   []string `json:"classes"`
						Added     string   `json:"added,omitempty"`
					}
					views := []view{}
					for _, p := range cfg.Members() {
						v := view{Role: p.Role, Label: p.Label, Recipient: p.Recipient}
						for _, class := range []string{vault.ClassCatalog, vault.ClassRaw} {
							if contains(cfg.Recipients[class], p.Recipient) {
								v.Classes = append(v.Classes, class)
							}
						}
						if !p.Added.IsZero() {
							v.Added = p.Added.UTC().Format(time.DateOnly)
						}
						views = append(views, v)
					}
					if c.Bool("json") {
						return writeJSON(e.stdout, views)
					}
					t := newTable(e.stdout, "ROLE", "LABEL", "RECIPIENT", "READS", "ADDED")
					for _, v := range views {
						t.row(v.Role, orDash(v.Label), vault.Fingerprint(v.Recipient), strings.Join(v.Classes, ","), orDash(v.Added))
					}
					return t.flush()
				},
			},
		},
	}
}

func reencrypted(res *vault.RecipientChange) string {
	if len(res.Classes) == 0 {
		return ""
	}
	return fmt.Sprintf("; re-encrypted the %s class (%s)", strings.Join(res.Classes, " and "), plural(res.Files, "file", "files"))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
