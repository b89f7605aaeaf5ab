package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// lines builds LineFacts from compact specs, one per line: "" blank, "-" no
// speaker, "R" researcher, "O" a non-participant, "U" an unknown speaker
// label, "P07" a participant; each
// may carry inline flags as "+dnq", "+struck", "+confidential", "+off-record".
func lines(specs ...string) []LineFacts {
	out := make([]LineFacts, len(specs))
	for i, spec := range specs {
		parts := strings.Split(spec, "+")
		l := LineFacts{N: i + 1}
		switch who := parts[0]; {
		case who == "":
			l.Blank = true
		case who == "-":
		case who == "R":
			l.SpeakerKind = SpeakerResearcher
		case who == "O":
			l.SpeakerKind = SpeakerOther
		case who == "U":
			l.SpeakerKind = SpeakerUnknown
		default:
			l.SpeakerKind, l.Participant = SpeakerParticipant, who
		}
		for _, f := range parts[1:] {
			l.Flags = append(l.Flags, FlagKind(f))
		}
		out[i] = l
	}
	return out
}

// summary renders line decisions as "K W:rule D:rule …".
func summary(ls []LineDecision) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		switch l.Action {
		case Keep:
			parts[i] = "K"
		case Withhold:
			parts[i] = "W:" + string(l.Rule)
		case Drop:
			parts[i] = "D:" + string(l.Rule)
		default:
			parts[i] = "?"
		}
	}
	return strings.Join(parts, " ")
}

func refusalSummary(rs []*Refusal) []string {
	var out []string
	for _, r := range rs {
		s := string(r.Rule)
		if r.Participant != "" {
			s += " " + r.Participant
		}
		if len(r.Lines) > 0 {
			s += " " + strings.ReplaceAll(FormatRanges(r.Lines, 0, 0, 0), " ", "")
		}
		out = append(out, s)
	}
	return out
}

func relianceSummary(rs []Reliance) []string {
	var out []string
	for _, r := range rs {
		sc := make([]string, len(r.Scopes))
		for i, s := range r.Scopes {
			sc[i] = string(s)
		}
		out = append(out, fmt.Sprintf("%s#%d/%s %s", r.Participant, r.ConsentSeq, r.Form, strings.Join(sc, ",")))
	}
	return out
}

type records map[string]*Record

