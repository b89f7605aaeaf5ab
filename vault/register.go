package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/google/uuid"
)

// Participant is a person who takes part in the study. The real name and
// aliases live only in the encrypted catalogue.
type Participant struct {
	Handle    string   `json:"handle"`
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Aliases   []string `json:"aliases,omitempty"`
	Org       string   `json:"org,omitempty"`
	Role      string   `json:"role,omitempty"`
	Pseudonym string   `json:"pseudonym,omitempty"` // chosen by the participant or researcher
	// FamilyFirst: Name is written family name first ("Wang Xiuying");
	// the pseudonym is written so too (redact.Entity.FamilyFirst).
	FamilyFirst bool   `json:"family_first,omitempty"`
	Notes       string `json:"notes,omitempty"`
	// Attributes are further facts (e.g. "sector": "voluntary"); those named
	// in Shareable may leave in a QDA export.
	Attributes map[string]string `json:"attributes,omitempty"`
	Shareable  []string          `json:"shareable,omitempty"`
	Consent    policy.Record     `json:"consent"`
	Created    time.Time         `json:"created"`
}

// Entity is a person who is not a participant, a place, an organisation, a
// meeting or anything else that must be pseudonymised.
type Entity struct {
	Handle    string      `json:"handle"`
	ID        string      `json:"id"`
	Kind      redact.Kind `json:"kind"`
	Name      string      `json:"name"`
	Aliases   []string    `json:"aliases,omitempty"`
	Pseudonym string      `json:"pseudonym,omitempty"`
	// FamilyFirst: a person's Name is written family name first.
	FamilyFirst bool      `json:"family_first,omitempty"`
	Created     time.Time `json:"created"`
}

// Meeting is an observed meeting.
type Meeting struct {
	Handle                string    `json:"handle"`
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	Aliases               []string  `json:"aliases,omitempty"`
	Public                bool      `json:"public"`
	DNQ                   bool      `json:"dnq"`
	ObservedWithConsentOf string    `json:"observed_with_consent_of,omitempty"`
	Created               time.Time `json:"created"`
	// History lists the edits that let more of the meeting out, with why.
	History []MeetingChange `json:"history,omitempty"`
}

// Tombstone records an erasure at a participant's request (Participant)
// or the destruction of one document under a retention rule (Document):
// what was removed, never what it held.
type Tombstone struct {
	Participant string    `json:"participant,omitempty"`
	Erased      time.Time `json:"erased"`
	Documents   []string  `json:"documents,omitempty"`
	Objects     int       `json:"objects"`
	Kept        []string  `json:"kept,omitempty"` // what could not be erased, and why
	// A destruction names the document, its kind, the bytes of all its
	// versions, the latest version's SHA-256, the rule and the day it fell due.
	Document string      `json:"document,omitempty"`
	Kind     string      `json:"kind,omitempty"`
	Size     int64       `json:"size,omitempty"`
	SHA256   string      `json:"sha256,omitempty"`
	Rule     string      `json:"rule,omitempty"`
	Due      policy.Date `json:"due,omitzero"`
}

// Participant finds a participant by handle.
func (c *Catalog) Participant(handle string) (*Participant, error) {
	if err := checkHandle("participant", handle); err != nil {
		return nil, err
	}
	for _, p := range c.Participants {
		if strings.EqualFold(p.Handle, handle) {
			return p, nil
		}
	}
	return nil, notFound("participant", handle, handlesOf(c.Participants, func(x *Participant) string { return x.Handle }))
}

// Meeting finds a meeting by handle.
func (c *Catalog) Meeting(handle string) (*Meeting, error) {
	if err := checkHandle("meeting", handle); err != nil {
		return nil, err
	}
	for _, m := range c.Meetings {
		if strings.EqualFold(m.Handle, handle) {
			return m, nil
		}
	}
	return nil, notFound("meeting", handle, handlesOf(c.Meetings, func(x *Meeting) string { return x.Handle }))
}

// Entity finds an entity by handle.
func (c *Catalog) Entity(handle string) (*Entity, error) {
	if err := checkHandle("entity", handle); err != nil {
		return nil, err
	}
	for _, e := range c.Entities {
		if strings.EqualFold(e.Handle, handle) {
			return e, nil
		}
	}
	return nil, notFound("entity", handle, handlesOf(c.Entities, func(x *Entity) string { return x.Handle }))
}

