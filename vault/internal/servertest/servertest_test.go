package servertest

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "srv")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b := Binary{Env: "FIELDVAULT_TEST_SRV_BIN", Require: "FIELDVAULT_TEST_REQUIRE_SRV", Name: "srv", What: "test server", Builder: ".ci/build-srv.sh"}
	tests := []struct {
		name    string
		env     string
		path    string
		want    string
		wantErr string
	}{
		{"env wins", exe, "", exe, ""},
		{"env missing file", filepath.Join(dir, "nope"), "", "", b.Env},
		{"env not executable", plain, "", "", "not an executable"},
		{"env directory", dir, "", "", "not an executable"},
		{"path", "", dir, exe, ""},
		{"nothing", "", t.TempDir(), "", "no test server binary: set FIELDVAULT_TEST_SRV_BIN or put srv on PATH (.ci/build-srv.sh builds one)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(b.Env, tt.env)
			t.Setenv("PATH", tt.path)
			got, err := b.Find()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Find() = %q, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Find() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "must-not-reach-the-server")
	t.Setenv("VAULT_TOKEN", "nor-this")
	t.Setenv("FIELDVAULT_KEEP", "kept")
	env := Env("/srv/home", "AWS_", "VAULT_")
	CheckEnv(t, env, "/srv/home", "AWS_", "VAULT_")
	if !slices.Contains(env, "FIELDVAULT_KEEP=kept") {
		t.Errorf("Env drops FIELDVAULT_KEEP, which no prefix names")
	}
}

func TestTailMasks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "server.log")
	var lines []string
	for i := range 30 {
		lines = append(lines, "line "+strings.Repeat("x", i%3)+" token s3cr3t")
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := Tail(p, 5, "<masked>", "s3cr3t", "")
	if n := strings.Count(got, "\n") + 1; n != 5 {
		t.Errorf("Tail gave %d lines, want 5", n)
	}
	if strings.Contains(got, "s3cr3t") || !strings.Contains(got, "<masked>") {
		t.Errorf("Tail does not mask the secret: %q", got)
	}
	if got := Tail(filepath.Join(t.TempDir(), "none"), 5, "<masked>"); !strings.HasPrefix(got, "(no log: ") {
		t.Errorf("Tail of a missing log = %q", got)
	}
}

// fakeTB records whether a test was skipped or failed.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Skipf(string, ...any)  { f.skipped = true; runtime.Goexit() }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; runtime.Goexit() }

func TestSkipOrFail(t *testing.T) {
	b := Binary{Require: "FIELDVAULT_TEST_REQUIRE_SRV", What: "test server"}
	tests := []struct {
		require, disallow string
		wantFail          bool
	}{
		{"", "", false},
		{"1", "", true},
		{"", "1", true},
		{"0", "0", false},
	}
	for _, tt := range tests {
		t.Setenv(b.Require, tt.require)
		t.Setenv(DisallowSkip, tt.disallow)
		f := &fakeTB{}
		done := make(chan struct{})
		go func() { // Skipf and Fatalf end the goroutine, as testing's do
			defer close(done)
			b.SkipOrFail(f, os.ErrNotExist)
		}()
		<-done
		if f.failed != tt.wantFail || f.skipped == tt.wantFail {
			t.Errorf("require=%q disallow=%q: failed %v, skipped %v; want failed %v", tt.require, tt.disallow, f.failed, f.skipped, tt.wantFail)
		}
	}
}
