package servertest

import (
	"os/exec"
	"syscall"
)

// SetProcAttr makes the kernel kill a server started for a test if the test
// binary dies without running its cleanups (a panic, a timeout, a kill).
func SetProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