// records returns the consent records of the handles (unknown handles are
// an error).
func (c *Catalog) records(handles []string) ([]*policy.Record, error) {
	out := make([]*policy.Record, 0, len(handles))
	for _, h := range handles {
		p, err := c.Participant(h)
		if err != nil {
			return nil, err
		}
		out = append(out, &p.Consent)
	}
	return out, nil
}

// Records maps every participant's handle to their consent record.
func (c *Catalog) Records() map[string]*policy.Record {
	m := make(map[string]*policy.Record, len(c.Participants))
	for _, p := range c.Participants {
		m[p.Handle] = &p.Consent
	}
	return m
}

// checkIngest checks the document's participants and meeting against the
// register, and the participants' consent for this kind of material.
func (s *Study) checkIngest(tx *Tx, doc *Document) error {
	if doc.Meeting != "" {
		m, err := tx.Cat.Meeting(doc.Meeting)
		if err != nil {
			return err
		}
		doc.Meeting = m.Handle // handles are case-insensitive on input
	}
	for i, h := range doc.Participants {
		if p, err := tx.Cat.Participant(h); err == nil {
			doc.Participants[i] = p.Handle
		}
	}
	doc.Participants = dedupe(doc.Participants)
	recs, err := tx.Cat.records(doc.Participants)
	if err != nil {
		return err
	}
	return policy.CheckIngest(doc.Kind, recs)
}

// ParticipantRequest adds or edits a participant.
type ParticipantRequest struct {
	Handle     string
	Name       string
	Aliases    []string
	Org        string
	Role       string
	Pseudonym  string
	Notes      string
	Attributes map[string]string
	Shareable  []string
	// FamilyFirst: the name is written family name first ("Nagy Zsófia").
	FamilyFirst bool
}

func (r ParticipantRequest) validate() error {
	if err := checkHandle("participant", r.Handle); err != nil {
		return err
	}
	if strings.TrimSpace(r.Name) == "" {
		return fmt.Errorf("%w: participant %s needs --name", ErrInvalid, r.Handle)
	}
	return checkAliases("participant", r.Handle, r.Aliases)
}

// AddParticipants adds participants in one catalogue write (one or ten
// thousand). A bad request fails the whole batch; nothing is added.
func (s *Study) AddParticipants(ctx context.Context, reqs []ParticipantRequest) error {
	return s.Write(ctx, func(tx *Tx) error {
		seen := map[string]string{}
		for i := range reqs {
			// Handles are case-insensitive and kept in capitals.
			reqs[i].Handle = strings.ToUpper(reqs[i].Handle)
		}
		for i, r := range reqs {
			if err := r.validate(); err != nil {
				return rowErr(len(reqs), i, err)
			}
			if prev, ok := seen[handleKey(r.Handle)]; ok {
				return rowErr(len(reqs), i, fmt.Errorf("%w: handle %s reads as %s, given before", ErrInvalid, r.Handle, prev))
			}
			if err := tx.Cat.handleTakenErr(r.Handle); err != nil {
				return rowErr(len(reqs), i, err)
			}
			seen[handleKey(r.Handle)] = r.Handle
			tx.Cat.Participants = append(tx.Cat.Participants, &Participant{
				Handle: r.Handle, ID: uuid.NewString(), Name: strings.TrimSpace(r.Name),
				Aliases: dedupe(r.Aliases), Org: r.Org, Role: r.Role, Pseudonym: r.Pseudonym,
				FamilyFirst: r.FamilyFirst,
				Notes:       r.Notes, Attributes: r.Attributes, Shareable: r.Shareable,
				Consent: policy.Record{Handle: r.Handle}, Created: tx.Now().UTC(),
			})
		}
		handles := make([]string, len(reqs))
		for i, r := range reqs {
			handles[i] = r.Handle
		}
		if err := s.settlePseudonyms(tx, handles...); err != nil {
			return err
		}
		e := Entry{Action: "participant-add", Detail: map[string]string{"count": fmt.Sprint(len(reqs))}}
		if len(handles) <= 50 {
			e.Participants = handles
		}
		tx.Audit(e)
		return nil
	})
}

