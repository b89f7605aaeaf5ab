package vault

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
)

// newIdentityFile writes a fresh age identity and returns its path and
// recipient.
func newIdentityFile(tb testing.TB) (string, string) {
	tb.Helper()
	k, err := age.GenerateX25519Identity()
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(tb.TempDir(), "id.txt")
	if err := os.WriteFile(p, []byte(k.String()+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p, k.Recipient().String()
}

// rekeyStudy is a study with a raw transcript, a consent form (catalogue
// class) and a second researcher.
func rekeyStudy(tb testing.TB) (s *Study, secondID, secondRcpt string) {
	tb.Helper()
	s = newStudy(tb)
	addParticipant(tb, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	tr := writeFile(tb, "t.txt", "Interviewer: How did it start?\nGenevieve Okafor-Hale: At the depot in Wexcombe.\n")
	if _, err := s.Ingest(ctx, IngestRequest{Path: tr, Kind: policy.KindTranscript, Participants: []string{"P1"}}); err != nil {
		tb.Fatal(err)
	}
	form := writeFile(tb, "form.txt", "signed form (synthetic)\n")
	if _, err := s.Ingest(ctx, IngestRequest{Path: form, Kind: policy.KindConsentForm, Participants: []string{"P1"}}); err != nil {
		tb.Fatal(err)
	}
	secondID, secondRcpt = newIdentityFile(tb)
	return s, secondID, secondRcpt
}

// canRead reports whether an identity decrypts the catalogue and a raw
// object, and reads the pseudonym key.
func canRead(tb testing.TB, dir, idPath string) (catalog, raw bool) {
	tb.Helper()
	s, err := Open(dir, Options{Providers: testProviders, IdentityFile: idPath})
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := s.Catalog()
	if err != nil {
		if !errors.Is(err, ErrNotRecipient) {
			tb.Fatalf("catalogue: %v", err)
		}
		return false, false
	}
	var buf bytes.Buffer
	d, _ := cat.Doc("D1")
	err = readObject(dirObjects{OS{}, dir}, d.Latest(), s.Identity, false, &buf)
	if err != nil && !errors.Is(err, ErrNotRecipient) {
		tb.Fatalf("object: %v", err)
	}
	_, kerr := s.storedKey()
	if (err == nil) != (kerr == nil) {
		tb.Fatalf("raw object readable %v but pseudonym key readable %v", err == nil, kerr == nil)
	}
	return true, err == nil
}

func TestRecipientRotation(t *testing.T) {
	s, id2, r2 := rekeyStudy(t)
	officerID, officer := newIdentityFile(t)
	supID, sup := newIdentityFile(t)
	before, _, err := s.PseudonymFor(ctx, "Tobias Fenwick-Aldous", redact.KindPerson)
	if err != nil {
		t.Fatal(err)
	}
	if c, r := canRead(t, s.Dir, id2); c || r {
		t.Fatal("a stranger reads the vault")
	}
	steps := []struct {
		name string
		do   func() (*RecipientChange, error)
	}{
		{"add researcher", func() (*RecipientChange, error) {
			return s.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: r2, Label: "Dr Ama Brightwater"})
		}},
		{"add ethics", func() (*RecipientChange, error) {
			return s.AddRecipient(ctx, RecipientRequest{Role: RoleEthics, Recipient: officer, Label: "Ethics Office"})
		}},
		{"add supervisor", func() (*RecipientChange, error) {
			return s.AddRecipient(ctx, RecipientRequest{Role: RoleSupervisor, Recipient: sup})
		}},
	}
	for _, st := range steps {
		if _, err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	for _, tc := range []struct {
		name      string
		id        string
		cat, raw  bool
		wantLabel string
	}{
		{"second researcher", id2, true, true, "Dr Ama Brightwater (researcher)"},
		{"ethics officer", officerID, true, false, "Ethics Office (ethics officer)"},
		{"supervisor", supID, true, true, "supervisor " + Fingerprint(sup)},
	} {
		c, r := canRead(t, s.Dir, tc.id)
		if c != tc.cat || r != tc.raw {
			t.Errorf("%s: reads catalogue %v raw %v, want %v %v", tc.name, c, r, tc.cat, tc.raw)
		}
	}
	cfg, err := ReadConfig(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Label(r2), "Dr Ama Brightwater (researcher)"; got != want {
		t.Errorf("label: got %q, want %q", got, want)
	}
	// The second researcher removes the first; the first can no longer read.
	s2, err := Open(s.Dir, Options{Providers: testProviders, IdentityFile: id2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.RemoveRecipient(ctx, s2.Identity.Recipient); err == nil {
		t.Error("removing the acting identity was allowed")
	}
	if _, err := s2.RemoveRecipient(ctx, s.Identity.Recipient); err != nil {
		t.Fatal(err)
	}
	if c, r := canRead(t, s.Dir, s.Identity.Path); c || r {
		t.Errorf("the removed researcher still reads: catalogue %v raw %v", c, r)
	}
	if _, err := s2.RemoveRecipient(ctx, sup); err != nil {
		t.Fatal(err)
	}
	if _, r := canRead(t, s.Dir, supID); r {
		t.Error("the removed supervisor still reads raw material")
	}
	if _, err := s2.RemoveRecipient(ctx, "Dr Ama Brightwater"); err == nil || !strings.Contains(err.Error(), "last researcher recipient") {
		t.Errorf("removing the last researcher (who acts): %v", err)
	}
	officerStudy, _ := Open(s.Dir, Options{Providers: testProviders, IdentityFile: officerID})
	if _, err := officerStudy.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: officer}); err == nil {
		t.Error("an ethics officer changed the recipients")
	}
	rep, err := s2.Verify(true)
	if err != nil || !rep.OK() || rep.Unread != 0 {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	arep, err := s2.VerifyAudit(ctx, "")
	if err != nil || !arep.OK() {
		t.Fatalf("audit verify: %v %+v", err, arep)
	}
	entries, _ := s2.AuditLog(AuditFilter{Action: "recipient-remove"})
	if len(entries) != 2 || entries[0].Actor != r2 {
		t.Errorf("recipient-remove entries: %+v", entries)
	}
	// The first researcher's old entries still name them.
	if got := cfg.Label(s.Identity.Recipient); !strings.HasPrefix(got, "researcher ") {
		t.Errorf("label of the first researcher: %q", got)
	}
	// The pseudonym key is the same key: a new name derives the same
	// pseudonym before and after the rotation.
	after, _, err := s2.PseudonymFor(ctx, "Tobias Fenwick-Aldous", redact.KindPerson)
	if err != nil || after != before {
		t.Errorf("pseudonym after rotation: %v %v, before %v", err, after, before)
	}
}

func TestRecipientRefusals(t *testing.T) {
	s, _, r2 := rekeyStudy(t)
	before := snapshot(t, s.Dir)
	for _, tc := range []struct {
		name string
		req  RecipientRequest
	}{
		{"unknown role", RecipientRequest{Role: "dean", Recipient: r2}},
		{"not a recipient", RecipientRequest{Role: RoleEthics, Recipient: "age1notakey"}},
		{"label with a newline", RecipientRequest{Role: RoleEthics, Recipient: r2, Label: "a\nb"}},
		{"own role change", RecipientRequest{Role: RoleEthics, Recipient: s.Identity.Recipient}},
		{"already there", RecipientRequest{Role: RoleResearcher, Recipient: s.Identity.Recipient}},
	} {
		if _, err := s.AddRecipient(ctx, tc.req); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
	if res, err := s.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: s.Identity.Recipient, Label: "Dr Mei Okonkwo"}); err != nil || len(res.Classes) != 0 {
		t.Errorf("a corrected label: %v %+v", err, res)
	}
	if cfg, _ := ReadConfig(s.Dir); cfg.Label(s.Identity.Recipient) != "Dr Mei Okonkwo (researcher)" {
		t.Errorf("label after correction: %q", cfg.Label(s.Identity.Recipient))
	}
	before = snapshot(t, s.Dir)
	if _, err := s.RemoveRecipient(ctx, "age1nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove unknown: %v", err)
	}
	if _, err := s.RemoveRecipient(ctx, s.Identity.Recipient); err == nil {
		t.Error("removed the last researcher")
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
}

// TestRekeyCrash kills a real process at every write step of a
// re-encryption (adding a researcher, removing one). After each kill the
// vault verifies and reads with the acting identity; the next writer
// finishes the change, after which the added recipient reads everything and
// a removed one reads nothing.
func TestRekeyCrash(t *testing.T) {
	base, id2, r2 := rekeyStudy(t)
	steps := append([]string{"rekey-intent", "rekey-before-config", "rekey-before-intent-removal"}, crashSteps...)
	kills := 0
	for _, cmd := range []string{"recipient-add", "recipient-remove"} {
		src := base
		if cmd == "recipient-remove" {
			// A vault where the second researcher is already a recipient.
			dir := filepath.Join(t.TempDir(), "study")
			copyDir(t, base.Dir, dir)
			src, _ = Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path})
			if _, err := src.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: r2}); err != nil {
				t.Fatal(err)
			}
		}
		for _, step := range steps {
			for n := 1; n < 40; n++ {
				dir := filepath.Join(t.TempDir(), "study")
				copyDir(t, src.Dir, dir)
				spec := strings.Join([]string{cmd, step, strconv.Itoa(n), dir, src.Identity.Path, r2}, "|")
				c := exec.Command(os.Args[0], "-test.run=^$")
				c.Env = append(os.Environ(), crashEnv+"="+spec)
				out, err := c.CombinedOutput()
				killed := false
				if ee, ok := err.(*exec.ExitError); ok {
					ws, ok := ee.Sys().(syscall.WaitStatus)
					if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
						t.Fatalf("%s %s:%d: child failed: %v\n%s", cmd, step, n, err, out)
					}
					killed = true
				} else if err != nil {
					t.Fatal(err)
				}
				name := cmd + " killed " + step + " #" + strconv.Itoa(n)
				s, err := Open(dir, Options{Providers: testProviders, IdentityFile: src.Identity.Path})
				if err != nil {
					t.Fatalf("%s: open: %v", name, err)
				}
				if rep, err := s.Verify(true); err != nil || !rep.OK() || rep.Unread != 0 {
					t.Errorf("%s: verify --read-data: %v %+v", name, err, rep)
				}
				if err := s.Update(ctx, func(tx *Tx) error { return nil }); err != nil {
					t.Errorf("%s: next writer: %v", name, err)
				}
				if rep, _ := s.Verify(true); rep == nil || !rep.OK() || len(rep.Notes) != 0 {
					t.Errorf("%s: after the next writer: %+v", name, rep)
				}
				if arep, err := s.VerifyAudit(ctx, ""); err != nil || !arep.OK() {
					t.Errorf("%s: audit verify: %v %+v", name, err, arep)
				}
				// All or nothing: the config names the second researcher
				// exactly when every file is readable to them; a kill once
				// the intent is recorded always ends in the new state.
				cfg, _ := ReadConfig(dir)
				member := slices.Contains(cfg.Recipients[ClassRaw], r2) && slices.Contains(cfg.Recipients[ClassCatalog], r2)
				cat, raw := canRead(t, dir, id2)
				if cat != member || raw != member {
					t.Errorf("%s: second researcher reads catalogue %v raw %v, config names them: %v", name, cat, raw, member)
				}
				if strings.HasPrefix(step, "rekey-") && member != (cmd == "recipient-add") {
					t.Errorf("%s: the recorded change was not finished", name)
				}
				if !killed {
					break
				}
				kills++
			}
		}
	}
	t.Logf("processes killed: %d", kills)
	if kills < 20 {
		t.Errorf("only %d kills: the crash points are not reached", kills)
	}
}

