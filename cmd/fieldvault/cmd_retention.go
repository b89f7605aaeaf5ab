package main

import (
	"fmt"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

// The end of a study: retention rules, holds, destruction, the study's end.

func retentionCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "retention",
		Usage: "retention rules and audited destruction: set, unset, list, due, destroy, hold, release",
		Description: "One rule per document kind says when its material is destroyed. A destruction\n" +
			"removes exactly what is due today (every version's object), keeps a tombstone\n" +
			"(handle, kind, size, SHA-256, rule, day) and audits each document. A hold blocks it.",
		Subcommands: []*cli.Command{
			{
				Name:      "set",
				Usage:     "set the retention rule of a document kind (replacing its earlier rule)",
				ArgsUsage: "KIND",
				Flags: []cli.Flag{
					&cli.IntFlag{Name: "days-after-transcript", Usage: "destroy a recording `N` days after a transcript of the same participants exists"},
					&cli.IntFlag{Name: "days-after-ingest", Usage: "destroy `N` days after the document was ingested"},
					&cli.StringFlag{Name: "after-date", Usage: "destroy on `DATE` (YYYY-MM-DD)"},
					&cli.IntFlag{Name: "years-after-end", Usage: "destroy `N` years after the study's end (study end --date)"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one document KIND ("+strings.Join(policy.DocKinds(), ", ")+")")
					if err != nil {
						return err
					}
					rule := policy.RetentionRule{Kind: a[0]}
					var set []string
					for _, f := range []struct {
						name  string
						basis policy.RetentionBasis
					}{{"days-after-transcript", policy.BasisAfterTranscript}, {"days-after-ingest", policy.BasisAfterIngest}, {"years-after-end", policy.BasisAfterEnd}, {"after-date", policy.BasisOnDate}} {
						if c.IsSet(f.name) {
							set = append(set, "--"+f.name)
							rule.Basis = f.basis
						}
					}
					if len(set) != 1 {
						return usagef("retention set: give exactly one of --days-after-transcript, --days-after-ingest, --after-date, --years-after-end")
					}
					switch rule.Basis {
					case policy.BasisOnDate:
						if rule.Date, err = policy.ParseDate(c.String("after-date")); err != nil {
							return fmt.Errorf("%w: --after-date: %v", vault.ErrInvalid, err)
						}
					case policy.BasisAfterEnd:
						rule.N = c.Int("years-after-end")
					default:
						rule.N = c.Int(strings.TrimPrefix(set[0], "--"))
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if err := s.SetRetention(c.Context, rule); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "retention rule set: %s\n", rule)
					return nil
				},
			},
			{
				Name:      "unset",
				Usage:     "remove the retention rule of a document kind (its documents are then kept)",
				ArgsUsage: "KIND",
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one document KIND")
					if err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if err := s.UnsetRetention(c.Context, a[0]); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "retention rule for %s removed: its documents are kept\n", a[0])
					return nil
				},
			},
			{
				Name:  "list",
				Usage: "list the retention rules and the study's end",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
				Action: func(c *cli.Context) error {
					st, err := e.retentionState(c)
					if err != nil {
						return err
					}
					if c.Bool("json") {
						return writeJSON(e.stdout, struct {
							Rules    []policy.RetentionRule `json:"rules"`
							StudyEnd string                 `json:"study_end,omitempty"`
						}{st.Rules, st.StudyEnd})
					}
					end := st.StudyEnd
					if end == "" {
						end = "not recorded (study end --date D)"
					}
					fmt.Fprintf(e.stdout, "study end: %s\n", end)
					if len(st.Rules) == 0 {
						fmt.Fprintln(e.stdout, "no retention rules (retention set KIND ...)")
						return nil
					}
					t := newTable(e.stdout, "KIND", "RULE", "SET")
					for _, r := range st.Rules {
						t.row(r.Kind, strings.TrimPrefix(r.String(), r.Kind+": "), r.Set.UTC().Format("2006-01-02"))
					}
					return t.flush()
				},
			},
			{
				Name:  "due",
				Usage: "list what a destruction would remove today, with the rule and the day; then what is held or not due yet",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
				Action: func(c *cli.Context) error {
					st, err := e.retentionState(c)
					if err != nil {
						return err
					}
					if c.Bool("json") {
						return writeJSON(e.stdout, st)
					}
					printSchedule(e, st)
					return nil
				},
			},
			{
				Name:  "destroy",
				Usage: "destroy exactly what is due today (cannot be undone; audited per document)",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "yes", Usage: "do not ask for confirmation"}},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if !c.Bool("yes") {
						if err := e.confirmDestroy(s); err != nil {
							return err
						}
					}
					res, err := s.DestroyDue(c.Context)
					if err != nil {
						return err
					}
					if len(res.Destroyed) == 0 {
						fmt.Fprintln(e.stdout, "nothing is due; nothing destroyed")
						return nil
					}
					for _, t := range res.Destroyed {
						fmt.Fprintf(e.stdout, "destroyed %s (%s, %s, due %s): %s\n", t.Document, t.Kind, plural(t.Objects, "object", "objects"), t.Due, t.Rule)
					}
					fmt.Fprintf(e.stdout, "%s destroyed; tombstones kept in the catalogue\n", plural(len(res.Destroyed), "document", "documents"))
					return nil
				},
			},
			{
				Name:      "hold",
				Usage:     "place a legal hold on a document: it is not destroyed until released",
				ArgsUsage: "DOC",
				Flags:     []cli.Flag{&cli.StringFlag{Name: "reason", Usage: "why (`TEXT`, kept in the encrypted catalogue only)"}},
				Action: func(c *cli.Context) error {
					return e.hold(c, false)
				},
			},
			{
				Name:      "release",
				Usage:     "release a document's legal hold",
				ArgsUsage: "DOC",
				Action: func(c *cli.Context) error {
					return e.hold(c, true)
				},
			},
		},
	}
}

