package main

import (
	"fmt"

	"github.com/fieldvault/fieldvault/vault/report"
	"github.com/urfave/cli/v2"
)

func reportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "the ethics officer's page (HTML), or a pseudonymisation summary for a methods appendix",
		Description: "report -o FILE.html writes one self-contained page (no script, nothing fetched) of the\n" +
			"study, the consent register, the material held, every exit and refusal, and the audit\n" +
			"state; it needs only a catalogue identity (the ethics officer's). Participants appear by\n" +
			"handle and pseudonym; --names adds real names. --checkpoint FILE compares the audit log\n" +
			"with a checkpoint written by 'audit verify --checkpoint FILE'.\n\n" +
			"report --methods -o FILE.md writes the pseudonymisation summary for a thesis's methods\n" +
			"appendix: how pseudonyms were derived, where the key lives, counts of what was replaced\n" +
			"and withheld. Exit 4 when the audit log does not verify (the page is written and says so).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE`"},
			&cli.BoolFlag{Name: "methods", Usage: "write the methods-appendix summary (Markdown) instead of the page"},
			&cli.BoolFlag{Name: "names", Usage: "include participants' real names (page only)"},
			&cli.StringFlag{Name: "checkpoint", Usage: "compare the audit log with checkpoint `FILE`"},
			forceFlag(),
		},
		Action: func(c *cli.Context) error {
			if _, err := args(c, 0, 0, "no arguments"); err != nil {
				return err
			}
			out, err := need(c, "output")
			if err != nil {
				return err
			}
			if c.Bool("methods") && c.Bool("names") {
				return usagef("report: --names applies to the page; the methods summary never names anyone")
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			opts := report.Options{Names: c.Bool("names"), Checkpoint: c.String("checkpoint")}
			r, err := report.Write(c.Context, s, out, c.Bool("methods"), c.Bool("force"), opts)
			if err != nil {
				return err
			}
			chain := "audit chain intact"
			if !r.Audit.OK {
				chain = "the audit log does NOT verify"
			}
			if r.Names {
				chain += "; it holds real names: keep it as you keep the register"
			}
			fmt.Fprintf(e.stdout, "wrote %s: %s, %s (%d refused); %s\n", out,
				plural(r.Summary.Participants, "participant", "participants"), plural(r.Summary.Exits, "exit", "exits"), r.Summary.Refusals, chain)
			if !r.Audit.OK {
				return problemsFound("report", len(r.Audit.Problems))
			}
			return nil
		},
	}
}
