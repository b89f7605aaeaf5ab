package vault

import (
	"context"
	"fmt"
	"slices"

	"github.com/fieldvault/fieldvault/policy"
)

// checkLinks enforces the links a document of a kind needs: a transcript
// concerns at least one participant (whose consent its words leave under),
// meeting notes record a meeting (whose do-not-quote condition they carry).
// Without them the gate could attribute nothing and protect nothing.
func checkLinks(kind string, participants []string, meeting string) error {
	switch {
	case kind == policy.KindTranscript && len(participants) == 0:
		return fmt.Errorf("%w: a transcript needs at least one --participant (the people whose words it holds); register them with 'participant add' first", ErrInvalid)
	case kind == policy.KindMeetingNotes && meeting == "":
		return fmt.Errorf("%w: meeting notes need --meeting (the meeting they record, for its do-not-quote condition); register it with 'meeting add' first", ErrInvalid)
	}
	return nil
}

// checkVersionLinks: a new version keeps its document's links; links given
// with --version-of must be the document's own, never silently ignored.
func checkVersionLinks(req IngestRequest, d *Document) error {
	if req.Kind != "" && req.Kind != d.Kind {
		return fmt.Errorf("%w: document %s is a %s; a new version cannot be a %s", ErrInvalid, d.Handle, d.Kind, req.Kind)
	}
	if ps := dedupe(req.Participants); len(ps) > 0 && !sameSet(ps, d.Participants) {
		return fmt.Errorf("%w: --participant differs from document %s's participants; a new version keeps its document's links (change them with 'doc link' or 'doc unlink')", ErrInvalid, d.Handle)
	}
	if req.Meeting != "" && req.Meeting != d.Meeting {
		return fmt.Errorf("%w: --meeting differs from document %s's meeting; a new version keeps its document's links (change them with 'doc link' or 'doc unlink')", ErrInvalid, d.Handle)
	}
	return nil
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// LinkRequest links a document to participants and a meeting (or, with
// Unlink, removes those links).
type LinkRequest struct {
	Doc          string
	Participants []string
	Meeting      string
	Unlink       bool
}

// LinkDoc changes the participants and meeting a document concerns. Linking
// checks the participants' consent as ingest does; unlinking may not leave a
// transcript without a participant or meeting notes without a meeting.
// Audited.
func (s *Study) LinkDoc(ctx context.Context, req LinkRequest) (*Document, error) {
	ps := dedupe(req.Participants)
	if len(ps) == 0 && req.Meeting == "" {
		return nil, fmt.Errorf("%w: give --participant or --meeting", ErrInvalid)
	}
	var doc *Document
	err := s.Write(ctx, func(tx *Tx) error {
		d, err := tx.Cat.Doc(req.Doc)
		if err != nil {
			return err
		}
		next := *d
		next.Participants = slices.Clone(d.Participants)
		if req.Unlink {
			for _, p := range ps {
				if !slices.Contains(next.Participants, p) {
					return fmt.Errorf("%w: document %s is not linked to participant %s", ErrInvalid, d.Handle, p)
				}
				next.Participants = slices.DeleteFunc(next.Participants, func(x string) bool { return x == p })
			}
			if req.Meeting != "" {
				if next.Meeting != req.Meeting {
					return fmt.Errorf("%w: document %s is not linked to meeting %s", ErrInvalid, d.Handle, req.Meeting)
				}
				next.Meeting = ""
			}
		} else {
			for _, p := range ps {
				if slices.Contains(next.Participants, p) {
					return fmt.Errorf("%w: document %s is already linked to participant %s", ErrInvalid, d.Handle, p)
				}
				next.Participants = append(next.Participants, p)
			}
			if req.Meeting != "" {
				next.Meeting = req.Meeting
			}
		}
		if req.Unlink && len(next.Participants) == 0 && d.Kind == policy.KindTranscript {
			return fmt.Errorf("%w: transcript %s would concern no participant; link the right one first ('doc link %s --participant H'), then unlink this one", ErrInvalid, d.Handle, d.Handle)
		}
		if req.Unlink && next.Meeting == "" && d.Kind == policy.KindMeetingNotes {
			return fmt.Errorf("%w: meeting notes %s would record no meeting; link the right one first ('doc link %s --meeting M'), then unlink this one", ErrInvalid, d.Handle, d.Handle)
		}
		if err := checkLinks(d.Kind, next.Participants, next.Meeting); err != nil {
			return err
		}
		if !req.Unlink {
			if err := s.checkIngest(tx, &Document{Kind: d.Kind, Participants: ps, Meeting: req.Meeting}); err != nil {
				return err
			}
		}
		d.Participants, d.Meeting = next.Participants, next.Meeting
		action := "doc-link"
		if req.Unlink {
			action = "doc-unlink"
		}
		tx.Audit(Entry{Action: action, Handles: append([]string{d.Handle}, nonEmpty(req.Meeting)...), Participants: ps})
		doc = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}
