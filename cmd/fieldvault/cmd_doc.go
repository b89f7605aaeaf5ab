package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func ingestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "take a file into the vault, encrypted",
		ArgsUsage: "FILE",
		Description: "Kinds: recording, transcript, field-notes, meeting-notes, document, consent-form.\n" +
			"Text (txt, md, vtt, srt, docx) is parsed into numbered lines, the citation unit.\n" +
			"A corrected transcript is a new version: --version-of DOC. The previous version's\n" +
			"flags and inline markup follow its text onto the new lines (a line diff); a flag\n" +
			"whose lines were rewritten or removed is put on the text that replaced them or the\n" +
			"nearest lines, and reported. Nothing withheld becomes quotable by a new version.\n" +
			"A file that keeps under a third of the latest version's lines (unchanged or edited)\n" +
			"is refused as the wrong document unless --force is given.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "kind", Usage: "document `KIND`"},
			&cli.StringSliceFlag{Name: "participant", Usage: "`HANDLE` of a participant it concerns; repeat"},
			&cli.StringFlag{Name: "meeting", Usage: "`HANDLE` of the meeting it records"},
			&cli.StringFlag{Name: "date", Usage: "`DATE` of the material (YYYY-MM-DD)"},
			&cli.StringFlag{Name: "handle", Usage: "the document's `HANDLE` (default: the next D<n>)"},
			&cli.StringFlag{Name: "version-of", Usage: "add the file as a new version of document `DOC`"},
			&cli.BoolFlag{Name: "allow-duplicate", Usage: "store a file identical to a stored version again"},
			&cli.BoolFlag{Name: "force", Usage: "with --version-of: store a file that shares few lines with the latest version (under a third)"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one FILE")
			if err != nil {
				return err
			}
			if err := checkHandleFlags(c, "D12", "handle", "version-of"); err != nil {
				return err
			}
			if err := checkHandleFlags(c, "P07", "participant"); err != nil {
				return err
			}
			if err := checkHandleFlags(c, "M03", "meeting"); err != nil {
				return err
			}
			if err := checkDates(c, "date"); err != nil {
				return err
			}
			req := vault.IngestRequest{Path: a[0], Kind: c.String("kind"), Participants: c.StringSlice("participant"),
				Meeting: c.String("meeting"), Date: c.String("date"), Handle: c.String("handle"), VersionOf: c.String("version-of"),
				AllowDuplicate: c.Bool("allow-duplicate"), Force: c.Bool("force")}
			if req.VersionOf == "" {
				if req.Force {
					return usagef("ingest: --force applies only to a new version (--version-of DOC)")
				}
				if req.Kind == "" {
					return usagef("ingest: --kind is required (%s)", strings.Join(policy.DocKinds(), ", "))
				}
			}
			if req.Kind != "" && !contains(policy.DocKinds(), req.Kind) {
				return badValue(c, "kind", req.Kind, "expected one of "+strings.Join(policy.DocKinds(), ", "))
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			d, err := s.Ingest(c.Context, req)
			if err != nil {
				return err
			}
			v := d.Latest()
			fmt.Fprintf(e.stdout, "ingested %s version %d: %s, %s, %s\n", d.Handle, v.N, d.Kind, v.Format, sizeText(v))
			if len(v.Dropped) > 0 {
				fmt.Fprintf(e.stdout, "not in the lines (kept in the stored original): %s\n", strings.Join(v.Dropped, ", "))
			}
			for _, c := range v.Carried {
				fmt.Fprintf(e.stdout, "  %s\n", c)
			}
			return nil
		},
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sizeText(v *vault.Version) string {
	s := plural(int(v.Size), "byte", "bytes")
	if v.Lines > 0 {
		s += ", " + plural(v.Lines, "line", "lines")
	}
	return s
}

func docCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "doc",
		Usage: "documents in the vault: list, show, link, unlink, remove",
		Subcommands: []*cli.Command{
			docLinkCommand(e, false),
			docLinkCommand(e, true),
			{
				Name:  "list",
				Usage: "list documents",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print JSON"},
					&cli.StringFlag{Name: "participant", Usage: "only documents that name participant `HANDLE`"},
					&cli.StringFlag{Name: "meeting", Usage: "only documents of meeting `HANDLE`"},
				},
				Action: func(c *cli.Context) error {
					if _, err := args(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					if err := checkHandleFlags(c, "P07", "participant"); err != nil {
						return err
					}
					if err := checkHandleFlags(c, "M03", "meeting"); err != nil {
						return err
					}
					part, meeting := c.String("participant"), c.String("meeting")
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					if part != "" || meeting != "" {
						// A filter on a handle nobody has is a typo, not an empty list.
						cat, err := s.Catalog()
						if err != nil {
							return err
						}
						if part != "" {
							if _, err := cat.Participant(part); err != nil {
								return err
							}
						}
						if meeting != "" {
							if _, err := cat.Meeting(meeting); err != nil {
								return err
							}
						}
					}
					docs, err := s.Docs()
					if err != nil {
						return err
					}
					views := make([]docView, 0, len(docs))
					for _, d := range docs {
						if (part != "" && !contains(d.Participants, part)) || (meeting != "" && d.Meeting != meeting) {
							continue
						}
						views = append(views, newDocView(d))
					}
					if c.Bool("json") {
						return writeJSON(e.stdout, views)
					}
					t := newTable(e.stdout, "HANDLE", "KIND", "DATE", "VERSIONS", "LINES", "FLAGS", "PARTICIPANTS", "MEETING")
					for _, v := range views {
						kind := v.Kind
						if v.Destroyed {
							kind += " (destroyed)"
						} else if v.Erased {
							kind += " (erased)"
						}
						t.row(v.Handle, kind, v.Date, strconv.Itoa(v.Versions), strconv.Itoa(v.Lines), strconv.Itoa(v.Flags),
							strings.Join(v.Participants, " "), v.Meeting)
					}
					return t.flush()
				},
			},
			{
				Name:      "show",
				Usage:     "show a document's record: versions, hashes, flags",
				ArgsUsage: "DOC",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print JSON"},
					&cli.BoolFlag{Name: "names", Usage: "include the ingested file's name and flag reasons"},
				},
				Action: func(c *cli.Context) error {
					a, err := args(c, 1, 1, "one DOC handle")
					if err != nil {
						return err
					}
					s, err := e.openStudy(c)
					if err != nil {
						return err
					}
					d, err := s.Doc(a[0])
					if err != nil {
						return err
					}
					if !c.Bool("names") {
						d = redactedDoc(d)
					}
					if c.Bool("json") {
						return writeJSON(e.stdout, d)
					}
					printDoc(e, d)
					return nil
				},
			},
			docRemoveCommand(e),
		},
	}
}

