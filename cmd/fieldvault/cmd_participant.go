package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func participantCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "participant",
		Usage: "register participants: add, list, show, edit, import, remove",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add a participant",
				ArgsUsage: "HANDLE",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "full real `NAME` (kept only in the encrypted catalogue)"},
					&cli.StringSliceFlag{Name: "alias", Usage: "another `NAME` they are called (nickname, title + family name); repeat"},
					&cli.StringFlag{Name: "org", Usage: "`ORGANISATION`"},
					&cli.StringFlag{Name: "role", Usage: "`ROLE`"},
					&cli.StringFlag{Name: "pseudonym", Usage: "a chosen `PSEUDONYM` (default: derived from the study key), in the order of the name"},
					&cli.BoolFlag{Name: "family-first", Usage: "the name is written family name first (\"Wang Xiuying\", \"Nagy Zsófia\"): its first word is the family name, and the pseudonym is written family name first"},
					&cli.StringFlag{Name: "notes", Usage: "`NOTES` for the researcher"},
					&cli.StringSliceFlag{Name: "attribute", Usage: "a further fact `KEY=VALUE` (e.g. sector=voluntary); repeat"},
					&cli.StringSliceFlag{Name: "shareable", Usage: "an attribute `KEY` that may leave in a QDA export; repeat"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one HANDLE (such as P07)")
					if err != nil {
						return err
					}
					if err := handleArg(c, a[0], "P07"); err != nil {
						return err
					}
					name, err := need(c, "name")
					if err != nil {
						return err
					}
					attrs, err := attributes(c)
					if err != nil {
						return err
					}
					req := vault.ParticipantRequest{
						Handle: a[0], Name: name, Aliases: c.StringSlice("alias"),
						Org: c.String("org"), Role: c.String("role"),
						Pseudonym: c.String("pseudonym"), Notes: c.String("notes"),
						Attributes: attrs, Shareable: c.StringSlice("shareable"),
						FamilyFirst: c.Bool("family-first"),
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if err := s.AddParticipants(c.Context, []vault.ParticipantRequest{req}); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "added participant %s\n", strings.ToUpper(req.Handle))
					warnNames(e, redact.KindPerson, req.Name, req.Aliases)
					warnShared(e, s, req.Handle)
					return nil
				},
			},
			catalogList[participantView]{
				usage:      "list participants (real names only with --names)",
				namesUsage: "include real names and organisations",
				views:      participantViews,
				columns:    []string{"HANDLE", "PSEUDONYM", "STATUS", "ROLE"},
				cells: func(v participantView) []string {
					return []string{v.Handle, v.Pseudonym, string(v.Status), v.Role}
				},
				nameColumns: []string{"NAME", "ORG"},
				nameCells:   func(v participantView) []string { return []string{v.Name, v.Org} },
			}.command(e),
			{
				Name:      "show",
				Usage:     "a participant's whole record: consent history, documents, exits that used their words",
				ArgsUsage: "HANDLE",
				Description: "Shows the consent history, every document that names them or in which the gate\n" +
					"attributes lines to them (with the lines that are theirs and the flags on those\n" +
					"lines), and every exit that used their words: date, action, output hash, and for a\n" +
					"rendered chapter the chapter line of each quote. Reading which lines are theirs\n" +
					"needs a raw-material identity; without one the counts show as -.",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print JSON"},
					&cli.BoolFlag{Name: "names", Usage: "include the real name, aliases and organisation"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one HANDLE")
					if err != nil {
						return err
					}
					if err := handleArg(c, a[0], "P07"); err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					cat, err := s.Catalog()
					if err != nil {
						return err
					}
					p, err := cat.Participant(a[0])
					if err != nil {
						return err
					}
					rec, err := s.ParticipantRecord(p.Handle)
					if err != nil {
						return err
					}
					v := participantDetail(cat, p, rec, c.Bool("names"))
					if c.Bool("json") {
						return writeJSON(e.stdout, v)
					}
					printParticipant(e, v)
					return nil
				},
			},
			{
				Name:      "edit",
				Usage:     "change a participant's details (only the flags given)",
				ArgsUsage: "HANDLE",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "name", Usage: "full real `NAME`"},
					&cli.StringSliceFlag{Name: "alias", Usage: "replace the aliases with these (`NAME`); repeat"},
					&cli.StringSliceFlag{Name: "add-alias", Usage: "add an alias `NAME`; repeat"},
					&cli.StringFlag{Name: "org", Usage: "`ORGANISATION`"},
					&cli.StringFlag{Name: "role", Usage: "`ROLE`"},
					&cli.StringFlag{Name: "pseudonym", Usage: "a chosen `PSEUDONYM` (only before any exit used the old one)"},
					&cli.BoolFlag{Name: "family-first", Usage: "the name is written family name first (--family-first=false: given name first)"},
					&cli.StringFlag{Name: "notes", Usage: "`NOTES`"},
					&cli.StringSliceFlag{Name: "attribute", Usage: "set an attribute `KEY=VALUE` (empty VALUE removes it); repeat"},
					&cli.StringSliceFlag{Name: "shareable", Usage: "replace the attributes that may leave in a QDA export with these `KEY`s; repeat"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one HANDLE")
					if err != nil {
						return err
					}
					set := func(name string) bool { return c.IsSet(name) }
					if !set("name") && !set("alias") && !set("add-alias") && !set("org") && !set("role") && !set("pseudonym") && !set("notes") && !set("attribute") && !set("shareable") && !set("family-first") {
						return usagef("participant edit: nothing to change; pass --name, --alias, --add-alias, --org, --role, --pseudonym, --family-first, --notes, --attribute or --shareable")
					}
					attrs, err := attributes(c)
					if err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					ed := vault.ParticipantEdit{Name: optString(c, "name"), Aliases: optSlice(c, "alias"), AddAliases: c.StringSlice("add-alias"),
						Org: optString(c, "org"), Role: optString(c, "role"), Pseudonym: optString(c, "pseudonym"), Notes: optString(c, "notes"),
						Attributes: attrs, Shareable: optSlice(c, "shareable")}
					if set("family-first") {
						ff := c.Bool("family-first")
						ed.FamilyFirst = &ff
					}
					var edited vault.Participant
					err = s.EditParticipant(c.Context, a[0], func(p *vault.Participant) error {
						ed.Apply(p)
						edited = *p
						return nil
					})
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "updated participant %s\n", a[0])
					if set("name") || set("alias") || set("add-alias") {
						warnNames(e, redact.KindPerson, edited.Name, edited.Aliases)
					}
					return nil
				},
			},
			{
				Name:      "import",
				Usage:     "add participants from a CSV file (all or nothing)",
				ArgsUsage: "FILE.csv",
				Description: "The first row names the columns: handle,name,aliases,org,role,pseudonym,name_order\n" +
					"(handle and name are required; aliases are separated by \";\"; name_order is\n" +
					"family-first for a name written family name first, such as \"Wang Xiuying\"). A bad row is\n" +
					"reported by its line number and nothing is imported.",
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one FILE.csv")
					if err != nil {
						return err
					}
					reqs, err := readParticipantsCSV(a[0])
					if err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if err := s.AddParticipants(c.Context, reqs); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "imported %s\n", plural(len(reqs), "participant", "participants"))
					return nil
				},
			},
			participantRemoveCommand(e),
		},
	}
}