func TestDecide(t *testing.T) {
	quoteOK := []Scope{ScopeParticipate, ScopeQuote}
	recs := func(t *testing.T) records {
		return records{
			"P01": newRecord(t, "P01", quoteOK...),
			"P02": newRecord(t, "P02", ScopeParticipate),                                           // no quote
			"P03": withdraw(t, newRecord(t, "P03", full...), "", false),                            // withdrawn
			"P04": withdraw(t, newRecord(t, "P04", full...), ScopeQuote, false),                    // quote withdrawn
			"P05": newRecord(t, "P05", full...),                                                    // quote + off-record
			"P06": newRecord(t, "P06", ScopeQuote),                                                 // no participate
			"P08": withdraw(t, newRecord(t, "P08", full...), "", true),                             // erased
			"P09": newRecord(t, "P09", ScopeParticipate, ScopeQuote, ScopePublish, ScopeOffRecord), // publish
		}
	}
	meeting := &MeetingFacts{Handle: "M03"}
	dnqMeeting := &MeetingFacts{Handle: "M04", DNQ: true}
	tests := []struct {
		name         string
		mode         Mode
		from, to     int
		kind         string
		participants []string
		meeting      *MeetingFacts
		flags        []Flag
		lines        []LineFacts
		purpose      Scope
		edit         func(t *testing.T, r records)
		want         string
		wantRefusals []string
		wantRelied   []string
	}{
		{name: "recording never leaves", kind: "recording",
			wantRefusals: []string{"kind"}},
		{name: "consent form never leaves", kind: "consent-form", lines: lines("-", "-"),
			want: "W:kind W:kind", wantRefusals: []string{"kind"}},
		{name: "consent form quote refused", mode: ModeQuote, from: 2, to: 2, kind: "consent-form", lines: lines("-", "-"),
			want: "W:kind", wantRefusals: []string{"kind"}},
		{name: "unknown kind refused", kind: "video", lines: lines("-"),
			want: "W:kind", wantRefusals: []string{"kind"}},
		{name: "interview all consented", participants: []string{"P01"}, lines: lines("-", "", "R", "P01", "P01", "", "R", "P01"),
			want: "K K K K K K K K", wantRelied: []string{"P01#1/v2 participate,quote"}},
		{name: "no quote consent withheld", participants: []string{"P02"}, lines: lines("-", "R", "P02", "P02", "", "R"),
			want: "K K W:quote-consent W:quote-consent K K"},
		{name: "missing record is no consent", lines: lines("R", "P10"),
			want: "K W:participate-consent"},
		{name: "consent without participate", lines: lines("R", "P06"),
			want: "K W:participate-consent"},
		{name: "withdrawn participant withheld", lines: lines("R", "P03", "R"),
			want: "K W:withdrawn K"},
		{name: "erased participant withheld", lines: lines("P08"),
			want: "W:withdrawn"},
		{name: "quote withdrawn withheld in export", lines: lines("P04", "R"),
			want: "W:quote-consent K"},
		{name: "quote withdrawn refused in quote", mode: ModeQuote, from: 1, to: 2, lines: lines("P04", "R"),
			want: "W:quote-consent K", wantRefusals: []string{"quote-consent P04 1"}},
		{name: "re-consent restores", lines: lines("P03"), edit: func(t *testing.T, r records) {
			if err := r["P03"].AddConsent(Consent{Form: "v3", Signed: mustDate(t, "2011-09-01"), Scopes: []Scope{ScopeParticipate, ScopeQuote}}, mustDate(t, testToday)); err != nil {
				t.Fatal(err)
			}
		}, want: "K", wantRelied: []string{"P03#3/v3 participate,quote"}},
		{name: "focus group withholds only the withdrawn", kind: "transcript", participants: []string{"P01", "P03", "P05"},
			lines:      lines("-", "R", "P01", "P03", "P03", "P05", "", "P03", "R"),
			want:       "K K K W:withdrawn W:withdrawn K K W:withdrawn K",
			wantRelied: []string{"P01#1/v2 participate,quote", "P05#1/v2 participate,quote"}},
		{name: "unlabelled transcript attributed to everyone", participants: []string{"P01", "P05"},
			lines: lines("-", "-", "", "-"), want: "K K K K",
			wantRelied: []string{"P01#1/v2 participate,quote", "P05#1/v2 participate,quote"}},
		{name: "unlabelled transcript with one non-consenting", participants: []string{"P01", "P02"},
			lines: lines("-", "", "-", "", ""), want: "W:quote-consent W:quote-consent W:quote-consent K K"},
		{name: "unlabelled transcript with withdrawn participant quoted", mode: ModeQuote, from: 1, to: 1, participants: []string{"P01", "P03"},
			lines: lines("-", "-"), want: "W:withdrawn", wantRefusals: []string{"withdrawn P03 1"}},
		{name: "header lines kept in a labelled transcript", participants: []string{"P02"},
			lines: lines("-", "-", "", "P02"), want: "K K K W:quote-consent"},
		{name: "unlabelled field notes are the researcher's", kind: "field-notes", participants: []string{"P02"},
			lines: lines("-", "-"), want: "K K"},
		{name: "unknown speaker withheld", lines: lines("R", "U", "U", "P01"),
			want: "K W:unknown-speaker W:unknown-speaker K", wantRelied: []string{"P01#1/v2 participate,quote"}},
		{name: "unknown speaker withheld in observed meeting notes", kind: "meeting-notes", meeting: meeting, lines: lines("-", "U", "O"),
			want: "K W:unknown-speaker K"},
		{name: "unknown speaker withheld for analysis", purpose: PurposeAnalysis, lines: lines("R", "U", "P02"),
			want: "K W:unknown-speaker K", wantRelied: []string{"P02#1/v2 participate"}},
		{name: "unknown speaker quoted", mode: ModeQuote, from: 1, to: 2, lines: lines("R", "U"),
			want: "K W:unknown-speaker", wantRefusals: []string{"unknown-speaker 2"}},
		{name: "analysis keeps participate-only and dnq", purpose: PurposeAnalysis, lines: lines("R", "P02", "P01+dnq", "P01"),
			want: "K K K K", wantRelied: []string{"P01#1/v2 participate", "P02#1/v2 participate"}},
		{name: "analysis keeps dnq meeting", purpose: PurposeAnalysis, kind: "meeting-notes", meeting: dnqMeeting, lines: lines("-", "P01"),
			want: "K K", wantRelied: []string{"P01#1/v2 participate"}},
		{name: "analysis withholds what leaves for no purpose", purpose: PurposeAnalysis, lines: lines("P03", "P06", "P01+confidential", "P01+struck", "P01+off-record", "P01+dnq+confidential"),
			want: "W:withdrawn W:participate-consent D:confidential D:struck W:off-record D:confidential"},
		{name: "analysis dnq meeting still drops confidential", purpose: PurposeAnalysis, kind: "meeting-notes", meeting: dnqMeeting, lines: lines("-", "-+confidential"),
			want: "K D:confidential"},
		{name: "other speaker in transcript", lines: lines("R", "O", "P01"),
			want: "K W:other-speaker K", wantRelied: []string{"P01#1/v2 participate,quote"}},
		{name: "other speaker quoted from transcript", mode: ModeQuote, from: 2, to: 2, lines: lines("R", "O"),
			want: "W:other-speaker", wantRefusals: []string{"other-speaker 2"}},
		{name: "other speaker in meeting notes of observed meeting", kind: "meeting-notes", meeting: meeting, lines: lines("-", "O", "P01"),
			want: "K K K", wantRelied: []string{"P01#1/v2 participate,quote"}},
		{name: "other speaker in private observed meeting", kind: "field-notes", meeting: &MeetingFacts{Handle: "M05", Private: true}, lines: lines("O"),
			want: "K"},
		{name: "other speaker in field notes without meeting", kind: "field-notes", lines: lines("-", "O"),
			want: "K W:other-speaker"},
		{name: "other speaker in a document of a meeting", kind: "document", meeting: meeting, lines: lines("O"),
			want: "W:other-speaker"},
		{name: "recorded struck and confidential dropped", lines: lines("R", "P01", "P01", "R", "P01"),
			flags: []Flag{{Kind: FlagStruck, From: 2, To: 3, Reason: "asked"}, {Kind: FlagConfidential, From: 5, To: 5}},
			want:  "K D:struck D:struck K D:confidential"},
		{name: "struck researcher line", lines: lines("R", "R"), flags: []Flag{{Kind: FlagStruck, From: 1, To: 1}},
			want: "D:struck K"},
		{name: "inline dnq withheld", lines: lines("R", "P01+dnq", "P01+dnq", "R"),
			want: "K W:dnq W:dnq K"},
		{name: "recorded dnq on researcher notes", kind: "field-notes", lines: lines("-", "-", "-"), flags: []Flag{{Kind: FlagDNQ, From: 2, To: 3}},
			want: "K W:dnq W:dnq"},
		{name: "dnq quoted refused", mode: ModeQuote, from: 1, to: 3, lines: lines("R", "P01+dnq", "R"),
			want: "K W:dnq K", wantRefusals: []string{"dnq 2"}, wantRelied: nil},
		{name: "confidential paraphrase-proof in quote", mode: ModeQuote, from: 2, to: 2, kind: "meeting-notes", meeting: meeting,
			lines: lines("-", "-+confidential"), want: "D:confidential", wantRefusals: []string{"confidential 2"}},
		{name: "off-record with consent", lines: lines("R", "P05+off-record"),
			want: "K K", wantRelied: []string{"P05#1/v2 participate,quote,off-record"}},
		{name: "off-record quote names every missing scope", mode: ModeQuote, from: 1, to: 1, purpose: ScopePresent, lines: lines("P02+off-record"),
			want: "W:quote-consent", wantRefusals: []string{"quote-consent P02 1", "purpose-consent P02 1", "off-record P02 1"}},
		{name: "off-record without consent", lines: lines("R", "P01+off-record", "P01"),
			want: "K W:off-record K", wantRelied: []string{"P01#1/v2 participate,quote"}},
		{name: "researcher off-record notes need every participant", kind: "field-notes", participants: []string{"P05", "P01"},
			lines: lines("-", "-"), flags: []Flag{{Kind: FlagOffRecord, From: 1, To: 2}}, want: "W:off-record W:off-record"},
		{name: "researcher off-record notes quoted", mode: ModeQuote, from: 1, to: 1, kind: "field-notes", participants: []string{"P05", "P01", "P02"},
			lines: lines("-+off-record"), want: "W:off-record", wantRefusals: []string{"off-record P01 1", "off-record P02 1"}},
		{name: "researcher off-record notes with consent", kind: "field-notes", participants: []string{"P05", "P09"},
			lines: lines("R+off-record", "-"), want: "K K", wantRelied: []string{"P05#1/v2 off-record", "P09#1/v2 off-record"}},
		{name: "off-record notes concerning nobody", kind: "field-notes", lines: lines("-+off-record"),
			want: "W:off-record"},
		{name: "dnq meeting export is one run", kind: "meeting-notes", meeting: dnqMeeting, lines: lines("-", "", "O", "P01", "-+struck"),
			want: "W:dnq-meeting W:dnq-meeting W:dnq-meeting W:dnq-meeting W:dnq-meeting"},
		{name: "dnq meeting quote refused", mode: ModeQuote, from: 2, to: 3, kind: "meeting-notes", meeting: dnqMeeting, lines: lines("-", "-", "-"),
			want: "W:dnq-meeting W:dnq-meeting", wantRefusals: []string{"dnq-meeting 2-3"}},
		{name: "blank inside a withheld run joins it", lines: lines("R", "P03", "", "", "P03", "", "R"),
			want: "K W:withdrawn W:withdrawn W:withdrawn W:withdrawn K K"},
		{name: "blank between different runs takes the earlier", lines: lines("P03", "", "P01+dnq"),
			want: "W:withdrawn W:withdrawn W:dnq"},
		{name: "flagged blank line", lines: lines("R", "", "R"), flags: []Flag{{Kind: FlagStruck, From: 2, To: 2}},
			want: "K D:struck K"},
		{name: "quote in range with blank run", mode: ModeQuote, from: 2, to: 4, lines: lines("P01", "P03", "", "P03", "P01"),
			want: "W:withdrawn W:withdrawn W:withdrawn", wantRefusals: []string{"withdrawn P03 2-4"}},
		{name: "quote permitted", mode: ModeQuote, from: 2, to: 4, participants: []string{"P01", "P05"}, lines: lines("-", "R", "P01", "P05", "P02"),
			want: "K K K", wantRelied: []string{"P01#1/v2 participate,quote", "P05#1/v2 participate,quote"}},
		{name: "quote with several reasons", mode: ModeQuote, from: 1, to: 4, lines: lines("P02+dnq", "P02", "O", "P02+struck"),
			want:         "W:dnq W:quote-consent W:other-speaker D:struck",
			wantRefusals: []string{"struck 4", "dnq 1", "quote-consent P02 1-2,4", "other-speaker 3"}},
		{name: "quote range outside document", mode: ModeQuote, from: 3, to: 5, lines: lines("R", "R", "R", "R"),
			wantRefusals: []string{"request"}},
		{name: "quote range reversed", mode: ModeQuote, from: 3, to: 2, lines: lines("R", "R", "R"),
			wantRefusals: []string{"request"}},
		{name: "publish purpose needs publish", purpose: ScopePublish, lines: lines("P01", "P09"),
			want: "W:purpose-consent K", wantRelied: []string{"P09#1/v2 participate,quote,publish"}},
		{name: "struck outranks withdrawn", lines: lines("P03"), flags: []Flag{{Kind: FlagStruck, From: 1, To: 1}},
			want: "D:struck"},
		{name: "flag ranges clamped and reversed", lines: lines("R", "R", "R"),
			flags: []Flag{{Kind: FlagDNQ, From: 3, To: 2}, {Kind: FlagStruck, From: -4, To: 1}, {Kind: FlagConfidential, From: 9, To: 12}},
			want:  "D:struck W:dnq W:dnq"},
		{name: "unknown flag kind held back", lines: lines("R+secret", "R"),
			want: "D:confidential K"},
		{name: "empty document", lines: nil, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := recs(t)
			if tt.edit != nil {
				tt.edit(t, r)
			}
			mode, kind := tt.mode, tt.kind
			if mode == "" {
				mode = ModeExport
			}
			if kind == "" {
				kind = KindTranscript
			}
			req := Request{Mode: mode, From: tt.from, To: tt.to, Records: r, Purpose: tt.purpose,
				Doc: DocFacts{Handle: "D12", Kind: kind, Version: 1, Participants: tt.participants, Meeting: tt.meeting, Flags: tt.flags, Lines: tt.lines}}
			d := Decide(req)
			if got := summary(d.Lines); got != tt.want {
				t.Errorf("lines:\n got %s\nwant %s", got, tt.want)
			}
			if got := refusalSummary(d.Refusals); !slices.Equal(got, tt.wantRefusals) {
				t.Errorf("refusals = %q, want %q", got, tt.wantRefusals)
			}
			if got := relianceSummary(d.ReliedOn); !slices.Equal(got, tt.wantRelied) {
				t.Errorf("relied on = %q, want %q", got, tt.wantRelied)
			}
			if err := d.Err(); (err != nil) != (len(tt.wantRefusals) > 0) || (err != nil && !errors.Is(err, ErrRefused)) {
				t.Errorf("Err() = %v, want a refusal: %v", err, len(tt.wantRefusals) > 0)
			}
			for _, ref := range d.Refusals {
				if ref.Msg == "" || ref.Remedy == "" {
					t.Errorf("refusal %s lacks a message or remedy: %q / %q", ref.Rule, ref.Msg, ref.Remedy)
				}
			}
		})
	}
}

