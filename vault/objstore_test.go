package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault/store"
	"github.com/fieldvault/fieldvault/vault/store/s3test"
	"github.com/google/uuid"
)

// storeStudy is a study under a prefix of a fresh bucket of a real S3
// server (versitygw), with the AWS environment pointing at it.
type storeStudy struct {
	*Study
	srv *s3test.Server
	url string
	id  string // identity file
}

func newStoreStudy(tb testing.TB, srv *s3test.Server) *storeStudy {
	tb.Helper()
	srv.Env(tb)
	tb.Setenv("XDG_STATE_HOME", tb.TempDir())
	url := "s3://" + srv.Bucket(tb) + "/studies/larder"
	idPath := filepath.Join(tb.TempDir(), "identity.txt")
	res, err := Init(context.Background(), url, InitOptions{Options: Options{Providers: testProviders, IdentityFile: idPath, Now: fixedNow}})
	if err != nil {
		tb.Fatalf("Init %s: %v", url, err)
	}
	return &storeStudy{Study: res.Study, srv: srv, url: url, id: idPath}
}

// open opens the study again, as another process would (wrap, if set,
// wraps its store).
func (ss *storeStudy) open(tb testing.TB, wrap func(store.Backend) store.Backend) *Study {
	tb.Helper()
	opts := Options{Providers: testProviders, IdentityFile: ss.id, Now: fixedNow}
	if wrap != nil {
		b, err := openBackend(context.Background(), ss.url)
		if err != nil {
			tb.Fatal(err)
		}
		opts.Store = wrap(b)
	}
	s, err := Open(ss.url, opts)
	if err != nil {
		tb.Fatalf("Open %s: %v", ss.url, err)
	}
	return s
}

