// Package servertest holds what the harnesses that start real servers for
// tests share (the HashiCorp Vault dev server in vault/keys/hcvault/hcvaulttest,
// the S3 gateway in vault/store/s3test): finding the server's binary,
// skipping or failing without it, one server shared by a test binary, and
// the tail of a server's log.
package servertest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Binary is how a harness finds its server: the path in the environment
// variable Env, else Name on PATH; Builder names the script that builds one.
type Binary struct {
	Env     string // e.g. FIELDVAULT_VAULT_BIN
	Require string // e.g. FIELDVAULT_REQUIRE_VAULT: "1" turns a skip into a failure
	Name    string // the executable's name on PATH
	What    string // the server, for messages ("vault", "S3 server")
	Builder string // the script that builds it (".ci/build-vault.sh")
}

// Find returns the binary to run: $Env, else Name on PATH.
func (b Binary) Find() (string, error) {
	if p := os.Getenv(b.Env); p != "" {
		st, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", b.Env, p, err)
		}
		if st.IsDir() || st.Mode()&0o111 == 0 {
			return "", fmt.Errorf("%s=%s is not an executable file", b.Env, p)
		}
		return p, nil
	}
	p, err := exec.LookPath(b.Name)
	if err != nil {
		return "", fmt.Errorf("no %s binary: set %s or put %s on PATH (%s builds one): %w", b.What, b.Env, b.Name, b.Builder, err)
	}
	return p, nil
}

// DisallowSkip is the project-wide switch (set by .ci/run) that turns every
// skip for a missing tool into a failure.
const DisallowSkip = "FIELDVAULT_TEST_DISALLOW_SKIP"

// SkipOrFail skips the test when no server can be had, unless $Require or
// FIELDVAULT_TEST_DISALLOW_SKIP is "1" (CI), in which case it fails it.
func (b Binary) SkipOrFail(tb testing.TB, err error) {
	tb.Helper()
	for _, env := range []string{b.Require, DisallowSkip} {
		if os.Getenv(env) == "1" {
			tb.Fatalf("%s required (%s=1): %v", b.What, env, err)
		}
	}
	tb.Skipf("skipping: %v", err)
}

// Start finds the binary (skipping or failing without it), starts a server
// with start, and stops it with stop when tb ends.
func Start[S any](tb testing.TB, b Binary, start func(bin string) (S, error), stop func(S)) S {
	tb.Helper()
	bin, err := b.Find()
	if err != nil {
		b.SkipOrFail(tb, err)
	}
	s, err := start(bin)
	if err != nil {
		tb.Fatalf("starting the %s: %v", b.What, err)
	}
	tb.Cleanup(func() { stop(s) })
	return s
}

// Shared is one server shared by every test of a test binary, started on
// first use.
type Shared[S any] struct {
	once    sync.Once
	s       S
	started bool
	err     error
	bin     error
}

// Get returns the shared server, starting it with start on first use.
func (sh *Shared[S]) Get(tb testing.TB, b Binary, start func(bin string) (S, error)) S {
	tb.Helper()
	sh.once.Do(func() {
		bin, err := b.Find()
		if err != nil {
			sh.bin = err
			return
		}
		sh.s, sh.err = start(bin)
		sh.started = sh.err == nil
	})
	if sh.bin != nil {
		b.SkipOrFail(tb, sh.bin)
	}
	if sh.err != nil {
		tb.Fatalf("starting the shared %s: %v", b.What, sh.err)
	}
	return sh.s
}

// Main runs the tests, then stops the shared server if one was started.
func (sh *Shared[S]) Main(m *testing.M, stop func(S)) int {
	code := m.Run()
	if sh.started {
		stop(sh.s)
	}
	return code
}

// Tail returns the last n lines of the log at path, with every secret
// masked as mask.
func Tail(path string, n int, mask string, secrets ...string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return Mask(strings.Join(lines, "\n"), mask, secrets...)
}

// Mask replaces every non-empty secret in text with mask.
func Mask(text, mask string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, mask)
		}
	}
	return text
}

// RandomHex returns n random bytes in hex, for names and test credentials.
func RandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CheckEnv fails tb if env, a server's environment from Env, keeps a
// variable that begins with any of drop, or does not hold exactly one HOME,
// set to home.
func CheckEnv(tb testing.TB, env []string, home string, drop ...string) {
	tb.Helper()
	var homes int
	for _, kv := range env {
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				tb.Errorf("server environment keeps %s", strings.SplitN(kv, "=", 2)[0])
			}
		}
		if strings.HasPrefix(kv, "HOME=") {
			homes++
			if kv != "HOME="+home {
				tb.Errorf("server %s, want HOME=%s", kv, home)
			}
		}
	}
	if homes != 1 {
		tb.Errorf("server environment has %d HOME entries, want 1", homes)
	}
}

// Env returns the process environment without the variables that begin
// with any of drop, and with HOME set to home: a server started by a test
// sees none of the caller's settings or credentials.
func Env(home string, drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		keep := !strings.HasPrefix(kv, "HOME=")
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				keep = false
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home)
}
