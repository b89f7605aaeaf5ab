package vault

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
)

// TestHandlesReadAlike: a new handle that reads as a handle already in
// use (whatever its case or leading zeros, and whatever kind of record
// holds it) is refused with one line naming both; new handles are kept in
// capitals; a generated document handle passes over a participant's.
func TestHandlesReadAlike(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P01", "Genevieve Okafor-Hale", "participate", "quote")
	addParticipant(t, s, "d2", "Bramwell Ashdown", "participate", "quote")
	if err := s.AddMeeting(ctx, MeetingRequest{Handle: "M01", Name: "Larder Steering Group"}); err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, "n.txt", "The rota is the whole thing.\n")
	before := snapshot(t, s.Dir)
	tests := []struct {
		name string
		add  func() error
		want string
	}{
		{"participant P1 beside P01", func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P1", Name: "Tamsin Rowe"}})
		}, "handle P1 reads as P01, which is already taken by a participant; use P01 for it, or another number"},
		{"participant p001", func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "p001", Name: "Tamsin Rowe"}})
		}, "handle P001 reads as P01"},
		{"participant p01, same handle", func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "p01", Name: "Tamsin Rowe"}})
		}, "handle P01 is already taken by a participant"},
		{"two rows that read alike", func() error {
			return s.AddParticipants(ctx, []ParticipantRequest{{Handle: "P7", Name: "Tamsin Rowe"}, {Handle: "P07", Name: "Oswin Pengelly"}})
		}, "row 2: invalid request: handle P07 reads as P7, given before"},
		{"meeting M1", func() error { return s.AddMeeting(ctx, MeetingRequest{Handle: "M1", Name: "Trustees"}) }, "handle M1 reads as M01, which is already taken by a meeting"},
		{"document named as a participant", func() error {
			_, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindFieldNotes, Handle: "P01"})
			return err
		}, "handle P01 is already taken by a participant"},
		{"document D02 beside participant D2", func() error {
			_, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindFieldNotes, Handle: "D02"})
			return err
		}, "handle D02 reads as D2, which is already taken by a participant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.add()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))

	// Generated document handles pass over D2, the participant's.
	for _, want := range []string{"D1", "D3"} {
		d, err := s.Ingest(ctx, IngestRequest{Path: in, Kind: policy.KindFieldNotes, AllowDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		if d.Handle != want {
			t.Errorf("generated document handle %s, want %s", d.Handle, want)
		}
	}
	cat, _ := s.Catalog()
	if p, err := cat.Participant("D2"); err != nil || p.Handle != "D2" {
		t.Errorf("participant added as d2: %v, handle %q, want D2 (kept in capitals)", err, p.Handle)
	}
}

// TestFlagTwice: the same flag (kind and range) set twice on a version is
// refused, since clearing one would leave the other and say the lines were
// cleared; a flag of another kind or range on the same lines is a flag of
// its own.
func TestFlagTwice(t *testing.T) {
	s := correctionStudy(t) // D1 line 2 flagged confidential
	before := snapshot(t, s.Dir)
	err := s.Flag(ctx, FlagRequest{Doc: "d1", From: 2, To: 2, Kind: policy.FlagConfidential, Reason: "again"})
	if want := "D1 v1 lines 2-2 are already flagged confidential; to correct its reason use --amend"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("flag set twice: %v, want %q", err, want)
	}
	sameSnapshot(t, before, snapshot(t, s.Dir))
	for _, req := range []FlagRequest{
		{Doc: "D1", From: 2, To: 2, Kind: policy.FlagStruck, Reason: "asked"},
		{Doc: "D1", From: 1, To: 2, Kind: policy.FlagConfidential, Reason: "wider"},
	} {
		if err := s.Flag(ctx, req); err != nil {
			t.Errorf("%+v: %v", req, err)
		}
	}
}

