package report

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

// TestUsedSinceWithdrawal: a withdrawal recorded late (dated before exits
// that had already used the participant's words under their earlier
// consent) shows those exits under the withdrawal and among the things to
// attend to; exits before its date, exits for a purpose the withdrawn scope
// does not cover, refusals and exits under a later consent do not.
func TestUsedSinceWithdrawal(t *testing.T) {
	at := func(day string) time.Time {
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(15 * time.Hour)
	}
	exits := []Exit{
		{Seq: 10, Time: at("2026-02-27"), Action: "render", Consents: []string{"P09#1"}},                                // before the withdrawal's date
		{Seq: 11, Time: at("2026-03-01"), Action: "quote", Consents: []string{"P09#1"}},                                 // on its date
		{Seq: 12, Time: at("2026-03-05"), Action: "export-qda", Purpose: "analysis", Consents: []string{"P09#1"}},       // analysis needs no quote
		{Seq: 13, Time: at("2026-03-06"), Action: "quote", Refused: true, Consents: nil, Participants: []string{"P09"}}, // refused
		{Seq: 14, Time: at("2026-03-07"), Action: "deposit", Purpose: "archive", Consents: []string{"P01#1", "P09#1"}},
		{Seq: 15, Time: at("2026-03-08"), Action: "render", Consents: []string{"P09#3"}},  // under consent given after
		{Seq: 16, Time: at("2026-03-09"), Action: "export", Consents: []string{"P090#1"}}, // another participant
	}
	tests := []struct {
		name       string
		withdrawal HistoryItem
		want       []uint64
	}{
		{"quote withdrawn", HistoryItem{Seq: 2, Date: "2026-03-01", Withdrawal: true, Scopes: []policy.Scope{policy.ScopeQuote}}, []uint64{11, 14}},
		{"everything withdrawn", HistoryItem{Seq: 2, Date: "2026-03-01", Withdrawal: true}, []uint64{11, 12, 14}},
		{"archive withdrawn", HistoryItem{Seq: 2, Date: "2026-03-01", Withdrawal: true, Scopes: []policy.Scope{policy.ScopeArchive}}, []uint64{14}},
		{"record-audio withdrawn", HistoryItem{Seq: 2, Date: "2026-03-01", Withdrawal: true, Scopes: []policy.Scope{policy.ScopeRecordAudio}}, nil},
		{"dated after every exit", HistoryItem{Seq: 2, Date: "2026-04-01", Withdrawal: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			consent := HistoryItem{Seq: 1, Date: "2026-02-03", Scopes: []policy.Scope{policy.ScopeParticipate, policy.ScopeQuote, policy.ScopeArchive}}
			again := HistoryItem{Seq: 3, Date: "2026-03-08", Scopes: []policy.Scope{policy.ScopeParticipate, policy.ScopeQuote}}
			r := &Report{Participants: []Participant{{Handle: "P09", History: []HistoryItem{consent, tt.withdrawal, again}}}, Exits: exits}
			r.usedSinceWithdrawal()
			p := r.Participants[0]
			var got []uint64
			for _, x := range p.History[1].Since {
				got = append(got, x.Seq)
				if x.Consent != 1 || x.Date == "" || x.Action == "" {
					t.Errorf("exit ref %+v", x)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("used since the withdrawal: got %v, want %v", got, tt.want)
			}
			if len(p.Problems) != len(tt.want) {
				t.Fatalf("problems %q, want %d", p.Problems, len(tt.want))
			}
			for _, msg := range p.Problems {
				if !strings.Contains(msg, "withdrawal #2") || !strings.Contains(msg, tt.withdrawal.Date) {
					t.Errorf("problem %q does not name the withdrawal", msg)
				}
			}
			if p.History[0].Since != nil || p.History[2].Since != nil {
				t.Errorf("a consent lists exits: %+v", p.History)
			}
		})
	}
}
