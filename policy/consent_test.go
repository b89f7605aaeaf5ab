package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// testToday is the fixed "today" of the tests.
const testToday = "2026-11-23"

// newRecord returns a record for handle with one consent (form v2, signed
// 2011-03-01, cut-off 2012-09-30) granting scopes; no scopes means no consent.
func newRecord(tb testing.TB, handle string, scopes ...Scope) *Record {
	tb.Helper()
	r := &Record{Handle: handle}
	if len(scopes) == 0 {
		return r
	}
	c := Consent{Form: "v2", Signed: mustDate(tb, "2011-03-01"), Cutoff: mustDate(tb, "2012-09-30"), Scopes: scopes, Evidence: "D01"}
	if err := r.AddConsent(c, mustDate(tb, testToday)); err != nil {
		tb.Fatalf("AddConsent: %v", err)
	}
	return r
}

// withdraw records a withdrawal dated 2011-06-01 of scope ("" = everything).
func withdraw(tb testing.TB, r *Record, scope Scope, erase bool) *Record {
	tb.Helper()
	if err := r.Withdraw(Withdrawal{Date: mustDate(tb, "2011-06-01"), Scope: scope, Erase: erase}, mustDate(tb, testToday)); err != nil {
		tb.Fatalf("Withdraw(%q): %v", scope, err)
	}
	return r
}

var full = []Scope{ScopeParticipate, ScopeRecordAudio, ScopeQuote, ScopeOffRecord}

