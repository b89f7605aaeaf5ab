// Command vault builds the HashiCorp Vault server binary that the fieldvault
// test suite starts in dev mode. It lives in its own module so that `go test
// ./...` at the repository root never compiles Vault.
package main

import (
	"os"

	"github.com/hashicorp/vault/command"
)

func main() {
	os.Exit(command.Run(os.Args[1:]))
}
