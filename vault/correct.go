package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
)

// FlagChange records that a recorded flag was cleared or its reason
// corrected. The flag as it was stays in the record, so a document's flag
// history remains visible after the flag stops applying.
type FlagChange struct {
	Action string      `json:"action"` // FlagCleared or FlagAmended
	Flag   policy.Flag `json:"flag"`   // the flag as it was before the change
	Reason string      `json:"reason"` // why it was cleared, or the corrected reason
	Who    string      `json:"who"`
	When   time.Time   `json:"when"`
}

// Flag change actions.
const (
	FlagCleared = "cleared"
	FlagAmended = "amended"
)

// FlagChangeRequest clears a recorded flag, or corrects its reason. The flag
// is named by its document, version, kind and exact line range.
type FlagChangeRequest struct {
	Doc      string
	Version  int // 0 = latest
	From, To int
	Kind     policy.FlagKind
	Reason   string // why it is cleared, or the corrected reason
	Amend    bool   // correct the reason instead of clearing
}

// ChangeFlag clears a recorded flag (the only way withheld lines become
// quotable again) or corrects its reason. Either way the flag as it was is
// kept in the version's flag history and the change is audited (range and
// kind; the reason stays in the encrypted catalogue). Flags set by the
// text's own markup cannot be cleared here: they belong to the text.
func (s *Study) ChangeFlag(ctx context.Context, req FlagChangeRequest) error {
	if err := checkFlagArgs(req.Kind, req.From, req.To); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" {
		return fmt.Errorf("%w: a flag is cleared or corrected only with a --reason", ErrInvalid)
	}
	return s.Write(ctx, func(tx *Tx) error {
		d, v, err := tx.Cat.docVersion(req.Doc, req.Version)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(v.Flags, func(f policy.Flag) bool {
			return f.Kind == req.Kind && f.From == req.From && f.To == req.To
		})
		if i < 0 {
			return noSuchFlag(d.Handle, v, req)
		}
		action, audit := FlagCleared, "flag-clear"
		old := v.Flags[i]
		if req.Amend {
			action, audit = FlagAmended, "flag-amend"
			v.Flags[i].Reason = req.Reason
			v.Flags[i].Who, v.Flags[i].When = s.actor(), tx.Now().UTC()
		} else {
			v.Flags = slices.Delete(v.Flags, i, i+1)
			if still := coveringFlags(v, req.From, req.To); still != "" {
				tx.OnCommit(func() {
					s.note(fmt.Sprintf("%s v%d lines %d-%d stay withheld where other flags cover them: %s", d.Handle, v.N, req.From, req.To, still))
				})
			}
		}
		v.FlagHistory = append(v.FlagHistory, FlagChange{Action: action, Flag: old, Reason: req.Reason, Who: s.actor(), When: tx.Now().UTC()})
		tx.Audit(Entry{Action: audit, Handles: []string{d.Handle}, Participants: d.Participants,
			Flags: []string{fmt.Sprintf("%s:%d-%d:%s", d.Handle, req.From, req.To, req.Kind)}, Detail: map[string]string{"version": fmt.Sprint(v.N)}})
		return nil
	})
}

// coveringFlags lists the flags of v, recorded or set by the text's
// markup, that overlap lines from-to ("struck 4-6, dnq 5-5 (markup)").
func coveringFlags(v *Version, from, to int) string {
	var out []string
	for _, f := range v.Flags {
		if f.From <= to && from <= f.To {
			out = append(out, fmt.Sprintf("%s %d-%d", f.Kind, f.From, f.To))
		}
	}
	for _, f := range v.Markup {
		if f.From <= to && from <= f.To {
			out = append(out, fmt.Sprintf("%s %d-%d (markup)", f.Kind, f.From, f.To))
		}
	}
	return strings.Join(out, ", ")
}

// checkFlagArgs checks a flag's kind and line range.
func checkFlagArgs(kind policy.FlagKind, from, to int) error {
	if !kind.Valid() {
		return fmt.Errorf("%w: unknown flag %q (dnq, confidential, struck, off-record)", ErrInvalid, kind)
	}
	if from < 1 || to < from {
		return fmt.Errorf("%w: --lines must be A-B with 1 ≤ A ≤ B", ErrInvalid)
	}
	return nil
}

// docVersion finds a document and its version n (0 = the latest).
func (c *Catalog) docVersion(handle string, n int) (*Document, *Version, error) {
	d, err := c.Doc(handle)
	if err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return d, d.Latest(), nil
	}
	v, err := d.Version(n)
	return d, v, err
}

