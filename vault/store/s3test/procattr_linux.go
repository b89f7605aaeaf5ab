package s3test

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the kernel kill the S3 server if the test binary dies
// without running its cleanups (a panic, a timeout, a kill).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
