// Package hcvaulttest starts a real HashiCorp Vault server in dev mode for
// tests of the Transit adapter (vault/keys/hcvault) and of packages built on it.
//
// The server binary comes from FIELDVAULT_VAULT_BIN or from "vault" on PATH
// (.ci/build-vault.sh builds one from the module proxy). Without a binary the
// tests skip, unless FIELDVAULT_REQUIRE_VAULT=1 (set by .ci/run), in which
// case they fail: CI never passes by skipping.
//
// A package that uses [Shared] stops the shared server from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(hcvaulttest.Main(m)) }
package hcvaulttest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/vault/internal/servertest"
	"github.com/hashicorp/vault/api"
)

// Environment variables read by the harness.
const (
	EnvBinary  = "FIELDVAULT_VAULT_BIN"     // path of the vault binary
	EnvRequire = "FIELDVAULT_REQUIRE_VAULT" // "1": a missing binary fails the test instead of skipping it
	// EnvTLS "1" makes Start and Shared run "vault server -dev-tls", so
	// that a whole test suite runs over TLS (.ci/run runs the Transit tests
	// a second time so); StartTLS always does.
	EnvTLS = "FIELDVAULT_VAULT_TLS"
)

// startTimeout bounds how long a dev server may take to become healthy on a
// busy machine.
const startTimeout = 90 * time.Second

// Server is a running "vault server -dev" on 127.0.0.1, with Transit enabled
// at "transit" and KV version 2 at "secret".
type Server struct {
	Addr      string // e.g. http://127.0.0.1:41234, or https:// with TLS
	RootToken string
	// CACert is the PEM file of the CA that signed a TLS server's
	// certificate ("" without TLS); Env points VAULT_CACERT at it.
	CACert string

	certDir string // where a TLS server's CA lives; outlives Stop, so a
	// client of a stopped server fails to connect, not to configure

	proc     *servertest.Process
	dir      string
	logPath  string
	stopOnce sync.Once
}

// binary is how the harness finds the vault binary.
var binary = servertest.Binary{Env: EnvBinary, Require: EnvRequire, Name: "vault", What: "vault", Builder: ".ci/build-vault.sh"}

// Binary returns the vault binary to run: FIELDVAULT_VAULT_BIN, else "vault"
// on PATH.
func Binary() (string, error) { return binary.Find() }

// startEnv starts a server with TLS if FIELDVAULT_VAULT_TLS=1.
func startEnv(bin string) (*Server, error) { return start(bin, os.Getenv(EnvTLS) == "1") }

// Start starts a new dev server for tb and stops it when tb ends. Tests that
// seal or stop the server use their own; others use Shared.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return servertest.Start(tb, binary, startEnv, (*Server).remove)
}

// StartTLS starts a new "vault server -dev-tls" for tb, with a CA and
// certificate of its own (Server.CACert), and stops it when tb ends.
func StartTLS(tb testing.TB) *Server {
	tb.Helper()
	return servertest.Start(tb, binary, func(bin string) (*Server, error) { return start(bin, true) }, (*Server).remove)
}

var shared servertest.Shared[*Server]

// Shared returns the dev server shared by every test of the binary, starting
// it on first use. TestMain must call Main so that it is stopped at the end.
// Tests must not seal or stop it, and should each use their own key name.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	return shared.Get(tb, binary, startEnv)
}

// Main runs the tests and then stops the shared server, if one was started.
func Main(m *testing.M) int { return shared.Main(m, (*Server).remove) }

