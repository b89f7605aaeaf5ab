package servertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProcess(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skipf("no sh: %v", err)
	}
	t.Run("exits during start-up", func(t *testing.T) {
		log := filepath.Join(t.TempDir(), "server.log")
		p, err := Launch(exec.Command(sh, "-c", "echo starting; exit 1"), log)
		if err != nil {
			t.Fatal(err)
		}
		err = p.WaitReady(30*time.Second, func() bool { return false })
		if err == nil || err.Error() != "exited during start-up" {
			t.Errorf("WaitReady = %v, want exited during start-up", err)
		}
		if b, _ := os.ReadFile(log); string(b) != "starting\n" {
			t.Errorf("log = %q, want the process's output", b)
		}
	})
	t.Run("ready, then halted", func(t *testing.T) {
		p, err := Launch(exec.Command(sh, "-c", "exec sleep 60"), filepath.Join(t.TempDir(), "server.log"))
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		if err := p.WaitReady(30*time.Second, func() bool { calls++; return calls == 3 }); err != nil {
			t.Errorf("WaitReady = %v, want ready on the third call", err)
		}
		p.Halt(os.Interrupt)
		select {
		case <-p.exited:
		default:
			t.Errorf("the process still runs after Halt")
		}
	})
	t.Run("never ready", func(t *testing.T) {
		p, err := Launch(exec.Command(sh, "-c", "exec sleep 60"), filepath.Join(t.TempDir(), "server.log"))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Halt(os.Kill)
		err = p.WaitReady(300*time.Millisecond, func() bool { return false })
		if err == nil || !strings.HasPrefix(err.Error(), "not ready after") {
			t.Errorf("WaitReady = %v, want not ready after 300ms", err)
		}
	})
	t.Run("no binary", func(t *testing.T) {
		_, err := Launch(exec.Command(filepath.Join(t.TempDir(), "none")), filepath.Join(t.TempDir(), "server.log"))
		if err == nil || !strings.HasPrefix(err.Error(), "running ") {
			t.Errorf("Launch = %v, want running …: error", err)
		}
	})
}