func TestDecideRulesAndFlags(t *testing.T) {
	r := records{"P02": newRecord(t, "P02", ScopeParticipate), "P01": newRecord(t, "P01", ScopeParticipate, ScopeQuote)}
	struck := Flag{Kind: FlagStruck, From: 1, To: 2, Reason: "asked by participant", Who: "researcher"}
	far := Flag{Kind: FlagDNQ, From: 6, To: 6}
	req := Request{Mode: ModeQuote, From: 1, To: 4, Records: r, Doc: DocFacts{Handle: "D12", Kind: KindTranscript,
		Flags: []Flag{far, struck}, Lines: lines("P02+dnq", "P02+dnq", "P01", "P01+dnq", "R", "R")}}
	d := Decide(req)
	if got, want := d.Lines[0].Rules, []Rule{RuleStruck, RuleDNQ, RuleQuoteConsent}; !slices.Equal(got, want) {
		t.Errorf("line 1 rules = %v, want %v", got, want)
	}
	if got := d.Lines[0].Participant; got != "" {
		t.Errorf("line 1 participant = %q, want none (struck is decisive)", got)
	}
	wantFlags := []Flag{{Kind: FlagDNQ, From: 1, To: 2, Inline: true}, struck, {Kind: FlagDNQ, From: 4, To: 4, Inline: true}}
	if !slices.Equal(d.FlagsApplied, wantFlags) {
		t.Errorf("flags applied =\n %+v\nwant\n %+v", d.FlagsApplied, wantFlags)
	}
	if got := relianceSummary(d.ReliedOn); !slices.Equal(got, []string{"P01#1/v2 participate,quote"}) {
		t.Errorf("relied on = %q", got)
	}
}