// rowErr names the row of a bulk request (line i+2 of a CSV with a header);
// a single request is reported as is.
func rowErr(n, i int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("row %d: %w", i+1, err)
}

// anyHandle reports whether a handle is used by any record, or reads as
// one that is (handleKey: "p1" and "P01" are taken once "P01" is).
func (c *Catalog) anyHandle(h string) bool {
	_, _, taken := c.handleOwner(h)
	return taken
}

// handleOwner finds the record whose handle h reads as: its kind and handle.
func (c *Catalog) handleOwner(h string) (kind, handle string, ok bool) {
	k := handleKey(h)
	for _, r := range c.Retired {
		if handleKey(r) == k {
			return "removed document", r, true
		}
	}
	for _, d := range c.Documents {
		if handleKey(d.Handle) == k {
			return "document", d.Handle, true
		}
	}
	for _, p := range c.Participants {
		if handleKey(p.Handle) == k {
			return "participant", p.Handle, true
		}
	}
	for _, e := range c.Entities {
		if handleKey(e.Handle) == k {
			return "entity", e.Handle, true
		}
	}
	for _, m := range c.Meetings {
		if handleKey(m.Handle) == k {
			return "meeting", m.Handle, true
		}
	}
	for _, r := range c.Researchers {
		if handleKey(r.Handle) == k {
			return "researcher", r.Handle, true
		}
	}
	return "", "", false
}

// handleTakenErr says which record a new handle h would be confused with.
func (c *Catalog) handleTakenErr(h string) error {
	kind, owner, ok := c.handleOwner(h)
	if !ok {
		return nil
	}
	if strings.EqualFold(owner, h) {
		return fmt.Errorf("%w: handle %s is already taken by a %s", ErrInvalid, owner, kind)
	}
	return fmt.Errorf("%w: handle %s reads as %s, which is already taken by a %s; use %s for it, or another number", ErrInvalid, h, owner, kind, owner)
}

// handleKey is how a handle reads: its letters in upper case and its
// number without leading zeros ("p01", "P1" and "P001" read as one).
func handleKey(h string) string {
	i := strings.IndexFunc(h, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return strings.ToUpper(h)
	}
	num := strings.TrimLeft(h[i:], "0")
	if num == "" {
		num = "0"
	}
	return strings.ToUpper(h[:i]) + num
}

// EditParticipant changes the given fields of a participant. A chosen
// pseudonym replaces the derived one only if no exit has used it yet.
func (s *Study) EditParticipant(ctx context.Context, handle string, edit func(p *Participant) error) error {
	return s.Write(ctx, func(tx *Tx) error {
		p, err := tx.Cat.Participant(handle)
		if err != nil {
			return err
		}
		before, oldName, oldFF := p.Pseudonym, p.Name, p.FamilyFirst
		if err := edit(p); err != nil {
			return err
		}
		p.Aliases = dedupe(p.Aliases)
		if err := checkAliases("participant", handle, p.Aliases); err != nil {
			return err
		}
		if p.FamilyFirst != oldFF && p.Pseudonym == before && before != "" {
			// A chosen pseudonym keeps its given and family names when
			// the name's order is set; it is written in the new order.
			p.Pseudonym = redact.ParsePersonPseudonym(before, oldFF).InOrder(p.FamilyFirst)
		}
		same := p.Pseudonym == before || (before != "" && p.Pseudonym != "" &&
			redact.ParsePersonPseudonym(before, oldFF) == redact.ParsePersonPseudonym(p.Pseudonym, p.FamilyFirst))
		if p.Name = strings.TrimSpace(p.Name); p.Name != oldName && same {
			// A corrected name keeps the pseudonym already given.
			if err := tx.Cat.rename(redact.KindPerson, p.Handle, oldName, p.Name); err != nil {
				return err
			}
		}
		if !same {
			if n := tx.Cat.exitsUsing(handle); n > 0 {
				return fmt.Errorf("%w: participant %s's pseudonym has already left the vault in %d exit(s); a pseudonym never changes once given", ErrInvalid, handle, n)
			}
			tx.Cat.Pseudonyms = tx.Cat.Pseudonyms.Without(redact.KindPerson, p.Name)
		}
		if err := s.settlePseudonyms(tx, handle); err != nil {
			return err
		}
		tx.Audit(Entry{Action: "participant-edit", Participants: []string{handle}})
		return nil
	})
}

