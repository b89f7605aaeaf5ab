package vault

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

func day(n int) func() time.Time {
	return func() time.Time { return fixedNow().AddDate(0, 0, n) }
}

// retentionStudy: P1 and P2 with recordings; P1's is transcribed.
func retentionStudy(t *testing.T) *Study {
	t.Helper()
	s := newStudy(t)
	addParticipant(t, s, "P1", "Oluwaseun Abernethy", "participate", "quote", "record-audio")
	addParticipant(t, s, "P2", "Marguerite van der Linde", "participate", "quote", "record-audio")
	for _, in := range []struct {
		kind, who string
		at        int
	}{
		{policy.KindRecording, "P1", 0}, {policy.KindTranscript, "P1", 5}, {policy.KindRecording, "P2", 0}, {policy.KindFieldNotes, "P1", 1},
	} {
		s.Now = day(in.at)
		body := "binary audio " + in.who
		if in.kind != policy.KindRecording {
			body = "Interviewer: Where?\nOluwaseun Abernethy: In the allotment.\n"
		}
		if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "in.txt", body), Kind: in.kind, Participants: []string{in.who}, AllowDuplicate: true}); err != nil {
			t.Fatal(err)
		}
	}
	s.Now = fixedNow
	return s
}

func TestRetentionDestroy(t *testing.T) {
	s := retentionStudy(t)
	if err := s.SetRetention(ctx, policy.RetentionRule{Kind: policy.KindRecording, Basis: policy.BasisAfterTranscript, N: 30}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.RetentionState()
	if len(st.Due) != 0 || len(st.Schedule) != 2 || st.Schedule[0].Due.String() != "2026-04-18" || st.Schedule[1].Pending == "" {
		t.Fatalf("before the day: %+v", st)
	}
	res, err := s.DestroyDue(ctx)
	if err != nil || len(res.Destroyed) != 0 {
		t.Fatalf("nothing due: destroyed %+v, %v", res, err)
	}
	s.Now = day(35)
	d1, _ := s.Doc("D1")
	obj := d1.Latest().Object
	before := d1.Latest().SHA256
	res, err = s.DestroyDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Destroyed) != 1 || res.Destroyed[0].Document != "D1" || res.Objects != 1 {
		t.Fatalf("destroyed %+v", res)
	}
	tomb := res.Destroyed[0]
	if tomb.Kind != policy.KindRecording || tomb.SHA256 != before || tomb.Size == 0 || tomb.Due.String() != "2026-04-18" || !strings.Contains(tomb.Rule, "30 days after transcription") {
		t.Errorf("tombstone %+v", tomb)
	}
	if _, err := os.Stat(objectPath(s.Dir, obj)); !os.IsNotExist(err) {
		t.Errorf("object still on disk: %v", err)
	}
	d1, _ = s.Doc("D1")
	if !d1.Erased || d1.Destroyed == nil || d1.Latest().SHA256 != before || !strings.Contains(d1.GoneWhy(), "retention rule") {
		t.Errorf("document after destruction: %+v %q", d1, d1.GoneWhy())
	}
	if rep, err := s.Verify(true); err != nil || !rep.OK() || len(rep.Notes) != 0 {
		t.Errorf("verify: %v %+v", err, rep)
	}
	if arep, err := s.VerifyAudit(ctx, ""); err != nil || !arep.OK() {
		t.Errorf("audit verify: %v %+v", err, arep)
	}
	entries, _ := s.AuditLog(AuditFilter{Action: "retention-destroy"})
	if len(entries) != 1 || entries[0].Handles[0] != "D1" || entries[0].Hashes["v1"] != before {
		t.Errorf("audit entries %+v", entries)
	}
	_, err = s.OpenDoc(ctx, OpenRequest{Handle: "D1", W: &strings.Builder{}})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "retention rule") {
		t.Errorf("open of a destroyed recording: %v", err)
	}
	// Destruction again destroys nothing more.
	if res, err := s.DestroyDue(ctx); err != nil || len(res.Destroyed) != 0 {
		t.Errorf("second destruction: %+v %v", res, err)
	}
	st, _ = s.RetentionState()
	if len(st.Destroyed) != 1 || len(st.Due) != 0 {
		t.Errorf("state after: %+v", st)
	}
}

