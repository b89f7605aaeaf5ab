package vault_test

import (
	"context"
	"fmt"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
)

// init gives the store's tests the exits of vault/gate (see exits_test.go).
func init() {
	vault.SetExitVia(func(ctx context.Context, s *vault.Study, exit string, r vault.ExitRequest) error {
		req := gate.ExitRequest{Doc: r.Doc, From: r.From, To: r.To, Output: r.Output, W: r.W}
		if r.Text {
			req.Format = gate.OutText
		}
		var err error
		switch exit {
		case "export":
			_, err = gate.Export(ctx, s, req)
		case "quote":
			_, err = gate.Quote(ctx, s, req)
		case "deposit":
			_, err = gate.Deposit(ctx, s, gate.DepositRequest{Output: r.Output})
		default:
			err = fmt.Errorf("no exit %q in the test bridge", exit)
		}
		return err
	})
}