func TestRefusalMessages(t *testing.T) {
	r := records{
		"P07": newRecord(t, "P07", ScopeParticipate),
		"P04": withdraw(t, newRecord(t, "P04", full...), ScopeQuote, false),
		"P03": withdraw(t, newRecord(t, "P03", full...), "", false),
	}
	tests := []struct {
		name  string
		lines []LineFacts
		from  int
		to    int
		want  string
	}{
		{"no quote consent", lines("R", "P07", "P07"), 2, 3,
			"refused (quote-consent) at lines 2-3: P07 has not consented to quotation (scope quote); to permit: record new consent for P07 with --scope quote, or paraphrase"},
		{"quote withdrawn", lines("P04"), 1, 1,
			"refused (quote-consent) at line 1: P04 withdrew consent to quotation (scope quote); to permit: record new consent for P04 with --scope quote, or paraphrase"},
		{"withdrawn", lines("P03", "R", "P03"), 1, 3,
			"refused (withdrawn) at lines 1, 3: P03 withdrew on 2011-06-01 (withdrawal 2); their words never leave; to permit: none unless P03 consents again (record new consent)"},
		{"no record", lines("P11"), 1, 1,
			"refused (participate-consent) at line 1: P11 has no consent record; to permit: record consent for P11 with --scope participate,quote"},
		{"participant line without a handle", []LineFacts{{N: 1, SpeakerKind: SpeakerParticipant}}, 1, 1,
			"refused (participate-consent) at line 1: a speaker with no handle has no consent record; to permit: label the speaker with a registered participant's handle"},
		{"dnq", lines("R+dnq"), 1, 1,
			"refused (dnq) at line 1: lines are marked do-not-quote; to permit: paraphrase instead, or remove the dnq flag if it was set in error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(Request{Mode: ModeQuote, From: tt.from, To: tt.to, Records: r, Doc: DocFacts{Handle: "D12", Kind: KindTranscript, Lines: tt.lines}})
			err := d.Err()
			if err == nil {
				t.Fatal("Err() = nil, want a refusal")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() =\n %q\nwant\n %q", got, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Error() spans lines")
			}
			var ref *Refusal
			if !errors.As(err, &ref) || !errors.Is(ref, ErrRefused) {
				t.Errorf("errors.As/Is failed on %v", err)
			}
		})
	}
	multi := &Refused{Refusals: []*Refusal{{Rule: RuleDNQ, Lines: [][2]int{{1, 2}}, Msg: "a"}, {Rule: RuleStruck, Msg: "b", Remedy: "c"}}}
	if got, want := multi.Error(), "2 reasons: refused (dnq) at lines 1-2: a | refused (struck): b; to permit: c"; got != want {
		t.Errorf("Refused.Error() = %q, want %q", got, want)
	}
	if !errors.Is(multi, ErrRefused) {
		t.Errorf("errors.Is(Refused, ErrRefused) = false")
	}
}

