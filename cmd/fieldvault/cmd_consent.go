package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func consentCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "consent",
		Usage: "the consent register: record, withdraw, report",
		Subcommands: []*cli.Command{
			{
				Name:      "record",
				Usage:     "record a signed consent form",
				ArgsUsage: "HANDLE",
				Description: "Scopes: participate, record-audio, quote, publish, present, archive, off-record.\n" +
					"The latest form signed is the one in force.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "form", Usage: "`VERSION` of the consent form signed"},
					&cli.StringFlag{Name: "signed", Usage: "`DATE` signed (YYYY-MM-DD)"},
					&cli.StringFlag{Name: "scope", Usage: "granted `SCOPES`, comma-separated"},
					&cli.StringFlag{Name: "cutoff", Usage: "last `DATE` a removal request must be honoured"},
					&cli.StringFlag{Name: "evidence", Usage: "scanned form `FILE` to ingest as a consent-form document"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one HANDLE")
					if err != nil {
						return err
					}
					if err := handleArg(c, a[0], "P07"); err != nil {
						return err
					}
					if err := checkDates(c, "signed", "cutoff"); err != nil {
						return err
					}
					req := vault.ConsentRequest{Handle: a[0], Cutoff: c.String("cutoff"), Evidence: c.String("evidence")}
					if req.Form, err = need(c, "form"); err != nil {
						return err
					}
					if req.Signed, err = need(c, "signed"); err != nil {
						return err
					}
					scopes, err := need(c, "scope")
					if err != nil {
						return err
					}
					if req.Scopes, err = policy.ParseScopes(scopes); err != nil {
						return badValue(c, "scope", scopes, err.Error())
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					cons, err := s.RecordConsent(c.Context, req)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "recorded consent #%d for %s: form %s, scopes %s\n", cons.Seq, strings.ToUpper(req.Handle), cons.Form, joinScopes(cons.Scopes))
					if cons.Evidence != "" {
						fmt.Fprintf(e.stdout, "  signed form ingested as %s\n", cons.Evidence)
					}
					return nil
				},
			},
			{
				Name:      "withdraw",
				Usage:     "record a withdrawal of consent (one scope, or everything)",
				ArgsUsage: "HANDLE",
				Description: "Without --scope the participant withdraws from the study. --erase (whole withdrawal\n" +
					"only) removes their own material; their turns in shared documents are withheld.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "scope", Usage: "the `SCOPE` withdrawn (default: everything)"},
					&cli.StringFlag{Name: "date", Usage: "`DATE` of the withdrawal (YYYY-MM-DD, default today)"},
					&cli.BoolFlag{Name: "erase", Usage: "erase the participant's own material"},
					&cli.BoolFlag{Name: "yes", Usage: "do not ask for confirmation of --erase"},
					&cli.StringFlag{Name: "reason", Usage: "`TEXT` for the register"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one HANDLE")
					if err != nil {
						return err
					}
					if err := handleArg(c, a[0], "P07"); err != nil {
						return err
					}
					if err := checkDates(c, "date"); err != nil {
						return err
					}
					req := vault.WithdrawRequest{Handle: a[0], Date: c.String("date"), Erase: c.Bool("erase"), Reason: c.String("reason")}
					if sc := c.String("scope"); sc != "" {
						scopes, err := policy.ParseScopes(sc)
						if err != nil || len(scopes) != 1 {
							return badValue(c, "scope", sc, "expected one scope: "+scopeList())
						}
						req.Scope = scopes[0]
					}
					if req.Erase && req.Scope != "" && req.Scope != policy.ScopeParticipate {
						return usagef("consent withdraw: --erase applies to a whole withdrawal; drop --scope")
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if req.Erase && !c.Bool("yes") {
						if err := e.confirmErase(s, req.Handle); err != nil {
							return err
						}
					}
					res, err := s.Withdraw(c.Context, req)
					if err != nil {
						return err
					}
					printWithdrawal(e, req, res)
					return nil
				},
			},
			{
				Name:  "report",
				Usage: "the consent register: who agreed to what, withdrawals, data held, exits",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print JSON"},
					&cli.BoolFlag{Name: "csv", Usage: "print CSV"},
					&cli.BoolFlag{Name: "names", Usage: "include real names"},
				},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					if c.Bool("json") && c.Bool("csv") {
						return usagef("consent report: --json and --csv exclude each other")
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					rows, err := s.ConsentReport(c.Bool("names"))
					if err != nil {
						return err
					}
					switch {
					case c.Bool("json"):
						if rows == nil {
							rows = []vault.ReportRow{}
						}
						return writeJSON(e.stdout, rows)
					case c.Bool("csv"):
						return writeReportCSV(e, rows, c.Bool("names"))
					}
					return writeReportTable(e, rows, c.Bool("names"))
				},
			},
		},
	}
}