// storeKeys lists the study's keys under prefix.
func storeKeys(tb testing.TB, s *Study, prefix string) []string {
	tb.Helper()
	var keys []string
	if err := s.Store.List(context.Background(), prefix, func(i store.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return keys
}

// checkStudy asserts verify --read-data and audit verify find nothing
// wrong, that the audit chain has as many entries as want (0 = any) and
// that the generation equals the number of audit segments (one commit,
// one generation, one segment).
func checkStudy(tb testing.TB, s *Study, wantEntries int) *Catalog {
	tb.Helper()
	rep, err := s.Verify(true)
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		tb.Fatalf("verify found problems: %v", rep.Problems)
	}
	arep, err := s.VerifyAudit(context.Background(), "")
	if err != nil {
		tb.Fatalf("audit verify: %v", err)
	}
	if !arep.OK() {
		tb.Fatalf("audit verify found problems: %v", arep.Problems)
	}
	cat, err := s.Catalog()
	if err != nil {
		tb.Fatal(err)
	}
	if wantEntries > 0 && arep.Entries != wantEntries {
		tb.Errorf("audit log holds %d entries, want %d", arep.Entries, wantEntries)
	}
	segs := 0
	for _, k := range storeKeys(tb, s, AuditSegmentDir) {
		if isSegmentKey(k) {
			segs++
		}
	}
	if uint64(segs) != cat.Generation {
		tb.Errorf("generation %d, but %d audit segments", cat.Generation, segs)
	}
	return cat
}

func TestStoreStudyRoundTrip(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	if err := ss.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Genevieve Okafor-Hale"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.RecordConsent(ctx, ConsentRequest{Handle: "P1", Form: "v1", Signed: "2025-01-10", Scopes: []policy.Scope{"participate", "quote"}}); err != nil {
		t.Fatal(err)
	}
	body := "Interviewer: How did it start?\nGenevieve Okafor-Hale: At the depot in Wexcombe.\n"
	in := writeFile(t, "t.txt", body)
	if _, err := ss.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	// Another process (the same researcher) reads what this one wrote.
	other := ss.open(t, nil)
	out := filepath.Join(t.TempDir(), "open.txt")
	if _, err := other.OpenDoc(ctx, OpenRequest{Handle: "D1", Output: out}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != body {
		t.Errorf("opened %q, want %q", got, body)
	}
	exp := filepath.Join(t.TempDir(), "export.md")
	if err := exitVia(ctx, other, "export", exitRequest{Doc: "D1", Output: exp}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(exp)
	if strings.Contains(string(got), "Okafor-Hale") || len(got) == 0 {
		t.Errorf("export left the name: %q", got)
	}
	cat := checkStudy(t, other, 6) // init, register, consent, ingest, open, export
	if cat.Generation != 6 {
		t.Errorf("generation %d, want 6", cat.Generation)
	}
	// Intent files stayed on this machine; nothing but the study's items
	// is in the bucket.
	for _, k := range storeKeys(t, other, "") {
		if !(k == ConfigFile || k == CatalogFile || k == LocalKeyFile || strings.HasPrefix(k, AuditSegmentDir) || strings.HasPrefix(k, ObjectsDir+"/")) {
			t.Errorf("unexpected item %s in the bucket", k)
		}
	}
	if _, err := Init(ctx, ss.url, InitOptions{Options: Options{Providers: testProviders, IdentityFile: ss.id}}); !errors.Is(err, ErrExists) {
		t.Errorf("init over the study: %v, want ErrExists", err)
	}
}

// conflictOnce makes another writer commit just before the first
// conditional replace of the catalogue, so that the replace loses.
type conflictOnce struct {
	store.Backend
	once  sync.Once
	other func()
}

func (c *conflictOnce) Replace(ctx context.Context, key, match string, fill store.Fill) (store.Info, error) {
	if key == CatalogFile {
		c.once.Do(c.other)
	}
	return c.Backend.Replace(ctx, key, match, fill)
}

// TestStoreLostRace: a writer whose conditional write of the catalogue is
// refused runs its change again on the winner's catalogue (both changes
// kept, one chain), or refuses with one line when the change no longer
// applies (the participant was erased meanwhile), removing what it
// uploaded.
func TestStoreLostRace(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	for _, h := range []string{"P1", "P2", "P3"} {
		if err := ss.AddParticipants(ctx, []ParticipantRequest{{Handle: h, Name: "Ysolde Farquharson " + h}}); err != nil {
			t.Fatal(err)
		}
	}
	rival := ss.open(t, nil)
	ev := writeFile(t, "form.pdf", "%PDF-1.4 signed form")

	t.Run("re-applied", func(t *testing.T) {
		s := ss.open(t, func(b store.Backend) store.Backend {
			return &conflictOnce{Backend: b, other: func() {
				if _, err := rival.RecordConsent(ctx, ConsentRequest{Handle: "P2", Form: "v1", Signed: "2025-01-10", Scopes: []policy.Scope{"participate"}}); err != nil {
					t.Errorf("rival: %v", err)
				}
			}}
		})
		if _, err := s.RecordConsent(ctx, ConsentRequest{Handle: "P1", Form: "v1", Signed: "2025-01-10", Scopes: []policy.Scope{"participate"}, Evidence: ev}); err != nil {
			t.Fatal(err)
		}
		cat := checkStudy(t, s, 0)
		for _, h := range []string{"P1", "P2"} {
			p, _ := cat.Participant(h)
			if _, ok := p.Consent.Current(); !ok {
				t.Errorf("%s: consent lost", h)
			}
		}
		if n := len(storeKeys(t, s, ObjectsDir+"/")); n != 1 {
			t.Errorf("%d objects, want the one evidence file (uploaded once, reused)", n)
		}
	})

	t.Run("no longer applies", func(t *testing.T) {
		before := len(storeKeys(t, ss.Study, ObjectsDir+"/"))
		s := ss.open(t, func(b store.Backend) store.Backend {
			return &conflictOnce{Backend: b, other: func() {
				if err := rival.RemoveParticipant(ctx, "P3"); err != nil {
					t.Errorf("rival: %v", err)
				}
			}}
		})
		_, err := s.RecordConsent(ctx, ConsentRequest{Handle: "P3", Form: "v2", Signed: "2025-02-10", Scopes: []policy.Scope{"participate"}, Evidence: ev})
		if !errors.Is(err, ErrNotFound) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("got %v, want one line: not found", err)
		}
		if after := len(storeKeys(t, s, ObjectsDir+"/")); after != before {
			t.Errorf("%d objects after the refusal, want %d (the upload removed)", after, before)
		}
		checkStudy(t, s, 0)
	})
}

// failingReplace stops the server (or fails) at the catalogue's replace:
// the commit point is never reached.
type failingReplace struct {
	store.Backend
	fail func()
}

func (f *failingReplace) Replace(ctx context.Context, key, match string, fill store.Fill) (store.Info, error) {
	if key == CatalogFile && f.fail != nil {
		f.fail()
	}
	return f.Backend.Replace(ctx, key, match, fill)
}

// TestStoreServerStoppedMidCommit: the server dies after the ingest's
// object was uploaded and before the catalogue is replaced. The command
// fails with one line naming the bucket and the operation, the study is
// as it was (the upload an orphan verify reports), and once the grace
// period has passed the next writer removes the orphan.
func TestStoreServerStoppedMidCommit(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	before, err := ss.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	s := ss.open(t, func(b store.Backend) store.Backend {
		return &failingReplace{Backend: b, fail: srv.Kill}
	})
	in := writeFile(t, "t.txt", "Interviewer: Where?\nBramwell Ashdown: In Wexcombe.\n")
	_, err = s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}})
	if err == nil {
		t.Fatal("ingest succeeded with the server stopped")
	}
	msg := err.Error()
	bucket := strings.SplitN(strings.TrimPrefix(ss.url, "s3://"), "/", 2)[0]
	if !errors.Is(err, store.ErrUnreachable) || !strings.Contains(msg, "bucket "+bucket) || !strings.Contains(msg, "replace") || strings.Contains(msg, srv.SecretKey) || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming the bucket and the replace, no credential", msg)
	}
	srv.Restart(t)
	after := ss.open(t, nil)
	cat := checkStudy(t, after, 3)
	if cat.Generation != before.Generation || len(cat.Documents) != 0 {
		t.Errorf("generation %d with %d documents, want %d with none", cat.Generation, len(cat.Documents), before.Generation)
	}
	rep, err := after.Verify(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "not referenced") {
		t.Errorf("verify notes %q, want the orphan reported", rep.Notes)
	}
	// Within the grace period the orphan may be a live writer's: kept.
	var notes []string
	after.Notes = func(n string) { notes = append(notes, n) }
	if err := after.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(storeKeys(t, after, ObjectsDir+"/")); n != 1 {
		t.Errorf("%d objects within the grace period, want the orphan kept", n)
	}
	old := orphanGrace
	orphanGrace = 0
	defer func() { orphanGrace = old }()
	after.Now = func() time.Time { return time.Now().Add(time.Second) }
	if err := after.AddParticipants(ctx, []ParticipantRequest{{Handle: "P3", Name: "Oswin Threlkeld"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(storeKeys(t, after, ObjectsDir+"/")); n != 0 {
		t.Errorf("%d objects after the grace period, want the orphan removed", n)
	}
	if len(notes) == 0 || !strings.Contains(strings.Join(notes, "\n"), "no commit references") {
		t.Errorf("notes %q, want the removal reported", notes)
	}
	checkStudy(t, after, 5)
}

// The concurrency test runs writers as separate processes of this test
// binary.
const storeChildEnv = "FIELDVAULT_STORE_CHILD"

func init() {
	if spec := os.Getenv(storeChildEnv); spec != "" {
		os.Exit(storeChild(spec))
	}
}

// storeChild makes n changes on the study: a consent record, a flag and
// an ingest in turn, on its own participant and document.
func storeChild(spec string) int {
	// spec: url|identity|writer|n
	parts := strings.Split(spec, "|")
	var n int
	fmt.Sscan(parts[3], &n)
	w := parts[2]
	s, err := Open(parts[0], Options{Providers: testProviders, IdentityFile: parts[1]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "fv-child-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for i := range n {
		switch i % 3 {
		case 0:
			_, err = s.RecordConsent(ctx, ConsentRequest{Handle: "P" + w, Form: fmt.Sprintf("v%d", i), Signed: "2025-01-10", Scopes: []policy.Scope{"participate", "quote"}})
		case 1:
			// Each flag a kind and range of its own: an identical flag
			// (carried onto the new version) is refused as a duplicate.
			kinds := []policy.FlagKind{policy.FlagDNQ, policy.FlagConfidential, policy.FlagStruck, policy.FlagOffRecord}
			k, r := i/3%len(kinds), i/3/len(kinds)%3
			from, to := []int{1, 1, 2}[r], []int{1, 2, 2}[r]
			err = s.Flag(ctx, FlagRequest{Doc: "D" + w, From: from, To: to, Kind: kinds[k], Reason: fmt.Sprintf("writer %s change %d", w, i)})
		case 2:
			in := filepath.Join(dir, fmt.Sprintf("t%d.txt", i))
			os.WriteFile(in, []byte(fmt.Sprintf("Interviewer: Change %d of writer %s?\nP: Yes.\n", i, w)), 0o600)
			_, err = s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P" + w}, VersionOf: "D" + w})
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "writer %s change %d: %v\n", w, i, err)
			return 1
		}
	}
	fmt.Printf("lost races: %d\n", s.lostRaces)
	return 0
}

// TestStoreConcurrentWriters: four processes make 25 changes each at once
// on one study on object storage (consent records, flags, ingests):
// nothing is lost, the audit chain is one line that verifies, and the
// generation count equals the number of commits.
func TestStoreConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("four processes, 100 commits")
	}
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	const writers, changes = 4, 25
	for w := 1; w <= writers; w++ {
		h := fmt.Sprint(w)
		addParticipant(t, ss.Study, "P"+h, "Writer Participant "+h, "participate")
		in := writeFile(t, "t.txt", "Interviewer: First question for writer "+h+"?\nP: Yes.\n")
		if _, err := ss.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P" + h}, Handle: "D" + h}); err != nil {
			t.Fatal(err)
		}
	}
	base, err := ss.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	outs := make([][]byte, writers)
	for w := 1; w <= writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), storeChildEnv+"="+strings.Join([]string{ss.url, ss.id, fmt.Sprint(w), fmt.Sprint(changes)}, "|"))
			outs[w-1], errs[w-1] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	lost := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v\n%s", i+1, err, outs[i])
		}
		var n int
		fmt.Sscanf(string(outs[i]), "lost races: %d", &n)
		lost += n
	}
	if lost == 0 {
		t.Errorf("no writer ever lost a race: the test did not run the writers at once")
	}
	t.Logf("%d commits run again after losing the race", lost)
	cat := checkStudy(t, ss.Study, int(base.Audit.Seq)+writers*changes)
	if want := base.Generation + writers*changes; cat.Generation != want {
		t.Errorf("generation %d, want %d", cat.Generation, want)
	}
	entries, err := ss.AuditLog(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries[base.Audit.Seq:] {
		got[e.Action+" "+strings.Join(e.Participants, ",")+strings.Join(e.Handles, ",")]++
	}
	for w := 1; w <= writers; w++ {
		for key, want := range map[string]int{
			fmt.Sprintf("consent-record P%d", w): (changes + 2) / 3,
			fmt.Sprintf("flag P%dD%d", w, w):     (changes + 1) / 3,
			fmt.Sprintf("ingest P%dD%d", w, w):   changes / 3,
		} {
			if got[key] != want {
				t.Errorf("%q: %d entries, want %d", key, got[key], want)
			}
		}
	}
	if n := len(storeKeys(t, ss.Study, ObjectsDir+"/")); n != writers*(1+changes/3) {
		t.Errorf("%d objects, want %d (no orphan, none lost)", n, writers*(1+changes/3))
	}
}

