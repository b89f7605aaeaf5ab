package report_test

import (
	"bytes"
	"errors"
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sectionIDs are the page's sections, in order.
var sectionIDs = []string{"summary", "study", "register", "holdings", "exits", "audit", "retention"}

func page(tb testing.TB, st *study, names bool) string {
	tb.Helper()
	r, err := report.Build(ctx, st.open(tb, st.officer), report.Options{Names: names, Now: fixedNow})
	if err != nil {
		tb.Fatalf("Build as the ethics officer: %v", err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

func TestPage(t *testing.T) {
	st := newStudy(t)
	for _, names := range []bool{false, true} {
		t.Run(map[bool]string{false: "pseudonyms only", true: "with names"}[names], func(t *testing.T) {
			got := page(t, st, names)
			last := -1
			for _, id := range sectionIDs {
				i := strings.Index(got, `<section id="`+id+`">`)
				if i < 0 {
					t.Errorf("section %q missing", id)
				} else if i < last {
					t.Errorf("section %q out of order", id)
				}
				last = i
			}
			if !strings.Contains(got, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-`) {
				t.Errorf("no Content-Security-Policy forbidding fetches")
			}
			for _, bad := range []string{"<script", "http://", "https://", "<img", "<link", "<iframe", "url(", "@import", " on"} {
				if i := strings.Index(strings.ToLower(got), bad); i >= 0 && (bad != " on" || onAttr.MatchString(got)) {
					t.Errorf("the page holds %q: …%s…", bad, got[max(0, i-40):min(len(got), i+60)])
				}
			}
			for _, s := range st.secrets {
				if names && contains(st.names, s) {
					continue
				}
				if names && isPartOfName(st.names, s) {
					continue
				}
				if strings.Contains(got, s) || strings.Contains(got, html.EscapeString(s)) {
					t.Errorf("the page holds %q", s)
				}
			}
			for _, n := range st.names {
				has := strings.Contains(got, html.EscapeString(n))
				if has != names {
					t.Errorf("name %q shown = %v, want %v", n, has, names)
				}
			}
			for _, want := range []string{"P01", "P02", "P03", "D10", "D11", "partly withdrawn", "erased", "Harbour food-aid study (synthetic)",
				"residual", "dnq-meeting", "struck", "No retention rules recorded", "@media print"} {
				if !strings.Contains(got, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
		})
	}
}

var onAttr = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isPartOfName reports whether s is a word of one of the real names (shown
// with --names by design).
func isPartOfName(names []string, s string) bool {
	for _, n := range names {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func TestFacts(t *testing.T) {
	st := newStudy(t)
	r, err := report.Build(ctx, st.open(t, st.officer), report.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	if s.Participants != 3 || s.Active != 1 || s.PartlyWithdrawn != 1 || s.Erased != 1 || s.Exits != 2 || s.Refusals != 2 || !s.AuditOK {
		t.Errorf("summary = %+v", s)
	}
	if s.Documents != 3 || s.ErasedDocuments != 1 {
		t.Errorf("documents held %d, erased %d; want 3 (form, interview, meeting notes) and 1", s.Documents, s.ErasedDocuments)
	}
	byHandle := map[string]report.Participant{}
	for _, p := range r.Participants {
		byHandle[p.Handle] = p
		if p.Name != "" {
			t.Errorf("%s: name filled without Names", p.Handle)
		}
		if p.Pseudonym == "" {
			t.Errorf("%s: no pseudonym", p.Handle)
		}
	}
	p1 := byHandle["P01"]
	if len(p1.Forms) != 1 || len(p1.History) != 1 || p1.History[0].Evidence != p1.Forms[0] || p1.Cutoff != "2026-06-30" {
		t.Errorf("P01: forms %v, history %+v, cut-off %q", p1.Forms, p1.History, p1.Cutoff)
	}
	var d10 *report.Document
	for i := range p1.Docs {
		if p1.Docs[i].Handle == "D10" {
			d10 = &p1.Docs[i]
		}
	}
	if d10 == nil || d10.Kind != policy.KindTranscript || d10.Versions != 1 || d10.Readable {
		t.Fatalf("P01's D10 = %+v", d10)
	}
	wantFlags := []report.FlagCount{{Kind: policy.FlagDNQ, Lines: 3}, {Kind: policy.FlagStruck, Lines: 1}}
	if len(d10.Flagged) != len(wantFlags) || d10.Flagged[0] != wantFlags[0] || d10.Flagged[1] != wantFlags[1] {
		t.Errorf("D10 flagged = %+v, want %+v", d10.Flagged, wantFlags)
	}
	p2 := byHandle["P02"]
	if p2.Status != policy.StatusPartlyWithdrawn || len(p2.History) != 2 || !p2.History[1].Withdrawal || p2.History[1].Scopes[0] != policy.ScopePublish {
		t.Errorf("P02 history = %+v", p2.History)
	}
	p3 := byHandle["P03"]
	if p3.Erasure == nil || p3.Erasure.Objects != 1 || len(p3.Erasure.Documents) != 1 || p3.Erasure.Documents[0] != "D12" {
		t.Errorf("P03 erasure = %+v", p3.Erasure)
	}
	if len(r.Other) != 1 || r.Other[0].Handle != "D11" || r.Other[0].Meeting != "M01" {
		t.Errorf("material of no participant = %+v", r.Other)
	}
	if len(r.Retention.Rules) != 0 || len(r.Retention.Destroyed) != 1 || r.Retention.Destroyed[0].Participant != "P03" {
		t.Errorf("retention = %+v", r.Retention)
	}

	type exitWant struct {
		action   string
		refused  bool
		rules    string
		residual int
	}
	want := []exitWant{
		{"export", true, "residual", 0},
		{"export", false, "dnq,struck", 1},
		{"quote", true, "dnq", 0},
		{"export", false, "dnq-meeting", 0},
	}
	if len(r.Exits) != len(want) {
		t.Fatalf("%d exits, want %d: %+v", len(r.Exits), len(want), r.Exits)
	}
	for i, w := range want {
		x := r.Exits[i]
		var rules []string
		for _, rc := range x.Rules {
			rules = append(rules, string(rc.Rule))
			if rc.Description == "" {
				t.Errorf("exit %d: rule %s has no description", x.Seq, rc.Rule)
			}
		}
		if x.Action != w.action || x.Refused != w.refused || strings.Join(rules, ",") != w.rules || x.ResidualAccepted != w.residual {
			t.Errorf("exit %d = %s refused=%v rules=%v residual=%d; want %+v", x.Seq, x.Action, x.Refused, rules, x.ResidualAccepted, w)
		}
		if x.Actor.Role != report.RoleResearcher {
			t.Errorf("exit %d: actor role %q", x.Seq, x.Actor.Role)
		}
		if !x.Refused && len(x.Output) != 64 {
			t.Errorf("exit %d: output hash %q", x.Seq, x.Output)
		}
	}
	if d := r.Exits[3]; d.Rules[0].Lines != d.Withheld || d.Withheld < 1 {
		t.Errorf("a single rule's lines = %d, exit withheld %d", d.Rules[0].Lines, d.Withheld)
	}
	if r.Exits[1].Rules[0].Lines != -1 {
		t.Errorf("lines attributed to one of several rules: %+v", r.Exits[1].Rules)
	}
	if got := r.Exits[1].Consents; len(got) != 1 || got[0] != "P01#1" {
		t.Errorf("consents relied on = %v", got)
	}
	roles := map[string]bool{}
	for _, rc := range r.Study.Recipients {
		roles[rc.Role] = true
	}
	if !roles[report.RoleResearcher] || !roles[report.RoleEthics] || len(r.Study.Recipients) != 2 {
		t.Errorf("recipients = %+v", r.Study.Recipients)
	}
}

// TestMethodsGolden compares the methods summary with a golden file
// (go test ./vault/report -run TestMethodsGolden -update rewrites it).
func TestMethodsGolden(t *testing.T) {
	st := newStudy(t)
	r, err := report.Build(ctx, st.open(t, st.officer), report.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteMethods(&buf); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(st.secrets, "P01", "P02", "P03") {
		if strings.Contains(buf.String(), s) {
			t.Errorf("the methods summary holds %q", s)
		}
	}
	for _, p := range r.Participants {
		if strings.Contains(buf.String(), p.Pseudonym) {
			t.Errorf("the methods summary lists pseudonym of %s", p.Handle)
		}
	}
	golden := filepath.Join("testdata", "methods.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("methods summary differs from %s (run with -update after checking):\n%s", golden, buf.String())
	}
}

func TestCheckpoint(t *testing.T) {
	st := newStudy(t)
	cp := filepath.Join(t.TempDir(), "checkpoint.json")
	if _, err := report.Build(ctx, st.open(t, st.officer), report.Options{Checkpoint: cp}); !errors.Is(err, vault.ErrInvalid) {
		t.Errorf("missing checkpoint: %v, want ErrInvalid (a report never writes one)", err)
	}
	if _, err := os.Stat(cp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the report wrote a checkpoint")
	}
	if _, err := st.open(t, st.officer).VerifyAudit(ctx, cp); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, st.open(t, st.officer), report.Options{Checkpoint: cp})
	if err != nil || !r.Audit.OK || !strings.Contains(r.Audit.Checkpoint, "matches checkpoint") || r.Audit.CheckpointFile != cp {
		t.Fatalf("with a checkpoint: %v, %+v", err, r.Audit)
	}
}

// TestDamagedLog: an edited audit entry is shown, not hidden: the page says
// which entry is bad and lists no exit from a log it cannot vouch for.
func TestDamagedLog(t *testing.T) {
	st := newStudy(t)
	path := filepath.Join(st.dir, vault.AuditFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte(`"action":"quote","outcome":"refused"`), []byte(`"action":"quote","outcome":"ok"`), 1)
	if bytes.Equal(edited, data) {
		t.Fatal("the fixture's log has no refused quote to edit")
	}
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, st.open(t, st.officer), report.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if r.Audit.OK || r.Summary.AuditOK || !strings.Contains(r.Audit.First, "edited") || len(r.Exits) != 0 || r.ExitsWithheld == "" {
		t.Fatalf("damaged log: audit %+v, %d exits", r.Audit, len(r.Exits))
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"does not verify", html.EscapeString(r.Audit.First), "Broken"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	st := newStudy(t)
	s := st.open(t, st.officer)
	existing := writeFile(t, "r.html", "keep me")
	for name, path := range map[string]string{"existing file": existing, "inside the vault": filepath.Join(st.dir, "r.html")} {
		t.Run(name, func(t *testing.T) {
			if _, err := report.Write(ctx, s, path, false, false, report.Options{}); !errors.Is(err, vault.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("the existing file was changed")
	}
	if _, err := os.Stat(filepath.Join(st.dir, "r.html")); err == nil {
		t.Errorf("a report was written inside the vault")
	}
	if _, err := report.Write(ctx, s, existing, true, true, report.Options{}); err != nil {
		t.Errorf("with force: %v", err)
	}
}
