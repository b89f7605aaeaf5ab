package vault

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/policy"
)

// ConsentRequest records a signed consent form.
type ConsentRequest struct {
	Handle   string
	Form     string
	Signed   string // YYYY-MM-DD
	Scopes   []policy.Scope
	Cutoff   string // YYYY-MM-DD, optional
	Evidence string // path of the scanned form, optional: ingested as a consent-form document
}

func parseDateField(name, s string) (policy.Date, error) {
	d, err := policy.ParseDate(s)
	if err != nil {
		return d, fmt.Errorf("%w: --%s: %v", ErrInvalid, name, err)
	}
	return d, nil
}

// RecordConsent appends a consent record to a participant's history. With
// evidence, the signed form is ingested as a consent-form document
// encrypted to the catalog recipients, so the ethics officer can read it.
func (s *Study) RecordConsent(ctx context.Context, req ConsentRequest) (*policy.Consent, error) {
	signed, err := parseDateField("signed", req.Signed)
	if err != nil {
		return nil, err
	}
	var cutoff policy.Date
	if req.Cutoff != "" {
		if cutoff, err = parseDateField("cutoff", req.Cutoff); err != nil {
			return nil, err
		}
	}
	var ev *os.File
	if req.Evidence != "" {
		if ev, _, err = OpenInput(req.Evidence, "evidence file"); err != nil {
			return nil, err
		}
		defer ev.Close()
	}
	var out policy.Consent
	err = s.Write(ctx, func(tx *Tx) error {
		p, err := tx.Cat.Participant(req.Handle)
		if err != nil {
			return err
		}
		c := policy.Consent{Form: req.Form, Signed: signed, Scopes: req.Scopes, Cutoff: cutoff, Recorded: tx.Now().UTC()}
		e := Entry{Action: "consent-record", Participants: []string{p.Handle}}
		if ev != nil {
			fi, err := ev.Stat()
			if err != nil {
				return err
			}
			id, size, sum, err := tx.PutObject(ev, ClassCatalog, fi.Size())
			if err != nil {
				return fmt.Errorf("storing evidence %s: %w", req.Evidence, err)
			}
			doc := &Document{
				Handle: tx.Cat.nextHandle("D", tx.Cat.anyHandle), ID: newID(), Kind: policy.KindConsentForm,
				SourceName: baseName(req.Evidence), Participants: []string{p.Handle}, Date: req.Signed,
				Versions: []*Version{{N: 1, Object: id, Class: ClassCatalog, Size: size, SHA256: sum, Format: FormatBinary, Ingested: tx.Now().UTC()}},
				Created:  tx.Now().UTC(),
			}
			tx.Cat.Documents = append(tx.Cat.Documents, doc)
			c.Evidence = doc.Handle
			e.Handles = []string{doc.Handle}
			e.Hashes = map[string]string{"evidence": sum}
		}
		if err := p.Consent.AddConsent(c, policy.Today(tx.Now())); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out, _ = p.Consent.Current()
		e.Consents = []string{fmt.Sprintf("%s#%d", p.Handle, out.Seq)}
		e.Detail = map[string]string{"form": out.Form, "scopes": scopeList(out.Scopes)}
		tx.Audit(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func scopeList(ss []policy.Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// WithdrawRequest records a withdrawal of consent.
type WithdrawRequest struct {
	Handle string
	Scope  policy.Scope // "" = everything
	Date   string       // YYYY-MM-DD; "" = today
	Erase  bool
	Reason string
}

// WithdrawResult says what a withdrawal did.
type WithdrawResult struct {
	Withdrawal policy.Withdrawal
	// Exits lists audit entries of exits that already used the participant's
	// words (relevant after the cut-off: they cannot be recalled).
	Exits []Entry
	// Erased lists the documents whose raw objects were erased.
	Erased []string
	// Kept lists what could not be erased, and why.
	Kept []string
}

// ErasePlan lists the documents an erase of the participant would remove
// (their own material) and the shared ones in which their turns would only
// be withheld, so the CLI can ask for confirmation.
func (s *Study) ErasePlan(handle string) (own, shared []string, err error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, nil, err
	}
	if _, err := cat.Participant(handle); err != nil {
		return nil, nil, err
	}
	own, shared = cat.erasePlan(handle)
	return own, shared, nil
}

func (c *Catalog) erasePlan(handle string) (own, shared []string) {
	for _, d := range c.Documents {
		if d.Erased || !contains(d.Participants, handle) {
			continue
		}
		if len(d.Participants) == 1 {
			own = append(own, d.Handle)
		} else {
			shared = append(shared, d.Handle)
		}
	}
	return own, shared
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Withdraw records a withdrawal. With Erase (whole withdrawal only) the
// participant's own documents are erased (their objects removed; a tombstone
// kept), their turns in shared documents are withheld by the gate from then
// on, and what could not be erased is reported.
func (s *Study) Withdraw(ctx context.Context, req WithdrawRequest) (*WithdrawResult, error) {
	if req.Scope != "" && !req.Scope.Valid() {
		_, err := policy.ParseScopes(string(req.Scope))
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if req.Erase && req.Scope != "" && req.Scope != policy.ScopeParticipate {
		return nil, fmt.Errorf("%w: --erase withdraws everything; it cannot go with --scope %s", ErrInvalid, req.Scope)
	}
	var date policy.Date
	if req.Date != "" {
		d, err := parseDateField("date", req.Date)
		if err != nil {
			return nil, err
		}
		date = d
	}
	res := &WithdrawResult{}
	err := s.Write(ctx, func(tx *Tx) error {
		p, err := tx.Cat.Participant(req.Handle)
		if err != nil {
			return err
		}
		if date.IsZero() {
			date = policy.Today(tx.Now())
		}
		w := policy.Withdrawal{Date: date, Scope: req.Scope, Erase: req.Erase, Reason: req.Reason, Recorded: tx.Now().UTC()}
		if err := p.Consent.Withdraw(w, policy.Today(tx.Now())); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		res.Withdrawal = p.Consent.Withdrawals[len(p.Consent.Withdrawals)-1]
		entry := Entry{Action: "consent-withdraw", Participants: []string{p.Handle},
			Detail: map[string]string{"scope": orAll(req.Scope), "erase": fmt.Sprint(req.Erase), "after_cutoff": fmt.Sprint(res.Withdrawal.AfterCutoff)}}
		if req.Erase {
			own, shared := tx.Cat.erasePlan(p.Handle)
			objects := 0
			for _, h := range own {
				d, _ := tx.Cat.Doc(h)
				objects += tx.eraseDocument(d)
			}
			res.Erased = own
			for _, h := range shared {
				res.Kept = append(res.Kept, h+": shared with other participants; their turns are withheld from every exit")
			}
			if n := tx.Cat.exitsUsing(p.Handle); n > 0 {
				res.Kept = append(res.Kept, fmt.Sprintf("%d exit(s) already left the vault with their words; they cannot be recalled", n))
			}
			p.Consent.Erased = true
			tx.Cat.Tombstones = append(tx.Cat.Tombstones, Tombstone{Participant: p.Handle, Erased: tx.Now().UTC(), Documents: own, Objects: objects, Kept: res.Kept})
			entry.Handles = own
			entry.Detail["objects_erased"] = fmt.Sprint(objects)
		}
		tx.Audit(entry)
		res.Exits = tx.Cat.exitEntries(s, p.Handle)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func orAll(s policy.Scope) string {
	if s == "" {
		return "all"
	}
	return string(s)
}

// exitActions are the audit actions by which material leaves the vault.
var exitActions = map[string]bool{"export": true, "quote": true, "render": true, "export-qda": true, "deposit": true}

// IsExitAction reports whether an audit action is one by which material
// leaves the vault (delivered or refused).
func IsExitAction(action string) bool { return exitActions[action] }

// exitsUsing counts successful exits that used the participant's words. It
// reads the catalogue's exit counters (kept in step with the audit log).
func (c *Catalog) exitsUsing(handle string) int {
	if c.Exits == nil {
		return 0
	}
	return c.Exits[handle].Count
}

// exitEntries reads the audit log for successful exits that relied on the
// participant's words.
func (c *Catalog) exitEntries(s *Study, handle string) []Entry {
	if c.exitsUsing(handle) == 0 {
		return nil
	}
	entries, err := s.AuditLog(AuditFilter{Participant: handle})
	if err != nil {
		return nil
	}
	var out []Entry
	for _, e := range entries {
		if exitActions[e.Action] && e.LetOut() {
			out = append(out, e)
		}
	}
	return out
}

// ExitCount is how often a participant's words left the vault.
type ExitCount struct {
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// countExit records, with an exit's audit entry, that it used these
// participants' words.
func (c *Catalog) countExit(participants []string, at time.Time) {
	if c.Exits == nil {
		c.Exits = map[string]ExitCount{}
	}
	for _, h := range participants {
		ec := c.Exits[h]
		ec.Count++
		ec.Last = at.UTC()
		c.Exits[h] = ec
	}
}

// ReportRow is one participant's line in the consent register.
type ReportRow struct {
	Handle    string         `json:"handle"`
	Pseudonym string         `json:"pseudonym"`
	Name      string         `json:"name,omitempty"` // only when asked for
	Form      string         `json:"form"`
	Signed    string         `json:"signed"`
	Cutoff    string         `json:"cutoff,omitempty"`
	Scopes    []policy.Scope `json:"scopes"`
	Status    policy.Status  `json:"status"`
	Documents int            `json:"documents"`
	Exits     int            `json:"exits"`
	LastExit  string         `json:"last_exit,omitempty"`
	Problems  []string       `json:"problems"`
}

// ConsentReport builds the consent register for the ethics officer: one row
// per participant, in handle order. Names only with names set.
func (s *Study) ConsentReport(names bool) ([]ReportRow, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	rows := make([]ReportRow, 0, len(cat.Participants))
	for _, p := range cat.Participants {
		row := ReportRow{Handle: p.Handle, Status: p.Consent.Status(), Problems: []string{}}
		if ps, ok := cat.pseudonymOf(p); ok {
			row.Pseudonym = ps
		}
		if names {
			row.Name = p.Name
		}
		if c, ok := p.Consent.Current(); ok {
			row.Form, row.Signed = c.Form, c.Signed.String()
			if !c.Cutoff.IsZero() {
				row.Cutoff = c.Cutoff.String()
			}
		}
		row.Scopes = p.Consent.Active()
		var kinds, predates []string
		for _, d := range cat.Documents {
			if contains(d.Participants, p.Handle) && !d.Erased {
				kinds = append(kinds, d.Kind)
				predates = append(predates, datedProblems(&p.Consent, d)...)
				if msg, ok := cat.afterStudyEnd(d); ok {
					predates = append(predates, msg)
				}
			}
		}
		row.Documents = len(kinds)
		if ec, ok := cat.Exits[p.Handle]; ok {
			row.Exits = ec.Count
			row.LastExit = ec.Last.Format(time.DateOnly)
		}
		row.Problems = append(row.Problems, p.Consent.Problems(kinds)...)
		row.Problems = append(row.Problems, predates...)
		if w, ok := p.Consent.WholeWithdrawal(); ok {
			// On or after the day they withdrew, or after it was recorded:
			// a withdrawal recorded late still shows what left meanwhile.
			if ec, ok := cat.Exits[p.Handle]; ok && (!ec.Last.Before(w.Date.Time()) || !ec.Last.Before(w.Recorded)) {
				row.Problems = append(row.Problems, "exits used their words after withdrawal")
			}
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return policy.HandleLess(rows[i].Handle, rows[j].Handle) })
	return rows, nil
}

// pseudonymOf returns a participant's pseudonym from the registry.
func (c *Catalog) pseudonymOf(p *Participant) (string, bool) {
	if c.Pseudonyms == nil {
		return "", false
	}
	ps, ok := c.Pseudonyms.Lookup("person", p.Name)
	if !ok {
		return "", false
	}
	return ps.InOrder(p.FamilyFirst), true
}

// afterStudyEnd says when a document's material is dated after the study's
// recorded end: collected outside the period the ethics approval covers, or
// dated by mistake. Signed forms are not material.
func (c *Catalog) afterStudyEnd(d *Document) (string, bool) {
	if c.Retention == nil || c.Retention.StudyEnd.IsZero() || d.Kind == policy.KindConsentForm || d.Date == "" {
		return "", false
	}
	date, err := policy.ParseDate(d.Date)
	if err != nil || !c.Retention.StudyEnd.Before(date) {
		return "", false
	}
	return fmt.Sprintf("%s is dated %s, after the study's end (%s); check that it was collected within the approved study, or correct its date", d.Handle, date, c.Retention.StudyEnd), true
}

// datedProblems are policy's checks of a document's date against the
// participant's consent (Record.Predates, Record.CutoffBefore), for their
// material, not their signed form.
func datedProblems(r *policy.Record, d *Document) []string {
	if d.Kind == policy.KindConsentForm || d.Date == "" {
		return nil
	}
	date, err := policy.ParseDate(d.Date)
	if err != nil {
		return nil
	}
	var out []string
	if msg, ok := r.Predates(d.Handle, date); ok {
		out = append(out, msg)
	}
	if msg, ok := r.CutoffBefore(d.Handle, date); ok {
		out = append(out, msg)
	}
	return out
}