// copyStudy copies every item of a study on object storage to prefix in
// the same bucket and returns the copy's location.
func copyStudy(tb testing.TB, s *Study, url string) string {
	tb.Helper()
	loc, err := store.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	dst, err := store.OpenS3(context.Background(), loc)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for _, k := range storeKeys(tb, s, "") {
		r, err := s.Store.Get(ctx, k)
		if err != nil {
			tb.Fatal(err)
		}
		_, err = dst.PutNew(ctx, k, func(w io.Writer) error {
			_, err := io.Copy(w, r)
			return err
		})
		r.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	return url
}

// TestStoreCrash kills a real process at every step of a commit on object
// storage (uploads done, before the catalogue's conditional write; after
// it, before the audit segment; before the removal of an erased object).
// After each kill verify --read-data and audit verify find no problem, the
// generation is the one before or after the command, the chain is one
// line, and the next writer completes the audit log.
func TestStoreCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	srv := s3test.Start(t)
	base := newStoreStudy(t, srv)
	addParticipant(t, base.Study, "P1", "Genevieve Okafor-Hale", "participate", "quote", "record-audio", "archive")
	transcript := writeFile(t, "t.txt", "Interviewer: How did it start?\nGenevieve Okafor-Hale: At the depot in Wexcombe.\n")
	if _, err := base.Ingest(ctx, IngestRequest{Path: transcript, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	cat0, _ := base.Catalog()
	bucket := strings.SplitN(strings.TrimPrefix(base.url, "s3://"), "/", 2)[0]
	kills, completions := 0, 0
	for _, cmd := range []string{"ingest", "flag", "consent", "withdraw-erase", "export", "doc-remove"} {
		for _, step := range []string{"before-catalog-replace", "before-audit-append", "before-object-remove"} {
			for n := 1; n < 5; n++ {
				name := fmt.Sprintf("%s killed %s #%d", cmd, step, n)
				url := copyStudy(t, base.Study, fmt.Sprintf("s3://%s/crash-%s-%s-%d", bucket, cmd, step, n))
				t.Setenv("XDG_STATE_HOME", t.TempDir())
				input := filepath.Join(t.TempDir(), "in.txt")
				os.WriteFile(input, []byte("Interviewer: And then?\nGenevieve Okafor-Hale: We moved on.\n"), 0o600)
				spec := strings.Join([]string{cmd, step, fmt.Sprint(n), url, base.id, input}, "|")
				killed := runCrashChild(t, name, spec)
				s, err := Open(url, Options{Providers: testProviders, IdentityFile: base.id})
				if err != nil {
					t.Fatalf("%s: open: %v", name, err)
				}
				cat, err := s.Catalog()
				if err != nil {
					t.Fatalf("%s: catalogue: %v", name, err)
				}
				if g := cat.Generation; g != cat0.Generation && g != cat0.Generation+1 {
					t.Errorf("%s: generation %d, want %d or %d", name, g, cat0.Generation, cat0.Generation+1)
				}
				if rep, err := s.Verify(true); err != nil || !rep.OK() {
					t.Errorf("%s: verify --read-data: %v %v", name, err, rep.Problems)
				}
				arep, err := s.VerifyAudit(ctx, "")
				if err != nil || !arep.OK() || arep.Entries != int(cat.Audit.Seq) {
					t.Errorf("%s: audit verify: %v %+v", name, err, arep)
				}
				if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P9", Name: "Oswin Threlkeld"}}); err != nil {
					t.Errorf("%s: next writer: %v", name, err)
				}
				checkStudy(t, s, 0)
				if out := input + ".export.md"; cmd == "export" && fileExists(out) {
					entries, _ := s.AuditLog(AuditFilter{Action: cmd})
					if len(entries) == 0 || entries[len(entries)-1].Outcome != "ok" {
						t.Errorf("%s: %s was delivered but the audit log holds no %s", name, filepath.Base(out), cmd)
					}
				}
				if !killed {
					completions++
					break
				}
				kills++
			}
		}
	}
	t.Logf("processes killed: %d; runs that completed: %d", kills, completions)
	if kills < 10 {
		t.Errorf("only %d kills: the crash points are not reached", kills)
	}
}

// killAtPut stops the server when an item under prefix is about to be
// written (once).
type killAtPut struct {
	store.Backend
	prefix string
	once   sync.Once
	kill   func()
}

func (k *killAtPut) PutNew(ctx context.Context, key string, fill store.Fill) (store.Info, error) {
	if strings.HasPrefix(key, k.prefix) {
		k.once.Do(k.kill)
	}
	return k.Backend.PutNew(ctx, key, fill)
}

// TestStoreServerStoppedAtOtherSteps: the server stopped while the
// object is being uploaded, or while the writer completes the segment of
// the commit before its own, leaves the study as it was; stopped after the
// commit point, before the audit segment, the change stands (the command
// says so in a note), the entries are held in the catalogue and the next
// writer writes their segment, keeping the chain one line.
func TestStoreServerStoppedAtOtherSteps(t *testing.T) {
	for _, tc := range []struct {
		name      string
		prefix    func(before *Catalog) string
		committed bool
	}{
		{"at the upload", func(*Catalog) string { return ObjectsDir + "/" }, false},
		{"completing the segment of the commit before", func(c *Catalog) string { return segmentKey(c.Audit.Pending[0].Seq) }, false},
		{"after the commit point", func(c *Catalog) string { return segmentKey(c.Audit.Seq + 1) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := s3test.Start(t)
			ss := newStoreStudy(t, srv)
			addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
			before, _ := ss.Catalog()
			s := ss.open(t, func(b store.Backend) store.Backend {
				return &killAtPut{Backend: b, prefix: tc.prefix(before), kill: srv.Kill}
			})
			var notes []string
			s.Notes = func(n string) { notes = append(notes, n) }
			in := writeFile(t, "t.txt", "Interviewer: Where?\nBramwell Ashdown: In Wexcombe.\n")
			_, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}})
			if tc.committed != (err == nil) {
				t.Fatalf("ingest: %v (committed: want %v)", err, tc.committed)
			}
			if err != nil && (!errors.Is(err, store.ErrUnreachable) || strings.Contains(err.Error(), "\n")) {
				t.Errorf("error %q: want one line, store unreachable", err)
			}
			if tc.committed && !strings.Contains(strings.Join(notes, "\n"), "audit segment could not be written") {
				t.Errorf("notes %q: want the missing segment reported", notes)
			}
			srv.Restart(t)
			after := ss.open(t, nil)
			cat, err := after.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			want := before.Generation
			if tc.committed {
				want++
			}
			if cat.Generation != want {
				t.Errorf("generation %d, want %d", cat.Generation, want)
			}
			arep, err := after.VerifyAudit(ctx, "")
			if err != nil || !arep.OK() || arep.Entries != int(cat.Audit.Seq) {
				t.Fatalf("audit verify: %v %+v", err, arep)
			}
			if err := after.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Ysolde Farquharson"}}); err != nil {
				t.Fatal(err)
			}
			checkStudy(t, after, int(cat.Audit.Seq)+1)
		})
	}
}