// TestRetentionDayZones: a rule's day has come only once it has begun both
// in UTC and where the command runs: west of Greenwich the evening before
// is already the due day in UTC, and nothing is destroyed then.
func TestRetentionDayZones(t *testing.T) {
	for _, tt := range []struct {
		name string
		now  time.Time
		due  bool
	}{
		{"Honolulu, the evening before (UTC: the due day)", time.Date(2026, 5, 31, 20, 0, 0, 0, time.FixedZone("HST", -10*3600)), false},
		{"Honolulu, the due day's morning", time.Date(2026, 6, 1, 8, 0, 0, 0, time.FixedZone("HST", -10*3600)), true},
		{"Auckland, the due day's morning (UTC: the day before)", time.Date(2026, 6, 1, 10, 0, 0, 0, time.FixedZone("NZST", 13*3600)), false},
		{"Auckland, the due day's afternoon", time.Date(2026, 6, 1, 14, 0, 0, 0, time.FixedZone("NZST", 13*3600)), true},
		{"UTC, midnight of the due day", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := retentionStudy(t)
			rule := policy.RetentionRule{Kind: policy.KindFieldNotes, Basis: policy.BasisOnDate}
			rule.Date, _ = policy.ParseDate("2026-06-01")
			if err := s.SetRetention(ctx, rule); err != nil {
				t.Fatal(err)
			}
			s.Now = func() time.Time { return tt.now }
			st, err := s.RetentionState()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(st.Due) == 1; got != tt.due {
				t.Errorf("due today (%s): %v, want %v", st.Today, got, tt.due)
			}
			res, err := s.DestroyDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Destroyed) == 1; got != tt.due {
				t.Errorf("destroyed %+v, want destroyed: %v", res.Destroyed, tt.due)
			}
		})
	}
}

