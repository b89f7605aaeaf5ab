package main

import (
	"fmt"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/urfave/cli/v2"
)

func backupCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "backup",
		Usage: "write a consistent, verified copy of the vault (a tar file, or a directory)",
		Description: "Copies the vault under the writers' lock, then checks the copy as a vault of its own\n" +
			"(verify --read-data and audit verify) before putting it in place. -o DIR/ (ending in /)\n" +
			"writes a directory instead of a tar. The copy is as encrypted as the vault; your\n" +
			"identity file is NOT in it: keep that apart. Restore with 'tar -xf FILE.tar -C DIR'\n" +
			"and check with 'fieldvault --vault DIR verify --read-data' and 'audit verify'.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE.tar`, or to a new directory DIR/"},
		},
		Action: func(c *cli.Context) error {
			if _, err := args(c, 0, 0, "no arguments (use -o FILE.tar)"); err != nil {
				return err
			}
			req := vault.BackupRequest{Output: c.String("output")}
			if req.Output == "" {
				return usagef("backup: -o FILE.tar or -o DIR/ is required")
			}
			s, err := e.openStudy(c)
			if err != nil {
				return err
			}
			res, err := s.Backup(c.Context, req)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s: %s, %s; the copy verifies (%s, audit chain of %s intact)\n", res.Output,
				plural(res.Files, "file", "files"), plural(int(res.Bytes), "byte", "bytes"),
				plural(res.Verify.Objects, "object read", "objects read"), plural(res.Audit.Entries, "entry", "entries"))
			if res.Verify.Unread > 0 {
				fmt.Fprintf(e.stdout, "  note: %d object(s) are not encrypted to this identity; present, not read\n", res.Verify.Unread)
			}
			fmt.Fprintln(e.stdout, "  the identity file is not in the backup: keep it (or a copy) apart")
			return nil
		},
	}
}