func start(bin string, tls bool) (*Server, error) {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		s, err := startOnce(bin, tls)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startOnce(bin string, tls bool) (*Server, error) {
	port, err := freePortPair()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fieldvault-vault-*")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr:      "http://127.0.0.1:" + strconv.Itoa(port),
		RootToken: "fvtest-root-" + randomHex(12),
		dir:       dir,
		logPath:   dir + "/server.log",
	}
	args := []string{"server", "-dev",
		"-dev-root-token-id=" + s.RootToken,
		"-dev-listen-address=127.0.0.1:" + strconv.Itoa(port),
		"-dev-no-store-token",
	}
	if tls {
		// The server writes vault-ca.pem, vault-cert.pem and vault-key.pem
		// into its directory (and removes them when it stops); clients must
		// trust the CA to connect. Once it is up, the CA is copied to
		// certDir, which outlives the server.
		if s.certDir, err = os.MkdirTemp("", "fieldvault-vault-tls-*"); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		args = append(args, "-dev-tls", "-dev-tls-cert-dir="+dir)
		s.Addr = "https://127.0.0.1:" + strconv.Itoa(port)
		s.CACert = filepath.Join(dir, "vault-ca.pem")
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = serverEnv(dir)
	if s.proc, err = servertest.Launch(cmd, s.logPath); err != nil {
		s.remove()
		return nil, err
	}
	if err := s.waitHealthy(); err != nil {
		s.remove()
		return nil, err
	}
	if s.certDir != "" {
		pem, err := os.ReadFile(s.CACert)
		if err == nil {
			s.CACert = filepath.Join(s.certDir, "vault-ca.pem")
			err = os.WriteFile(s.CACert, pem, 0o600)
		}
		if err != nil {
			s.remove()
			return nil, fmt.Errorf("keeping the dev server's CA: %w", err)
		}
	}
	if err := s.enableTransit(); err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

// serverEnv is the environment of the server process: no VAULT_* variable of
// the caller, and HOME inside the server's own directory.
func serverEnv(home string) []string { return servertest.Env(home, "VAULT_") }

// freePortPair finds a port p such that p and p+1 are free: the dev server
// listens for cluster traffic on the port after its API port.
func freePortPair() (int, error) {
	for i := 0; i < 50; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		l.Close()
		if err != nil {
			continue
		}
		l2.Close()
		return p, nil
	}
	return 0, errors.New("no free pair of ports on 127.0.0.1")
}

func (s *Server) waitHealthy() error {
	hc := &http.Client{Timeout: 2 * time.Second}
	err := s.proc.WaitReady(startTimeout, func() bool {
		if s.CACert != "" && hc.Transport == nil {
			// The CA file appears once the server has generated it.
			pool, err := caPool(s.CACert)
			if err != nil {
				return false
			}
			hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
		}
		return servertest.Healthy(hc, s.Addr+"/v1/sys/health")
	})
	if err != nil {
		return fmt.Errorf("vault dev server %v; log tail:\n%s", err, s.LogTail(20))
	}
	return nil
}

func (s *Server) enableTransit() error {
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Sys().MountWithContext(ctx, "transit", &api.MountInput{Type: "transit"}); err != nil {
		return fmt.Errorf("enabling transit: %s", s.redact(err.Error()))
	}
	return nil
}

// Client returns an API client for the server authenticated with the root
// token, independent of the process environment.
func (s *Server) Client(tb testing.TB) *api.Client {
	tb.Helper()
	c, err := s.client()
	if err != nil {
		tb.Fatalf("vault client: %v", err)
	}
	return c
}

func (s *Server) client() (*api.Client, error) {
	conf := api.DefaultConfig()
	conf.Error = nil
	conf.Address = s.Addr
	conf.MaxRetries = 0
	conf.Timeout = 30 * time.Second
	if s.CACert != "" {
		if err := conf.ConfigureTLS(&api.TLSConfig{CACert: s.CACert}); err != nil {
			return nil, err
		}
	}
	c, err := api.NewClient(conf)
	if err != nil {
		return nil, err
	}
	c.SetToken(s.RootToken)
	c.SetNamespace("")
	return c, nil
}

// Env points the vault client configuration at the server for the rest of
// the test: VAULT_ADDR and VAULT_TOKEN (the root token) set; VAULT_NAMESPACE,
// VAULT_CACERT and the other TLS and agent variables unset; HOME a fresh
// temporary directory, so that no ~/.vault-token of the machine leaks in.
func (s *Server) Env(tb testing.TB) {
	tb.Helper()
	for _, k := range []string{
		"VAULT_NAMESPACE", "VAULT_CACERT", "VAULT_CACERT_BYTES", "VAULT_CAPATH",
		"VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_SKIP_VERIFY",
		"VAULT_TLS_SERVER_NAME", "VAULT_AGENT_ADDR", "VAULT_PROXY_ADDR",
		"VAULT_WRAP_TTL", "VAULT_HEADERS", "VAULT_MFA", "VAULT_SRV_LOOKUP",
		"VAULT_MAX_RETRIES", "VAULT_CLIENT_TIMEOUT", "VAULT_CONFIG_PATH",
	} {
		tb.Setenv(k, "")
		os.Unsetenv(k)
	}
	tb.Setenv("VAULT_ADDR", s.Addr)
	tb.Setenv("VAULT_TOKEN", s.RootToken)
	tb.Setenv("HOME", tb.TempDir())
	if s.CACert != "" {
		tb.Setenv("VAULT_CACERT", s.CACert)
	}
}

// caPool reads a PEM CA file into a certificate pool.
func caPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate yet", path)
	}
	return pool, nil
}

// Token creates a child token (TTL one hour) holding only the given policy
// (and Vault's "default" policy), for permission tests.
func (s *Server) Token(tb testing.TB, policyHCL string) string {
	tb.Helper()
	c := s.Client(tb)
	name := "fvtest-" + randomHex(6)
	if err := c.Sys().PutPolicy(name, policyHCL); err != nil {
		tb.Fatalf("writing policy %s: %s", name, s.redact(err.Error()))
	}
	sec, err := c.Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{name}, TTL: "1h"})
	if err != nil {
		tb.Fatalf("creating token with policy %s: %s", name, s.redact(err.Error()))
	}
	if sec == nil || sec.Auth == nil || sec.Auth.ClientToken == "" {
		tb.Fatalf("creating token with policy %s: no token in the answer", name)
	}
	return sec.Auth.ClientToken
}

// Seal seals the server (sys/seal); a dev server stays sealed until stopped.
func (s *Server) Seal(tb testing.TB) {
	tb.Helper()
	if err := s.Client(tb).Sys().Seal(); err != nil {
		tb.Fatalf("sealing vault: %s", s.redact(err.Error()))
	}
}

// Stop stops the server and removes its directory. It is safe to call more
// than once; Start registers it with tb.Cleanup.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.proc != nil {
			s.proc.Halt(os.Interrupt)
		}
		os.RemoveAll(s.dir)
	})
}

// remove stops the server and removes its TLS files too.
func (s *Server) remove() {
	s.Stop()
	if s.certDir != "" {
		os.RemoveAll(s.certDir)
	}
}

// LogTail returns the last n lines of the server's log, with the root token
// masked.
func (s *Server) LogTail(n int) string {
	return servertest.Tail(s.logPath, n, "<root-token>", s.RootToken)
}

func (s *Server) redact(text string) string {
	return servertest.Mask(text, "<root-token>", s.RootToken)
}

var randomHex = servertest.RandomHex
