package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/urfave/cli/v2"
)

func qdaCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "export-qda",
		Usage:     "write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA",
		ArgsUsage: " ",
		Description: "Every source passes through exactly the same gate as export: pseudonymised,\n" +
			"withheld lines as markers, scanned. Recordings, consent forms and erased documents\n" +
			"are skipped. Audited as one exit.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the project `FILE` (.qdpx)"},
			&cli.StringSliceFlag{Name: "doc", Usage: "a document `DOC` to include; repeat"},
			&cli.BoolFlag{Name: "all", Usage: "every text document that may leave"},
			forceFlag(),
			acceptResidualFlag(),
			purposeFlag(true),
			&cli.BoolFlag{Name: "json", Usage: "print the exit report as JSON"},
		}, revealFlags()...),
		Action: func(c *cli.Context) error {
			if _, err := args(c, 0, 0, "no arguments; name documents with --doc"); err != nil {
				return err
			}
			req := gate.Request{Exit: gate.ExitQDA, Docs: c.StringSlice("doc"), All: c.Bool("all"), Output: c.String("output"),
				Force: c.Bool("force"), AcceptResidual: c.Bool("accept-residual")}
			if req.Output == "" {
				return usagef("export-qda: -o STUDY.qdpx is required")
			}
			if err := vault.CheckOutputTarget(req.Output); err != nil {
				return err // a directory, a missing directory: before the extension
			}
			if !strings.EqualFold(filepath.Ext(req.Output), "."+gate.OutQDPX) {
				return usagef("export-qda: -o %q: the project file must end in .qdpx", clip(req.Output))
			}
			if err := checkHandleFlags(c, "D12", "doc"); err != nil {
				return err
			}
			if (len(req.Docs) == 0) == !req.All {
				return usagef("export-qda: give --doc DOC (repeatable) or --all")
			}
			var err error
			if req.Purpose, err = parsePurpose(c, true); err != nil {
				return err
			}
			res, reveal, err := e.runGate(c, req)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, newExitView("export-qda", req.Output, res))
			}
			fmt.Fprintf(e.stdout, "wrote %s: %s (%s), sha256 %s\n", req.Output, plural(len(res.Documents), "document", "documents"),
				strings.Join(res.Documents, " "), res.SHA256)
			for _, sk := range res.Skipped {
				fmt.Fprintf(e.stdout, "  skipped %s\n", sk)
			}
			if res.Marked > 0 {
				fmt.Fprintf(e.stderr, "  %s for analysis only, coded \"fieldvault: do not quote\"\n", plural(res.Marked, "line", "lines"))
			}
			e.reportReasons(res.Reasons)
			e.reportFindings(res.Warnings, res.Accepted, reveal)
			return nil
		},
	}
}
