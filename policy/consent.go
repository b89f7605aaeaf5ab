package policy

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// A Consent is one signed consent form: what the participant agreed to, and
// until when they may ask for their words to be removed.
type Consent struct {
	Seq      int       `json:"seq"`                // position in the participant's history, assigned by AddConsent
	Form     string    `json:"form"`               // version of the consent form signed
	Signed   Date      `json:"signed"`             // date signed
	Scopes   []Scope   `json:"scopes"`             // granted scopes, canonical order
	Cutoff   Date      `json:"cutoff,omitzero"`    // last day a removal request must be honoured; zero = no cut-off
	Evidence string    `json:"evidence,omitempty"` // handle of the scanned form, if held
	Recorded time.Time `json:"recorded"`           // when the researcher entered it
}

// Grants reports whether the consent form grants s.
func (c Consent) Grants(s Scope) bool {
	return slices.Contains(c.Scopes, s)
}

// A Withdrawal takes back one scope, or everything, from the consent in force
// when it was made. A later consent (re-consent) supersedes it.
type Withdrawal struct {
	Seq         int       `json:"seq"`                    // position in the participant's history, assigned by Withdraw
	Date        Date      `json:"date"`                   // date the participant withdrew
	Scope       Scope     `json:"scope,omitempty"`        // "" = everything (withdrawing participate is the same)
	Erase       bool      `json:"erase,omitempty"`        // material is to be erased, not kept anonymised
	Reason      string    `json:"reason,omitempty"`       // free text for the register; never shown in errors
	Recorded    time.Time `json:"recorded"`               // when the researcher entered it
	AfterCutoff bool      `json:"after_cutoff,omitempty"` // made after the consent's cut-off date
}

// Whole reports whether w withdraws everything (no scope, or participate).
func (w Withdrawal) Whole() bool {
	return w.Scope == "" || w.Scope == ScopeParticipate
}

// A Record is one participant's consent history. Nothing in it is ever
// overwritten: consents and withdrawals are appended, each with a sequence
// number shared by both lists, and the latest consent is the one in force.
type Record struct {
	Handle      string       `json:"handle"`
	Consents    []Consent    `json:"consents,omitempty"`
	Withdrawals []Withdrawal `json:"withdrawals,omitempty"`
	Erased      bool         `json:"erased,omitempty"` // material was erased at the participant's request
}

// Status summarises a Record for the consent register.
type Status string

// The statuses a Record can have.
const (
	StatusNoConsent       Status = "no consent"
	StatusActive          Status = "active"
	StatusPartlyWithdrawn Status = "partly withdrawn"
	StatusWithdrawn       Status = "withdrawn"
	StatusErased          Status = "erased"
)

// ErrConsent is wrapped by every error AddConsent and Withdraw return, so
// callers can tell a rejected consent entry (a usage problem) from others.
var ErrConsent = errors.New("invalid consent entry")

func (r *Record) nextSeq() int {
	n := 0
	for _, c := range r.Consents {
		n = max(n, c.Seq)
	}
	for _, w := range r.Withdrawals {
		n = max(n, w.Seq)
	}
	return n + 1
}

func (r *Record) name() string {
	if r.Handle == "" {
		return "participant"
	}
	return "participant " + r.Handle
}

// AddConsent appends a consent. It checks that the form was signed, not in
// the future, not before the consent in force or a withdrawal from it, that
// any cut-off is not before the signing date, and that at least one valid
// scope is granted; scopes are stored in canonical order. It
// assigns c.Seq. A consent recorded after a withdrawal is a re-consent and
// supersedes the withdrawal; after an erasure none is accepted (erasure is
// final: the participant's turns in shared documents stay withheld).
func (r *Record) AddConsent(c Consent, today Date) error {
	if w, ok := r.erasure(); ok {
		return fmt.Errorf("%w: %s asked for their material to be erased (withdrawal %d, %s); erasure is final: a new consent cannot let their words in shared documents out again", ErrConsent, r.name(), w.Seq, w.Date)
	}
	switch {
	case c.Signed.IsZero():
		return fmt.Errorf("%w: %s: signing date missing", ErrConsent, r.name())
	case c.Signed.After(today):
		return fmt.Errorf("%w: %s: signing date %s is after today (%s)", ErrConsent, r.name(), c.Signed, today)
	case !c.Cutoff.IsZero() && c.Cutoff.Before(c.Signed):
		return fmt.Errorf("%w: %s: cut-off %s is before the signing date %s", ErrConsent, r.name(), c.Cutoff, c.Signed)
	case len(c.Scopes) == 0:
		return fmt.Errorf("%w: %s: no scope granted (valid: %s)", ErrConsent, r.name(), scopeNames())
	}
	if cur, ok := r.Current(); ok && c.Signed.Before(cur.Signed) {
		return fmt.Errorf("%w: %s: signing date %s is before that of consent %d (%s); the consent in force must be the latest signed", ErrConsent, r.name(), c.Signed, cur.Seq, cur.Signed)
	}
	for _, w := range r.since() {
		if c.Signed.Before(w.Date) {
			return fmt.Errorf("%w: %s: signing date %s is before withdrawal %d (%s); a new consent must be signed after it", ErrConsent, r.name(), c.Signed, w.Seq, w.Date)
		}
	}
	scopes, err := normaliseScopes(c.Scopes)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrConsent, r.name(), err)
	}
	c.Scopes = scopes
	c.Seq = r.nextSeq()
	r.Consents = append(r.Consents, c)
	return nil
}