// docView is a document as listed.
type docView struct {
	Handle       string   `json:"handle"`
	Kind         string   `json:"kind"`
	Date         string   `json:"date,omitempty"`
	Participants []string `json:"participants,omitempty"`
	Meeting      string   `json:"meeting,omitempty"`
	Versions     int      `json:"versions"`
	Format       string   `json:"format"`
	Lines        int      `json:"lines"`
	Size         int64    `json:"size"`
	Flags        int      `json:"flags"`
	Erased       bool     `json:"erased,omitempty"`
	Destroyed    bool     `json:"destroyed,omitempty"`
	Held         bool     `json:"held,omitempty"`
}

func newDocView(d *vault.Document) docView {
	v := docView{Handle: d.Handle, Kind: d.Kind, Date: d.Date, Participants: d.Participants, Meeting: d.Meeting,
		Versions: len(d.Versions), Erased: d.Erased, Destroyed: d.Destroyed != nil, Held: d.Hold != nil}
	if l := d.Latest(); l != nil {
		v.Format, v.Lines, v.Size, v.Flags = l.Format, l.Lines, l.Size, len(l.Flags)
	}
	return v
}

// redactedDoc copies a document without what may identify: the ingested
// file's name and the flags' free-text reasons.
func redactedDoc(d *vault.Document) *vault.Document {
	c := *d
	c.SourceName = ""
	if d.Hold != nil {
		c.Hold = &vault.Hold{Since: d.Hold.Since}
	}
	c.Versions = make([]*vault.Version, len(d.Versions))
	for i, v := range d.Versions {
		vc := *v
		vc.Flags = append(vc.Flags[:0:0], v.Flags...)
		for j := range vc.Flags {
			vc.Flags[j].Reason = ""
		}
		vc.FlagHistory = append(vc.FlagHistory[:0:0], v.FlagHistory...)
		for j := range vc.FlagHistory {
			vc.FlagHistory[j].Reason, vc.FlagHistory[j].Flag.Reason = "", ""
		}
		c.Versions[i] = &vc
	}
	return &c
}