// noSuchFlag says which flags of the kind the version has, so the
// researcher can name the right range.
func noSuchFlag(doc string, v *Version, req FlagChangeRequest) error {
	var ranges []string
	for _, f := range v.Flags {
		if f.Kind == req.Kind {
			ranges = append(ranges, fmt.Sprintf("%d-%d", f.From, f.To))
		}
	}
	for _, f := range v.Markup {
		if f.Kind == req.Kind && f.From <= req.To && req.From <= f.To {
			return fmt.Errorf("%w: lines %d-%d of %s v%d are marked %s by the text's own markup; ingest a corrected version without it (--version-of %s)",
				ErrInvalid, f.From, f.To, doc, v.N, req.Kind, doc)
		}
	}
	if len(ranges) == 0 {
		return fmt.Errorf("%w: %s v%d has no recorded %s flag", ErrInvalid, doc, v.N, req.Kind)
	}
	return fmt.Errorf("%w: %s v%d has no %s flag on exactly lines %d-%d (its %s flags: %s)",
		ErrInvalid, doc, v.N, req.Kind, req.From, req.To, req.Kind, strings.Join(ranges, ", "))
}

// EntityEdit changes an entity: only the fields set.
type EntityEdit struct {
	Name       *string
	Aliases    *[]string // replace
	AddAliases []string
}

// EditEntity changes an entity's name or aliases. The pseudonym it was
// given stays: a renamed entity keeps its registry entry.
func (s *Study) EditEntity(ctx context.Context, handle string, ed EntityEdit) error {
	return s.Write(ctx, func(tx *Tx) error {
		e, err := tx.Cat.Entity(handle)
		if err != nil {
			return err
		}
		var changed []string
		if ed.Name != nil && strings.TrimSpace(*ed.Name) != e.Name {
			if err := tx.Cat.rename(e.Kind, e.Handle, e.Name, *ed.Name); err != nil {
				return err
			}
			e.Name = strings.TrimSpace(*ed.Name)
			changed = append(changed, "name")
		}
		if aliases, ok := editAliases(e.Aliases, ed.Aliases, ed.AddAliases); ok {
			if err := checkAliases("entity", e.Handle, aliases); err != nil {
				return err
			}
			e.Aliases = aliases
			changed = append(changed, "aliases")
		}
		if len(changed) == 0 {
			return fmt.Errorf("%w: entity %s: nothing changes", ErrInvalid, e.Handle)
		}
		if err := s.settlePseudonyms(tx, e.Handle); err != nil {
			return err
		}
		tx.Audit(Entry{Action: "entity-edit", Handles: []string{e.Handle}, Detail: map[string]string{"changed": strings.Join(changed, ",")}})
		return nil
	})
}

// ParticipantEdit changes a participant: only the fields set. Apply makes
// it inside the edit given to EditParticipant.
type ParticipantEdit struct {
	Name       *string
	Aliases    *[]string // replace
	AddAliases []string
	Org        *string
	Role       *string
	Pseudonym  *string
	Notes      *string
	Attributes map[string]string // set each; an empty value removes the key
	Shareable  *[]string         // replace
	// FamilyFirst sets whether the name is written family name first.
	FamilyFirst *bool
}

// Apply makes the edit to p.
func (ed ParticipantEdit) Apply(p *Participant) {
	if ed.Name != nil {
		p.Name = *ed.Name
	}
	if ed.Org != nil {
		p.Org = *ed.Org
	}
	if ed.Role != nil {
		p.Role = *ed.Role
	}
	if ed.Pseudonym != nil {
		p.Pseudonym = *ed.Pseudonym
	}
	if ed.Notes != nil {
		p.Notes = *ed.Notes
	}
	if ed.FamilyFirst != nil {
		p.FamilyFirst = *ed.FamilyFirst
	}
	if ed.Aliases != nil {
		p.Aliases = *ed.Aliases
	}
	p.Aliases = append(p.Aliases, ed.AddAliases...)
	for k, v := range ed.Attributes {
		if p.Attributes == nil {
			p.Attributes = map[string]string{}
		}
		if v == "" {
			delete(p.Attributes, k)
		} else {
			p.Attributes[k] = v
		}
	}
	if ed.Shareable != nil {
		p.Shareable = *ed.Shareable
	}
}

