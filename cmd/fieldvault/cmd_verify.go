package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check that the catalogue and the stored objects agree",
		Description: "Checks every object the catalogue names and reports stray files. With --read-data\n" +
			"every object is decrypted and its size and SHA-256 compared (needs a raw-material\n" +
			"identity). Exit 4 if a problem is found.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "read-data", Usage: "decrypt and hash every object"},
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
			rep, err := s.VerifyContext(c.Context, c.Bool("read-data"))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				if err := writeJSON(e.stdout, rep); err != nil {
					return err
				}
			} else {
				how := "objects present"
				if rep.ReadData {
					how = "objects read and hashed"
				}
				fmt.Fprintf(e.stdout, "verify: %s, %s (%s), %s\n", plural(rep.Documents, "document", "documents"),
					plural(rep.Objects, "object", "objects"), plural(int(rep.Bytes), "byte", "bytes"), how)
				for _, p := range rep.Problems {
					fmt.Fprintf(e.stdout, "  problem: %s\n", p)
				}
				for _, n := range rep.Notes {
					fmt.Fprintf(e.stdout, "  note: %s\n", n)
				}
				if rep.OK() {
					fmt.Fprintln(e.stdout, "  no problems found")
				}
			}
			if !rep.OK() {
				return problemsFound("verify", len(rep.Problems))
			}
			return nil
		},
	}
}
