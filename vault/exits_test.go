package vault

import (
	"context"
	"io"
)

// The exits live in vault/gate, which imports this package, so the tests
// here that let text out (crash points, disk faults, erasure, links, a
// damaged object) call them through exitVia, which gate_bridge_test.go
// (package vault_test, in this test binary) sets before any test runs.

// exitRequest is what these tests ask of an exit.
type exitRequest struct {
	Doc      string
	From, To int // quote only
	Output   string
	W        io.Writer // used when Output is ""
	Text     bool      // plain text, else Markdown
}

// exitVia runs the exit named (export, quote or deposit) through vault/gate.
var exitVia func(ctx context.Context, s *Study, exit string, req exitRequest) error

// ExitRequest and SetExitVia let gate_bridge_test.go reach exitVia.
type ExitRequest = exitRequest

func SetExitVia(f func(ctx context.Context, s *Study, exit string, req ExitRequest) error) {
	exitVia = f
}