// EntityRequest adds an entity.
type EntityRequest struct {
	Kind      redact.Kind
	Name      string
	Aliases   []string
	Pseudonym string
	// FamilyFirst: a person's name is written family name first.
	FamilyFirst bool
}

// AddEntities adds entities in one catalogue write, giving each the next
// E<n> handle.
func (s *Study) AddEntities(ctx context.Context, reqs []EntityRequest) ([]*Entity, error) {
	var added []*Entity
	err := s.Write(ctx, func(tx *Tx) error {
		for i, r := range reqs {
			if !slices.Contains(EntityKinds(), r.Kind) {
				return rowErr(len(reqs), i, fmt.Errorf("%w: unknown entity kind %q (one of person, place, org, meeting, other)", ErrInvalid, r.Kind))
			}
			if strings.TrimSpace(r.Name) == "" {
				return rowErr(len(reqs), i, fmt.Errorf("%w: an entity needs a name", ErrInvalid))
			}
			h := tx.Cat.nextHandle("E", tx.Cat.anyHandle)
			if err := checkAliases("entity", h, r.Aliases); err != nil {
				return rowErr(len(reqs), i, err)
			}
			e := &Entity{
				Handle: h, ID: uuid.NewString(), Kind: r.Kind,
				Name: strings.TrimSpace(r.Name), Aliases: dedupe(r.Aliases), Pseudonym: r.Pseudonym, Created: tx.Now().UTC(),
				FamilyFirst: r.FamilyFirst && r.Kind == redact.KindPerson,
			}
			tx.Cat.Entities = append(tx.Cat.Entities, e)
			added = append(added, e)
		}
		var handles []string
		for _, a := range added {
			handles = append(handles, a.Handle)
		}
		if err := s.settlePseudonyms(tx, handles...); err != nil {
			return err
		}
		e := Entry{Action: "entity-add", Detail: map[string]string{"count": fmt.Sprint(len(reqs))}}
		if len(added) <= 50 {
			e.Handles = handles
		}
		tx.Audit(e)
		return nil
	})
	return added, err
}

// EntityKinds lists the kinds of entity.
func EntityKinds() []redact.Kind {
	return []redact.Kind{redact.KindPerson, redact.KindPlace, redact.KindOrg, redact.KindMeeting, redact.KindOther}
}

// MeetingRequest adds a meeting.
type MeetingRequest struct {
	Handle                string
	Name                  string
	Aliases               []string
	Public                bool
	DNQ                   bool
	ObservedWithConsentOf string
}

// AddMeeting adds an observed meeting.
func (s *Study) AddMeeting(ctx context.Context, r MeetingRequest) error {
	r.Handle = strings.ToUpper(r.Handle) // case-insensitive, kept in capitals
	return s.Write(ctx, func(tx *Tx) error {
		if err := checkHandle("meeting", r.Handle); err != nil {
			return err
		}
		if err := tx.Cat.handleTakenErr(r.Handle); err != nil {
			return err
		}
		if strings.TrimSpace(r.Name) == "" {
			return fmt.Errorf("%w: meeting %s needs --name", ErrInvalid, r.Handle)
		}
		if err := checkAliases("meeting", r.Handle, r.Aliases); err != nil {
			return err
		}
		tx.Cat.Meetings = append(tx.Cat.Meetings, &Meeting{
			Handle: r.Handle, ID: uuid.NewString(), Name: strings.TrimSpace(r.Name), Aliases: dedupe(r.Aliases),
			Public: r.Public, DNQ: r.DNQ, ObservedWithConsentOf: r.ObservedWithConsentOf, Created: tx.Now().UTC(),
		})
		if err := s.settlePseudonyms(tx, r.Handle); err != nil {
			return err
		}
		tx.Audit(Entry{Action: "meeting-add", Handles: []string{r.Handle}, Detail: map[string]string{"dnq": fmt.Sprint(r.DNQ), "public": fmt.Sprint(r.Public)}})
		return nil
	})
}