// TestStorePlantedSegment: a segment someone else wrote where the next
// commit's entries belong (an edited or forged log) is not taken for the
// study's: the commit stands with its entries held in the catalogue, the
// next writer refuses to extend the log (exit 4's integrity error), and
// audit verify names the first bad entry.
func TestStorePlantedSegment(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown")
	cat, _ := ss.Catalog()
	forged := Entry{Action: "init", Actor: "someone", Outcome: "ok"}
	forged.seal(cat.Audit.Seq+1, cat.Audit.Hash)
	if _, err := ss.Store.PutNew(ctx, segmentKey(cat.Audit.Seq+1), bytesFill(forged.line())); err != nil {
		t.Fatal(err)
	}
	var notes []string
	ss.Notes = func(n string) { notes = append(notes, n) }
	if err := ss.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatalf("the commit itself stands: %v", err)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "audit segment could not be written") {
		t.Errorf("notes %q: want the segment reported", notes)
	}
	err := ss.AddParticipants(ctx, []ParticipantRequest{{Handle: "P3", Name: "Oswin Threlkeld"}})
	if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "differs from the entries the catalogue committed") {
		t.Errorf("next writer: %v, want an integrity error", err)
	}
	rep, err := ss.VerifyAudit(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.First == nil || rep.First.Seq != cat.Audit.Seq+1 {
		t.Errorf("audit verify: %+v, want the forged entry %d named", rep, cat.Audit.Seq+1)
	}
}

