package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestS3ServerHangs: a server that accepts connections and never answers
// gives ErrUnreachable after the response timeout, not a hang.
func TestS3ServerHangs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	old := responseTimeout
	responseTimeout = 300 * time.Millisecond
	defer func() { responseTimeout = old }()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ENDPOINT_URL", "http://"+l.Addr().String())
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "FVTESTKEY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fvtest-secret-never-shown")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	s, err := OpenS3(context.Background(), Location{Bucket: "hung-bucket", Prefix: "s/"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Get(context.Background(), "catalog.age")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "bucket hung-bucket: get catalog.age: ") {
		t.Fatalf("Get from a hung server = %v, want unreachable naming bucket and operation", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if strings.Contains(err.Error(), "fvtest-secret-never-shown") {
		t.Errorf("error carries the secret")
	}
	t.Logf("the error: %v", err)
}