// attributes reads the repeated --attribute KEY=VALUE flags.
func attributes(c *cli.Context) (map[string]string, error) {
	list := c.StringSlice("attribute")
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, badValue(c, "attribute", kv, "expected KEY=VALUE, like sector=voluntary")
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}

func readParticipantsCSV(path string) ([]vault.ParticipantRequest, error) {
	f, _, err := vault.OpenInput(path, "participants file")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reqs, err := vault.ParseParticipantsCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return reqs, nil
}

// participantView is a participant as listed; Name and Org only on request.
type participantView struct {
	Handle    string         `json:"handle"`
	Pseudonym string         `json:"pseudonym"`
	Status    policy.Status  `json:"status"`
	Scopes    []policy.Scope `json:"scopes"`
	Role      string         `json:"role,omitempty"`
	Name      string         `json:"name,omitempty"`
	Org       string         `json:"org,omitempty"`
	Aliases   []string       `json:"aliases,omitempty"`
}

type participantDetailView struct {
	participantView
	Notes      string            `json:"notes,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Shareable  []string          `json:"shareable,omitempty"`
	Consent    policy.Record     `json:"consent"`
	vault.ParticipantRecord
}

func pseudonymOf(cat *vault.Catalog, kind redact.Kind, name, chosen string, familyFirst bool) string {
	if cat.Pseudonyms != nil {
		if p, ok := cat.Pseudonyms.Lookup(kind, name); ok {
			return p.InOrder(familyFirst)
		}
	}
	return chosen
}

func participantView1(cat *vault.Catalog, p *vault.Participant, names bool) participantView {
	rec := p.Consent
	v := participantView{
		Handle:    p.Handle,
		Pseudonym: pseudonymOf(cat, redact.KindPerson, p.Name, p.Pseudonym, p.FamilyFirst),
		Status:    rec.Status(),
		Scopes:    rec.Active(),
		Role:      p.Role,
	}
	if v.Scopes == nil {
		v.Scopes = []policy.Scope{}
	}
	if names {
		v.Name, v.Org, v.Aliases = p.Name, p.Org, p.Aliases
	}
	return v
}

func participantViews(cat *vault.Catalog, names bool) []participantView {
	ps := append([]*vault.Participant(nil), cat.Participants...)
	sort.Slice(ps, func(i, j int) bool { return policy.HandleLess(ps[i].Handle, ps[j].Handle) })
	out := make([]participantView, 0, len(ps))
	for _, p := range ps {
		out = append(out, participantView1(cat, p, names))
	}
	return out
}

func participantDetail(cat *vault.Catalog, p *vault.Participant, rec *vault.ParticipantRecord, names bool) participantDetailView {
	v := participantDetailView{participantView: participantView1(cat, p, names), Consent: p.Consent, ParticipantRecord: *rec}
	v.Shareable = p.Shareable
	if names {
		v.Notes, v.Attributes = p.Notes, p.Attributes
	} else {
		// A withdrawal's reason is free text: shown only with --names.
		v.Consent.Withdrawals = slices.Clone(p.Consent.Withdrawals)
		for i := range v.Consent.Withdrawals {
			v.Consent.Withdrawals[i].Reason = ""
		}
	}
	return v
}

func printParticipant(e *env, v participantDetailView) {
	w := e.stdout
	fmt.Fprintf(w, "participant %s\n", v.Handle)
	fmt.Fprintf(w, "  pseudonym: %s\n", v.Pseudonym)
	if v.Name != "" {
		fmt.Fprintf(w, "  name:      %s\n", v.Name)
	}
	if len(v.Aliases) > 0 {
		fmt.Fprintf(w, "  aliases:   %s\n", strings.Join(v.Aliases, "; "))
	}
	if v.Org != "" {
		fmt.Fprintf(w, "  org:       %s\n", v.Org)
	}
	if v.Role != "" {
		fmt.Fprintf(w, "  role:      %s\n", v.Role)
	}
	if len(v.Attributes) > 0 {
		keys := make([]string, 0, len(v.Attributes))
		for k := range v.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  attribute: %s=%s\n", k, v.Attributes[k])
		}
	}
	if len(v.Shareable) > 0 {
		fmt.Fprintf(w, "  shareable: %s\n", strings.Join(v.Shareable, ","))
	}
	fmt.Fprintf(w, "  status:    %s\n", v.Status)
	fmt.Fprintf(w, "  scopes:    %s\n", joinScopes(v.Scopes))
	for _, c := range v.Consent.Consents {
		line := fmt.Sprintf("  consent #%d: form %s signed %s, scopes %s", c.Seq, c.Form, c.Signed, joinScopes(c.Scopes))
		if !c.Cutoff.IsZero() {
			line += ", cut-off " + c.Cutoff.String()
		}
		if c.Evidence != "" {
			line += ", evidence " + c.Evidence
		}
		fmt.Fprintln(w, line)
	}
	for _, wd := range v.Consent.Withdrawals {
		scope := string(wd.Scope)
		if wd.Whole() {
			scope = "everything"
		}
		line := fmt.Sprintf("  withdrawal #%d: %s on %s", wd.Seq, scope, wd.Date)
		if wd.Erase {
			line += ", erase"
		}
		if wd.AfterCutoff {
			line += ", after the cut-off"
		}
		fmt.Fprintln(w, line)
	}
	if v.Consent.Erased {
		fmt.Fprintln(w, "  material erased at the participant's request")
	}
	fmt.Fprintf(w, "\ndocuments: %d\n", len(v.Documents))
	if len(v.Documents) > 0 {
		t := newTable(w, "  DOC", "KIND", "DATE", "LINKED", "VERSION", "LINES", "THEIR LINES", "FLAGS ON THEIR LINES")
		for _, d := range v.Documents {
			theirs := "-"
			if d.TheirLines >= 0 {
				theirs = strconv.Itoa(d.TheirLines)
			}
			var flags []string
			for _, f := range d.Flags {
				flags = append(flags, fmt.Sprintf("%s %d-%d", f.Kind, f.From, f.To))
			}
			linked := "yes"
			if !d.Linked {
				linked = "no" // they speak in it, but it does not name them ('doc link')
			}
			t.row("  "+d.Handle, d.Kind, d.Date, linked, strconv.Itoa(d.Version), strconv.Itoa(d.Lines), theirs, strings.Join(flags, ", "))
		}
		_ = t.flush()
	}
	fmt.Fprintf(w, "\nexits that used their words: %d\n", len(v.Exits))
	if len(v.Exits) > 0 {
		t := newTable(w, "  SEQ", "DATE", "ACTION", "DOCUMENTS", "CONSENT", "OUTPUT SHA256", "CHAPTER")
		for _, x := range v.Exits {
			chapter := x.Chapter
			if chapter == "" && x.ChapterSHA256 != "" {
				chapter = "chapter " + shortHash(x.ChapterSHA256)
			}
			for _, q := range x.Quotes {
				chapter += fmt.Sprintf(" line %d (%s:%s)", q.ChapterLine, q.Doc, q.Lines)
			}
			action := x.Action
			if x.Partial {
				action += " (partial)"
			}
			t.row(fmt.Sprintf("  %d", x.Seq), x.Time.UTC().Format("2006-01-02"), action, strings.Join(x.Documents, " "),
				strings.Join(x.Consents, " "), shortHash(x.Output), chapter)
		}
		_ = t.flush()
	}
}

func joinScopes(ss []policy.Scope) string {
	if len(ss) == 0 {
		return "-"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ",")
}

// warnNames tells the researcher which parts of a name just registered are
// ordinary words, and what the matcher does with them (on stderr: the lines
// quote the name).
func warnNames(e *env, kind redact.Kind, name string, aliases []string) {
	for i, l := range vault.NameWarnings(kind, name, aliases) {
		if i == 0 {
			l = "warning: " + l
		}
		fmt.Fprintln(e.stderr, l)
	}
}

// warnShared reports registered entries that now share a name, an alias or
// a distinctive word with the ones just added (handles only).
func warnShared(e *env, s *vault.Study, handles ...string) {
	groups, err := s.SharedNames(handles...)
	if err != nil {
		return // the registration stands; an exit reports the problem
	}
	for _, g := range groups {
		fmt.Fprintf(e.stderr, "warning: %s share a name, an alias or a word of one; standing alone it becomes %s's pseudonym (add an alias to decide)\n", strings.Join(g, ", "), g[0])
	}
}