// failConfigOnce fails the first replacement of fieldvault.json, as a
// store that went away just after the commit point would.
type failConfigOnce struct {
	store.Backend
	failed bool
}

func (f *failConfigOnce) Replace(ctx context.Context, key, match string, fill store.Fill) (store.Info, error) {
	if key == ConfigFile && !f.failed {
		f.failed = true
		return store.Info{}, fmt.Errorf("%w (injected)", store.ErrUnreachable)
	}
	return f.Backend.Replace(ctx, key, match, fill)
}

// TestStoreRecipientConfigLate: a colleague added as a researcher on
// object storage, the commit made but fieldvault.json not rewritten: the
// catalogue holds the new config, so the colleague reads and writes the
// study, and the next writer rewrites the file.
func TestStoreRecipientConfigLate(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	if _, err := ss.Ingest(ctx, IngestRequest{Path: writeFile(t, "t.txt", "Interviewer: Where?\nBramwell Ashdown: In Wexcombe.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	colleague := writeFile(t, "colleague.txt", id.String()+"\n")
	s := ss.open(t, func(b store.Backend) store.Backend { return &failConfigOnce{Backend: b} })
	var notes []string
	s.Notes = func(n string) { notes = append(notes, n) }
	res, err := s.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: id.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 2 || !strings.Contains(strings.Join(notes, "\n"), "could not be rewritten") {
		t.Errorf("re-encrypted %d files (want the object and the key), notes %q", res.Files, notes)
	}
	cfg, _, err := readConfigStore(ctx, s.Store)
	if err != nil || slices.Contains(cfg.Recipients[ClassRaw], id.Recipient().String()) {
		t.Fatalf("config file: %v, %v: want the old recipients still", err, cfg.Recipients)
	}
	c, err := Open(ss.url, Options{Providers: testProviders, IdentityFile: colleague, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "open.txt")
	if _, err := c.OpenDoc(ctx, OpenRequest{Handle: "D1", Output: out}); err != nil {
		t.Fatalf("the colleague opens D1: %v", err)
	}
	if err := c.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatalf("the colleague writes: %v", err)
	}
	if cfg, _, err = readConfigStore(ctx, c.Store); err != nil || !slices.Contains(cfg.Recipients[ClassRaw], id.Recipient().String()) {
		t.Errorf("config file after the next writer: %v, %v: want the colleague listed", err, cfg.Recipients)
	}
	checkStudy(t, c, 0)
	if n := len(storeKeys(t, c, ObjectsDir+"/")); n != 1 {
		t.Errorf("%d objects, want the re-encrypted one only", n)
	}
}

// TestStoreForeignItems: a study made under another study's prefix is
// refused at init; items that are not the study's under its prefix (a
// study someone placed there by other means, a stray file) are never
// taken for its own: not swept as orphans however old, not read as audit
// segments, not copied by a backup, and verify names them.
func TestStoreForeignItems(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	nested := ss.url + "/" + ObjectsDir + "/nest"
	_, err := Init(ctx, nested, InitOptions{Options: Options{Providers: testProviders, IdentityFile: ss.id}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "lies inside the study at "+ss.url+"/") || strings.Contains(err.Error(), "\n") {
		t.Errorf("init inside the study: %v, want one line naming the enclosing study", err)
	}
	foreign := map[string]string{
		ObjectsDir + "/other/" + ConfigFile:                                        `{"format":1}`,
		ObjectsDir + "/other/" + CatalogFile:                                       "another study's catalogue",
		ObjectsDir + "/ab/notes.age":                                               "a file someone put here",
		AuditSegmentDir + "nest/" + AuditSegmentDir + "00000000000000000001.jsonl": `{"seq":1,"action":"init"}`,
		AuditSegmentDir + "readme.jsonl":                                           "not a segment",
		KeysDir + "/other.age":                                                     "another key",
	}
	for k, v := range foreign {
		if _, err := ss.Store.PutNew(ctx, k, bytesFill([]byte(v))); err != nil {
			t.Fatal(err)
		}
	}
	old := orphanGrace
	orphanGrace = 0
	defer func() { orphanGrace = old }()
	s := ss.open(t, nil)
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatal(err)
	}
	for k, v := range foreign {
		data, _, err := getItem(ctx, s.Store, k)
		if err != nil || string(data) != v {
			t.Errorf("%s after a writer's sweep: %q, %v; want it left alone", k, data, err)
		}
	}
	checkStudy(t, s, 4) // init, register, register, and the consent
	rep, err := s.Verify(false)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(rep.Notes, "\n")
	for _, k := range []string{ObjectsDir + "/other/" + CatalogFile, ObjectsDir + "/ab/notes.age"} {
		if !strings.Contains(notes, k+" is not an object of this study") {
			t.Errorf("verify notes %q: want %s named as not the study's", notes, k)
		}
	}
	dir := filepath.Join(t.TempDir(), "copy")
	if _, err := s.Backup(ctx, BackupRequest{Output: dir + "/"}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{filepath.Join(ObjectsDir, "other"), filepath.Join(ObjectsDir, "ab", "notes.age"), filepath.Join(KeysDir, "other.age")} {
		if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
			t.Errorf("the backup holds %s, which is not the study's", rel)
		}
	}
}

// failDeletes refuses to delete objects, as a store that became
// unreachable right after a commit would.
type failDeletes struct{ store.Backend }

func (f failDeletes) Delete(ctx context.Context, key string) error {
	if strings.HasPrefix(key, ObjectsDir+"/") {
		return &store.Error{Store: "bucket test", Op: "delete", Key: key, Err: store.ErrUnreachable}
	}
	return f.Backend.Delete(ctx, key)
}

// TestStoreReplacedObjectsRemoved: when the objects a committed recipient
// removal replaced could not be removed after the commit (the store
// unreachable, the command killed), the removed recipient could still
// decrypt them in the bucket until a writer swept them as orphans a day
// later; now the commit lists them, verify names them, and the next
// command that changes the study removes them at once, so no object in
// the bucket is readable with the removed identity.
func TestStoreReplacedObjectsRemoved(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	in := writeFile(t, "t.txt", "Interviewer: Where?\nBramwell Ashdown: In Wexcombe.\n")
	if _, err := ss.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	secondID, secondRcpt := newIdentityFile(t)
	if _, err := ss.AddRecipient(ctx, RecipientRequest{Role: RoleSupervisor, Recipient: secondRcpt, Label: "Prof Test"}); err != nil {
		t.Fatal(err)
	}
	second, err := age.ParseIdentities(strings.NewReader(mustRead(t, secondID)))
	if err != nil {
		t.Fatal(err)
	}
	// readable counts the objects in the bucket the second identity
	// decrypts.
	readable := func(s *Study) int {
		n := 0
		for _, k := range storeKeys(t, s, ObjectsDir+"/") {
			r, err := s.Store.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := age.Decrypt(r, second...); err == nil {
				n++
			}
			r.Close()
		}
		return n
	}
	s := ss.open(t, func(b store.Backend) store.Backend { return failDeletes{b} })
	if readable(s) != 1 {
		t.Fatalf("the supervisor reads %d objects before the removal, want 1", readable(s))
	}
	var notes []string
	s.Notes = func(n string) { notes = append(notes, n) }
	if _, err := s.RemoveRecipient(ctx, "Prof Test"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "could not be removed") {
		t.Errorf("notes %q: want the object left reported", notes)
	}
	after := ss.open(t, nil)
	if n := readable(after); n != 1 {
		t.Fatalf("%d objects readable by the removed supervisor before the next command, want 1 (the removal's old object)", n)
	}
	rep, err := after.Verify(false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "replaced or erased by a committed change") {
		t.Errorf("verify notes %q: want the replaced object named", rep.Notes)
	}
	notes = nil
	after.Notes = func(n string) { notes = append(notes, n) }
	if err := after.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatal(err)
	}
	if n := readable(after); n != 0 {
		t.Errorf("%d objects in the bucket still readable by the removed supervisor after the next command, want 0", n)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "which a committed change replaced or erased") {
		t.Errorf("notes %q: want the removal reported", notes)
	}
	cat := checkStudy(t, after, 0)
	if len(cat.Replaced) != 0 {
		t.Errorf("the catalogue still lists %v as replaced", cat.Replaced)
	}
	if n := len(storeKeys(t, after, ObjectsDir+"/")); n != 1 {
		t.Errorf("%d objects, want 1", n)
	}
}

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

// TestStoreManyObjects: listings of more than one page (S3 answers at
// most 1,000 keys at a time) are read whole: verify sees every object
// under the prefix, and a writer sweeps every orphan, not only the first
// page's.
func TestStoreManyObjects(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	const n = 1013
	ids := make(chan string)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for id := range ids {
				if _, err := ss.Store.PutNew(ctx, objectKey(id), bytesFill([]byte("x"))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range n {
		ids <- uuid.NewString()
	}
	close(ids)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep, err := ss.Verify(false)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Notes); got != n {
		t.Errorf("verify notes %d unreferenced objects, want %d", got, n)
	}
	old := orphanGrace
	orphanGrace = 0
	defer func() { orphanGrace = old }()
	s := ss.open(t, nil)
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	var notes []string
	s.Notes = func(m string) { notes = append(notes, m) }
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatal(err)
	}
	if left := len(storeKeys(t, s, ObjectsDir+"/")); left != 0 || len(notes) != n {
		t.Errorf("after the sweep %d objects left, %d removals reported; want 0 and %d", left, len(notes), n)
	}
}

// TestStoreUnfinishedUpload: the parts of a multipart upload a killed
// command left (no object, but stored and billed) are named by verify,
// and aborted by a writer once they are older than the grace period.
func TestStoreUnfinishedUpload(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	loc := ss.Store.(*store.S3).Loc
	key := objectKey(uuid.NewString())
	if _, err := srv.Client().CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Prefix + key)}); err != nil {
		t.Fatal(err)
	}
	uploadNotes := func(s *Study) []string {
		rep, err := s.Verify(false)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range rep.Notes {
			if strings.Contains(n, "unfinished upload of "+key) {
				out = append(out, n)
			}
		}
		return out
	}
	if n := uploadNotes(ss.Study); len(n) != 1 || !strings.Contains(n[0], "aborts it once it is 24h0m0s old") {
		t.Errorf("verify notes %q: want the unfinished upload named, kept for the grace period", n)
	}
	old := orphanGrace
	orphanGrace = 0
	defer func() { orphanGrace = old }()
	s := ss.open(t, nil)
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatal(err)
	}
	if n := uploadNotes(s); len(n) != 0 {
		t.Errorf("verify notes %q after a writer's sweep, want the upload aborted", n)
	}
}

