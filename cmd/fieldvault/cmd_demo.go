package main

import "github.com/urfave/cli/v2"

func demoCommand(e *env) *cli.Command {
	return &cli.Command{Name: "demo", Usage: "a synthetic study, walked through step by step", Action: func(c *cli.Context) error { return nil }}
}