func printDoc(e *env, d *vault.Document) {
	w := e.stdout
	fmt.Fprintf(w, "document %s (%s)\n", d.Handle, d.Kind)
	if d.SourceName != "" {
		fmt.Fprintf(w, "  source:       %s\n", d.SourceName)
	}
	if d.Date != "" {
		fmt.Fprintf(w, "  date:         %s\n", d.Date)
	}
	if len(d.Participants) > 0 {
		fmt.Fprintf(w, "  participants: %s\n", strings.Join(d.Participants, " "))
	}
	if d.Meeting != "" {
		fmt.Fprintf(w, "  meeting:      %s\n", d.Meeting)
	}
	if d.Erased {
		fmt.Fprintf(w, "  no material held: %s\n", d.GoneWhy())
	}
	if d.Hold != nil {
		fmt.Fprintf(w, "  on hold since %s (not destroyed until released)", d.Hold.Since.UTC().Format("2006-01-02"))
		if d.Hold.Reason != "" {
			fmt.Fprintf(w, ": %s", d.Hold.Reason)
		}
		fmt.Fprintln(w)
	}
	for _, v := range d.Versions {
		fmt.Fprintf(w, "  version %d: %s, %s, sha256 %s, ingested %s\n", v.N, v.Format, sizeText(v), v.SHA256, v.Ingested.UTC().Format("2006-01-02 15:04"))
		for _, f := range v.Flags {
			line := fmt.Sprintf("    flag %s lines %d-%d", f.Kind, f.From, f.To)
			if f.Reason != "" {
				line += ": " + f.Reason
			}
			fmt.Fprintln(w, line)
		}
		for _, f := range v.Markup {
			fmt.Fprintf(w, "    markup %s lines %d-%d\n", f.Kind, f.From, f.To)
		}
		for _, c := range v.Carried {
			fmt.Fprintf(w, "    %s\n", c)
		}
		if len(v.Dropped) > 0 {
			fmt.Fprintf(w, "    not in the lines: %s\n", strings.Join(v.Dropped, ", "))
		}
		for _, h := range v.FlagHistory {
			line := fmt.Sprintf("    %s %s flag lines %d-%d on %s", h.Action, h.Flag.Kind, h.Flag.From, h.Flag.To, h.When.UTC().Format("2006-01-02 15:04"))
			if h.Reason != "" {
				line += fmt.Sprintf(": %s (was: %s)", h.Reason, h.Flag.Reason)
			}
			fmt.Fprintln(w, line)
		}
	}
}

func openCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "open",
		Usage:     "decrypt a document for your own work (audited)",
		ArgsUsage: "DOC",
		Description: "Writes the plaintext to -o FILE (created only once the object verified), or to\n" +
			"standard output (binary material is refused on a terminal). --lines prints the parsed\n" +
			"text with the line numbers quotes cite.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE`"},
			&cli.IntFlag{Name: "version", Usage: "version `N` (default: the latest)"},
			forceFlag(),
			&cli.BoolFlag{Name: "lines", Usage: "print the parsed text with line numbers"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one DOC handle")
			if err != nil {
				return err
			}
			version, err := versionFlag(c)
			if err != nil {
				return err
			}
			req := vault.OpenRequest{Handle: a[0], Version: version, Output: c.String("output"),
				W: e.stdout, Terminal: isTerminal(e.stdout), Force: c.Bool("force")}
			if c.Bool("lines") && req.Output != "" {
				return usagef("open: --lines prints to standard output; drop -o")
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			if c.Bool("lines") {
				return s.OpenLines(c.Context, req.Handle, req.Version, e.stdout)
			}
			d, err := s.OpenDoc(c.Context, req)
			if err != nil {
				return err
			}
			if req.Output != "" {
				fmt.Fprintf(e.stderr, "wrote %s (%s) to %s\n", d.Handle, d.Kind, req.Output)
			}
			return nil
		},
	}
}

// docLinkCommand is "doc link" or, with unlink, "doc unlink".
func docLinkCommand(e *env, unlink bool) *cli.Command {
	name, verb := "link", "link a document to participants or a meeting"
	what, rule := "Adds the participants and the meeting given to what DOC concerns.", ""
	if unlink {
		name, verb = "unlink", "remove a document's link to participants or a meeting"
		what, rule = "Removes the participants and the meeting given from what DOC concerns.", " A transcript\n"+
			"keeps at least one participant; meeting notes keep a meeting."
	}
	return &cli.Command{
		Name:      name,
		Usage:     verb + " (audited)",
		ArgsUsage: "DOC",
		Description: what + "\nThe gate attributes a transcript's unlabelled words and off-record notes to the\n" +
			"document's participants, and applies its meeting's do-not-quote condition." + rule,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "participant", Usage: "participant `HANDLE`; repeat"},
			&cli.StringFlag{Name: "meeting", Usage: "meeting `HANDLE`"},
		},
		Action: func(c *cli.Context) error {
			a, err := args(c, 1, 1, "one DOC handle")
			if err != nil {
				return err
			}
			req := vault.LinkRequest{Doc: a[0], Participants: c.StringSlice("participant"), Meeting: c.String("meeting"), Unlink: unlink}
			if len(req.Participants) == 0 && req.Meeting == "" {
				return usagef("doc %s: give --participant HANDLE (repeatable) or --meeting HANDLE", name)
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			d, err := s.LinkDoc(c.Context, req)
			if err != nil {
				return err
			}
			meeting := d.Meeting
			if meeting == "" {
				meeting = "none"
			}
			fmt.Fprintf(e.stdout, "%s: participants %s; meeting %s\n", d.Handle, orNone(strings.Join(d.Participants, " ")), meeting)
			return nil
		},
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
