package main

import (
	"errors"
	"fmt"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/urfave/cli/v2"
)

func transitCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "transit",
		Usage: "the HashiCorp Vault Transit key provider",
		Subcommands: []*cli.Command{
			{
				Name:  "policy",
				Usage: "print the minimal Vault policy fieldvault needs",
				Description: "Reads the mount and key from the study vault's fieldvault.json when there is one;\n" +
					"--mount and --key override it (or name them before 'init').",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "mount", Usage: "Transit `MOUNT` (default: the vault's, else transit)"},
					&cli.StringFlag{Name: "key", Usage: "Transit `KEY` name (default: the vault's)"},
				},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					mount, key := c.String("mount"), c.String("key")
					if mount == "" || key == "" {
						cfg, err := vault.ReadConfig(globals(c).Dir)
						switch {
						case errors.Is(err, vault.ErrNotVault):
						case err != nil:
							return err
						case cfg.KeyProvider.Transit != nil:
							if mount == "" {
								mount = cfg.KeyProvider.Transit.Mount
							}
							if key == "" {
								key = cfg.KeyProvider.Transit.Key
							}
						}
					}
					if key == "" {
						return usagef("transit policy: no transit key: pass --key KEY (this vault uses the local key provider, or there is no vault here)")
					}
					fmt.Fprint(e.stdout, hcvault.Policy(mount, key))
					return nil
				},
			},
		},
	}
}
