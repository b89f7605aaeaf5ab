package vault

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

// Retention is what the catalogue records about keeping material: one rule
// per document kind and the study's end.
type Retention struct {
	Rules    []policy.RetentionRule `json:"rules,omitempty"`
	StudyEnd policy.Date            `json:"study_end,omitzero"`
}

// Hold is a legal hold on a document: it blocks destruction until released.
// The reason stays in the encrypted catalogue, never in the audit log.
type Hold struct {
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since"`
}

// Destruction says that a document's material was destroyed under a
// retention rule (its versions' sizes and hashes stay, as its tombstone).
type Destruction struct {
	Rule string      `json:"rule"`
	Due  policy.Date `json:"due"`
	At   time.Time   `json:"at"`
}

func (c *Catalog) retention() *Retention {
	if c.Retention == nil {
		c.Retention = &Retention{}
	}
	return c.Retention
}

// retainedDocs is the catalogue's documents as retention sees them.
func (c *Catalog) retainedDocs() []policy.RetainedDoc {
	out := make([]policy.RetainedDoc, 0, len(c.Documents))
	for _, d := range c.Documents {
		rd := policy.RetainedDoc{Handle: d.Handle, Kind: d.Kind, Participants: d.Participants, Meeting: d.Meeting,
			Gone: d.Erased, Held: d.Hold != nil}
		if len(d.Versions) > 0 {
			rd.Ingested = policy.Today(d.Versions[0].Ingested.UTC())
		}
		out = append(out, rd)
	}
	return out
}

// schedule is every document a rule applies to, with its due day.
func (c *Catalog) schedule(today policy.Date) []policy.Scheduled {
	r := c.Retention
	if r == nil {
		return nil
	}
	return policy.Schedule(r.Rules, c.retainedDocs(), r.StudyEnd, today)
}

// RetentionState is what `retention list` and `retention due` show.
type RetentionState struct {
	Rules    []policy.RetentionRule `json:"rules"`
	StudyEnd string                 `json:"study_end,omitempty"`
	Today    string                 `json:"today"`
	// Schedule lists every document a rule applies to (due, not yet due,
	// held); Due those a destruction would remove today.
	Schedule  []policy.Scheduled `json:"schedule"`
	Due       []policy.Scheduled `json:"due"`
	Destroyed []Tombstone        `json:"destroyed"`
}

// RetentionState reads the rules, the study's end and what is due today.
func (s *Study) RetentionState() (*RetentionState, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	return cat.RetentionState(policy.RetentionDay(s.Now())), nil
}

// RetentionState is the catalogue's retention facts on a given day.
func (c *Catalog) RetentionState(today policy.Date) *RetentionState {
	st := &RetentionState{Rules: []policy.RetentionRule{}, Schedule: []policy.Scheduled{}, Due: []policy.Scheduled{}, Destroyed: []Tombstone{}, Today: today.String()}
	if c.Retention != nil {
		st.Rules = append(st.Rules, c.Retention.Rules...)
		st.StudyEnd = c.Retention.StudyEnd.String()
	}
	for _, sc := range c.schedule(today) {
		st.Schedule = append(st.Schedule, sc)
		if sc.IsDue {
			st.Due = append(st.Due, sc)
		}
	}
	for _, t := range c.Tombstones {
		if t.Document != "" {
			st.Destroyed = append(st.Destroyed, t)
		}
	}
	return st
}

// SetRetention records the rule for a document kind, replacing the kind's
// earlier rule. It destroys nothing.
func (s *Study) SetRetention(ctx context.Context, rule policy.RetentionRule) error {
	if err := rule.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return s.Update(ctx, func(tx *Tx) error {
		r := tx.Cat.retention()
		rule.Set = tx.Now().UTC()
		replaced := false
		for i := range r.Rules {
			if r.Rules[i].Kind == rule.Kind {
				r.Rules[i], replaced = rule, true
			}
		}
		if !replaced {
			r.Rules = append(r.Rules, rule)
		}
		tx.Audit(Entry{Action: "retention-set", Detail: map[string]string{"kind": rule.Kind, "rule": rule.String(), "replaced": fmt.Sprint(replaced)}})
		return nil
	})
}

// UnsetRetention removes the rule for a document kind (an amended ethics
// approval); documents of the kind are then kept until a new rule is set.
func (s *Study) UnsetRetention(ctx context.Context, kind string) error {
	return s.Update(ctx, func(tx *Tx) error {
		r := tx.Cat.retention()
		i := slices.IndexFunc(r.Rules, func(x policy.RetentionRule) bool { return x.Kind == kind })
		if i < 0 {
			return fmt.Errorf("%w: no retention rule for %q (retention list shows the rules)", ErrNotFound, clipKind(kind))
		}
		old := r.Rules[i]
		r.Rules = slices.Delete(r.Rules, i, i+1)
		tx.Audit(Entry{Action: "retention-unset", Detail: map[string]string{"kind": old.Kind, "rule": old.String()}})
		return nil
	})
}

