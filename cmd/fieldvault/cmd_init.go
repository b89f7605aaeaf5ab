package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys"
	"github.com/fieldvault/fieldvault/vault/keys/hcvault"
	"github.com/urfave/cli/v2"
)

type initOptions struct {
	Dir                  string
	IdentityFile         string
	Name                 string
	Recipients           []string
	EthicsRecipients     []string
	SupervisorRecipients []string
	KeyProvider          string
	TransitMount         string
	TransitKey           string
	TransitKeyVersion    int
	Protect              bool
	Locale               string
}

func initCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create a study vault (and your identity, if you have none)",
		ArgsUsage: "[DIR]",
		Description: "Creates a study vault in DIR (default: --vault, else the current directory).\n" +
			"The catalogue is encrypted to you, --recipient, --supervisor-recipient (opening needs it)\n" +
			"and --ethics-recipient; raw material to you, --recipient and --supervisor-recipient.\n" +
			"Add or remove recipients later with 'recipient'. With --key-provider hashicorp-vault the\n" +
			"pseudonym key is a Transit key (VAULT_ADDR, VAULT_TOKEN from the environment).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the study's `NAME` (stored in plain text in fieldvault.json)"},
			&cli.StringSliceFlag{Name: "recipient", Usage: "another researcher's age `RECIPIENT` (catalogue and raw material)"},
			&cli.StringSliceFlag{Name: "ethics-recipient", Usage: "an ethics officer's age `RECIPIENT` (catalogue only)"},
			&cli.StringSliceFlag{Name: "supervisor-recipient", Usage: "a supervisor's age `RECIPIENT` (raw material and the catalogue opening needs)"},
			&cli.StringFlag{Name: "key-provider", Value: vault.ProviderLocal, Usage: "`PROVIDER` of the pseudonym key: local or hashicorp-vault"},
			&cli.StringFlag{Name: "transit-mount", Value: hcvault.DefaultMount, Usage: "Transit `MOUNT` (hashicorp-vault)"},
			&cli.StringFlag{Name: "transit-key", Usage: "Transit `KEY` name (hashicorp-vault)"},
			&cli.BoolFlag{Name: "protect", Usage: "protect a newly created identity file with a passphrase (asked on the terminal)"},
			&cli.StringFlag{Name: "locale", Value: redact.DefaultLocale, Usage: "`LOCALE` whose name lists person pseudonyms are drawn from: " + strings.Join(redact.Locales(), ", ") + "; fixed for the study"},
			&cli.IntFlag{Name: "transit-key-version", Usage: "pin key `VERSION` (default: the latest); a team member joining after a rotation pins the team's version"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 0, 1, "at most one DIR")
			if err != nil {
				return err
			}
			g := globals(c)
			opts := initOptions{
				Dir:                  g.Dir,
				IdentityFile:         g.IdentityFile,
				Name:                 c.String("name"),
				Recipients:           c.StringSlice("recipient"),
				EthicsRecipients:     c.StringSlice("ethics-recipient"),
				SupervisorRecipients: c.StringSlice("supervisor-recipient"),
				KeyProvider:          c.String("key-provider"),
				TransitMount:         c.String("transit-mount"),
				TransitKey:           c.String("transit-key"),
				TransitKeyVersion:    c.Int("transit-key-version"),
				Protect:              c.Bool("protect"),
				Locale:               c.String("locale"),
			}
			if !redact.ValidLocale(opts.Locale) {
				return usagef("init: --locale must be one of %s", strings.Join(redact.Locales(), ", "))
			}
			if len(a) == 1 {
				opts.Dir = a[0]
			}
			switch opts.KeyProvider {
			case vault.ProviderLocal:
			case vault.ProviderTransit:
				if opts.TransitKey == "" {
					return usagef("init: --key-provider hashicorp-vault needs --transit-key")
				}
				if opts.TransitKeyVersion < 0 {
					return badValue(c, "transit-key-version", strconv.Itoa(opts.TransitKeyVersion), "expected a key version, 1 or more")
				}
			default:
				return badValue(c, "key-provider", opts.KeyProvider, "expected local or hashicorp-vault")
			}
			return e.runInit(c, opts)
		},
	}
}

func (e *env) runInit(c *cli.Context, opts initOptions) error {
	io := vault.InitOptions{
		Options:              vault.Options{Providers: keys.For, IdentityFile: opts.IdentityFile, Passphrase: askPassphrase},
		Name:                 opts.Name,
		Recipients:           opts.Recipients,
		EthicsRecipients:     opts.EthicsRecipients,
		SupervisorRecipients: opts.SupervisorRecipients,
		Locale:               opts.Locale,
		KeyProvider:          opts.KeyProvider,
	}
	if opts.Protect {
		p1, err := askPassphrase("passphrase for the new identity")
		if err != nil {
			return err
		}
		p2, err := askPassphrase("the same passphrase again")
		if err != nil {
			return err
		}
		if p1 != p2 || p1 == "" {
			return usagef("init: the passphrases were empty or did not match")
		}
		io.NewPassphrase = p1
	}
	if opts.KeyProvider == vault.ProviderTransit {
		version, err := hcvault.Setup(c.Context, hcvault.Config{Mount: opts.TransitMount, Key: opts.TransitKey, KeyVersion: opts.TransitKeyVersion})
		if err != nil {
			return fmt.Errorf("checking the transit key: %w", err)
		}
		io.Transit = &vault.TransitConfig{Mount: opts.TransitMount, Key: opts.TransitKey, KeyVersion: version}
	}
	res, err := vault.Init(c.Context, opts.Dir, io)
	if err != nil {
		return err
	}
	cfg := res.Study.Config
	fmt.Fprintf(e.stdout, "created study vault %s (study %s)\n", opts.Dir, cfg.StudyID)
	fmt.Fprintf(e.stdout, "  catalogue recipients:    %d\n", len(cfg.Recipients[vault.ClassCatalog]))
	fmt.Fprintf(e.stdout, "  raw material recipients: %d\n", len(cfg.Recipients[vault.ClassRaw]))
	switch cfg.KeyProvider.Type {
	case vault.ProviderTransit:
		t := cfg.KeyProvider.Transit
		fmt.Fprintf(e.stdout, "  pseudonym key:           transit key %s/%s, version %d pinned\n", t.Mount, t.Key, t.KeyVersion)
	default:
		fmt.Fprintf(e.stdout, "  pseudonym key:           %s (local, encrypted to the raw recipients)\n", vault.LocalKeyFile)
	}
	if res.IdentityCreated {
		fmt.Fprintf(e.stdout, "created your identity %s\n", res.IdentityPath)
		fmt.Fprintf(e.stdout, "  public key: %s\n", res.Study.Identity.Recipient)
		fmt.Fprintln(e.stdout, "  back this file up: without it the vault cannot be opened")
	} else {
		fmt.Fprintf(e.stdout, "using your identity %s (%s)\n", res.IdentityPath, res.Study.Identity.Recipient)
	}
	return nil
}