// Withdraw appends a withdrawal of w.Scope ("" = everything) from the consent
// in force. A zero w.Date means today. It refuses a participant with no
// consent, a date in the future or before the consent was signed, a scope the
// consent does not grant or that is already withdrawn, and erasure of a
// single scope (erasure is of everything). It assigns w.Seq, sets
// w.AfterCutoff when the consent's cut-off has passed — the withdrawal still
// governs every later exit, but material that already left cannot be
// recalled — and marks the record Erased when w.Erase is set.
func (r *Record) Withdraw(w Withdrawal, today Date) error {
	cur, ok := r.Current()
	if !ok {
		return fmt.Errorf("%w: %s has no consent recorded; nothing to withdraw", ErrConsent, r.name())
	}
	if w.Date.IsZero() {
		w.Date = today
	}
	if w.Date.After(today) {
		return fmt.Errorf("%w: %s: withdrawal date %s is after today (%s)", ErrConsent, r.name(), w.Date, today)
	}
	if w.Date.Before(cur.Signed) {
		return fmt.Errorf("%w: %s: withdrawal date %s is before consent %d was signed (%s)", ErrConsent, r.name(), w.Date, cur.Seq, cur.Signed)
	}
	if w.Scope != "" && !w.Scope.Valid() {
		return fmt.Errorf("%w: %s: %w %q (valid: %s)", ErrConsent, r.name(), ErrUnknownScope, clip(string(w.Scope), 32), scopeNames())
	}
	if w.Erase && !w.Whole() {
		return fmt.Errorf("%w: %s: erasure applies to a whole withdrawal, not to scope %s alone", ErrConsent, r.name(), w.Scope)
	}
	if prev, ok := r.wholeWithdrawal(); ok {
		if w.Whole() && w.Erase && !prev.Erase {
			// Escalating a kept-anonymised withdrawal to erasure is allowed.
		} else {
			return fmt.Errorf("%w: %s already withdrawn (withdrawal %d, %s)", ErrConsent, r.name(), prev.Seq, prev.Date)
		}
	} else if !w.Whole() {
		if !cur.Grants(w.Scope) {
			return fmt.Errorf("%w: %s: consent %d does not grant scope %s; nothing to withdraw", ErrConsent, r.name(), cur.Seq, w.Scope)
		}
		if !r.Has(w.Scope) {
			return fmt.Errorf("%w: %s: scope %s already withdrawn", ErrConsent, r.name(), w.Scope)
		}
	}
	w.AfterCutoff = !cur.Cutoff.IsZero() && w.Date.After(cur.Cutoff)
	w.Seq = r.nextSeq()
	r.Withdrawals = append(r.Withdrawals, w)
	if w.Erase {
		r.Erased = true
	}
	return nil
}

// Predates reports material of the participant's, dated date, that was
// collected before they first signed a consent form, as a problem for the
// register: the consent recorded may not have been in place when it was
// collected (a form signed later, or a date mistyped). A zero date, or a
// participant with no consent (a problem of its own), reports nothing.
func (r *Record) Predates(doc string, date Date) (string, bool) {
	if r == nil || date.IsZero() || len(r.Consents) == 0 {
		return "", false
	}
	first := r.Consents[0].Signed
	for _, c := range r.Consents[1:] {
		if c.Signed.Before(first) {
			first = c.Signed
		}
	}
	if !date.Before(first) {
		return "", false
	}
	return fmt.Sprintf("%s is dated %s, before %s first signed consent (%s); check that consent was in place when it was collected", doc, date, r.Handle, first), true
}

// erasure returns the withdrawal by which the participant asked for their
// material to be erased, if they did.
func (r *Record) erasure() (Withdrawal, bool) {
	if r == nil {
		return Withdrawal{}, false
	}
	for _, w := range r.Withdrawals {
		if w.Erase {
			return w, true
		}
	}
	return Withdrawal{}, false
}

// CutoffBefore reports material of the participant's, dated date, collected
// after the cut-off of the consent in force: the participant could never ask
// for its removal, so the cut-off (or the material's date) is likely a
// mistake, for the register to attend to.
func (r *Record) CutoffBefore(doc string, date Date) (string, bool) {
	cur, ok := r.Current()
	if !ok || date.IsZero() || cur.Cutoff.IsZero() || !cur.Cutoff.Before(date) {
		return "", false
	}
	return fmt.Sprintf("%s is dated %s, after the cut-off of consent %d (%s): %s could never ask for its removal; check the cut-off and the date", doc, date, cur.Seq, cur.Cutoff, r.Handle), true
}