// clipKind keeps a mistyped kind short in an error message.
func clipKind(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return s
}

// EndStudy records the day the study ended (years-after-end rules count
// from it). A later call corrects it; both are audited.
func (s *Study) EndStudy(ctx context.Context, date string) error {
	d, err := parseDateField("date", date)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error {
		r := tx.Cat.retention()
		prev := r.StudyEnd
		r.StudyEnd = d
		e := Entry{Action: "study-end", Detail: map[string]string{"date": d.String()}}
		if !prev.IsZero() {
			e.Detail["previous"] = prev.String()
		}
		tx.Audit(e)
		return nil
	})
}

// HoldRequest places or releases a legal hold on a document.
type HoldRequest struct {
	Doc     string
	Reason  string
	Release bool
}

// Hold places (or, with Release, lifts) a legal hold that blocks the
// document's destruction. The reason is kept in the catalogue only.
func (s *Study) Hold(ctx context.Context, req HoldRequest) error {
	if !req.Release && req.Reason == "" {
		return fmt.Errorf("%w: a hold needs --reason", ErrInvalid)
	}
	return s.Update(ctx, func(tx *Tx) error {
		d, err := tx.Cat.Doc(req.Doc)
		if err != nil {
			return err
		}
		if d.Erased {
			return fmt.Errorf("%w: document %s holds no material (%s)", ErrInvalid, d.Handle, d.GoneWhy())
		}
		action := "retention-hold"
		switch {
		case req.Release && d.Hold == nil:
			return fmt.Errorf("%w: document %s is not on hold", ErrInvalid, d.Handle)
		case req.Release:
			d.Hold = nil
			action = "retention-release"
		default:
			d.Hold = &Hold{Reason: req.Reason, Since: tx.Now().UTC()}
		}
		tx.Audit(Entry{Action: action, Handles: []string{d.Handle}, Participants: d.Participants, Detail: map[string]string{"kind": d.Kind}})
		return nil
	})
}

// DestroyResult lists what a destruction removed.
type DestroyResult struct {
	Destroyed []Tombstone
	Objects   int
}

// DestroyDue destroys exactly the documents due today under the retention
// rules (not held, material not already gone): every version's object is
// removed, the document keeps its record with each version's size and hash,
// a tombstone names it with its rule and due day, and each destruction is
// one audit entry. It is one change: a crash leaves every one or none of
// them destroyed (objects of a committed destruction are removed by the
// next writer if the crash came before).
func (s *Study) DestroyDue(ctx context.Context) (*DestroyResult, error) {
	res := &DestroyResult{}
	err := s.Update(ctx, func(tx *Tx) error {
		today := policy.RetentionDay(tx.Now())
		now := tx.Now().UTC()
		for _, sc := range tx.Cat.schedule(today) {
			if !sc.IsDue {
				continue
			}
			d, err := tx.Cat.Doc(sc.Handle)
			if err != nil {
				return err
			}
			t := Tombstone{Document: d.Handle, Kind: d.Kind, Rule: sc.Rule.String(), Due: sc.Due, Erased: now, Documents: []string{d.Handle}}
			hashes := map[string]string{}
			for _, v := range d.Versions {
				t.Size += v.Size
				hashes[fmt.Sprintf("v%d", v.N)] = v.SHA256
			}
			t.SHA256 = d.Latest().SHA256
			t.Objects = tx.eraseDocument(d)
			d.Destroyed = &Destruction{Rule: t.Rule, Due: sc.Due, At: now}
			tx.Cat.Tombstones = append(tx.Cat.Tombstones, t)
			res.Destroyed = append(res.Destroyed, t)
			res.Objects += t.Objects
			tx.Audit(Entry{Action: "retention-destroy", Handles: []string{d.Handle}, Participants: d.Participants, Hashes: hashes,
				Detail: map[string]string{"kind": d.Kind, "rule": t.Rule, "due": sc.Due.String(), "versions": fmt.Sprint(len(d.Versions)),
					"size": fmt.Sprint(t.Size), "objects_removed": fmt.Sprint(t.Objects)}})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// eraseDocument removes every version's object once the change commits and
// marks the document as holding no material; the versions keep their sizes
// and hashes. Erasure at a participant's request and destruction under a
// retention rule both go through it. It returns the objects removed.
func (tx *Tx) eraseDocument(d *Document) int {
	n := 0
	for _, v := range d.Versions {
		if v.Object != "" {
			tx.RemoveObject(v.Object)
			v.Object = ""
			n++
		}
	}
	d.Erased = true
	return n
}

// GoneWhy says why a document holds no material.
func (d *Document) GoneWhy() string {
	if d.Destroyed != nil {
		return fmt.Sprintf("destroyed on %s under the retention rule %q", d.Destroyed.At.UTC().Format(time.DateOnly), d.Destroyed.Rule)
	}
	return "erased at a participant's request"
}