// TestFollowRange: a quoted range of an earlier version is followed onto
// the latest, through every version between, as a flag would be: moved
// lines keep their words, an edited line is reported edited, and a range
// whose words are gone is reported as such.
func TestFollowRange(t *testing.T) {
	s := newStudy(t)
	addParticipant(t, s, "P1", "Lowenna Trask", "participate", "quote")
	texts := []string{
		"Interviewer: Hi.\nLowenna Trask: The flood took the van.\nLowenna Trask: We rebuilt the depot.\nLowenna Trask: Then the grant came.\n",
		"Interviewer: Hello.\nInterviewer: Hi.\nLowenna Trask: The flood took the van.\nLowenna Trask: We rebuilt the depot.\nLowenna Trask: Then the grant came.\n",
		"Interviewer: Hello.\nInterviewer: Hi.\nLowenna Trask: The flood took the van.\nLowenna Trask: We rebuilt the whole depot in a week.\n",
	}
	for i, text := range texts {
		req := IngestRequest{Path: writeFile(t, fmt.Sprintf("v%d.txt", i+1), text), Kind: policy.KindTranscript, Participants: []string{"P1"}}
		if i > 0 {
			req = IngestRequest{Path: req.Path, VersionOf: "D1"}
		}
		if _, err := s.Ingest(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.Doc("D1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		from, to       int
		newFrom, newTo int
		how            string
	}{
		{"moved by a line", 2, 2, 3, 3, CarrySame},
		{"moved, then edited", 3, 3, 4, 4, CarryEdited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := s.followRange(d, 1, tt.from, tt.to)
			if err != nil || m == nil {
				t.Fatalf("followRange: %v, %v", m, err)
			}
			if m.NewFrom != tt.newFrom || m.NewTo != tt.newTo || m.How != tt.how || m.Latest != 3 {
				t.Errorf("v1 %d-%d -> v%d %d-%d (%s), want v3 %d-%d (%s)", tt.from, tt.to, m.Latest, m.NewFrom, m.NewTo, m.How, tt.newFrom, tt.newTo, tt.how)
			}
		})
	}
	// Line 4 of v1 ("Then the grant came.") is gone in v3.
	m, err := s.followRange(d, 1, 4, 4)
	if err != nil || m == nil || m.How == CarrySame || m.How == CarryEdited {
		t.Errorf("a removed line: %+v, %v; want it reported as replaced or gone", m, err)
	}
}

// TestChapterRender: a chapter's last render is found by what the log
// holds of it, never its file name: the last render of the same text,
// else the last render that quoted most of its quote directives.
func TestChapterRender(t *testing.T) {
	render := func(seq uint64, sum, quotes string) Entry {
		return Entry{Seq: seq, Action: "render", Hashes: map[string]string{"chapter": sum}, Detail: map[string]string{"quotes": quotes}}
	}
	log := []Entry{
		render(1, "aaa", "3:D1:2-2:P1 5:D1:3-3:P1"),
		render(2, "bbb", "3:D2:1-4:P2"),
		{Seq: 3, Action: "render", Outcome: "refused", Hashes: map[string]string{"chapter": "ccc"}, Detail: map[string]string{"quotes": "3:D1:2-2:P1 5:D1:3-3:P1"}},
		render(4, "ddd", "9:D1:2-2:P1"),
	}
	tests := []struct {
		name    string
		sum     string
		current []CitedQuote
		seq     uint64
		exact   bool
	}{
		{"the same text", "aaa", []CitedQuote{{Line: 3, Doc: "D1", Lines: "2-2"}}, 1, true},
		{"edited: most quotes shared", "zzz", []CitedQuote{{Line: 4, Doc: "D1", Lines: "2-2"}, {Line: 8, Doc: "D1", Lines: "3-3"}}, 1, false},
		{"edited: ties go to the latest", "zzz", []CitedQuote{{Line: 4, Doc: "D1", Lines: "2-2"}}, 4, false},
		{"a refused render is not a render", "ccc", []CitedQuote{{Line: 3, Doc: "D2", Lines: "1-4"}}, 2, false},
		{"nothing shared", "zzz", []CitedQuote{{Line: 3, Doc: "D1", Lines: "7-8"}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last, exact := chapterRender(log, tt.sum, tt.current)
			var seq uint64
			if last != nil {
				seq = last.Seq
			}
			if seq != tt.seq || exact != tt.exact {
				t.Errorf("render %d (exact %v), want %d (exact %v)", seq, exact, tt.seq, tt.exact)
			}
		})
	}
}