func TestAddConsent(t *testing.T) {
	today := mustDate(t, testToday)
	tests := []struct {
		name       string
		c          Consent
		wantErr    string
		wantScopes []Scope
	}{
		{name: "ok", c: Consent{Form: "v2", Signed: mustDate(t, "2011-03-01"), Scopes: []Scope{ScopeQuote, ScopeParticipate, ScopeQuote}},
			wantScopes: []Scope{ScopeParticipate, ScopeQuote}},
		{name: "signed today", c: Consent{Form: "v2", Signed: today, Scopes: []Scope{ScopeParticipate}}, wantScopes: []Scope{ScopeParticipate}},
		{name: "cut-off on signing day", c: Consent{Signed: today, Cutoff: today, Scopes: []Scope{ScopeParticipate}}, wantScopes: []Scope{ScopeParticipate}},
		{name: "future", c: Consent{Signed: mustDate(t, "2026-11-24"), Scopes: []Scope{ScopeParticipate}}, wantErr: "P07: signing date 2026-11-24 is after today (2026-11-23)"},
		{name: "no signing date", c: Consent{Scopes: []Scope{ScopeParticipate}}, wantErr: "signing date missing"},
		{name: "cut-off before signing", c: Consent{Signed: mustDate(t, "2011-03-01"), Cutoff: mustDate(t, "2011-02-28"), Scopes: []Scope{ScopeParticipate}},
			wantErr: "cut-off 2011-02-28 is before the signing date 2011-03-01"},
		{name: "signed before the consent in force", c: Consent{Signed: mustDate(t, "2011-02-01"), Scopes: []Scope{ScopeParticipate}},
			wantErr: "signing date 2011-02-01 is before that of consent 1 (2011-03-01)"},
		{name: "same day as the consent in force", c: Consent{Form: "v2a", Signed: mustDate(t, "2011-03-01"), Scopes: []Scope{ScopeArchive, ScopeParticipate}},
			wantScopes: []Scope{ScopeParticipate, ScopeArchive}},
		{name: "no scope", c: Consent{Signed: mustDate(t, "2011-03-01")}, wantErr: "no scope granted"},
		{name: "unknown scope", c: Consent{Signed: mustDate(t, "2011-03-01"), Scopes: []Scope{"participate", "tweet"}}, wantErr: `unknown consent scope "tweet"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Record{Handle: "P07"}
			if err := r.AddConsent(Consent{Form: "v1", Signed: mustDate(t, "2011-03-01"), Scopes: []Scope{ScopeParticipate}}, today); err != nil {
				t.Fatal(err)
			}
			err := r.AddConsent(tt.c, today)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrConsent) {
					t.Fatalf("AddConsent error = %v, want ErrConsent containing %q", err, tt.wantErr)
				}
				if len(r.Consents) != 1 {
					t.Errorf("record changed by a rejected consent: %d consents", len(r.Consents))
				}
				return
			}
			if err != nil {
				t.Fatalf("AddConsent: %v", err)
			}
			cur, ok := r.Current()
			if !ok || cur.Seq != 2 {
				t.Fatalf("Current() = seq %d, %v; want seq 2", cur.Seq, ok)
			}
			if !slices.Equal(cur.Scopes, tt.wantScopes) {
				t.Errorf("scopes = %v, want %v", cur.Scopes, tt.wantScopes)
			}
		})
	}
}

func TestWithdraw(t *testing.T) {
	today := mustDate(t, testToday)
	tests := []struct {
		name      string
		rec       func(t *testing.T) *Record
		w         Withdrawal
		wantErr   string
		wantAfter bool
		wantDate  string
		wantErase bool
	}{
		{name: "no consent", rec: func(t *testing.T) *Record { return newRecord(t, "P07") },
			w: Withdrawal{}, wantErr: "participant P07 has no consent recorded; nothing to withdraw"},
		{name: "everything, dated today by default", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{}, wantDate: testToday, wantAfter: true},
		{name: "before cut-off", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Date: mustDate(t, "2012-09-30"), Scope: ScopeQuote}, wantDate: "2012-09-30"},
		{name: "day after cut-off", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Date: mustDate(t, "2012-10-01"), Scope: ScopeQuote}, wantDate: "2012-10-01", wantAfter: true},
		{name: "erase", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Date: mustDate(t, "2011-06-01"), Erase: true}, wantDate: "2011-06-01", wantErase: true},
		{name: "future", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Date: mustDate(t, "2030-01-01")}, wantErr: "withdrawal date 2030-01-01 is after today"},
		{name: "before signing", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Date: mustDate(t, "2011-01-01")}, wantErr: "before consent 1 was signed (2011-03-01)"},
		{name: "scope not granted", rec: func(t *testing.T) *Record { return newRecord(t, "P07", ScopeParticipate) },
			w: Withdrawal{Scope: ScopeQuote}, wantErr: "consent 1 does not grant scope quote"},
		{name: "unknown scope", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Scope: "everything"}, wantErr: `unknown consent scope "everything"`},
		{name: "erase one scope", rec: func(t *testing.T) *Record { return newRecord(t, "P07", full...) },
			w: Withdrawal{Scope: ScopeQuote, Erase: true}, wantErr: "erasure applies to a whole withdrawal"},
		{name: "scope already withdrawn", rec: func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P07", full...), ScopeQuote, false) },
			w: Withdrawal{Scope: ScopeQuote}, wantErr: "scope quote already withdrawn"},
		{name: "everything already withdrawn", rec: func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P07", full...), "", false) },
			w: Withdrawal{}, wantErr: "participant P07 already withdrawn (withdrawal 2, 2011-06-01)"},
		{name: "scope after whole withdrawal", rec: func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P07", full...), "", false) },
			w: Withdrawal{Scope: ScopeQuote}, wantErr: "already withdrawn"},
		{name: "participate after whole withdrawal", rec: func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P07", full...), "", false) },
			w: Withdrawal{Scope: ScopeParticipate}, wantErr: "already withdrawn"},
		{name: "escalate to erasure", rec: func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P07", full...), "", false) },
			w: Withdrawal{Date: mustDate(t, "2011-07-01"), Erase: true}, wantDate: "2011-07-01", wantErase: true},
		{name: "erase twice", rec: func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P07", full...), "", true) },
			w: Withdrawal{Erase: true}, wantErr: "already withdrawn"},
		{name: "after re-consent", rec: func(t *testing.T) *Record {
			r := withdraw(t, newRecord(t, "P07", full...), "", false)
			if err := r.AddConsent(Consent{Form: "v3", Signed: mustDate(t, "2011-08-01"), Scopes: full}, today); err != nil {
				t.Fatal(err)
			}
			return r
		}, w: Withdrawal{Date: mustDate(t, "2011-09-01"), Scope: ScopeQuote}, wantDate: "2011-09-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rec(t)
			before := len(r.Withdrawals)
			err := r.Withdraw(tt.w, today)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrConsent) {
					t.Fatalf("Withdraw error = %v, want ErrConsent containing %q", err, tt.wantErr)
				}
				if len(r.Withdrawals) != before {
					t.Errorf("record changed by a rejected withdrawal")
				}
				return
			}
			if err != nil {
				t.Fatalf("Withdraw: %v", err)
			}
			got := r.Withdrawals[len(r.Withdrawals)-1]
			if got.Seq != r.nextSeq()-1 || got.Seq <= before {
				t.Errorf("seq = %d, want the latest (%d)", got.Seq, r.nextSeq()-1)
			}
			if got.Date.String() != tt.wantDate {
				t.Errorf("date = %v, want %v", got.Date, tt.wantDate)
			}
			if got.AfterCutoff != tt.wantAfter {
				t.Errorf("AfterCutoff = %v, want %v", got.AfterCutoff, tt.wantAfter)
			}
			if r.Erased != tt.wantErase {
				t.Errorf("Erased = %v, want %v", r.Erased, tt.wantErase)
			}
		})
	}
}

func TestReconsentBeforeWithdrawal(t *testing.T) {
	today := mustDate(t, testToday)
	r := withdraw(t, newRecord(t, "P07", full...), "", false) // withdrawn 2011-06-01
	err := r.AddConsent(Consent{Signed: mustDate(t, "2011-05-31"), Scopes: full}, today)
	if err == nil || !strings.Contains(err.Error(), "signing date 2011-05-31 is before withdrawal 2 (2011-06-01)") {
		t.Fatalf("AddConsent before the withdrawal = %v, want a refusal naming withdrawal 2", err)
	}
	if err := r.AddConsent(Consent{Signed: mustDate(t, "2011-06-01"), Scopes: full}, today); err != nil {
		t.Fatalf("AddConsent on the day of the withdrawal: %v", err)
	}
	if got := r.Status(); got != StatusActive {
		t.Errorf("Status() = %q, want %q", got, StatusActive)
	}
}

func TestHasAndStatus(t *testing.T) {
	today := mustDate(t, testToday)
	reconsent := func(t *testing.T, r *Record, scopes ...Scope) *Record {
		if err := r.AddConsent(Consent{Form: "v3", Signed: mustDate(t, "2011-09-01"), Scopes: scopes}, today); err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name       string
		rec        func(t *testing.T) *Record
		wantStatus Status
		wantActive []Scope
	}{
		{"nil record", func(t *testing.T) *Record { return nil }, StatusNoConsent, nil},
		{"no consent", func(t *testing.T) *Record { return newRecord(t, "P01") }, StatusNoConsent, nil},
		{"active", func(t *testing.T) *Record { return newRecord(t, "P01", ScopeParticipate, ScopeQuote) }, StatusActive, []Scope{ScopeParticipate, ScopeQuote}},
		{"quote withdrawn", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), ScopeQuote, false) },
			StatusPartlyWithdrawn, []Scope{ScopeParticipate, ScopeRecordAudio, ScopeOffRecord}},
		{"withdrawn", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), "", false) }, StatusWithdrawn, nil},
		{"participate withdrawn is everything", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), ScopeParticipate, false) },
			StatusWithdrawn, nil},
		{"erased", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), "", true) }, StatusErased, nil},
		{"re-consent restores", func(t *testing.T) *Record {
			return reconsent(t, withdraw(t, newRecord(t, "P01", full...), "", false), ScopeParticipate, ScopeQuote)
		}, StatusActive, []Scope{ScopeParticipate, ScopeQuote}},
		{"re-consent after quote withdrawal without quote", func(t *testing.T) *Record {
			return reconsent(t, withdraw(t, newRecord(t, "P01", full...), ScopeQuote, false), ScopeParticipate)
		}, StatusActive, []Scope{ScopeParticipate}},
		{"partial then whole", func(t *testing.T) *Record {
			r := withdraw(t, newRecord(t, "P01", full...), ScopeOffRecord, false)
			return withdraw(t, r, "", false)
		}, StatusWithdrawn, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rec(t)
			if got := r.Status(); got != tt.wantStatus {
				t.Errorf("Status() = %q, want %q", got, tt.wantStatus)
			}
			_, whole := r.WholeWithdrawal()
			if want := tt.wantStatus == StatusWithdrawn || tt.wantStatus == StatusErased; whole != want {
				t.Errorf("WholeWithdrawal() found = %v, want %v", whole, want)
			}
			if got := r.Active(); !slices.Equal(got, tt.wantActive) {
				t.Errorf("Active() = %v, want %v", got, tt.wantActive)
			}
			for _, s := range Scopes() {
				if got, want := r.Has(s), slices.Contains(tt.wantActive, s); got != want {
					t.Errorf("Has(%s) = %v, want %v", s, got, want)
				}
			}
		})
	}
}

func TestRecordJSON(t *testing.T) {
	r := withdraw(t, newRecord(t, "P07", full...), ScopeQuote, false)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, *r)
	}
	if back.Status() != StatusPartlyWithdrawn {
		t.Errorf("Status after round trip = %q", back.Status())
	}
}

func TestProblems(t *testing.T) {
	today := mustDate(t, testToday)
	tests := []struct {
		name string
		rec  func(t *testing.T) *Record
		held []string
		want []string
	}{
		{"clean", func(t *testing.T) *Record { return newRecord(t, "P01", full...) }, []string{"recording", "transcript"}, nil},
		{"nothing held, no consent", func(t *testing.T) *Record { return newRecord(t, "P01") }, nil, nil},
		{"material without consent", func(t *testing.T) *Record { return newRecord(t, "P01") }, []string{"transcript", "consent-form"},
			[]string{"1 document(s) held but no consent recorded"}},
		{"recording without record-audio", func(t *testing.T) *Record { return newRecord(t, "P01", ScopeParticipate, ScopeQuote) },
			[]string{"recording", "recording", "transcript"}, []string{"2 recording(s) held without record-audio consent"}},
		{"record-audio withdrawn", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), ScopeRecordAudio, false) },
			[]string{"recording"}, []string{"1 recording(s) held without record-audio consent"}},
		{"held after withdrawal", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), "", false) },
			[]string{"transcript"}, []string{"1 document(s) held after withdrawal 2 (2011-06-01); keep only anonymised"}},
		{"held after erasure", func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P01", full...), "", true) },
			[]string{"recording", "transcript"}, []string{"2 document(s) held although erasure was requested"}},
		{"no participate", func(t *testing.T) *Record { return newRecord(t, "P01", ScopeQuote) },
			[]string{"field-notes"}, []string{"1 document(s) held but consent 1 does not grant participate"}},
		{"no evidence", func(t *testing.T) *Record {
			r := &Record{Handle: "P01"}
			if err := r.AddConsent(Consent{Signed: mustDate(t, "2011-03-01"), Scopes: full}, today); err != nil {
				t.Fatal(err)
			}
			return r
		}, []string{"transcript"}, []string{"no signed form held as evidence of consent 1", "consent 1 has no form version"}},
		{"evidence as a held consent form", func(t *testing.T) *Record {
			r := &Record{Handle: "P01"}
			if err := r.AddConsent(Consent{Form: "v1", Signed: mustDate(t, "2011-03-01"), Scopes: full}, today); err != nil {
				t.Fatal(err)
			}
			return r
		}, []string{"consent-form"}, nil},
		{"withdrawal after cut-off", func(t *testing.T) *Record {
			r := newRecord(t, "P01", full...)
			if err := r.Withdraw(Withdrawal{Date: mustDate(t, "2013-01-10"), Scope: ScopeQuote}, today); err != nil {
				t.Fatal(err)
			}
			return r
		}, nil, []string{"withdrawal 2 of scope quote (2013-01-10) came after the cut-off; check material that already left"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rec(t).Problems(tt.held)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Problems(%v) =\n %q\nwant\n %q", tt.held, got, tt.want)
			}
		})
	}
}

func TestCheckIngest(t *testing.T) {
	ok := func(t *testing.T) *Record { return newRecord(t, "P01", full...) }
	noAudio := func(t *testing.T) *Record { return newRecord(t, "P02", ScopeParticipate, ScopeQuote) }
	none := func(t *testing.T) *Record { return newRecord(t, "P03") }
	gone := func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P04", full...), "", false) }
	audioOff := func(t *testing.T) *Record { return withdraw(t, newRecord(t, "P05", full...), ScopeRecordAudio, false) }
	noPart := func(t *testing.T) *Record { return newRecord(t, "P06", ScopeQuote) }
	nilRec := func(t *testing.T) *Record { return nil }
	tests := []struct {
		name    string
		kind    string
		recs    []func(t *testing.T) *Record
		wantErr []string // one entry per refusal, in order
		plain   bool     // a plain error, not a refusal
	}{
		{name: "recording ok", kind: "recording", recs: []func(*testing.T) *Record{ok}},
		{name: "recording without participants", kind: "recording"},
		{name: "transcript without record-audio", kind: "transcript", recs: []func(*testing.T) *Record{noAudio}},
		{name: "recording without record-audio", kind: "recording", recs: []func(*testing.T) *Record{ok, noAudio},
			wantErr: []string{"refused (ingest-consent): P02 has not consented to be recorded (consent 1 lacks scope record-audio); to permit: record new consent for P02 with --scope record-audio, or ingest notes instead of the recording"}},
		{name: "record-audio withdrawn", kind: "recording", recs: []func(*testing.T) *Record{audioOff},
			wantErr: []string{"P05 withdrew consent to be recorded (scope record-audio)"}},
		{name: "no consent", kind: "field-notes", recs: []func(*testing.T) *Record{none},
			wantErr: []string{"P03 has no consent recorded (scope participate missing); to permit: record consent for P03 with --scope participate"}},
		{name: "nil record", kind: "document", recs: []func(*testing.T) *Record{nilRec},
			wantErr: []string{"a participant has no consent recorded"}},
		{name: "withdrawn", kind: "meeting-notes", recs: []func(*testing.T) *Record{gone},
			wantErr: []string{"P04 withdrew on 2011-06-01 (withdrawal 2); no new material may be ingested"}},
		{name: "no participate", kind: "transcript", recs: []func(*testing.T) *Record{noPart},
			wantErr: []string{"P06 has not consented to participate (consent 1 lacks scope participate)"}},
		{name: "several", kind: "recording", recs: []func(*testing.T) *Record{none, ok, gone, noAudio},
			wantErr: []string{"P03 has no consent", "P04 withdrew", "P02 has not consented to be recorded"}},
		{name: "consent form for someone without consent", kind: "consent-form", recs: []func(*testing.T) *Record{none, gone, nilRec}},
		{name: "unknown kind", kind: "video", plain: true, wantErr: []string{`unknown document kind "video" (valid: recording, transcript, field-notes, meeting-notes, document, consent-form)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recs []*Record
			for _, f := range tt.recs {
				recs = append(recs, f(t))
			}
			err := CheckIngest(tt.kind, recs)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("CheckIngest(%s) = %v, want nil", tt.kind, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckIngest(%s) = nil, want refusal", tt.kind)
			}
			if tt.plain {
				if errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.wantErr[0]) {
					t.Errorf("CheckIngest error = %v, want plain error containing %q", err, tt.wantErr[0])
				}
				return
			}
			if !errors.Is(err, ErrRefused) {
				t.Errorf("errors.Is(%v, ErrRefused) = false", err)
			}
			var ref *Refusal
			if !errors.As(err, &ref) || ref.Rule != RuleIngest {
				t.Errorf("errors.As(*Refusal) = %v (%v), want rule %s", ref, err, RuleIngest)
			}
			var refs []*Refusal
			switch e := err.(type) {
			case *Refusal:
				refs = []*Refusal{e}
			case *Refused:
				refs = e.Refusals
			default:
				t.Fatalf("error type %T, want *Refusal or *Refused", err)
			}
			if len(refs) != len(tt.wantErr) {
				t.Fatalf("%d refusals (%v), want %d", len(refs), err, len(tt.wantErr))
			}
			for i, w := range tt.wantErr {
				if !strings.Contains(refs[i].Error(), w) {
					t.Errorf("refusal %d = %q, want it to contain %q", i, refs[i].Error(), w)
				}
			}
		})
	}
}