// deniedSweep is a store whose credentials may write but not delete
// objects or list multipart uploads (a common bucket policy).
type deniedSweep struct{ store.Backend }

func (d deniedSweep) Delete(ctx context.Context, key string) error {
	return &store.Error{Store: "bucket test", Op: "delete", Key: key, Err: store.ErrDenied}
}

func (d deniedSweep) SweepUploads(context.Context, time.Duration) ([]string, error) {
	return nil, &store.Error{Store: "bucket test", Op: "sweep", Err: store.ErrDenied}
}

// TestStoreSweepDenied: a writer whose credentials may not remove an old
// orphan or sweep uploads still commits its change, and says what it left.
func TestStoreSweepDenied(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	orphan := objectKey(uuid.NewString())
	if _, err := ss.Store.PutNew(ctx, orphan, bytesFill([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	old := orphanGrace
	orphanGrace = 0
	defer func() { orphanGrace = old }()
	s := ss.open(t, func(b store.Backend) store.Backend { return deniedSweep{b} })
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	var notes []string
	s.Notes = func(n string) { notes = append(notes, n) }
	if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatalf("a change with a sweep denied: %v", err)
	}
	all := strings.Join(notes, "\n")
	if !strings.Contains(all, orphan+", which no commit references, could not be removed") || !strings.Contains(all, "unfinished uploads were not swept") {
		t.Errorf("notes %q: want what was left said", notes)
	}
	if cat, _ := ss.open(t, nil).Catalog(); len(cat.Participants) != 1 {
		t.Errorf("%d participants, want the change committed", len(cat.Participants))
	}
}

// cutGets makes every read of an object fail after the first cut bytes,
// as a connection closed mid-body by a server that stopped does.
type cutGets struct {
	store.Backend
	prefix string
	cut    int64
}

func (c cutGets) Get(ctx context.Context, key string) (*store.Reader, error) {
	r, err := c.Backend.Get(ctx, key)
	if err != nil || !strings.HasPrefix(key, c.prefix) {
		return r, err
	}
	cut := &store.Error{Store: "bucket test", Op: "get", Key: key, Err: fmt.Errorf("%w: the connection was closed mid-request", store.ErrUnreachable)}
	r.ReadCloser = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(r.ReadCloser, c.cut), errReader{cut}), r.ReadCloser}
	return r, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestStoreCutMidObject: the store failing while an object is read (the
// server stopped, the connection cut), in its header or in its payload,
// is the store's error (exit 1, one line naming the bucket), not an
// integrity problem (exit 4: "damaged, restore from a backup"), for an
// open and for the re-encryption of a recipient change; the study is as
// it was.
func TestStoreCutMidObject(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	in := writeFile(t, "t.txt", "Interviewer: Where?\n"+strings.Repeat("Bramwell Ashdown: In Wexcombe, by the depot.\n", 2000))
	if _, err := ss.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	before, _ := ss.Catalog()
	_, rcpt := newIdentityFile(t)
	for _, tc := range []struct {
		name, prefix string
		cut          int64
	}{
		{"in the header", ObjectsDir + "/", 40},
		{"in the payload", ObjectsDir + "/", 70000},
		{"in the catalogue's payload", CatalogFile, 400},
	} {
		for _, op := range []string{"open", "recipient add", "verify --read-data"} {
			t.Run(op+" "+tc.name, func(t *testing.T) {
				s := ss.open(t, func(b store.Backend) store.Backend { return cutGets{b, tc.prefix, tc.cut} })
				var err error
				switch op {
				case "open":
					_, err = s.OpenDoc(ctx, OpenRequest{Handle: "D1", Output: filepath.Join(t.TempDir(), "out.txt")})
				case "recipient add":
					_, err = s.AddRecipient(ctx, RecipientRequest{Role: RoleSupervisor, Recipient: rcpt})
				case "verify --read-data":
					var rep *VerifyReport
					if rep, err = s.Verify(true); err == nil {
						err = fmt.Errorf("verify reported %v", rep.Problems)
					}
				}
				if err == nil || errors.Is(err, ErrIntegrity) || !errors.Is(err, store.ErrUnreachable) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "failed to") {
					t.Errorf("error %v: want the store's one line, no integrity problem", err)
				}
			})
		}
	}
	after, _ := ss.open(t, nil).Catalog()
	if after.Generation != before.Generation {
		t.Errorf("generation %d, want %d (nothing committed)", after.Generation, before.Generation)
	}
	checkStudy(t, ss.open(t, nil), 0)
}

// laggingList answers listings without the objects and the audit
// segments after the first, as a store whose listing index lags behind its
// writes does.
type laggingList struct{ store.Backend }

func (l laggingList) List(ctx context.Context, prefix string, fn func(store.Info) error) error {
	return l.Backend.List(ctx, prefix, func(i store.Info) error {
		if strings.HasPrefix(i.Key, ObjectsDir+"/") || strings.HasPrefix(i.Key, AuditSegmentDir) && i.Key != segmentKey(1) {
			return nil
		}
		return fn(i)
	})
}

// TestStoreLaggingListing: a listing that does not show objects yet is
// not taken for their absence: verify asks for an object before calling
// it missing (it was exit 4, "object is missing"), and a backup copies the
// objects the catalogue references (it left them out, and the copy did not
// verify).
func TestStoreLaggingListing(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	in := writeFile(t, "t.txt", "Interviewer: Where?\nBramwell Ashdown: In Wexcombe.\n")
	if _, err := ss.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	s := ss.open(t, func(b store.Backend) store.Backend { return laggingList{b} })
	for _, readData := range []bool{false, true} {
		rep, err := s.Verify(readData)
		if err != nil || !rep.OK() {
			t.Errorf("verify (read data %v): %v %v, want no problem", readData, err, rep.Problems)
		}
	}
	cat, _ := ss.Catalog()
	arep, err := s.VerifyAudit(ctx, "")
	if err != nil || !arep.OK() || arep.Entries != int(cat.Audit.Seq) {
		t.Errorf("audit verify: %v %+v, want %d entries, no problem", err, arep, cat.Audit.Seq)
	}
	dir := filepath.Join(t.TempDir(), "copy")
	res, err := s.Backup(ctx, BackupRequest{Output: dir + "/"})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if res.Verify == nil || res.Verify.Objects != 1 {
		t.Errorf("backup verified %+v, want the one object", res.Verify)
	}
	// An object that is really gone is still found missing.
	d, _ := cat.Doc("D1")
	if err := ss.Store.Delete(ctx, objectKey(d.Latest().Object)); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify(false)
	if err != nil || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "object is missing") {
		t.Errorf("verify with the object deleted: %v %v, want it missing", err, rep.Problems)
	}
	if _, err := s.Backup(ctx, BackupRequest{Output: filepath.Join(t.TempDir(), "copy2") + "/"}); !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("backup with the object deleted: %v, want it missing (integrity)", err)
	}
}

