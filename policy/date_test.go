package policy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "2011-04-05", want: "2011-04-05"},
		{in: "2024-02-29", want: "2024-02-29"},
		{in: "0001-01-01", want: "0001-01-01"},
		{in: "9999-12-31", want: "9999-12-31"},
		{in: "2023-02-29", wantErr: "day 29 out of range for 2023-02"},
		{in: "2011-13-01", wantErr: "month 13 out of range"},
		{in: "2011-00-10", wantErr: "month 00 out of range"},
		{in: "2011-04-31", wantErr: "day 31 out of range"},
		{in: "2011-04-00", wantErr: "day 00 out of range"},
		{in: "0000-01-01", wantErr: "year 0000 out of range"},
		{in: "", wantErr: "YYYY-MM-DD expected"},
		{in: "5/4/2011", wantErr: "YYYY-MM-DD expected"},
		{in: "2011-4-5", wantErr: "YYYY-MM-DD expected"},
		{in: "2011-04-05T10:00:00Z", wantErr: "YYYY-MM-DD expected"},
		{in: "2011/04/05", wantErr: "YYYY-MM-DD expected"},
		{in: "+011-04-05", wantErr: "YYYY-MM-DD expected"},
		{in: "２０１１-04-05", wantErr: "YYYY-MM-DD expected"},
		{in: " 2011-04-0", wantErr: "YYYY-MM-DD expected"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidDate) {
					t.Errorf("ParseDate(%q) error = %q, want it to contain %q and wrap ErrInvalidDate", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDateCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2011-04-05", "2011-04-05", 0},
		{"2011-04-05", "2011-04-06", -1},
		{"2011-05-01", "2011-04-30", 1},
		{"2010-12-31", "2011-01-01", -1},
		{"", "0001-01-01", -1},
		{"", "", 0},
	}
	parse := func(s string) Date {
		if s == "" {
			return Date{}
		}
		return mustDate(t, s)
	}
	for _, tt := range tests {
		t.Run(tt.a+"_vs_"+tt.b, func(t *testing.T) {
			a, b := parse(tt.a), parse(tt.b)
			if got := a.Compare(b); got != tt.want {
				t.Errorf("Compare = %d, want %d", got, tt.want)
			}
			if got := a.Before(b); got != (tt.want < 0) {
				t.Errorf("Before = %v, want %v", got, tt.want < 0)
			}
			if got := a.After(b); got != (tt.want > 0) {
				t.Errorf("After = %v, want %v", got, tt.want > 0)
			}
		})
	}
}

func TestToday(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"utc", time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC), "2026-11-23"},
		{"ahead of utc", time.Date(2026, 11, 24, 0, 30, 0, 0, time.FixedZone("east", 2*3600)), "2026-11-24"},
		{"leap day", time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), "2028-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Today(tt.now).String(); got != tt.want {
				t.Errorf("Today(%v) = %q, want %q", tt.now, got, tt.want)
			}
		})
	}
}

func TestDateZero(t *testing.T) {
	var z Date
	if !z.IsZero() || z.String() != "" || !z.Time().IsZero() {
		t.Errorf("zero Date: IsZero=%v String=%q Time=%v, want true, \"\", zero time", z.IsZero(), z.String(), z.Time())
	}
	d := mustDate(t, "2011-04-05")
	if d.IsZero() {
		t.Errorf("%v.IsZero() = true, want false", d)
	}
	if got, want := d.Time(), time.Date(2011, 4, 5, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
}

func TestDateJSON(t *testing.T) {
	c := Consent{Seq: 1, Form: "v2", Signed: mustDate(t, "2011-04-05"), Scopes: []Scope{ScopeParticipate}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, `"signed":"2011-04-05"`) || strings.Contains(got, "cutoff") {
		t.Errorf("json = %s, want signed as a date string and no cutoff", got)
	}
	var back Consent
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Signed != c.Signed || !back.Cutoff.IsZero() {
		t.Errorf("round trip: signed %v cutoff %v, want %v and zero", back.Signed, back.Cutoff, c.Signed)
	}
	for _, bad := range []string{`{"signed":"2011-02-30"}`, `{"signed":"April"}`, `{"signed":20110405}`} {
		var c Consent
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("Unmarshal(%s) succeeded, want error", bad)
		}
	}
	var empty Consent
	if err := json.Unmarshal([]byte(`{"signed":"","cutoff":null}`), &empty); err != nil || !empty.Signed.IsZero() {
		t.Errorf(`Unmarshal of "" and null = %v, %v; want zero dates, no error`, empty.Signed, err)
	}
}

func FuzzParseDate(f *testing.F) {
	seeds := []string{"2011-04-05", "2024-02-29", "2023-02-29", "0000-00-00", "9999-12-31", "", "2011-4-5",
		"Carol Jacklin-Jarvis", "2011-04-05\n", "1e10-01-01", "-011-01-01", "２０１１-04-05"}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("error %q does not wrap ErrInvalidDate", err)
			}
			if len(s) > 10 && strings.Contains(err.Error(), s) {
				t.Fatalf("error %q repeats the input", err)
			}
			return
		}
		if d.IsZero() {
			t.Fatalf("ParseDate(%q) returned the zero Date without error", s)
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q, want the input back", s, d)
		}
		var back Date
		if err := back.UnmarshalText([]byte(d.String())); err != nil || back != d {
			t.Fatalf("text round trip of %q: %v, %v", s, back, err)
		}
	})
}