// MeetingEdit changes a meeting: only the fields set.
type MeetingEdit struct {
	Name                  *string
	Aliases               *[]string
	AddAliases            []string
	Public                *bool
	DNQ                   *bool
	ObservedWithConsentOf *string
	// Reason is required when the change lets more out (do-not-quote
	// lifted, or private made public); it is kept in the meeting's record.
	Reason string
}

// MeetingChange records a change to a meeting that let more of it out.
type MeetingChange struct {
	Changed []string  `json:"changed"`
	Reason  string    `json:"reason"`
	Who     string    `json:"who"`
	When    time.Time `json:"when"`
}

// EditMeeting changes a meeting's name, aliases, public/private, do-not-quote
// or who allowed the observation. Lifting do-not-quote, or making a private
// meeting public, needs a reason, which the meeting's record keeps. The
// pseudonym stays.
func (s *Study) EditMeeting(ctx context.Context, handle string, ed MeetingEdit) error {
	return s.Write(ctx, func(tx *Tx) error {
		m, err := tx.Cat.Meeting(handle)
		if err != nil {
			return err
		}
		var changed, relaxed []string
		if ed.Name != nil && strings.TrimSpace(*ed.Name) != m.Name {
			if err := tx.Cat.rename(redact.KindMeeting, m.Handle, m.Name, *ed.Name); err != nil {
				return err
			}
			m.Name = strings.TrimSpace(*ed.Name)
			changed = append(changed, "name")
		}
		if aliases, ok := editAliases(m.Aliases, ed.Aliases, ed.AddAliases); ok {
			if err := checkAliases("meeting", m.Handle, aliases); err != nil {
				return err
			}
			m.Aliases = aliases
			changed = append(changed, "aliases")
		}
		if ed.Public != nil && *ed.Public != m.Public {
			if *ed.Public {
				relaxed = append(relaxed, "public")
			}
			m.Public = *ed.Public
			changed = append(changed, "public")
		}
		if ed.DNQ != nil && *ed.DNQ != m.DNQ {
			if !*ed.DNQ {
				relaxed = append(relaxed, "dnq")
			}
			m.DNQ = *ed.DNQ
			changed = append(changed, "dnq")
		}
		if ed.ObservedWithConsentOf != nil && *ed.ObservedWithConsentOf != m.ObservedWithConsentOf {
			m.ObservedWithConsentOf = *ed.ObservedWithConsentOf
			changed = append(changed, "observed_with_consent_of")
		}
		if len(changed) == 0 {
			return fmt.Errorf("%w: meeting %s: nothing changes", ErrInvalid, m.Handle)
		}
		if len(relaxed) > 0 {
			if strings.TrimSpace(ed.Reason) == "" {
				return fmt.Errorf("%w: meeting %s: lifting do-not-quote or making it public lets more out; give --reason", ErrInvalid, m.Handle)
			}
			m.History = append(m.History, MeetingChange{Changed: relaxed, Reason: ed.Reason, Who: s.actor(), When: tx.Now().UTC()})
		}
		if err := s.settlePseudonyms(tx, m.Handle); err != nil {
			return err
		}
		tx.Audit(Entry{Action: "meeting-edit", Handles: []string{m.Handle}, Detail: map[string]string{
			"changed": strings.Join(changed, ","), "dnq": fmt.Sprint(m.DNQ), "public": fmt.Sprint(m.Public)}})
		return nil
	})
}

// editAliases applies a replacement and additions; ok says whether the
// aliases change.
func editAliases(cur []string, replace *[]string, add []string) ([]string, bool) {
	next := cur
	if replace != nil {
		next = *replace
	}
	next = dedupe(append(slices.Clone(next), add...))
	return next, !slices.Equal(next, cur)
}

// rename moves the registry entry of (kind, old name) to the new name, so
// the pseudonym already given stays with the record. A name another record
// of the kind already holds is refused.
func (c *Catalog) rename(kind redact.Kind, handle, old, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("%w: %s needs a name", ErrInvalid, handle)
	}
	if c.Pseudonyms == nil {
		return nil
	}
	if _, taken := c.Pseudonyms.Lookup(kind, name); taken && redact.NormaliseName(name) != redact.NormaliseName(old) {
		return fmt.Errorf("%w: another %s record already has that name; give %s a different one", ErrInvalid, kind, handle)
	}
	c.Pseudonyms = c.Pseudonyms.Renamed(kind, old, name)
	return nil
}

