package main

import (
	"fmt"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/urfave/cli/v2"
)

func depositCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "deposit",
		Usage: "write an archive deposit package (zip): archive-consented text, pseudonymised, a data list and a README",
		Description: "Every text document goes through the gate with purpose archive: only the turns of\n" +
			"participants whose consent includes archive leave; other speakers are withheld.\n" +
			"Recordings, consent forms, real names and keys never go in. One audited exit.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the package to `FILE.zip`"},
			&cli.StringFlag{Name: "purpose", Value: string(policy.ScopeArchive), Usage: "the deposit's `PURPOSE` (archive: the only one)"},
			&cli.BoolFlag{Name: "json", Usage: "print what the package holds as JSON"},
			forceFlag(),
			acceptResidualFlag(),
		}, revealFlags()...),
		Action: func(c *cli.Context) error {
			if _, err := args(c, 0, 0, "no arguments (the package goes to -o FILE.zip)"); err != nil {
				return err
			}
			if c.String("purpose") != string(policy.ScopeArchive) {
				return usagef("deposit: --purpose must be archive")
			}
			out, err := need(c, "output")
			if err != nil {
				return err
			}
			res, reveal, err := e.runGate(c, gate.Request{Exit: gate.ExitDeposit, Purpose: policy.Scope(c.String("purpose")), Output: out, Force: c.Bool("force"), AcceptResidual: c.Bool("accept-residual")})
			if err != nil {
				return err
			}
			e.printExit("deposit", out, res, reveal)
			if c.Bool("json") {
				// Findings stay on the terminal (stderr), never in JSON.
				return writeJSON(e.stdout, struct {
					Output   string                  `json:"output"`
					SHA256   string                  `json:"sha256"`
					Bytes    int                     `json:"bytes"`
					Withheld int                     `json:"withheld"`
					Files    []gate.DepositFile      `json:"files"`
					Excluded []gate.DepositExclusion `json:"excluded"`
				}{out, res.SHA256, res.Bytes, res.Withheld, res.Files, res.Excluded})
			}
			t := newTable(e.stdout, "FILE", "KIND", "PARTICIPANTS", "LINES", "WITHHELD")
			for _, f := range res.Files {
				t.row(f.Name, f.Kind, fmt.Sprint(len(f.Participants)), fmt.Sprint(f.Lines), fmt.Sprint(f.Withheld))
			}
			if err := t.flush(); err != nil {
				return err
			}
			for _, x := range res.Excluded {
				fmt.Fprintf(e.stdout, "left out %s (%s): %s\n", x.Doc, x.Kind, x.Why)
			}
			return nil
		},
	}
}
