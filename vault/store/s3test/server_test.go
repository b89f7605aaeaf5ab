package s3test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fieldvault/fieldvault/vault/internal/servertest"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestServerEnv(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "must-not-reach-the-server")
	t.Setenv("ROOT_ACCESS_KEY_ID", "nor-this")
	t.Setenv("VGW_PORT", ":1")
	servertest.CheckEnv(t, serverEnv("/srv/home"), "/srv/home", "AWS_", "ROOT_", "VGW_")
}

// TestServer checks the harness against the real binary: a bucket, a
// conditional write refused, Env, Kill and Restart keeping the data, Stop.
func TestServer(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	c := s.Client()
	bucket := s.Bucket(t)
	put := func(ifNone *string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("v1")), IfNoneMatch: ifNone})
		return err
	}
	if err := put(aws.String("*")); err != nil {
		t.Fatalf("first conditional put: %s", s.redact(err.Error()))
	}
	if err := put(aws.String("*")); err == nil || !strings.Contains(err.Error(), "PreconditionFailed") {
		t.Errorf("second put with If-None-Match: * = %v, want PreconditionFailed", err)
	}

	s.Env(t)
	if os.Getenv("AWS_ENDPOINT_URL") != s.Endpoint || os.Getenv("AWS_SECRET_ACCESS_KEY") != s.SecretKey {
		t.Errorf("Env did not point the AWS variables at the server")
	}
	if os.Getenv("AWS_PROFILE") != "" || !strings.HasPrefix(os.Getenv("AWS_CONFIG_FILE"), os.Getenv("HOME")) {
		t.Errorf("Env leaves a profile or the machine's ~/.aws in reach")
	}

	s.Kill()
	if err := put(nil); err == nil {
		t.Fatalf("the server answers after Kill")
	}
	s.Restart(t)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("after Restart: %s", s.redact(err.Error()))
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(got) != "v1" {
		t.Errorf("after Restart the object reads %q, want v1", got)
	}
	dir := s.dir
	s.Stop()
	s.Stop() // idempotent
	if err := put(nil); err == nil {
		t.Errorf("the server answers after Stop")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Stop left the server's directory (%v)", err)
	}
	if strings.Contains(s.LogTail(50), s.SecretKey) {
		t.Errorf("LogTail shows the secret key")
	}
}