func TestValidate(t *testing.T) {
	doc := DocFacts{Handle: "D12", Kind: KindTranscript, Lines: lines("R", "R", "R")}
	tests := []struct {
		name    string
		req     Request
		wantErr string
	}{
		{"export", Request{Mode: ModeExport, Doc: doc}, ""},
		{"quote whole", Request{Mode: ModeQuote, From: 1, To: 3, Doc: doc}, ""},
		{"no mode", Request{Doc: doc}, `unknown mode ""`},
		{"quote zero", Request{Mode: ModeQuote, Doc: doc}, "range 0-0 is not within document D12 (lines 1-3)"},
		{"quote past end", Request{Mode: ModeQuote, From: 2, To: 4, Doc: doc}, "range 2-4 is not within"},
		{"bad numbering", Request{Mode: ModeExport, Doc: DocFacts{Handle: "D12", Lines: []LineFacts{{N: 1}, {N: 3}}}}, "line 2 is numbered 3"},
		{"bad purpose", Request{Mode: ModeExport, Doc: doc, Purpose: ScopeQuote}, `purpose "quote" is not one of`},
		{"publish", Request{Mode: ModeExport, Doc: doc, Purpose: ScopePublish}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrBadRequest) {
				t.Fatalf("Validate() = %v, want ErrBadRequest containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestMarkers(t *testing.T) {
	ld := func(n int, a Action, r Rule) LineDecision { return LineDecision{N: n, Action: a, Rule: r} }
	tests := []struct {
		name  string
		lines []LineDecision
		want  []Marker
	}{
		{"nothing withheld", []LineDecision{ld(1, Keep, ""), ld(2, Keep, "")}, nil},
		{"one dnq line", []LineDecision{ld(1, Keep, ""), ld(2, Withhold, RuleDNQ)},
			[]Marker{{From: 2, To: 2, Rule: RuleDNQ, Rules: []Rule{RuleDNQ}, Text: "[not for quotation: 1 line withheld]"}}},
		{"dnq meeting", []LineDecision{ld(1, Withhold, RuleDNQMeeting), ld(2, Withhold, RuleDNQMeeting), ld(3, Withhold, RuleDNQMeeting)},
			[]Marker{{From: 1, To: 3, Rule: RuleDNQMeeting, Rules: []Rule{RuleDNQMeeting}, Text: "[not for quotation: 3 lines withheld]"}}},
		{"neutral reasons merge", []LineDecision{ld(4, Drop, RuleStruck), ld(5, Withhold, RuleWithdrawn), ld(6, Drop, RuleConfidential), ld(7, Keep, "")},
			[]Marker{{From: 4, To: 6, Rule: RuleStruck, Rules: []Rule{RuleStruck, RuleWithdrawn, RuleConfidential}, Text: "[withheld: 3 lines]"}}},
		{"dnq and neutral apart", []LineDecision{ld(1, Withhold, RuleDNQ), ld(2, Drop, RuleStruck), ld(3, Withhold, RuleDNQ)},
			[]Marker{
				{From: 1, To: 1, Rule: RuleDNQ, Rules: []Rule{RuleDNQ}, Text: "[not for quotation: 1 line withheld]"},
				{From: 2, To: 2, Rule: RuleStruck, Rules: []Rule{RuleStruck}, Text: "[withheld: 1 line]"},
				{From: 3, To: 3, Rule: RuleDNQ, Rules: []Rule{RuleDNQ}, Text: "[not for quotation: 1 line withheld]"}}},
		{"runs split by a kept line", []LineDecision{ld(1, Withhold, RuleQuoteConsent), ld(2, Keep, ""), ld(3, Withhold, RuleQuoteConsent)},
			[]Marker{
				{From: 1, To: 1, Rule: RuleQuoteConsent, Rules: []Rule{RuleQuoteConsent}, Text: "[withheld: 1 line]"},
				{From: 3, To: 3, Rule: RuleQuoteConsent, Rules: []Rule{RuleQuoteConsent}, Text: "[withheld: 1 line]"}}},
		{"gap in numbering splits", []LineDecision{ld(1, Withhold, RuleDNQ), ld(3, Withhold, RuleDNQ)},
			[]Marker{
				{From: 1, To: 1, Rule: RuleDNQ, Rules: []Rule{RuleDNQ}, Text: "[not for quotation: 1 line withheld]"},
				{From: 3, To: 3, Rule: RuleDNQ, Rules: []Rule{RuleDNQ}, Text: "[not for quotation: 1 line withheld]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Markers(Decision{Lines: tt.lines})
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Markers =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

// TestDecideAnalysisMarks: lines that leave for analysis only carry the
// rules that stop their quotation; publication withholds the same lines.
func TestDecideAnalysisMarks(t *testing.T) {
	recs := records{
		"P01": newRecord(t, "P01", ScopeParticipate, ScopeQuote),
		"P02": newRecord(t, "P02", ScopeParticipate),
	}
	doc := DocFacts{Handle: "D1", Kind: "transcript", Participants: []string{"P01", "P02"}, Lines: lines("R", "P02", "P01+dnq", "P01", "U")}
	d := Decide(Request{Mode: ModeExport, Doc: doc, Records: recs, Purpose: PurposeAnalysis})
	var got []string
	for _, l := range d.Lines {
		got = append(got, fmt.Sprint(l.Marks))
	}
	want := []string{"[]", "[quote-consent]", "[dnq]", "[]", "[]"}
	if !slices.Equal(got, want) {
		t.Errorf("marks = %v, want %v", got, want)
	}
	if got := refusalSummary(d.Withheld); !slices.Equal(got, []string{"unknown-speaker 5"}) {
		t.Errorf("withheld = %v", got)
	}
	pub := Decide(Request{Mode: ModeExport, Doc: doc, Records: recs})
	if got, want := summary(pub.Lines), "K W:quote-consent W:dnq K W:unknown-speaker"; got != want {
		t.Errorf("publication lines = %s, want %s", got, want)
	}
	if got := refusalSummary(pub.Withheld); !slices.Equal(got, []string{"unknown-speaker 5", "dnq 3", "quote-consent P02 2"}) {
		t.Errorf("publication withheld = %v", got)
	}
}

// TestWithheldRangesBounded: a document that withholds every other turn
// lists the first maxListedRanges ranges of a reason and counts the rest, so
// the explanation (and the memory it takes) does not grow with the
// document, and the counts stay exact.
func TestWithheldRangesBounded(t *testing.T) {
	recs := records{"P01": newRecord(t, "P01", ScopeParticipate, ScopeQuote), "P03": withdraw(t, newRecord(t, "P03", full...), "", false)}
	for _, tt := range []struct {
		turns                            int
		listed, more, moreLines, through int
	}{
		{turns: maxListedRanges, listed: maxListedRanges},
		{turns: maxListedRanges + 1, listed: maxListedRanges, more: 1, moreLines: 2, through: 4*(maxListedRanges+1) - 1},
		{turns: 5000, listed: maxListedRanges, more: 5000 - maxListedRanges, moreLines: 2 * (5000 - maxListedRanges), through: 4*5000 - 1},
	} {
		var specs []string
		for range tt.turns {
			specs = append(specs, "P01", "P03", "P03", "R") // P03 withdrawn: two lines a turn
		}
		d := Decide(Request{Mode: ModeExport, Records: recs,
			Doc: DocFacts{Handle: "D12", Kind: KindTranscript, Version: 1, Lines: lines(specs...)}})
		if len(d.Withheld) != 1 {
			t.Fatalf("%d turns: withheld = %v", tt.turns, d.Withheld)
		}
		w := d.Withheld[0]
		if len(w.Lines) != tt.listed || w.MoreRanges != tt.more || w.MoreLines != tt.moreLines || w.Through != tt.through {
			t.Errorf("%d turns: listed %d, more %d ranges / %d lines through %d; want %d, %d / %d through %d",
				tt.turns, len(w.Lines), w.MoreRanges, w.MoreLines, w.Through, tt.listed, tt.more, tt.moreLines, tt.through)
		}
		if w.Lines[0] != [2]int{2, 3} || w.Lines[len(w.Lines)-1] != [2]int{4*tt.listed - 2, 4*tt.listed - 1} {
			t.Errorf("%d turns: listed ranges %v … %v", tt.turns, w.Lines[0], w.Lines[len(w.Lines)-1])
		}
		withheld := 0
		for _, l := range d.Lines {
			if l.Action != Keep {
				withheld++
			}
		}
		if listedLines := 2 * len(w.Lines); listedLines+w.MoreLines != withheld {
			t.Errorf("%d turns: %d listed + %d more lines, %d withheld", tt.turns, listedLines, w.MoreLines, withheld)
		}
		if tt.more > 0 && !strings.Contains(w.Error(), fmt.Sprintf(" and %d more range", tt.more)) {
			t.Errorf("%d turns: message %q does not count the ranges beyond the list", tt.turns, w.Error())
		}
	}
}