// TestStoreConcurrentOutputs: on object storage no lock keeps two
// commands on one machine apart, so one's recovery ran while the other
// was staging an output and removed it as "an unfinished output left by an
// interrupted command" (seven of eight concurrent exports failed). A live
// command's staged output is left to it; an ended command's is still
// cleaned up.
func TestStoreConcurrentOutputs(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	a, b := ss.open(t, nil), ss.open(t, nil)
	out := filepath.Join(t.TempDir(), "out.txt")
	started, proceed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		done <- a.Update(ctx, func(tx *Tx) error {
			if err := tx.StageOutput(out, func(w io.Writer) error {
				_, err := io.WriteString(w, "the staged words\n")
				return err
			}); err != nil {
				return err
			}
			once.Do(func() { close(started) })
			<-proceed
			return nil
		})
	}()
	<-started
	var notes []string
	b.Notes = func(n string) { notes = append(notes, n) }
	if err := b.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Ysolde Farquharson"}}); err != nil {
		t.Fatal(err)
	}
	close(proceed)
	if err := <-done; err != nil {
		t.Fatalf("the command staging an output while another committed: %v", err)
	}
	if got, _ := os.ReadFile(out); string(got) != "the staged words\n" {
		t.Errorf("output %q, want it delivered", got)
	}
	if len(notes) != 0 {
		t.Errorf("the other command's notes %q, want none", notes)
	}
	// An ended command's staged output (its owner file no longer locked)
	// is removed by the next writer.
	idir, err := a.intentDir()
	if err != nil {
		t.Fatal(err)
	}
	owner := "0c0ffee0-0000-4000-8000-000000000000"
	os.WriteFile(filepath.Join(idir, livePrefix+owner), nil, 0o600)
	left := filepath.Join(filepath.Dir(out), tempPrefix+"gone.txt-123")
	os.WriteFile(left, []byte("partial"), 0o600)
	if err := writeIntent(OS{}, filepath.Join(idir, intentPrefix+owner+".1"), outputIntent{Output: filepath.Join(filepath.Dir(out), "gone.txt")}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: "Oswin Threlkeld"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); err == nil {
		t.Errorf("an ended command's staged output is still there")
	}
	if entries, _ := os.ReadDir(idir); len(entries) > 1 { // a's own owner file stays while a lives
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("intent directory holds %v, want the ended command's files gone", names)
	}
}

