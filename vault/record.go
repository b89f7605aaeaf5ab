package vault

import (
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

// ParticipantDoc is one document in a participant's record: a document that
// names them, or one in which the gate attributes lines to them.
type ParticipantDoc struct {
	Handle  string `json:"handle"`
	Kind    string `json:"kind"`
	Date    string `json:"date,omitempty"`
	Version int    `json:"version"`
	Linked  bool   `json:"linked"` // the document names the participant
	Lines   int    `json:"lines"`  // lines of the latest version
	// TheirLines counts the lines holding their words as the gate
	// attributes them; -1 when the text could not be read (an identity
	// without raw material, a recording, an erased document).
	TheirLines int `json:"their_lines"`
	// Flags are the flags on their lines (every flag of the version when
	// their lines are not known), reasons left out.
	Flags []policy.Flag `json:"flags"`
}

// RenderedQuote is one quote of a participant's words in a rendered
// chapter.
type RenderedQuote struct {
	ChapterLine int    `json:"chapter_line"`
	Doc         string `json:"doc"`
	Lines       string `json:"lines"`
}

// ParticipantExit is one delivered exit that used a participant's words.
type ParticipantExit struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Action    string    `json:"action"`
	Documents []string  `json:"documents"`
	Consents  []string  `json:"consents"`
	Output    string    `json:"output_sha256"`
	// Chapter is the chapter's file name as entries of earlier releases recorded
	// it; ChapterSHA256 is the hash of its text, all a render records now
	// (a file name may carry a participant's name).
	Chapter       string          `json:"chapter,omitempty"`
	ChapterSHA256 string          `json:"chapter_sha256,omitempty"`
	Quotes        []RenderedQuote `json:"quotes,omitempty"`
	// Partial: the output went to standard output and was cut short; part
	// of it left (the audit outcome "partial").
	Partial bool `json:"partial,omitempty"`
}

// ParticipantRecord is what the vault holds of one participant beyond the
// register: their documents and every exit that used their words.
type ParticipantRecord struct {
	Documents []ParticipantDoc  `json:"documents"`
	Exits     []ParticipantExit `json:"exits"`
}

// ParticipantRecord gathers a participant's documents (reading the text,
// where this identity may, to find the lines that are theirs) and the exits
// that used their words (from the audit log). It shows no text.
func (s *Study) ParticipantRecord(handle string) (*ParticipantRecord, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	if _, err := cat.Participant(handle); err != nil {
		return nil, err
	}
	rd, err := cat.Redactor()
	if err != nil {
		return nil, err
	}
	rec := &ParticipantRecord{Documents: []ParticipantDoc{}, Exits: []ParticipantExit{}}
	for _, d := range cat.Documents {
		v := d.Latest()
		pd := ParticipantDoc{Handle: d.Handle, Kind: d.Kind, Date: d.Date, Version: v.N, Linked: slices.Contains(d.Participants, handle),
			Lines: v.Lines, TheirLines: -1, Flags: []policy.Flag{}}
		var theirs *lineSet
		if policy.IsTextKind(d.Kind) && !d.Erased && v.Format != FormatBinary {
			ls, err := s.theirLines(cat, rd, d, v, handle)
			if err != nil {
				var notRecipient *RecipientError
				if !errors.As(err, &notRecipient) {
					return nil, err
				}
			} else {
				theirs = &ls
				pd.TheirLines = ls.len()
			}
		}
		if !pd.Linked && pd.TheirLines <= 0 {
			continue
		}
		for _, f := range v.Flags {
			if theirs == nil || overlaps(*theirs, f.From, f.To) {
				f.Reason = ""
				pd.Flags = append(pd.Flags, f)
			}
		}
		rec.Documents = append(rec.Documents, pd)
	}
	sort.Slice(rec.Documents, func(i, j int) bool { return policy.HandleLess(rec.Documents[i].Handle, rec.Documents[j].Handle) })
	entries, err := s.AuditLog(AuditFilter{Participant: handle})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !IsExitAction(e.Action) || !e.LetOut() || !slices.Contains(e.Participants, handle) {
			continue
		}
		x := ParticipantExit{Seq: e.Seq, Time: e.Time, Action: e.Action, Documents: e.Handles, Consents: []string{},
			Output: e.Hashes["output"], Chapter: e.Detail["chapter"], ChapterSHA256: e.Hashes["chapter"], Partial: e.Result() == OutcomePartial}
		if x.Documents == nil {
			x.Documents = []string{}
		}
		for _, c := range e.Consents {
			if strings.HasPrefix(c, handle+"#") {
				x.Consents = append(x.Consents, c)
			}
		}
		x.Quotes = quotesOf(e.Detail["quotes"], handle)
		rec.Exits = append(rec.Exits, x)
	}
	return rec, nil
}

func overlaps(lines lineSet, from, to int) bool {
	for n := min(from, to); n <= max(from, to); n++ {
		if lines.has(n) {
			return true
		}
	}
	return false
}

// quotesOf reads a render entry's "quotes" detail ("LINE:DOC:A-B:P1,P2"
// separated by spaces) for the quotes of handle's words.
func quotesOf(detail, handle string) []RenderedQuote {
	var out []RenderedQuote
	for _, q := range strings.Fields(detail) {
		parts := strings.Split(q, ":")
		if len(parts) != 4 || !slices.Contains(strings.Split(parts[3], ","), handle) {
			continue
		}
		line, err := strconv.Atoi(parts[0])
		if err != nil {
			continue
		}
		out = append(out, RenderedQuote{ChapterLine: line, Doc: parts[1], Lines: parts[2]})
	}
	return out
}
