//go:build !linux

package transittest

import "os/exec"

// setProcAttr has nothing to set outside Linux; Stop ends the server.
func setProcAttr(cmd *exec.Cmd) {}
