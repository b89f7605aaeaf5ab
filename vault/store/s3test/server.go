// Package s3test starts a real S3 server for tests of the object store:
// Versity's S3 gateway (versitygw) with its POSIX backend, which implements
// conditional writes (If-Match, If-None-Match) as S3 does. It listens on
// 127.0.0.1 on a free port and keeps its buckets in a temporary directory.
//
// The server binary comes from FIELDVAULT_S3_BIN or from "versitygw" on
// PATH (.ci/build-s3.sh builds one from the module proxy). Without a binary
// the tests skip, unless FIELDVAULT_REQUIRE_S3=1 or
// FIELDVAULT_TEST_DISALLOW_SKIP=1 (both set by .ci/run), in which case they
// fail: CI never passes by skipping.
//
// A package that uses [Shared] stops the shared server from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }
package s3test

import (
	"context"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fieldvault/fieldvault/vault/internal/servertest"
)

// Environment variables read by the harness.
const (
	EnvBinary  = "FIELDVAULT_S3_BIN"     // path of the versitygw binary
	EnvRequire = "FIELDVAULT_REQUIRE_S3" // "1": a missing binary fails the test instead of skipping it
)

// Region is the region the server answers for.
const Region = "us-east-1"

// startTimeout bounds how long the server may take to answer on a busy
// machine.
const startTimeout = 60 * time.Second

// Server is a running versitygw on 127.0.0.1.
type Server struct {
	Endpoint  string // e.g. http://127.0.0.1:41234
	AccessKey string // the root account's
	SecretKey string

	bin      string
	port     int
	dir      string // holds data/ (the buckets) and server.log
	mu       sync.Mutex
	proc     *servertest.Process
	stopOnce sync.Once
}

// binary is how the harness finds the versitygw binary.
var binary = servertest.Binary{Env: EnvBinary, Require: EnvRequire, Name: "versitygw", What: "S3 server", Builder: ".ci/build-s3.sh"}

// Binary returns the versitygw binary to run: FIELDVAULT_S3_BIN, else
// "versitygw" on PATH.
func Binary() (string, error) { return binary.Find() }

// Start starts a new server for tb and stops it when tb ends. Tests that
// stop or kill the server use their own; others use Shared.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return servertest.Start(tb, binary, start, (*Server).Stop)
}

var shared servertest.Shared[*Server]

// Shared returns the server shared by every test of the binary, starting it
// on first use. TestMain must call Main so that it is stopped at the end.
// Tests must not stop it, and should each use their own bucket (Bucket).
func Shared(tb testing.TB) *Server {
	tb.Helper()
	return shared.Get(tb, binary, start)
}

// Main runs the tests and then stops the shared server, if one was started.
func Main(m *testing.M) int { return shared.Main(m, (*Server).Stop) }

func start(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "fieldvault-s3-*")
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{
		AccessKey: "fvtest" + randomHex(6),
		SecretKey: "fvtest-secret-" + randomHex(16),
		bin:       bin,
		dir:       dir,
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if s.port, err = freePort(); err != nil {
			lastErr = err
			continue
		}
		s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(s.port)
		if lastErr = s.run(); lastErr == nil {
			return s, nil
		}
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

// run starts the server process on s.port over s.dir and waits until it
// answers.
func (s *Server) run() error {
	cmd := exec.Command(s.bin,
		"--port", "127.0.0.1:"+strconv.Itoa(s.port),
		"--region", Region,
		"--health", "/health",
		"posix", filepath.Join(s.dir, "data"),
	)
	// The root credentials go by environment, not on the command line
	// where any local user could read them.
	cmd.Env = append(serverEnv(s.dir), "ROOT_ACCESS_KEY_ID="+s.AccessKey, "ROOT_SECRET_ACCESS_KEY="+s.SecretKey)
	cmd.Dir = s.dir
	proc, err := servertest.Launch(cmd, filepath.Join(s.dir, "server.log"))
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.proc = proc
	s.mu.Unlock()
	hc := &http.Client{Timeout: 2 * time.Second}
	if err := proc.WaitReady(startTimeout, func() bool { return servertest.Healthy(hc, s.Endpoint+"/health") }); err != nil {
		s.halt(os.Kill)
		return fmt.Errorf("the S3 server %v; log tail:\n%s", err, s.LogTail(20))
	}
	return nil
}

// serverEnv is the server's environment: no AWS_* or ROOT_* variable of the
// caller, no VGW_* setting, and HOME inside the server's own directory.
func serverEnv(home string) []string { return servertest.Env(home, "AWS_", "ROOT_", "VGW_") }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Client returns an S3 client for the server with the root credentials,
// independent of the process environment.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		// Fail fast: tests stop the server on purpose.
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
}

// Bucket creates a new, empty bucket for tb and returns its name.
func (s *Server) Bucket(tb testing.TB) string {
	tb.Helper()
	name := "fvtest-" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("creating bucket %s: %s", name, s.redact(err.Error()))
	}
	return name
}

// Env points the AWS configuration of the code under test at the server
// for the rest of the test: AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY set; the session token, profile, S3-specific
// endpoint and the instance metadata service off; HOME and the shared
// config and credentials files in a fresh temporary directory, so that no
// ~/.aws of the machine leaks in.
func (s *Server) Env(tb testing.TB) {
	tb.Helper()
	for _, k := range []string{
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	} {
		tb.Setenv(k, "")
		os.Unsetenv(k)
	}
	home := tb.TempDir()
	tb.Setenv("HOME", home)
	tb.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "aws-config"))
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "aws-credentials"))
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	tb.Setenv("AWS_ENDPOINT_URL", s.Endpoint)
	tb.Setenv("AWS_REGION", Region)
	tb.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	tb.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	tb.Setenv("AWS_MAX_ATTEMPTS", "2")
}

// Stop stops the server (SIGINT, then SIGKILL after 10 s) and removes its
// directory. It is safe to call more than once; Start registers it with
// tb.Cleanup.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.halt(os.Interrupt)
		os.RemoveAll(s.dir)
	})
}

// Kill stops the server process at once (SIGKILL), keeping its data, as a
// crash or a network cut would; Restart brings it back on the same port.
func (s *Server) Kill() { s.halt(os.Kill) }

// Restart starts the server again on the same port and data after Kill.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.halt(os.Kill)
	if err := s.run(); err != nil {
		tb.Fatalf("restarting the S3 server: %v", err)
	}
}

func (s *Server) halt(sig os.Signal) {
	s.mu.Lock()
	proc := s.proc
	s.proc = nil
	s.mu.Unlock()
	if proc != nil {
		proc.Halt(sig)
	}
}

// LogTail returns the last n lines of the server's log, with the secret key
// masked.
func (s *Server) LogTail(n int) string {
	return servertest.Tail(filepath.Join(s.dir, "server.log"), n, "<secret-key>", s.SecretKey)
}

func (s *Server) redact(text string) string {
	return servertest.Mask(text, "<secret-key>", s.SecretKey)
}

var randomHex = servertest.RandomHex

// WriteProfile writes the root credentials as profile name into the shared
// credentials file that Env set (AWS_SHARED_CREDENTIALS_FILE), for tests
// of configuration by profile.
func (s *Server) WriteProfile(tb testing.TB, name string) {
	tb.Helper()
	path := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if path == "" {
		tb.Fatalf("WriteProfile: call Env first")
	}
	body := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", name, s.AccessKey, s.SecretKey)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
}