// TestPredates: material dated before the participant first signed a
// consent form is a problem for the register, whatever consent was signed
// later; on or after that day, undated, or without consent, nothing.
func TestPredates(t *testing.T) {
	r := newRecord(t, "P07", ScopeParticipate, ScopeQuote) // signed 2011-03-01
	if err := r.AddConsent(Consent{Form: "v3", Signed: mustDate(t, "2011-05-01"), Scopes: []Scope{ScopeParticipate}}, mustDate(t, testToday)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rec  *Record
		date string
		want string
	}{
		{"the day before", r, "2011-02-28", "D3 is dated 2011-02-28, before P07 first signed consent (2011-03-01); check that consent was in place when it was collected"},
		{"the day signed", r, "2011-03-01", ""},
		{"between the two forms", r, "2011-04-01", ""},
		{"undated", r, "", ""},
		{"no consent", newRecord(t, "P08"), "2011-02-28", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Date
			if tt.date != "" {
				d = mustDate(t, tt.date)
			}
			got, ok := tt.rec.Predates("D3", d)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Predates = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

// TestConsentAfterErasure: erasure is final. A participant who withdrew
// and asked for erasure cannot be given a new consent (their turns in
// shared documents would leave again), and the gate says there is no
// remedy; after a withdrawal without erasure, re-consent restores them.
func TestConsentAfterErasure(t *testing.T) {
	today := mustDate(t, testToday)
	later := Consent{Form: "v3", Signed: mustDate(t, "2011-08-01"), Scopes: []Scope{ScopeParticipate, ScopeQuote}}
	erased := withdraw(t, newRecord(t, "P01", ScopeParticipate, ScopeQuote), "", true)
	err := erased.AddConsent(later, today)
	if want := "participant P01 asked for their material to be erased (withdrawal 2, 2011-06-01); erasure is final"; err == nil || !errors.Is(err, ErrConsent) || !strings.Contains(err.Error(), want) {
		t.Errorf("consent after erasure: %v, want %q", err, want)
	}
	if st := erased.Status(); st != StatusErased {
		t.Errorf("status %s, want %s", st, StatusErased)
	}
	ref := lineRefusal(RuleWithdrawn, "P01", Request{Records: map[string]*Record{"P01": erased}})
	if ref.Remedy != "none; erasure is final" || !strings.Contains(ref.Msg, "asked for erasure on 2011-06-01") {
		t.Errorf("refusal %q / %q", ref.Msg, ref.Remedy)
	}
	kept := withdraw(t, newRecord(t, "P01", ScopeParticipate, ScopeQuote), "", false)
	if err := kept.AddConsent(later, today); err != nil || kept.Status() != StatusActive {
		t.Errorf("re-consent after a withdrawal without erasure: %v, status %s", err, kept.Status())
	}
}

// TestErasedUnderLaterConsent: a record in which a consent follows an
// erasure (written before AddConsent refused it) still keeps the
// participant's words in: erasure is final for the gate too.
func TestErasedUnderLaterConsent(t *testing.T) {
	r := withdraw(t, newRecord(t, "P01", ScopeParticipate, ScopeQuote), "", true)
	r.Consents = append(r.Consents, Consent{Seq: 3, Form: "v3", Signed: mustDate(t, "2011-08-01"), Scopes: []Scope{ScopeParticipate, ScopeQuote}})
	if got := speakerRules(r, "", false); !slices.Equal(got, []Rule{RuleWithdrawn}) {
		t.Errorf("speakerRules = %v, want [withdrawn]", got)
	}
}

// TestCutoffBefore: material collected after the cut-off of the consent in
// force could never have been withdrawn: a problem for the register.
func TestCutoffBefore(t *testing.T) {
	r := newRecord(t, "P07", ScopeParticipate, ScopeQuote) // cut-off 2012-09-30
	tests := []struct {
		date string
		want string
	}{
		{"2012-10-01", "D3 is dated 2012-10-01, after the cut-off of consent 1 (2012-09-30): P07 could never ask for its removal; check the cut-off and the date"},
		{"2012-09-30", ""},
		{"2011-04-01", ""},
	}
	for _, tt := range tests {
		got, ok := r.CutoffBefore("D3", mustDate(t, tt.date))
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("CutoffBefore(%s) = %q, %v; want %q", tt.date, got, ok, tt.want)
		}
	}
	if _, ok := newRecord(t, "P08").CutoffBefore("D3", mustDate(t, "2030-01-01")); ok {
		t.Error("a record without consent reported a cut-off")
	}
}

// TestUnlabelledDocument: the text of a document (a diary, a letter) with
// no speaker labels is the words of the participants it concerns, as an
// unlabelled transcript's is; field notes are the researcher's own; a
// document that concerns nobody leaves.
func TestUnlabelledDocument(t *testing.T) {
	participate := newRecord(t, "P06", ScopeParticipate) // no quote
	lines := []LineFacts{{N: 1}, {N: 2}}
	tests := []struct {
		name         string
		kind         string
		participants []string
		want         Action
		remedy       string
	}{
		{"document of a participant without quote consent", KindDocument, []string{"P06"}, Withhold, "unlink them (doc unlink D17 --participant P06)"},
		{"transcript, likewise", KindTranscript, []string{"P06"}, Withhold, ""},
		{"field notes are the researcher's", KindFieldNotes, []string{"P06"}, Keep, ""},
		{"a document that concerns nobody", KindDocument, nil, Keep, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(Request{Mode: ModeExport, Doc: DocFacts{Handle: "D17", Kind: tt.kind, Version: 1, Participants: tt.participants, Lines: lines},
				Records: map[string]*Record{"P06": participate}})
			for _, l := range d.Lines {
				if l.Action != tt.want {
					t.Errorf("line %d: %v, want %v", l.N, l.Action, tt.want)
				}
			}
			if tt.remedy != "" && (len(d.Withheld) == 0 || !strings.Contains(d.Withheld[0].Remedy, tt.remedy)) {
				t.Errorf("withheld %+v, want a remedy containing %q", d.Withheld, tt.remedy)
			}
		})
	}
}
