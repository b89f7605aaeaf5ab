package store_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

// TestS3Configuration: the object store reads the usual AWS environment,
// and each way it can be wrong gives one clear error naming the bucket and
// the operation, never the credential.
func TestS3Configuration(t *testing.T) {
	srv := s3test.Shared(t)
	bucket := srv.Bucket(t)
	const wrongSecret = "wrong-secret-of-a-colleague-0123456789"
	tests := []struct {
		name    string
		env     map[string]string
		bucket  string
		open    error  // from OpenS3
		get     error  // from a Get of a missing key
		wantMsg string // in the error
	}{
		{name: "ok", get: fs.ErrNotExist},
		{name: "wrong secret", env: map[string]string{"AWS_SECRET_ACCESS_KEY": wrongSecret}, get: store.ErrDenied, wantMsg: "AWS_SECRET_ACCESS_KEY"},
		{name: "unknown access key", env: map[string]string{"AWS_ACCESS_KEY_ID": "FVUNKNOWNKEY0000"}, get: store.ErrDenied, wantMsg: "AWS_ACCESS_KEY_ID"},
		{name: "no credentials", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, open: store.ErrDenied, wantMsg: "no usable AWS credentials"},
		{name: "no such profile", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "fvtest-absent"}, wantMsg: `the AWS profile "fvtest-absent" is not in`},
		{name: "no region, no endpoint", env: map[string]string{"AWS_REGION": "", "AWS_ENDPOINT_URL": ""}, open: nil, wantMsg: "AWS_REGION"},
		{name: "no such bucket", bucket: "fvtest-no-such-bucket", get: store.ErrNoBucket, wantMsg: "fvtest-no-such-bucket"},
		{name: "server not there", env: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, get: store.ErrUnreachable, wantMsg: "127.0.0.1:1"},
		{name: "profile", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "study"}, get: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Env(t)
			if tt.name == "profile" {
				writeProfile(t, srv)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			b := bucket
			if tt.bucket != "" {
				b = tt.bucket
			}
			loc, err := store.ParseURL("s3://" + b + "/study/")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			s, err := store.OpenS3(ctx, loc)
			if tt.get == nil {
				if err == nil || (tt.open != nil && !errors.Is(err, tt.open)) {
					t.Fatalf("OpenS3 = %v, want an error (%v)", err, tt.open)
				}
				checkMsg(t, err, tt.wantMsg, "bucket "+b, srv, wrongSecret)
				return
			}
			if err != nil {
				t.Fatalf("OpenS3: %v", err)
			}
			_, err = s.Get(ctx, "catalog.age")
			if !errors.Is(err, tt.get) {
				t.Fatalf("Get = %v, want %v", err, tt.get)
			}
			checkMsg(t, err, tt.wantMsg, "bucket "+b+": get catalog.age", srv, wrongSecret)
		})
	}
}

func checkMsg(t *testing.T, err error, want, where string, srv *s3test.Server, secrets ...string) {
	t.Helper()
	msg := err.Error()
	t.Logf("the error: %s", msg)
	if !strings.Contains(msg, want) || !strings.Contains(msg, where) {
		t.Errorf("error %q does not say %q and %q", msg, want, where)
	}
	for _, s := range append(secrets, srv.SecretKey, srv.AccessKey) {
		if strings.Contains(msg, s) {
			t.Errorf("error %q carries a credential", msg)
		}
	}
	if strings.Count(msg, "\n") > 0 {
		t.Errorf("error is not one line: %q", msg)
	}
}

// writeProfile puts the server's credentials in a profile "study" of the
// shared credentials file Env pointed at.
func writeProfile(t *testing.T, srv *s3test.Server) {
	t.Helper()
	srv.WriteProfile(t, "study")
}

// TestSweepUploads: an upload a writer abandoned (its server went away
// before the abort) is swept once older than the grace period; a fresh one
// and another study's are left alone.
func TestSweepUploads(t *testing.T) {
	srv := s3test.Shared(t)
	f := s3Fixture(t, srv)
	s := f.b.(*store.S3)
	ctx := context.Background()
	c := srv.Client()
	for _, key := range []string{s.Loc.Prefix + "objects/ab/abandoned.age", "other-study/objects/cd/theirs.age"} {
		if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(s.Loc.Bucket), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
	swept, err := s.SweepUploads(ctx, time.Hour)
	if err != nil || len(swept) != 0 {
		t.Fatalf("SweepUploads(1h) = %v, %v; want nothing swept", swept, err)
	}
	time.Sleep(1100 * time.Millisecond) // S3 times have one-second resolution
	swept, err = s.SweepUploads(ctx, time.Second)
	if err != nil || len(swept) != 1 || swept[0] != "objects/ab/abandoned.age" {
		t.Fatalf("SweepUploads(1s) = %v, %v; want objects/ab/abandoned.age", swept, err)
	}
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(s.Loc.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 1 || aws.ToString(out.Uploads[0].Key) != "other-study/objects/cd/theirs.age" {
		t.Errorf("after the sweep %d uploads remain; want only the other study's", len(out.Uploads))
	}
}

// TestS3Prefixes: studies under different prefixes of one bucket (and one
// at the bucket's root) never see each other's items.
func TestS3Prefixes(t *testing.T) {
	srv := s3test.Shared(t)
	srv.Env(t)
	bucket := srv.Bucket(t)
	ctx := context.Background()
	var studies []*store.S3
	for _, u := range []string{"s3://" + bucket, "s3://" + bucket + "/team/study-a", "s3://" + bucket + "/team/study-ab/"} {
		loc, err := store.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.OpenS3(ctx, loc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutNew(ctx, "catalog.age", write([]byte(u))); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		studies = append(studies, s)
	}
	for _, s := range studies {
		var keys []string
		if err := s.List(ctx, "", func(i store.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
			t.Fatal(err)
		}
		want := []string{"catalog.age"}
		if s.Loc.Prefix == "" {
			// The root study lists the others' items under their prefixes.
			want = []string{"catalog.age", "team/study-a/catalog.age", "team/study-ab/catalog.age"}
		}
		if strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Errorf("%s lists %v, want %v", s, keys, want)
		}
		if got, _ := get(t, s, "catalog.age"); string(got) != strings.TrimSuffix(s.String(), "/") && string(got) != s.String() {
			t.Errorf("%s reads %q", s, got)
		}
	}
}
