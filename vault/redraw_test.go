package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
)

// TestPseudonymRedrawnBeforeFirstExit: a participant registered later whose
// name is an earlier participant's generated pseudonym is accepted while
// nothing has left the study: the earlier pseudonym is drawn again (and
// audited). After the first exit the same clash is refused, the vault
// unchanged, for pseudonyms never change once seen outside.
func TestPseudonymRedrawnBeforeFirstExit(t *testing.T) {
	pseudonymOf := func(t *testing.T, s *Study, name string) redact.Pseudonym {
		t.Helper()
		cat, err := s.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		p, ok := cat.Pseudonyms.Lookup(redact.KindPerson, name)
		if !ok {
			t.Fatalf("no pseudonym for %s", name)
		}
		return p
	}

	t.Run("before any exit", func(t *testing.T) {
		s := newStudy(t)
		addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
		first := pseudonymOf(t, s, "Genevieve Okafor-Hale")
		// The newcomer's real name is P1's pseudonym, given and family.
		if err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: first.String()}}); err != nil {
			t.Fatalf("adding a participant named as P1's pseudonym: %v", err)
		}
		again := pseudonymOf(t, s, "Genevieve Okafor-Hale")
		if again.String() == first.String() || strings.EqualFold(again.Given, first.Given) || strings.EqualFold(again.Family, first.Family) {
			t.Errorf("P1's pseudonym %q was not drawn again away from %q", again, first)
		}
		log, err := s.AuditLog(AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			if e.Action == "pseudonym-redraw" && len(e.Handles) == 1 && e.Handles[0] == "P1" {
				found = true
			}
		}
		if !found {
			t.Error("no pseudonym-redraw audit entry naming P1")
		}
	})

	t.Run("after an exit", func(t *testing.T) {
		s := newStudy(t)
		addParticipant(t, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
		if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "i.txt", "Genevieve Okafor-Hale: we met on Tuesdays.\n"), Kind: policy.KindTranscript, Participants: []string{"P1"}, Handle: "D1"}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := exitVia(ctx, s, "export", exitRequest{Doc: "D1", W: &out}); err != nil {
			t.Fatal(err)
		}
		first := pseudonymOf(t, s, "Genevieve Okafor-Hale")
		before := snapshot(t, s.Dir)
		err := s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P2", Name: first.String()}})
		if !errors.Is(err, redact.ErrPseudonymTaken) {
			t.Fatalf("got %v, want a refusal (pseudonym taken)", err)
		}
		if got := pseudonymOf(t, s, "Genevieve Okafor-Hale"); got != first {
			t.Errorf("pseudonym changed after an exit: %q → %q", first, got)
		}
		sameSnapshot(t, before, snapshot(t, s.Dir))
	})
}