// TestStoreLostRaceToRecipientChange: a change that lost the race to a
// recipient removal runs again on the new catalogue, and the object it had
// uploaded (encrypted to the recipients of before, the removed supervisor
// among them) is not reused: it is uploaded again for the recipients of
// now, and the first upload removed. Before, the removed supervisor could
// decrypt the new transcript.
func TestStoreLostRaceToRecipientChange(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	ctx := context.Background()
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	supID, supRcpt := newIdentityFile(t)
	if _, err := ss.AddRecipient(ctx, RecipientRequest{Role: RoleSupervisor, Recipient: supRcpt, Label: "Prof Test"}); err != nil {
		t.Fatal(err)
	}
	rival := ss.open(t, nil)
	s := ss.open(t, func(b store.Backend) store.Backend {
		return &conflictOnce{Backend: b, other: func() {
			if _, err := rival.RemoveRecipient(ctx, "Prof Test"); err != nil {
				t.Errorf("rival: %v", err)
			}
		}}
	})
	in := writeFile(t, "t.txt", "Interviewer: Where?\nBramwell Ashdown: In Wexcombe.\n")
	if _, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		t.Fatal(err)
	}
	sup, err := age.ParseIdentities(strings.NewReader(mustRead(t, supID)))
	if err != nil {
		t.Fatal(err)
	}
	keys := storeKeys(t, s, ObjectsDir+"/")
	if len(keys) != 1 {
		t.Errorf("%d objects, want 1 (the first upload removed)", len(keys))
	}
	for _, k := range keys {
		r, err := s.Store.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := age.Decrypt(r, sup...); err == nil {
			t.Errorf("%s: the removed supervisor decrypts the transcript ingested after the removal", k)
		}
		r.Close()
	}
	checkStudy(t, ss.open(t, nil), 0)
}

// TestStoreConfigTamper: someone with write access to the bucket but no
// identity adds their recipient to the bucket's fieldvault.json (no
// recipient change ever committed a copy of the config to the catalogue).
// The next command finds it before it encrypts anything to them.
func TestStoreConfigTamper(t *testing.T) {
	srv := s3test.Start(t)
	ss := newStoreStudy(t, srv)
	addParticipant(t, ss.Study, "P1", "Bramwell Ashdown", "participate")
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	s := ss.open(t, nil)
	cfg := *s.Config
	cfg.Recipients = map[string][]string{
		ClassCatalog: append(slices.Clone(s.Config.Recipients[ClassCatalog]), id.Recipient().String()),
		ClassRaw:     append(slices.Clone(s.Config.Recipients[ClassRaw]), id.Recipient().String()),
	}
	if err := s.writeConfig(&cfg); err != nil {
		t.Fatal(err)
	}
	s = ss.open(t, nil)
	_, err = s.Ingest(ctx, IngestRequest{Path: writeFile(t, "t.txt", "Bramwell Ashdown: In Wexcombe.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}})
	if !errors.Is(err, ErrIntegrity) || !strings.Contains(err.Error(), "lists catalog recipients other than the catalogue records") {
		t.Fatalf("ingest: %v, want an integrity error naming the config", err)
	}
	if rep, err := s.Verify(false); err != nil || rep.OK() {
		t.Errorf("verify: %v %+v, want a problem", err, rep)
	}
	for _, key := range append(storeKeys(t, s, ObjectsDir+"/"), CatalogFile) {
		r, err := s.Store.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := age.Decrypt(r, id); err == nil {
			t.Errorf("the attacker decrypts %s", key)
		}
		r.Close()
	}
}

// TestIsSegmentKey: only audit/<20 digits>.jsonl is a segment of the log;
// an item of another shape, or the same name outside audit/, is not.
func TestIsSegmentKey(t *testing.T) {
	for key, want := range map[string]bool{
		segmentKey(1):                                         true,
		segmentKey(12345678901234567890):                      true,
		AuditSegmentDir + "00000000000000000001.json":         false,
		AuditSegmentDir + "0000000000000000001.jsonl":         false,
		AuditSegmentDir + "0000000000000000000x.jsonl":        false,
		AuditSegmentDir + "sub/00000000000000000001.jsonl":    false,
		"00000000000000000001.jsonl":                          false,
		"x/" + AuditSegmentDir + "00000000000000000001.jsonl": false,
		"objects/ab/00000000000000000001.jsonl":               false,
	} {
		if got := isSegmentKey(key); got != want {
			t.Errorf("isSegmentKey(%q) = %v, want %v", key, got, want)
		}
	}
}
