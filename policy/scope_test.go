package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestScopes(t *testing.T) {
	want := []Scope{"participate", "record-audio", "quote", "publish", "present", "archive", "off-record"}
	got := Scopes()
	if !slices.Equal(got, want) {
		t.Fatalf("Scopes() = %v, want %v", got, want)
	}
	got[0] = "mutated"
	if Scopes()[0] != ScopeParticipate {
		t.Errorf("Scopes() returned shared storage")
	}
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Scope
		wantErr string
	}{
		{name: "one", in: "quote", want: []Scope{ScopeQuote}},
		{name: "sorted", in: "quote, participate", want: []Scope{ScopeParticipate, ScopeQuote}},
		{name: "duplicates", in: "quote,quote,QUOTE", want: []Scope{ScopeQuote}},
		{name: "all reversed", in: "off-record,archive,present,publish,quote,record-audio,participate", want: Scopes()},
		{name: "spaces and empty items", in: " participate ,, off-record ,", want: []Scope{ScopeParticipate, ScopeOffRecord}},
		{name: "mixed case", in: "Record-Audio", want: []Scope{ScopeRecordAudio}},
		{name: "empty", in: "", wantErr: "no consent scope given (valid: participate, record-audio, quote, publish, present, archive, off-record)"},
		{name: "only commas", in: " , ,", wantErr: "no consent scope given"},
		{name: "unknown", in: "quote,record", wantErr: `scope 2 of list: unknown consent scope "record" (valid: participate, record-audio, quote, publish, present, archive, off-record)`},
		{name: "underscore", in: "off_record", wantErr: `unknown consent scope "off_record"`},
		{name: "long paste clipped", in: strings.Repeat("x", 100), wantErr: `"` + strings.Repeat("x", 32) + `…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseScopes(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseScopes(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseScopes(%q): %v", tt.in, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseScopes(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseScopes(f *testing.F) {
	seeds := []string{"quote", "quote, participate", "", ",", "QUOTE,quote", "record", "off-record,archive,present",
		"participate,record-audio,quote,publish,present,archive,off-record", "quote\x00", "ﬁ"}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseScopes(s)
		if err != nil {
			if got != nil {
				t.Fatalf("ParseScopes(%q) returned %v with error %v", s, got, err)
			}
			if !errors.Is(err, ErrUnknownScope) && !strings.HasPrefix(err.Error(), "no consent scope given") {
				t.Fatalf("unexpected error %q", err)
			}
			return
		}
		if len(got) == 0 {
			t.Fatalf("ParseScopes(%q) returned no scope and no error", s)
		}
		for i, sc := range got {
			if !sc.Valid() {
				t.Fatalf("ParseScopes(%q) returned invalid scope %q", s, sc)
			}
			if i > 0 && scopeRank(got[i-1]) >= scopeRank(sc) {
				t.Fatalf("ParseScopes(%q) = %v, not in canonical order without duplicates", s, got)
			}
		}
	})
}
