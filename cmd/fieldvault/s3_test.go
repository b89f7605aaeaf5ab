package main

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
	"github.com/rogpeppe/go-internal/testscript"
)

// s3Excluded are the stories that do not run against object storage, and
// why: they reach into the study's files on disk, or are about the local
// directory itself.
var s3Excluded = map[string]string{
	"attack_keypin.txtar":  "swaps the key file in the study directory",
	"format_version.txtar": "edits fieldvault.json on disk",
	"init.txtar":           "about creating the study directory and its permissions",
	"tamper_catalog.txtar": "truncates catalog.age on disk",
	"tamper_object.txtar":  "flips a byte of an object file on disk",
	"audit_tamper.txtar":   "edits audit.jsonl on disk",
	"mistakes_names.txtar": "reads audit.jsonl on disk for file names",
	"attack_config.txtar":  "edits fieldvault.json and plants files in the study directory (object storage: TestStoreConfigTamper)",
}

// studyRef matches the places a story names its study directory "study":
// init's argument, FIELDVAULT_DIR, --vault, and the snapshots of cpdir
// and samedir (which read a study on object storage item by item).
var studyRef = regexp.MustCompile(`(fieldvault init |FIELDVAULT_DIR=|--vault[ =]|cpdir |samedir )study\b`)

// insideStudy is a command about a path inside the study directory (an
// output refused there), which a study on object storage has not; with it
// go the assertions on its output that follow it.
var insideStudy = regexp.MustCompile(`\bstudy/`)

// sameFile is a comparison of one file of the study with its snapshot:
// on object storage the whole study is compared.
var sameFile = regexp.MustCompile(`(?m)^cmp study/\S+ before/\S+$`)

// TestScriptsS3 runs the CLI stories again with the study on a real S3
// server (versitygw): each story's "study" is s3://BUCKET/study in a bucket
// of its own, endpoint and credentials come from the AWS environment.
func TestScriptsS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.Env(t) // for cpdir and samedir, which run in this process
	dir := t.TempDir()
	scripts, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range scripts {
		name := filepath.Base(p)
		if _, skip := s3Excluded[name]; skip {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		script, archive, _ := strings.Cut(string(data), "\n-- ")
		if !studyRef.MatchString(script) {
			continue // no study of its own (help, usage)
		}
		script = studyRef.ReplaceAllString(script, "${1}$$FVSTUDY")
		script = sameFile.ReplaceAllString(script, "samedir $$FVSTUDY before")
		script = dropInsideStudy(script)
		if insideStudy.MatchString(script) {
			t.Errorf("%s reaches into the study directory: list it in s3Excluded with the reason", name)
			continue
		}
		if archive != "" {
			script += "\n-- " + archive
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no story to run against object storage")
	}
	client := srv.Client()
	testscript.Run(t, scriptParams(dir, func(env *testscript.Env) error {
		bucket := "fvscript-" + strings.ToLower(rand.Text()[:12])
		if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return err
		}
		env.Setenv("FVSTUDY", "s3://"+bucket+"/study")
		env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, "home", ".local", "state"))
		env.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
		env.Setenv("AWS_REGION", s3test.Region)
		env.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
		env.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
		env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		env.Setenv("AWS_CONFIG_FILE", filepath.Join(env.WorkDir, "home", "aws-config"))
		env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(env.WorkDir, "home", "aws-credentials"))
		return nil
	}))
}