func (e *env) retentionState(c *cli.Context) (*vault.RetentionState, error) {
	if _, err := args(c, 0, 0, "no arguments"); err != nil {
		return nil, err
	}
	s, err := e.openStudy(c)
	if err != nil {
		return nil, err
	}
	return s.RetentionState()
}

func (e *env) hold(c *cli.Context, release bool) error {
	a, err := args(c, 1, 1, "one DOC handle")
	if err != nil {
		return err
	}
	req := vault.HoldRequest{Doc: a[0], Release: release}
	if !release {
		if req.Reason, err = need(c, "reason"); err != nil {
			return err
		}
	}
	s, err := e.openStudy(c)
	if err != nil {
		return err
	}
	if err := s.Hold(c.Context, req); err != nil {
		return err
	}
	if release {
		fmt.Fprintf(e.stdout, "released the hold on %s\n", req.Doc)
	} else {
		fmt.Fprintf(e.stdout, "%s is on hold: it is not destroyed until released\n", req.Doc)
	}
	return nil
}

func printSchedule(e *env, st *vault.RetentionState) {
	w := e.stdout
	if len(st.Rules) == 0 {
		fmt.Fprintln(w, "no retention rules (retention set KIND ...): nothing is due")
		return
	}
	if len(st.Due) == 0 {
		fmt.Fprintf(w, "nothing is due on %s\n", st.Today)
	} else {
		fmt.Fprintf(w, "due on %s (retention destroy --yes removes these):\n", st.Today)
		t := newTable(w, "DOC", "KIND", "DUE", "RULE")
		for _, s := range st.Due {
			t.row(s.Handle, s.Kind, s.Due.String(), s.Rule.String())
		}
		t.flush()
	}
	var later []policy.Scheduled
	for _, s := range st.Schedule {
		if !s.IsDue {
			later = append(later, s)
		}
	}
	if len(later) == 0 {
		return
	}
	fmt.Fprintln(w, "not destroyed now:")
	t := newTable(w, "DOC", "KIND", "DUE", "WHY")
	for _, s := range later {
		due, why := s.Due.String(), "not due yet"
		switch {
		case s.Held && due != "" && st.Today >= due:
			why = "held (due, but a legal hold blocks it)"
		case s.Held:
			why = "held"
		case len(s.KeptFor) > 0:
			why = "kept: evidence of consent for " + strings.Join(s.KeptFor, " ") + ", still held"
		case s.Pending != "":
			due, why = "-", s.Pending
		}
		t.row(s.Handle, s.Kind, due, why)
	}
	t.flush()
}

// confirmDestroy shows what a destruction removes and asks, on a terminal
// only.
func (e *env) confirmDestroy(s *vault.Study) error {
	st, err := s.RetentionState()
	if err != nil {
		return err
	}
	var due []string
	for _, d := range st.Due {
		due = append(due, d.Handle)
	}
	fmt.Fprintf(e.stderr, "destruction removes %s", plural(len(due), "document", "documents"))
	if len(due) > 0 {
		fmt.Fprintf(e.stderr, " (%s)", strings.Join(due, " "))
	}
	fmt.Fprintln(e.stderr, ".")
	return e.confirm("destroy", "retention destroy cannot be undone")
}

func studyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "study",
		Usage: "the study itself: end",
		Subcommands: []*cli.Command{
			{
				Name:  "end",
				Usage: "record the day the study ended (years-after-end retention rules count from it)",
				Flags: []cli.Flag{&cli.StringFlag{Name: "date", Usage: "the study's end `DATE` (YYYY-MM-DD)"}},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					date, err := need(c, "date")
					if err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if err := s.EndStudy(c.Context, date); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "study end recorded: %s\n", date)
					return nil
				},
			},
		},
	}
}