// TestRekeyFaults fails every write step of a recipient change with each
// kind of disk fault. A failure before the commit rolls the files back (the
// config unchanged, the new recipient reads nothing); after it, the next
// writer finishes the change. Either way the vault verifies and its files
// agree with its config.
func TestRekeyFaults(t *testing.T) {
	base, id2, r2 := rekeyStudy(t)
	faults := map[string]error{"no space": syscall.ENOSPC, "I/O error": syscall.EIO, "short write": errShort}
	injected := 0
	for fname, fault := range faults {
		for n := 1; ; n++ {
			dir := filepath.Join(t.TempDir(), "study")
			copyDir(t, base.Dir, dir)
			s, err := Open(dir, Options{Providers: testProviders, IdentityFile: base.Identity.Path, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			cfgBefore, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
			ffs := &faultFS{n: n, fault: fault}
			s.FS = ffs
			_, err = s.AddRecipient(ctx, RecipientRequest{Role: RoleResearcher, Recipient: r2})
			if !ffs.hit {
				if err != nil {
					t.Fatalf("without a fault: %v", err)
				}
				break
			}
			injected++
			s.FS = OS{}
			name := fmt.Sprintf("%s/step %d", fname, n)
			cfgAfter, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
			if _, serr := os.Stat(filepath.Join(dir, rekeyFile)); err != nil && serr != nil {
				// Rolled back: nothing of the change remains.
				if !bytes.Equal(cfgBefore, cfgAfter) {
					t.Errorf("%s: the config changed though the change failed and was rolled back", name)
				}
				if c, r := canRead(t, dir, id2); c || r {
					t.Errorf("%s: rolled back, yet the new recipient reads catalogue %v raw %v", name, c, r)
				}
			}
			if rep, verr := s.Verify(true); verr != nil || !rep.OK() {
				t.Errorf("%s: verify: %v %+v", name, verr, rep)
			}
			if err := s.Update(ctx, func(tx *Tx) error { return nil }); err != nil {
				t.Errorf("%s: next writer: %v", name, err)
			}
			if rep, _ := s.Verify(true); rep == nil || !rep.OK() || len(rep.Notes) != 0 {
				t.Errorf("%s: after the next writer: %+v", name, rep)
			}
			cfg, _ := ReadConfig(dir)
			member := slices.Contains(cfg.Recipients[ClassRaw], r2)
			if c, r := canRead(t, dir, id2); c != member || r != member {
				t.Errorf("%s: config names the recipient %v; it reads catalogue %v raw %v", name, member, c, r)
			}
		}
	}
	t.Logf("faults injected: %d", injected)
	if injected < 30 {
		t.Errorf("only %d faults injected", injected)
	}
}
