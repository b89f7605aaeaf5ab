package main

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func auditCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "the hash-chained audit log: log, verify",
		Subcommands: []*cli.Command{
			{
				Name:  "log",
				Usage: "list audit entries (handles and hashes, never a name)",
				Description: "Actors are shown by role and label (or a short fingerprint of their recipient);\n" +
					"--json prints the entries as stored, one JSON object per line, recipients in full.\n" +
					"Actions: " + strings.Join(vault.AuditActions(), ", ") + ".\n" +
					"--action takes an action or the first part of one (consent means consent-record\n" +
					"and consent-withdraw), or several separated by commas (flag,flag-clear,flag-amend).",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "participant", Usage: "only entries concerning participant `HANDLE`"},
					&cli.StringFlag{Name: "action", Usage: "only entries of `ACTION` (export, consent-record, ...) or of its family (consent); several: a,b"},
					&cli.StringFlag{Name: "since", Usage: "only entries on or after `DATE` (YYYY-MM-DD)"},
					&cli.BoolFlag{Name: "json", Usage: "print JSON lines as stored"},
					&cli.BoolFlag{Name: "csv", Usage: "print CSV for a spreadsheet (cells that would run as formulas are neutralised)"},
				},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					if c.Bool("json") && c.Bool("csv") {
						return usagef("audit log: --json and --csv exclude each other")
					}
					if err := checkHandleFlags(c, "P07", "participant"); err != nil {
						return err
					}
					f := vault.AuditFilter{Participant: c.String("participant")}
					since, err := dateFlag(c, "since")
					if err != nil {
						return err
					}
					f.Since = since.Time()
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if a := c.String("action"); a != "" {
						names, err := s.AuditActionNames()
						if err != nil {
							return err
						}
						for _, one := range strings.Split(a, ",") {
							matched := vault.MatchActions(strings.TrimSpace(one), names)
							if matched == nil {
								return usagef("audit log: --action %q is not an action; valid: %s (or the first part of one, such as consent)", clip(one), strings.Join(names, ", "))
							}
							f.Actions = append(f.Actions, matched...)
						}
					}
					entries, err := s.AuditLog(f)
					if err != nil {
						return err
					}
					switch {
					case c.Bool("json"):
						return writeJSONLines(e.stdout, entries)
					case c.Bool("csv"):
						return writeAuditCSV(e, s.Config, entries)
					}
					t := newTable(e.stdout, "SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME", "HANDLES", "PARTICIPANTS", "DETAIL")
					for _, en := range entries {
						t.row(fmt.Sprint(en.Seq), en.Time.UTC().Format(time.DateTime), s.Config.Actor(en.Actor).String(), en.Action, en.Result(),
							strings.Join(en.Handles, " "), strings.Join(en.Participants, " "), entryDetail(en))
					}
					return t.flush()
				},
			},
			{
				Name:  "verify",
				Usage: "recompute the audit chain and check it against the catalogue (and a checkpoint)",
				Description: "With --checkpoint FILE (kept outside the vault, e.g. by the ethics officer) the\n" +
					"first run writes the log's head there and later runs compare against it, so that\n" +
					"even a rewrite of the whole log is detected. Exit 4 names the first bad entry.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "checkpoint", Usage: "checkpoint `FILE` to write or compare"},
					&cli.BoolFlag{Name: "json", Usage: "print JSON"},
				},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					rep, err := s.VerifyAudit(c.Context, c.String("checkpoint"))
					if err != nil {
						return err
					}
					if c.Bool("json") {
						if err := writeJSON(e.stdout, rep); err != nil {
							return err
						}
					} else {
						printAuditReport(e, rep)
					}
					if !rep.OK() {
						return problemsFound("audit verify", len(rep.Problems))
					}
					return nil
				},
			},
		},
	}
}

// writeAuditCSV writes entries as CSV, one row each, actors by role and
// label beside their full recipient, through the shared writer that
// neutralises formulas.
func writeAuditCSV(e *env, cfg *vault.Config, entries []vault.Entry) error {
	w := vault.NewCSVWriter(e.stdout)
	_ = w.Write([]string{"seq", "time", "actor_role", "actor_label", "actor", "action", "outcome", "handles", "participants",
		"consents", "flags", "rules", "output_sha256", "detail", "prev", "hash"})
	for _, en := range entries {
		a := cfg.Actor(en.Actor)
		_ = w.Write([]string{fmt.Sprint(en.Seq), en.Time.UTC().Format(time.RFC3339), a.Role, a.Label, en.Actor, en.Action, en.Result(),
			strings.Join(en.Handles, " "), strings.Join(en.Participants, " "), strings.Join(en.Consents, " "),
			strings.Join(en.Flags, " "), strings.Join(en.Rules, " "), en.Hashes["output"], entryDetail(en), en.Prev, en.Hash})
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return nil
}

// entryDetail summarises an entry's rules, flags, consents and details.
func entryDetail(en vault.Entry) string {
	var parts []string
	if len(en.Rules) > 0 {
		parts = append(parts, "rules="+strings.Join(en.Rules, ","))
	}
	if len(en.Consents) > 0 {
		parts = append(parts, "consents="+strings.Join(en.Consents, ","))
	}
	if len(en.Flags) > 0 {
		parts = append(parts, "flags="+strings.Join(en.Flags, ","))
	}
	keys := make([]string, 0, len(en.Detail))
	for k := range en.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+en.Detail[k])
	}
	if h, ok := en.Hashes["output"]; ok && len(h) >= 12 {
		parts = append(parts, "output="+h[:12])
	}
	return strings.Join(parts, " ")
}

func printAuditReport(e *env, rep *vault.AuditReport) {
	w := e.stdout
	fmt.Fprintf(w, "audit log: %s, head %s\n", plural(rep.Entries, "entry", "entries"), shortHash(rep.Head))
	if rep.Checkpoint != "" {
		fmt.Fprintf(w, "  checkpoint: %s\n", rep.Checkpoint)
	}
	if rep.Anchor != "" {
		fmt.Fprintf(w, "  anchor: %s\n", rep.Anchor)
	}
	if rep.First != nil {
		fmt.Fprintf(w, "  first bad entry: %s\n", rep.First.Error())
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if rep.OK() {
		fmt.Fprintln(w, "  the chain is intact")
	}
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	if h == "" {
		return "-"
	}
	return h
}
