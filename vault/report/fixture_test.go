package report_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/gate"
	"github.com/fieldvault/fieldvault/vault/keys"
)

var ctx = context.Background()

func fixedNow() time.Time { return time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC) }

// study is a synthetic study with every kind of fact the report shows:
// consents with a signed form, a partial withdrawal, an erasure, flags,
// delivered and refused exits, an accepted residual finding. Its people have
// hostile names (markup, a spreadsheet formula).
type study struct {
	dir        string
	researcher string // identity files
	officer    string
	// secrets must never appear in a report without names: real names,
	// aliases, entity names, words of the material.
	secrets []string
	// names appear with Options.Names, escaped.
	names []string
}

const (
	nameP01 = "Zephyrine Quillfeather-Oduya"
	nameP02 = `<script>alert("p02")</script> Marchetti-Vale`
	nameP03 = `=HYPERLINK("javascript:alert(1)";"Ann") Thistlewood`
)

func newStudy(tb testing.TB) *study {
	tb.Helper()
	tb.Setenv("HOME", tb.TempDir())
	tb.Setenv("XDG_CONFIG_HOME", tb.TempDir())
	tmp := tb.TempDir()
	st := &study{dir: filepath.Join(tmp, "study"), researcher: filepath.Join(tmp, "researcher.txt"), officer: filepath.Join(tmp, "officer.txt")}
	off, err := age.GenerateX25519Identity()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(st.officer, []byte(off.String()+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	res, err := vault.Init(ctx, st.dir, vault.InitOptions{
		Options: vault.Options{Providers: keys.For, IdentityFile: st.researcher, Now: fixedNow}, Name: "Harbour food-aid study (synthetic)",
		EthicsRecipients: []string{off.Recipient().String()},
	})
	if err != nil {
		tb.Fatalf("Init: %v", err)
	}
	s := res.Study
	must := func(what string, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
	}
	must("participants", s.AddParticipants(ctx, []vault.ParticipantRequest{
		{Handle: "P01", Name: nameP01, Aliases: []string{"Zephyrine"}},
		{Handle: "P02", Name: nameP02, Aliases: []string{"Marchetti-Vale"}},
		{Handle: "P03", Name: nameP03},
	}))
	_, err = s.AddEntities(ctx, []vault.EntityRequest{{Kind: redact.KindPlace, Name: "Brackelcote"}, {Kind: redact.KindOrg, Name: "Wexcombe Pantry Trust", Aliases: []string{"the Trust"}}})
	must("entities", err)
	must("meeting", s.AddMeeting(ctx, vault.MeetingRequest{Handle: "M01", Name: "Tuesday allocation meeting", DNQ: true}))
	form := writeFile(tb, "form.txt", "Consent form v2 (synthetic), signed by P01.\n")
	_, err = s.RecordConsent(ctx, vault.ConsentRequest{Handle: "P01", Form: "v2", Signed: "2026-02-03", Cutoff: "2026-06-30", Scopes: []policy.Scope{"participate", "quote", "off-record"}, Evidence: form})
	must("consent P01", err)
	_, err = s.RecordConsent(ctx, vault.ConsentRequest{Handle: "P02", Form: "v2", Signed: "2026-02-10", Scopes: []policy.Scope{"participate", "quote", "publish"}})
	must("consent P02", err)
	_, err = s.RecordConsent(ctx, vault.ConsentRequest{Handle: "P03", Form: "v1", Signed: "2026-02-12", Scopes: []policy.Scope{"participate"}})
	must("consent P03", err)

	interview := "Interviewer: How did the pantry start?\n" +
		"Zephyrine: The marmalade fund at Brackelcote paid for the van.\n" +
		"[dnq]\n" +
		"Zephyrine: The Trust argued about the Wexcombe Pantry Trust money.\n" +
		"[/dnq]\n" +
		"Zephyrine: Write to zq@example.org if you need me.\n"
	_, err = s.Ingest(ctx, vault.IngestRequest{Path: writeFile(tb, "interview.txt", interview), Kind: policy.KindTranscript, Participants: []string{"P01"}, Date: "2026-02-17", Handle: "D10"})
	must("ingest D10", err)
	must("flag", s.Flag(ctx, vault.FlagRequest{Doc: "D10", From: 2, To: 2, Kind: policy.FlagStruck, Reason: "P01 asked"}))
	notes := "Observed the allocation. Marchetti-Vale chaired; the kettle broke.\n"
	_, err = s.Ingest(ctx, vault.IngestRequest{Path: writeFile(tb, "meeting.md", notes), Kind: policy.KindMeetingNotes, Meeting: "M01", Date: "2026-03-03", Handle: "D11"})
	must("ingest D11", err)
	_, err = s.Ingest(ctx, vault.IngestRequest{Path: writeFile(tb, "p03.md", "Thistlewood spoke about the allotment.\n"), Kind: policy.KindFieldNotes, Participants: []string{"P03"}, Handle: "D12"})
	must("ingest D12", err)

	// Exits: a residual refusal, then the same export accepted; a refused
	// quote of do-not-quote lines; a meeting export.
	var sink nopWriter
	if _, err := gate.Run(ctx, s, gate.Request{Exit: gate.ExitExport, Doc: "D10", W: sink}); !errors.Is(err, policy.ErrRefused) {
		tb.Fatalf("export without accepting the residual: %v, want a refusal", err)
	}
	_, err = gate.Run(ctx, s, gate.Request{Exit: gate.ExitExport, Doc: "D10", W: sink, AcceptResidual: true})
	must("export D10", err)
	if _, err := gate.Run(ctx, s, gate.Request{Exit: gate.ExitQuote, Doc: "D10", From: 3, To: 5, W: sink}); !errors.Is(err, policy.ErrRefused) {
		tb.Fatalf("quote of dnq lines: %v, want a refusal", err)
	}
	_, err = gate.Run(ctx, s, gate.Request{Exit: gate.ExitExport, Doc: "D11", W: sink})
	must("export D11", err)

	_, err = s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P02", Scope: policy.ScopePublish, Date: "2026-03-01"})
	must("withdraw P02", err)
	_, err = s.Withdraw(ctx, vault.WithdrawRequest{Handle: "P03", Date: "2026-03-10", Erase: true, Reason: "Thistlewood moved away"})
	must("erase P03", err)

	st.names = []string{nameP01, nameP02, nameP03}
	st.secrets = []string{nameP01, "Zephyrine", "Quillfeather", nameP02, "Marchetti", nameP03, "Thistlewood", "HYPERLINK",
		"Brackelcote", "Wexcombe", "Tuesday allocation", "marmalade", "kettle", "allotment", "zq@example.org",
		"interview.txt", "meeting.md", "P01 asked", "moved away", "javascript:"}
	return st
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// open opens the study with an identity file.
func (st *study) open(tb testing.TB, identity string) *vault.Study {
	tb.Helper()
	s, err := vault.Open(st.dir, vault.Options{Providers: keys.For, IdentityFile: identity, Now: fixedNow})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return s
}
