package servertest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// Process is a server process started for a test.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// Launch starts cmd with its standard output and error appended to the log
// at logPath; the process dies with the test binary (SetProcAttr).
func Launch(cmd *exec.Cmd, logPath string) (*Process, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	SetProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("running %s: %w", cmd.Args[0], err)
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// errExited is WaitReady's answer when the process ends first.
var errExited = errors.New("exited during start-up")

// WaitReady calls ready every 100 ms until it reports true. It fails when
// the process exits first or timeout passes; the error reads after the
// server's name ("vault dev server exited during start-up").
func (p *Process) WaitReady(timeout time.Duration, ready func() bool) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return errExited
		default:
		}
		if ready() {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %v", timeout)
}

// Healthy reports whether GET url answers 200 OK.
func Healthy(hc *http.Client, url string) bool {
	resp, err := hc.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Halt sends sig to the process and waits for it to end, killing it after
// 10 s.
func (p *Process) Halt(sig os.Signal) {
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}
