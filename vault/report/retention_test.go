package report_test

import (
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/report"
)

// TestRetentionSection: the page shows the real rules, the study's end,
// what is due on the day of the report, what a hold keeps, and both kinds
// of tombstone (an erasure and a destruction).
func TestRetentionSection(t *testing.T) {
	st := newStudy(t)
	s := st.open(t, st.researcher)
	for _, r := range []policy.RetentionRule{
		{Kind: policy.KindMeetingNotes, Basis: policy.BasisAfterIngest, N: 0},
		{Kind: policy.KindTranscript, Basis: policy.BasisAfterIngest, N: 0},
		{Kind: policy.KindFieldNotes, Basis: policy.BasisAfterEnd, N: 10},
		{Kind: policy.KindConsentForm, Basis: policy.BasisAfterIngest, N: 0}, // kept: P01's material is held
	} {
		if err := s.SetRetention(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EndStudy(ctx, "2026-02-28"); err != nil {
		t.Fatal(err)
	}
	if err := s.Hold(ctx, vault.HoldRequest{Doc: "D10", Reason: "a complaint is open"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DestroyDue(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(ctx, st.open(t, st.officer), report.Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	ret := r.Retention
	if len(ret.Kept) != 1 || ret.Kept[0].Kind != policy.KindConsentForm || len(ret.Kept[0].KeptFor) == 0 {
		t.Errorf("kept %+v", ret.Kept)
	}
	if len(ret.Rules) != 4 || ret.StudyEnd != "2026-02-28" || ret.Today != "2026-03-14" {
		t.Errorf("rules %v end %q today %q", ret.Rules, ret.StudyEnd, ret.Today)
	}
	if len(ret.Held) != 1 || ret.Held[0].Handle != "D10" || len(ret.Due) != 0 {
		t.Errorf("held %+v due %+v", ret.Held, ret.Due)
	}
	var rules []string
	for _, d := range ret.Destroyed {
		rules = append(rules, d.Participant+"|"+strings.Join(d.Documents, " ")+"|"+d.Rule)
	}
	if len(ret.Destroyed) != 2 || !strings.HasPrefix(rules[0], "P03|D12|") || rules[1] != "|D11|meeting-notes: destroy 0 days after ingest" || ret.Destroyed[1].SHA256 == "" {
		t.Errorf("destroyed %v", rules)
	}
	html := page(t, st, false)
	sec := html[strings.Index(html, `<section id="retention">`):]
	sec = sec[:strings.Index(sec, "</section>")]
	for _, want := range []string{"Study end: 2026-02-28", "transcript: destroy 0 days after ingest", "field-notes: destroy 10 years after the study&#39;s end",
		"On hold", "<td>D10</td>", "retention rule: meeting-notes: destroy 0 days after ingest", "erasure at the request of P03", "Nothing is due.",
		"Signed forms kept as evidence of consent"} {
		if !strings.Contains(sec, want) {
			t.Errorf("retention section lacks %q:\n%s", want, sec)
		}
	}
	if strings.Contains(html, "a complaint is open") {
		t.Error("the hold's reason is on the page")
	}
	if strings.Contains(sec, "No retention rules recorded") {
		t.Error("the page says no rules are recorded")
	}
}
