package gate

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
)

// storedDocx writes a .docx whose document.xml is stored, not deflated,
// so that its words would show in any copy of its plaintext: turns of the
// speaker named and the interviewer, line 7 flagged "do not quote".
func storedDocx(tb testing.TB, path, speaker string) {
	tb.Helper()
	var body strings.Builder
	for i := range 12 {
		who := "Interviewer"
		if i%2 == 1 {
			who = speaker
		}
		text := fmt.Sprintf("%s: PLAINTEXT-CANARY-4471 we walked to the hall, turn %d", who, i)
		if i == 6 {
			text = "[dnq]" + text + "[/dnq]"
		}
		fmt.Fprintf(&body, "<w:p><w:r><w:t>%s</w:t></w:r></w:p>", text)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"word/document.xml", `<?xml version="1.0"?><w:document ` + wordNS + `><w:body>` + body.String() + `</w:body></w:document>`},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// getCounter counts the GETs of a study's objects, and after each has
// been read checks every temp copy of an object's ciphertext then on disk
// (in dir): an age file, no byte of the plaintext.
type getCounter struct {
	store.Backend
	tb   testing.TB
	dir  string
	mu   sync.Mutex
	gets int
	// cancel, if set, is called once an object has been read.
	cancel func()
}

func (c *getCounter) Get(ctx context.Context, key string) (*store.Reader, error) {
	r, err := c.Backend.Get(ctx, key)
	if err != nil || !strings.HasPrefix(key, "objects/") {
		return r, err
	}
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	r.ReadCloser = &checkedBody{ReadCloser: r.ReadCloser, c: c}
	return r, nil
}

type checkedBody struct {
	io.ReadCloser
	c *getCounter
}

// Close is called once the object has been copied to its temp file.
func (b *checkedBody) Close() error {
	err := b.ReadCloser.Close()
	c := b.c
	spools, _ := filepath.Glob(filepath.Join(c.dir, "fieldvault-object-*"))
	if len(spools) == 0 {
		c.tb.Errorf("an object was read but no temp copy of it is in %s", c.dir)
	}
	for _, p := range spools {
		data, rerr := os.ReadFile(p)
		fi, serr := os.Stat(p)
		switch {
		case rerr != nil || serr != nil:
			c.tb.Errorf("temp copy %s: %v %v", p, rerr, serr)
		case fi.Mode().Perm() != 0o600:
			c.tb.Errorf("temp copy %s has mode %v, want 0600", p, fi.Mode().Perm())
		case !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n")):
			c.tb.Errorf("temp copy %s is not an age file", p)
		}
		for _, plain := range []string{"PK\x03\x04", "word/document.xml", "PLAINTEXT-CANARY-4471", "Okafor"} {
			if bytes.Contains(data, []byte(plain)) {
				c.tb.Errorf("temp copy %s holds plaintext (%q)", p, plain)
			}
		}
	}
	if c.cancel != nil {
		c.cancel()
	}
	return err
}

// TestDocxFetchedOncePerExit: on object storage (a real S3 server), every
// exit of a .docx fetches its object once, however many passes it makes
// over its lines (an analysis export three, a quote two, a chapter's
// quotes two each); its ciphertext is copied to a temp file that holds no
// plaintext and is gone when the exit ends, whether it let the document
// out, was refused or was interrupted.
func TestDocxFetchedOncePerExit(t *testing.T) {
	srv := s3test.Start(t)
	srv.Env(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	url := "s3://" + srv.Bucket(t) + "/studies/once"
	idPath := filepath.Join(t.TempDir(), "identity.txt")
	opts := vault.Options{Providers: keys.For, IdentityFile: idPath, Now: fixedNow}
	res, err := vault.Init(ctx, url, vault.InitOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	const speaker = "Genevieve Okafor-Hale"
	addParticipant(t, res.Study, "P1", speaker, "participate", "quote")
	doc := filepath.Join(t.TempDir(), "interview.docx")
	storedDocx(t, doc, speaker)
	if _, err := res.Study.Ingest(ctx, vault.IngestRequest{Path: doc, Kind: policy.KindTranscript, Participants: []string{"P1"}, Date: "2026-02-17", Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	chapter := writeFile(t, "chapter.md", "# Hall\n\n{{quote D1:1-4}}\n\nand later\n\n{{quote D1:9-10}}\n")

	loc, err := store.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.OpenS3(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := &getCounter{Backend: b, tb: t, dir: tmp}
	opts.Store = c
	s, err := vault.Open(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.md")
	for _, tt := range []struct {
		name    string
		req     Request
		gets    int
		refused bool
	}{
		{"export", Request{Exit: ExitExport, Doc: "D1"}, 1, false},
		{"export for analysis", Request{Exit: ExitExport, Doc: "D1", Purpose: policy.PurposeAnalysis}, 1, false},
		{"quote", Request{Exit: ExitQuote, Doc: "D1", From: 2, To: 4}, 1, false},
		{"refused quote", Request{Exit: ExitQuote, Doc: "D1", From: 6, To: 8}, 1, true},
		{"render", Request{Exit: ExitRender, Chapter: chapter, Output: out, Force: true}, 1, false},
		{"check", Request{Exit: ExitCheck, Chapter: chapter}, 1, false},
		{"scan", Request{Exit: ExitScan, Doc: "D1"}, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.tb, c.gets = t, 0
			var buf bytes.Buffer
			if tt.req.Output == "" {
				tt.req.W = &buf
			}
			_, err := Run(ctx, s, tt.req)
			if tt.refused != errors.Is(err, policy.ErrRefused) || !tt.refused && err != nil {
				t.Fatalf("err = %v, want refused %v", err, tt.refused)
			}
			if c.gets != tt.gets {
				t.Errorf("%d GETs of the object, want %d", c.gets, tt.gets)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("temp files left behind: %v", left)
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		c.tb, c.gets = t, 0
		ictx, cancel := context.WithCancel(ctx)
		defer cancel()
		c.cancel = cancel
		defer func() { c.cancel = nil }()
		_, err := Run(ictx, s, Request{Exit: ExitExport, Doc: "D1", Purpose: policy.PurposeAnalysis, W: io.Discard})
		if !errors.Is(err, context.Canceled) || c.gets != 1 {
			t.Errorf("err = %v after %d GETs, want context.Canceled after 1", err, c.gets)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("temp files left behind: %v", left)
		}
	})
}
