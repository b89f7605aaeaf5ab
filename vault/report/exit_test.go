package report

import (
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/vault"
)

// TestExitOf reads an exit's facts from its audit entry, whatever the entry
// records: purpose and per-exit counts when present, "not recorded" (-1)
// when not, lines attributed to a rule only when one rule withheld them all.
func TestExitOf(t *testing.T) {
	cfg := &vault.Config{Recipients: map[string][]string{
		vault.ClassCatalog: {"age1researcher0000000000000000", "age1officer00000000000000000000"},
		vault.ClassRaw:     {"age1researcher0000000000000000", "age1supervisor000000000000000"},
	}}
	roles := roleMap(cfg)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		e     vault.Entry
		check func(t *testing.T, x Exit)
	}{
		{"purpose and one rule", vault.Entry{Seq: 9, Time: at, Actor: "age1researcher0000000000000000", Action: "export", Outcome: "ok",
			Handles: []string{"D3"}, Consents: []string{"P07#2"}, Rules: []string{"dnq"},
			Detail: map[string]string{"purpose": "publish", "withheld_lines": "4", "version:D3": "2", "format": "docx"}, Hashes: map[string]string{"output": "ab"}},
			func(t *testing.T, x Exit) {
				if x.Purpose != "publish" || x.Withheld != 4 || len(x.Rules) != 1 || x.Rules[0].Lines != 4 || x.Docs[0] != "D3 v2" || x.Format != "docx" || x.Actor.Role != RoleResearcher {
					t.Errorf("got %+v", x)
				}
			}},
		{"two rules, lines in total only", vault.Entry{Action: "export-qda", Outcome: "ok", Actor: "age1supervisor000000000000000", Rules: []string{"dnq", "struck"}, Detail: map[string]string{"withheld_lines": "6"}},
			func(t *testing.T, x Exit) {
				if x.Withheld != 6 || x.Rules[0].Lines != -1 || x.Rules[1].Lines != -1 || x.Actor.Role != RoleSupervisor {
					t.Errorf("got %+v", x)
				}
			}},
		{"refusal records no count", vault.Entry{Action: "quote", Outcome: "refused", Actor: "age1officer00000000000000000000", Rules: []string{"withdrawn"}, Participants: []string{"P02"}},
			func(t *testing.T, x Exit) {
				if !x.Refused || x.Withheld != -1 || x.Rules[0].Lines != -1 || x.Rules[0].Description == "" || x.Purpose != "" || x.Actor.Role != RoleEthics {
					t.Errorf("got %+v", x)
				}
			}},
		{"unknown actor and rule", vault.Entry{Action: "render", Outcome: "ok", Actor: "ssh-identity", Rules: []string{"some-future-rule"}},
			func(t *testing.T, x Exit) {
				if x.Actor.Role != RoleUnknown || x.Actor.Fingerprint != "ssh-identity" || x.Rules[0].Description != "" {
					t.Errorf("got %+v", x)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, exitOf(tt.e, roles)) })
	}
}