// storeTree reads every item of a study on object storage, by key, as a
// directory vault holds them: the audit segments joined in key order as
// audit.jsonl (what backup does).
func storeTree(ts *testscript.TestScript, url string) map[string]string {
	loc, err := store.ParseURL(url)
	ts.Check(err)
	ctx := context.Background()
	b, err := store.OpenS3(ctx, loc)
	ts.Check(err)
	out := map[string]string{}
	ts.Check(b.List(ctx, "", func(i store.Info) error {
		r, err := b.Get(ctx, i.Key)
		if err != nil {
			return err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if strings.HasPrefix(i.Key, vault.AuditSegmentDir) {
			out[vault.AuditFile] += string(data)
		} else {
			out[i.Key] = string(data)
		}
		return err
	}))
	return out
}

// dropInsideStudy removes the commands about paths inside the study
// directory, and the assertions on their output.
func dropInsideStudy(script string) string {
	var out []string
	dropping := false
	for _, l := range strings.Split(script, "\n") {
		t := strings.TrimPrefix(strings.TrimSpace(l), "! ")
		if dropping && (strings.HasPrefix(t, "stdout ") || strings.HasPrefix(t, "stderr ")) {
			continue
		}
		dropping = false
		if strings.HasPrefix(t, "exits ") && insideStudy.MatchString(l) || strings.HasPrefix(t, "exists ") && insideStudy.MatchString(l) {
			dropping = true
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestS3Errors: a study on object storage that cannot be reached, a bucket
// that does not exist, credentials the server refuses: exit 1 with one
// line naming the bucket and the operation (and a hint), never a
// credential; a colleague added as a researcher uses the same URL with
// their own identity.
func TestS3Errors(t *testing.T) {
	srv := s3test.Start(t)
	srv.Env(t)
	bucket := srv.Bucket(t)
	url := "s3://" + bucket + "/team/study"
	ids := t.TempDir()
	me, colleague := filepath.Join(ids, "me.txt"), filepath.Join(ids, "colleague.txt")
	if code, _, stderr := runCLI(t, "--identity", me, "init", url); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name  string
		env   map[string]string
		url   string
		wants []string
	}{
		{"no such bucket", nil, "s3://fvtest-no-such-bucket/study", []string{"bucket fvtest-no-such-bucket: get fieldvault.json: no such bucket"}},
		{"secret refused", map[string]string{"AWS_SECRET_ACCESS_KEY": "not-the-secret-key-at-all"}, url, []string{"bucket " + bucket + ": get fieldvault.json: access denied", "AWS_SECRET_ACCESS_KEY"}},
		{"server unreachable", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}, url, []string{"bucket " + bucket + ": get fieldvault.json: store unreachable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, stderr := runCLI(t, "--identity", me, "--vault", tc.url, "participant", "list")
			if code != 1 {
				t.Errorf("exit %d, want 1: %s", code, stderr)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "fieldvault: ") {
				t.Errorf("stderr %q: want one line", stderr)
			}
			for _, w := range tc.wants {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			for _, secret := range []string{srv.SecretKey, srv.AccessKey, "not-the-secret-key-at-all"} {
				if strings.Contains(stderr, secret) {
					t.Errorf("stderr carries a credential: %q", stderr)
				}
			}
		})
	}
	t.Run("colleague joins", func(t *testing.T) {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(colleague, []byte(id.String()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		steps := [][]string{
			{"--identity", colleague, "--vault", url, "participant", "list"}, // not yet a recipient: refused
			{"--identity", me, "--vault", url, "recipient", "add", "--role", "researcher", id.Recipient().String(), "--label", "Dr Ada Quist"},
			{"--identity", colleague, "--vault", url, "participant", "add", "P01", "--name", "Ottilie Varga"},
			{"--identity", me, "--vault", url, "participant", "list"},
			{"--identity", me, "--vault", url, "verify", "--read-data"},
			{"--identity", me, "--vault", url, "audit", "verify"},
		}
		wantCodes := []int{1, 0, 0, 0, 0, 0}
		for i, args := range steps {
			code, stdout, stderr := runCLI(t, args...)
			if code != wantCodes[i] {
				t.Fatalf("%v: exit %d, want %d: %s%s", args[4:], code, wantCodes[i], stdout, stderr)
			}
			if i == 3 && !strings.Contains(stdout, "P01") {
				t.Errorf("the colleague's participant is not in the shared register: %s", stdout)
			}
		}
	})
}
