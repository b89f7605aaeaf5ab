//go:build !linux

package servertest

import "os/exec"

// SetProcAttr has nothing to set outside Linux; the harness stops the server.
func SetProcAttr(cmd *exec.Cmd) {}