// RemoveParticipant removes a participant registered by mistake: their
// record, pseudonym and consent forms. It is refused once any exit relied on
// them (withdrawal or erasure is then the way), and while other documents
// still concern them.
func (s *Study) RemoveParticipant(ctx context.Context, handle string) error {
	return s.Write(ctx, func(tx *Tx) error {
		p, err := tx.Cat.Participant(handle)
		if err != nil {
			return err
		}
		if err := s.checkNoExit(tx.Cat, p.Handle, "participant"); err != nil {
			return err
		}
		var forms, others []string
		for _, d := range tx.Cat.Documents {
			if !slices.Contains(d.Participants, p.Handle) {
				continue
			}
			if d.Kind == policy.KindConsentForm && len(d.Participants) == 1 {
				forms = append(forms, d.Handle)
			} else {
				others = append(others, d.Handle)
			}
		}
		if len(others) > 0 {
			return fmt.Errorf("%w: participant %s is linked to %s; remove or relink those documents first", ErrInvalid, p.Handle, strings.Join(others, ", "))
		}
		objects := 0
		for _, h := range forms {
			objects += tx.removeDoc(h)
		}
		if tx.Cat.Pseudonyms != nil {
			tx.Cat.Pseudonyms = tx.Cat.Pseudonyms.Without(redact.KindPerson, p.Name)
		}
		tx.Cat.Participants = slices.DeleteFunc(tx.Cat.Participants, func(q *Participant) bool { return q == p })
		tx.Cat.Retired = append(tx.Cat.Retired, p.Handle)
		delete(tx.Cat.Exits, p.Handle)
		tx.Audit(Entry{Action: "participant-remove", Participants: []string{p.Handle}, Handles: forms,
			Detail: map[string]string{"objects_removed": fmt.Sprint(objects)}})
		return nil
	})
}

// RemoveDoc removes a document ingested by mistake: its catalogue record and
// every version's stored object. It is refused once any exit used it.
func (s *Study) RemoveDoc(ctx context.Context, handle string) error {
	return s.Write(ctx, func(tx *Tx) error {
		d, err := tx.Cat.Doc(handle)
		if err != nil {
			return err
		}
		if err := s.checkNoExit(tx.Cat, d.Handle, "document"); err != nil {
			return err
		}
		for _, p := range tx.Cat.Participants {
			if slices.ContainsFunc(p.Consent.Consents, func(c policy.Consent) bool { return c.Evidence == d.Handle }) {
				return fmt.Errorf("%w: document %s is the evidence of %s's consent; it is removed only with that participant", ErrInvalid, d.Handle, p.Handle)
			}
		}
		objects := tx.removeDoc(d.Handle)
		tx.Audit(Entry{Action: "doc-remove", Handles: []string{d.Handle}, Participants: d.Participants,
			Detail: map[string]string{"versions": fmt.Sprint(len(d.Versions)), "objects_removed": fmt.Sprint(objects)}})
		return nil
	})
}

// removeDoc drops a document from the catalogue and removes its objects once
// the change commits (a crash before that leaves unreferenced objects, which
// the next writer removes). It returns how many objects go.
func (tx *Tx) removeDoc(handle string) int {
	n := 0
	tx.Cat.Documents = slices.DeleteFunc(tx.Cat.Documents, func(d *Document) bool {
		if d.Handle != handle {
			return false
		}
		tx.Cat.Retired = append(tx.Cat.Retired, d.Handle)
		for _, v := range d.Versions {
			if v.Object != "" {
				tx.RemoveObject(v.Object)
				n++
			}
		}
		return true
	})
	return n
}

// checkNoExit refuses a removal once an exit relied on the handle: by the
// catalogue's exit counts, and by the audit log's exit entries.
func (s *Study) checkNoExit(cat *Catalog, handle, what string) error {
	n := cat.exitsUsing(handle)
	if n == 0 {
		entries, err := s.AuditLog(AuditFilter{Participant: handle})
		if err != nil {
			return err
		}
		for _, e := range entries {
			if IsExitAction(e.Action) && e.Outcome != "refused" {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	if what == "participant" {
		return fmt.Errorf("%w: participant %s's words have left the vault in %d exit(s); removal is for mistakes only: use 'consent withdraw %s' (with --erase to remove their material)", ErrInvalid, handle, n, handle)
	}
	return fmt.Errorf("%w: document %s has left the vault in %d exit(s); removal is for mistakes only: flag its lines, or withdraw the participant's consent (--erase removes their material)", ErrInvalid, handle, n)
}