func scopeList() string {
	var out []string
	for _, s := range policy.Scopes() {
		out = append(out, string(s))
	}
	return strings.Join(out, ", ")
}

// confirmErase shows what an erase removes and asks, on a terminal only.
func (e *env) confirmErase(s *vault.Study, handle string) error {
	own, shared, err := s.ErasePlan(handle)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "erasing %s removes %s of their own", handle, plural(len(own), "document", "documents"))
	if len(own) > 0 {
		fmt.Fprintf(e.stderr, " (%s)", strings.Join(own, " "))
	}
	fmt.Fprintf(e.stderr, "; their turns are withheld in %s", plural(len(shared), "shared document", "shared documents"))
	if len(shared) > 0 {
		fmt.Fprintf(e.stderr, " (%s)", strings.Join(shared, " "))
	}
	fmt.Fprintln(e.stderr, ".")
	return e.confirm("erase", "consent withdraw: --erase cannot be undone")
}

// confirm asks "what? type yes to continue" on a terminal; elsewhere it is
// a usage error that says why (irreversible) and asks for --yes.
func (e *env) confirm(what, irreversible string) error {
	if !isTerminal(e.stdin) {
		return usagef("%s; pass --yes to confirm when not at a terminal", irreversible)
	}
	fmt.Fprintf(e.stderr, "%s? type yes to continue: ", what)
	answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
	if strings.TrimSpace(answer) != "yes" {
		return fmt.Errorf("%w: %s not confirmed; nothing changed", vault.ErrInvalid, what)
	}
	return nil
}

func printWithdrawal(e *env, req vault.WithdrawRequest, res *vault.WithdrawResult) {
	w := res.Withdrawal
	what := "everything"
	if !w.Whole() {
		what = string(w.Scope)
	}
	fmt.Fprintf(e.stdout, "recorded withdrawal #%d for %s: %s, on %s\n", w.Seq, strings.ToUpper(req.Handle), what, w.Date)
	if w.AfterCutoff {
		fmt.Fprintln(e.stdout, "  made after the consent's cut-off date: material that already left cannot be recalled")
	}
	if len(res.Exits) > 0 {
		fmt.Fprintf(e.stdout, "  %s already used their words:\n", plural(len(res.Exits), "exit", "exits"))
		for _, x := range res.Exits {
			action := x.Action
			if x.Result() == vault.OutcomePartial {
				action += " (partial)"
			}
			fmt.Fprintf(e.stdout, "    #%d %s %s %s\n", x.Seq, x.Time.UTC().Format("2006-01-02"), action, strings.Join(x.Handles, " "))
		}
		fmt.Fprintln(e.stdout, "  re-check chapters that quote them with 'fieldvault check CHAPTER.md'")
	}
	if len(res.Erased) > 0 {
		fmt.Fprintf(e.stdout, "  erased: %s\n", strings.Join(res.Erased, " "))
	}
	for _, k := range res.Kept {
		fmt.Fprintf(e.stdout, "  kept: %s\n", k)
	}
}

func writeReportTable(e *env, rows []vault.ReportRow, names bool) error {
	header := []string{"HANDLE", "PSEUDONYM", "STATUS", "FORM", "SIGNED", "CUT-OFF", "SCOPES", "DOCS", "EXITS", "LAST EXIT"}
	if names {
		header = append(header, "NAME")
	}
	t := newTable(e.stdout, header...)
	var problems []string
	for _, r := range rows {
		cells := []string{r.Handle, r.Pseudonym, string(r.Status), r.Form, r.Signed, r.Cutoff, joinScopes(r.Scopes),
			strconv.Itoa(r.Documents), strconv.Itoa(r.Exits), r.LastExit}
		if names {
			cells = append(cells, r.Name)
		}
		t.row(cells...)
		for _, p := range r.Problems {
			problems = append(problems, r.Handle+": "+p)
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	if len(problems) > 0 {
		fmt.Fprintln(e.stdout, "\nto attend to:")
		for _, p := range problems {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
	}
	return nil
}

func writeReportCSV(e *env, rows []vault.ReportRow, names bool) error {
	w := vault.NewCSVWriter(e.stdout)
	header := []string{"handle", "pseudonym", "status", "form", "signed", "cutoff", "scopes", "documents", "exits", "last_exit", "problems"}
	if names {
		header = append(header, "name")
	}
	_ = w.Write(header)
	for _, r := range rows {
		rec := []string{r.Handle, r.Pseudonym, string(r.Status), r.Form, r.Signed, r.Cutoff, scopesCSV(r.Scopes),
			strconv.Itoa(r.Documents), strconv.Itoa(r.Exits), r.LastExit, strings.Join(r.Problems, "; ")}
		if names {
			rec = append(rec, r.Name)
		}
		_ = w.Write(rec)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing csv: %w", err)
	}
	return nil
}

func scopesCSV(ss []policy.Scope) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ",")
}
