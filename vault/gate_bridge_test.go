package vault_test

import (
	"context"

	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
)

// init gives the store's tests the exits of vault/gate (see exits_test.go).
func init() {
	vault.SetExitVia(func(ctx context.Context, s *vault.Study, exit string, r vault.ExitRequest) error {
		req := gate.Request{Exit: gate.Exit(exit), Doc: r.Doc, From: r.From, To: r.To, Output: r.Output, W: r.W}
		if r.Text {
			req.Format = gate.OutText
		}
		_, err := gate.Run(ctx, s, req)
		return err
	})
}
