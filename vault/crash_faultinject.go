//go:build faultinject

package vault

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// With -tags faultinject, FIELDVAULT_CRASH_AT=step:n kills the process with
// SIGKILL at the n-th time (1-based) it reaches the named step, so the
// crash-consistency tests can stop a real command at every write step.
var crash struct {
	sync.Mutex
	step string
	n    int
	seen int
}

func init() {
	v := os.Getenv("FIELDVAULT_CRASH_AT")
	step, n, ok := strings.Cut(v, ":")
	if !ok {
		return
	}
	crash.step = step
	crash.n, _ = strconv.Atoi(n)
}

func crashPoint(step string) {
	crash.Lock()
	defer crash.Unlock()
	if crash.step == "" || step != crash.step {
		return
	}
	crash.seen++
	if crash.seen == crash.n {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}