// Current returns the consent in force: the one recorded last.
func (r *Record) Current() (Consent, bool) {
	if r == nil || len(r.Consents) == 0 {
		return Consent{}, false
	}
	best := r.Consents[0]
	for _, c := range r.Consents[1:] {
		if c.Seq > best.Seq {
			best = c
		}
	}
	return best, true
}

// since returns the withdrawals made after the consent in force, in order.
func (r *Record) since() []Withdrawal {
	cur, ok := r.Current()
	if !ok {
		return nil
	}
	var out []Withdrawal
	for _, w := range r.Withdrawals {
		if w.Seq > cur.Seq {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b Withdrawal) int { return cmpInt(a.Seq, b.Seq) })
	return out
}

// WholeWithdrawal returns the withdrawal of everything that is in force (made
// after the consent in force), if any: the one a "withdrawn" or "erased"
// Status refers to.
func (r *Record) WholeWithdrawal() (Withdrawal, bool) { return r.wholeWithdrawal() }

// wholeWithdrawal returns the latest whole withdrawal after the consent in
// force, if any.
func (r *Record) wholeWithdrawal() (Withdrawal, bool) {
	var found Withdrawal
	ok := false
	for _, w := range r.since() {
		if w.Whole() {
			found, ok = w, true
		}
	}
	return found, ok
}

// Has reports whether the consent in force grants s and no later withdrawal
// took back s or everything. A nil Record has no scope.
func (r *Record) Has(s Scope) bool {
	cur, ok := r.Current()
	if !ok || !cur.Grants(s) {
		return false
	}
	for _, w := range r.since() {
		if w.Whole() || w.Scope == s {
			return false
		}
	}
	return true
}

// Active returns the scopes r currently has, in canonical order.
func (r *Record) Active() []Scope {
	var out []Scope
	for _, s := range allScopes {
		if r.Has(s) {
			out = append(out, s)
		}
	}
	return out
}

// Status summarises r: no consent, erased or withdrawn (everything taken
// back since the consent in force), partly withdrawn (some granted scope
// taken back), or active.
func (r *Record) Status() Status {
	if _, ok := r.Current(); !ok {
		return StatusNoConsent
	}
	if _, ok := r.wholeWithdrawal(); ok {
		for _, v := range r.since() {
			if v.Erase {
				return StatusErased
			}
		}
		return StatusWithdrawn
	}
	if len(r.since()) > 0 {
		return StatusPartlyWithdrawn
	}
	return StatusActive
}

// Problems lists what an ethics officer should look at in r, given the kinds
// of document held in the vault that concern the participant (one entry per
// document; see DocKinds). Each entry is one lowercase sentence fragment that
// names handles, sequence numbers, scopes and dates only. The checks:
//   - material other than consent forms held with no consent, or without
//     participate;
//   - a recording held without record-audio;
//   - material held after a whole withdrawal, or after erasure was requested;
//   - no evidence of the consent in force (no evidence handle and no
//     consent-form document held);
//   - a consent with no form version;
//   - withdrawals made after the cut-off, which may not be fully honourable.
func (r *Record) Problems(heldKinds []string) []string {
	var out []string
	counts := make(map[string]int)
	for _, k := range heldKinds {
		counts[k]++
	}
	material := len(heldKinds) - counts[KindConsentForm]
	cur, hasConsent := r.Current()
	status := r.Status()
	switch {
	case !hasConsent:
		if material > 0 {
			out = append(out, fmt.Sprintf("%d document(s) held but no consent recorded", material))
		}
	case status == StatusErased:
		if material > 0 {
			out = append(out, fmt.Sprintf("%d document(s) held although erasure was requested", material))
		}
	case status == StatusWithdrawn:
		if material > 0 {
			w, _ := r.wholeWithdrawal()
			out = append(out, fmt.Sprintf("%d document(s) held after withdrawal %d (%s); keep only anonymised", material, w.Seq, w.Date))
		}
	case !r.Has(ScopeParticipate):
		if material > 0 {
			out = append(out, fmt.Sprintf("%d document(s) held but consent %d does not grant participate", material, cur.Seq))
		}
	}
	if n := counts[KindRecording]; n > 0 && hasConsent && status != StatusErased && status != StatusWithdrawn && !r.Has(ScopeRecordAudio) {
		out = append(out, fmt.Sprintf("%d recording(s) held without record-audio consent", n))
	}
	if hasConsent && cur.Evidence == "" && counts[KindConsentForm] == 0 {
		out = append(out, fmt.Sprintf("no signed form held as evidence of consent %d", cur.Seq))
	}
	for _, c := range r.Consents {
		if c.Form == "" {
			out = append(out, fmt.Sprintf("consent %d has no form version", c.Seq))
		}
	}
	for _, w := range r.Withdrawals {
		if w.AfterCutoff {
			what := "everything"
			if !w.Whole() {
				what = "scope " + string(w.Scope)
			}
			out = append(out, fmt.Sprintf("withdrawal %d of %s (%s) came after the cut-off; check material that already left", w.Seq, what, w.Date))
		}
	}
	return out
}