func TestRetentionHold(t *testing.T) {
	s := retentionStudy(t)
	if err := s.SetRetention(ctx, policy.RetentionRule{Kind: policy.KindRecording, Basis: policy.BasisAfterIngest, N: 10}); err != nil {
		t.Fatal(err)
	}
	if err := s.Hold(ctx, HoldRequest{Doc: "D3", Reason: "a complaint is being investigated"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Hold(ctx, HoldRequest{Doc: "D3"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("hold without a reason: %v", err)
	}
	s.Now = day(20)
	res, err := s.DestroyDue(ctx)
	if err != nil || len(res.Destroyed) != 1 || res.Destroyed[0].Document != "D1" {
		t.Fatalf("with D3 held: %+v %v", res, err)
	}
	st, _ := s.RetentionState()
	if len(st.Schedule) != 1 || !st.Schedule[0].Held || st.Schedule[0].IsDue {
		t.Errorf("held document: %+v", st.Schedule)
	}
	entries, _ := s.AuditLog(AuditFilter{Action: "retention-hold"})
	if len(entries) != 1 || strings.Contains(fmt.Sprint(entries[0]), "complaint") {
		t.Errorf("hold entry %+v (the reason stays out of the log)", entries)
	}
	if err := s.Hold(ctx, HoldRequest{Doc: "D3", Release: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Hold(ctx, HoldRequest{Doc: "D3", Release: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("release of a document not on hold: %v", err)
	}
	if err := s.Hold(ctx, HoldRequest{Doc: "D1", Reason: "too late"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("hold of a destroyed document: %v", err)
	}
	res, err = s.DestroyDue(ctx)
	if err != nil || len(res.Destroyed) != 1 || res.Destroyed[0].Document != "D3" {
		t.Fatalf("after release: %+v %v", res, err)
	}
}

func TestRetentionRequests(t *testing.T) {
	s := retentionStudy(t)
	snap := snapshot(t, s.Dir)
	for name, err := range map[string]error{
		"bad rule": s.SetRetention(ctx, policy.RetentionRule{Kind: policy.KindFieldNotes, Basis: policy.BasisAfterTranscript, N: 3}),
		"bad kind": s.SetRetention(ctx, policy.RetentionRule{Kind: "video", Basis: policy.BasisAfterIngest, N: 3}),
		"bad date": s.EndStudy(ctx, "2026-02-30"),
		"no doc":   s.Hold(ctx, HoldRequest{Doc: "D99", Reason: "x"}),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got := snapshot(t, s.Dir); !mapsEqual(got, snap) {
		t.Errorf("a refused request changed the vault")
	}
	if err := s.EndStudy(ctx, "2026-01-31"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRetention(ctx, policy.RetentionRule{Kind: policy.KindFieldNotes, Basis: policy.BasisAfterEnd, N: 5}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRetention(ctx, policy.RetentionRule{Kind: policy.KindFieldNotes, Basis: policy.BasisAfterEnd, N: 10}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.RetentionState()
	if len(st.Rules) != 1 || st.Rules[0].N != 10 || st.StudyEnd != "2026-01-31" || st.Schedule[0].Due.String() != "2036-01-31" {
		t.Errorf("state %+v", st)
	}
	if err := s.UnsetRetention(ctx, policy.KindRecording); !errors.Is(err, ErrNotFound) {
		t.Errorf("unset of a kind without a rule: %v", err)
	}
	if err := s.UnsetRetention(ctx, policy.KindFieldNotes); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.RetentionState(); len(st.Rules) != 0 || len(st.Schedule) != 0 {
		t.Errorf("after unset: %+v", st)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDestroyProperties: over random studies, a destruction removes
// exactly what was due — every due document's objects are gone and it has
// a tombstone; every other document is byte-for-byte as it was.
func TestDestroyProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 21))
	kinds := []string{policy.KindRecording, policy.KindTranscript, policy.KindFieldNotes}
	iterations := 12
	if testing.Short() {
		iterations = 3
	}
	totalDue, totalKept := 0, 0
	for it := 0; it < iterations; it++ {
		s := newStudy(t)
		addParticipant(t, s, "P1", "Ileana Moreno-Quist", "participate", "quote", "record-audio")
		addParticipant(t, s, "P2", "Tobias Ferreira", "participate", "quote", "record-audio")
		n := 3 + r.IntN(6)
		for i := 0; i < n; i++ {
			s.Now = day(r.IntN(60))
			who := []string{"P1", "P2"}[r.IntN(2)]
			if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "x.txt", "Interviewer: Yes?\nTobias Ferreira: No.\n"), Kind: kinds[r.IntN(3)], Participants: []string{who}, AllowDuplicate: true}); err != nil {
				t.Fatal(err)
			}
		}
		s.Now = fixedNow
		for _, k := range kinds {
			rule := policy.RetentionRule{Kind: k, Basis: policy.BasisAfterIngest, N: r.IntN(40)}
			if k == policy.KindRecording && r.IntN(2) == 0 {
				rule.Basis = policy.BasisAfterTranscript
			}
			if r.IntN(3) > 0 {
				if err := s.SetRetention(ctx, rule); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := 1; i <= n; i++ {
			if r.IntN(4) == 0 {
				if err := s.Hold(ctx, HoldRequest{Doc: fmt.Sprintf("D%d", i), Reason: "audit"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		s.Now = day(r.IntN(90))
		st, _ := s.RetentionState()
		var due []string
		for _, d := range st.Due {
			due = append(due, d.Handle)
		}
		before, _ := s.Catalog()
		res, err := s.DestroyDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var destroyed []string
		for _, tb := range res.Destroyed {
			destroyed = append(destroyed, tb.Document)
		}
		if !slices.Equal(destroyed, due) {
			t.Fatalf("iteration %d: destroyed %v, due %v", it, destroyed, due)
		}
		totalDue += len(due)
		totalKept += n - len(due)
		after, _ := s.Catalog()
		for i, d := range after.Documents {
			b := before.Documents[i]
			if slices.Contains(due, d.Handle) {
				if !d.Erased || d.Destroyed == nil || b.Hold != nil {
					t.Errorf("iteration %d: %s due but %+v (held before: %v)", it, d.Handle, d, b.Hold != nil)
				}
				continue
			}
			if d.Erased || d.Latest().Object != b.Latest().Object {
				t.Errorf("iteration %d: %s not due but changed", it, d.Handle)
			}
		}
		if rep, err := s.Verify(true); err != nil || !rep.OK() || rep.Objects != countObjects(after) {
			t.Errorf("iteration %d: verify %v %+v", it, err, rep)
		}
		entries, _ := s.AuditLog(AuditFilter{Action: "retention-destroy"})
		if len(entries) != len(due) {
			t.Errorf("iteration %d: %d audit entries for %d destructions", it, len(entries), len(due))
		}
	}
	if totalDue == 0 || totalKept == 0 {
		t.Errorf("the generator is lopsided: %d destroyed, %d kept", totalDue, totalKept)
	}
}

func countObjects(c *Catalog) int {
	n := 0
	for _, d := range c.Documents {
		for _, v := range d.Versions {
			if v.Object != "" {
				n++
			}
		}
	}
	return n
}

// TestMaterialAfterStudyEnd: material dated after the study's recorded end
// is a problem to attend to in the consent register (whenever the end is
// recorded); material dated on the end day, undated, or a signed form is
// not.
func TestMaterialAfterStudyEnd(t *testing.T) {
	for _, tt := range []struct {
		name, kind, date, end string
		problem               bool
	}{
		{"dated after the end", policy.KindFieldNotes, "2026-03-02", "2026-03-01", true},
		{"dated on the end day", policy.KindFieldNotes, "2026-03-01", "2026-03-01", false},
		{"undated", policy.KindFieldNotes, "", "2026-03-01", false},
		{"no end recorded", policy.KindFieldNotes, "2026-03-02", "", false},
		{"a signed form", policy.KindConsentForm, "2026-03-02", "2026-03-01", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStudy(t)
			addParticipant(t, s, "P1", "Oluwaseun Abernethy", "participate", "quote")
			if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", "Oluwaseun Abernethy arrived late.\n"), Kind: tt.kind, Participants: []string{"P1"}, Date: tt.date, Handle: "D7"}); err != nil {
				t.Fatal(err)
			}
			if tt.end != "" {
				if err := s.EndStudy(ctx, tt.end); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := s.ConsentReport(false)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.ContainsFunc(rows[0].Problems, func(p string) bool { return strings.Contains(p, "after the study's end") })
			if got != tt.problem {
				t.Errorf("problems %q, want one about the study's end: %v", rows[0].Problems, tt.problem)
			}
			for _, p := range rows[0].Problems {
				if strings.Contains(p, "Oluwaseun") || strings.Contains(p, "Abernethy") {
					t.Errorf("problem names the participant: %q", p)
				}
			}
		})
	}
}
