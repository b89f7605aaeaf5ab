// Package report builds the ethics officer's view of a study: one
// self-contained HTML page of the register, the material held, every exit
// and the audit state, and a pseudonymisation summary for a thesis's methods
// appendix. It reads only what a catalog-class identity can decrypt (the
// catalogue, the audit log, the plain config) through the store's read API,
// and holds no raw text; real names appear only when asked for.
package report

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
)

// Options choose what the report shows.
type Options struct {
	// Names includes participants' real names (never otherwise).
	Names bool
	// Checkpoint is an audit checkpoint file (written by 'audit verify
	// --checkpoint') to compare the log with. It must exist: a report never
	// writes one.
	Checkpoint string
	// Now stamps the report; nil = time.Now.
	Now func() time.Time
}

// Build gathers the report's facts from the study's catalogue and audit log.
// A damaged audit log is not an error: the report shows it (Audit.OK false).
func Build(ctx context.Context, s *vault.Study, opts Options) (*Report, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if opts.Checkpoint != "" {
		if _, err := os.Stat(opts.Checkpoint); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%w: checkpoint %s does not exist (write one with 'fieldvault audit verify --checkpoint FILE')", vault.ErrInvalid, opts.Checkpoint)
			}
			return nil, fmt.Errorf("reading checkpoint %s: %w", opts.Checkpoint, err)
		}
	}
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	rows, err := s.ConsentReport(opts.Names)
	if err != nil {
		return nil, err
	}
	ar, err := s.VerifyAudit(ctx, opts.Checkpoint)
	if err != nil {
		return nil, err
	}
	r := &Report{Generated: now().UTC(), Names: opts.Names}
	r.Study = studyOf(s.Config, cat)
	r.Audit = auditOf(ar, s.Config, opts.Checkpoint)
	r.register(cat, rows)
	var entries []vault.Entry
	if ar.OK() {
		if entries, err = s.AuditLog(vault.AuditFilter{}); err != nil {
			return nil, err
		}
	} else {
		r.ExitsWithheld = "The audit log does not verify, so its entries cannot be vouched for and no exit is listed from it. See the audit state below."
	}
	roles := roleMap(s.Config)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
		// A failed exit (its output could not be delivered) let nothing out:
		// it is counted among the log's actions, not listed as an exit.
		if vault.IsExitAction(e.Action) && e.Outcome != "failed" {
			r.Exits = append(r.Exits, exitOf(e, roles))
		}
	}
	for _, a := range sortedKeys(actions) {
		r.Audit.Actions = append(r.Audit.Actions, ActionCount{a, actions[a]})
	}
	r.usedSinceWithdrawal()
	r.Retention = retentionOf(cat, policy.RetentionDay(now()))
	r.Methods = methodsOf(cat, r.Exits)
	r.summarise()
	return r, nil
}

func studyOf(cfg *vault.Config, cat *vault.Catalog) Study {
	st := Study{ID: cfg.StudyID, Name: cfg.Name, Format: cfg.Format, Generation: cat.Generation}
	st.Key.Type = cfg.KeyProvider.Type
	switch t := cfg.KeyProvider.Transit; {
	case cfg.KeyProvider.Type == vault.ProviderTransit && t != nil:
		st.Key.Mount, st.Key.Key, st.Key.KeyVersion = t.Mount, t.Key, t.KeyVersion
		st.Key.Where = fmt.Sprintf("HashiCorp Vault Transit key %q on mount %q, pinned to key version %d; the key never leaves Vault", t.Key, mountOr(t.Mount), t.KeyVersion)
	default:
		st.Key.Where = fmt.Sprintf("a random 256-bit key in the vault (%s), age-encrypted to the raw-material recipients", vault.LocalKeyFile)
	}
	roles := roleMap(cfg)
	seen := map[string]bool{}
	for _, class := range []string{vault.ClassCatalog, vault.ClassRaw} {
		for _, rc := range cfg.Recipients[class] {
			if seen[rc] {
				continue
			}
			seen[rc] = true
			a := roles.actor(rc)
			st.Recipients = append(st.Recipients, Recipient{Role: a.Role, Label: a.Label, Fingerprint: a.Fingerprint, Full: rc, Classes: roles.classes[rc]})
		}
	}
	sort.SliceStable(st.Recipients, func(i, j int) bool { return roleRank(st.Recipients[i].Role) < roleRank(st.Recipients[j].Role) })
	return st
}

func mountOr(m string) string {
	if m == "" {
		return "transit"
	}
	return m
}

// Roles as vault.Config.Actor names them.
const (
	RoleResearcher = vault.ActorResearcher
	RoleSupervisor = vault.ActorSupervisor
	RoleEthics     = vault.ActorEthics
	RoleUnknown    = vault.ActorUnknown
)

func roleRank(r string) int {
	switch r {
	case RoleResearcher:
		return 0
	case RoleSupervisor:
		return 1
	case RoleEthics:
		return 2
	}
	return 3
}

type roles struct {
	classes map[string][]string
	cfg     *vault.Config
}

func roleMap(cfg *vault.Config) roles {
	r := roles{classes: map[string][]string{}, cfg: cfg}
	for _, class := range []string{vault.ClassCatalog, vault.ClassRaw} {
		for _, rc := range cfg.Recipients[class] {
			r.classes[rc] = append(r.classes[rc], class)
		}
	}
	return r
}

// actor names a recipient as every listing does (vault.Config.Actor).
func (r roles) actor(recipient string) Actor {
	a := r.cfg.Actor(recipient)
	return Actor{Role: a.Role, Label: a.Label, Fingerprint: a.Fingerprint, Full: a.Recipient}
}

func auditOf(ar *vault.AuditReport, cfg *vault.Config, checkpoint string) Audit {
	a := Audit{OK: ar.OK(), Entries: ar.Entries, Head: ar.Head, Problems: ar.Problems, Notes: ar.Notes, Checkpoint: ar.Checkpoint, CheckpointFile: checkpoint}
	if ar.First != nil {
		a.First = ar.First.Error()
	}
	switch {
	case cfg.KeyProvider.Type != vault.ProviderTransit:
		a.Anchor = "none: the local key provider has no external anchor (keep a checkpoint outside the vault instead)"
	case ar.Anchor != "":
		a.Anchor, a.AnchorOK = ar.Anchor, true
	default:
		a.Anchor = "the head anchored in HashiCorp Vault could not be confirmed (see the problems and notes)"
	}
	return a
}

func (r *Report) register(cat *vault.Catalog, rows []vault.ReportRow) {
	byHandle := map[string]*vault.Participant{}
	for _, p := range cat.Participants {
		byHandle[p.Handle] = p
	}
	tombs := map[string]vault.Tombstone{}
	for _, t := range cat.Tombstones {
		tombs[t.Participant] = t // the latest erasure of a participant
	}
	for _, row := range rows {
		p := byHandle[row.Handle]
		if p == nil {
			continue
		}
		rp := Participant{
			Handle: row.Handle, Pseudonym: row.Pseudonym, Name: row.Name, Status: row.Status,
			Form: row.Form, Signed: row.Signed, Cutoff: row.Cutoff, Scopes: row.Scopes,
			Held: row.Documents, Exits: row.Exits, LastExit: row.LastExit, Problems: row.Problems,
		}
		rp.History = history(&p.Consent)
		for _, d := range cat.Documents {
			if !slices.Contains(d.Participants, p.Handle) {
				continue
			}
			doc := documentOf(d)
			rp.Docs = append(rp.Docs, doc)
			switch {
			case d.Kind != policy.KindConsentForm:
			case !d.Erased:
				rp.Forms = append(rp.Forms, d.Handle)
			case d.Destroyed != nil:
				rp.FormsDestroyed = append(rp.FormsDestroyed, d.Handle)
			}
		}
		if t, ok := tombs[p.Handle]; ok {
			rp.Erasure = &Erasure{Date: t.Erased.UTC().Format(time.DateOnly), Documents: t.Documents, Objects: t.Objects, Kept: t.Kept}
		}
		r.Participants = append(r.Participants, rp)
	}
	for _, d := range cat.Documents {
		if len(d.Participants) == 0 {
			r.Other = append(r.Other, documentOf(d))
		}
	}
}

func history(rec *policy.Record) []HistoryItem {
	var out []HistoryItem
	for _, c := range rec.Consents {
		h := HistoryItem{Seq: c.Seq, Date: c.Signed.String(), Form: c.Form, Scopes: c.Scopes, Evidence: c.Evidence, Recorded: day(c.Recorded)}
		if !c.Cutoff.IsZero() {
			h.Cutoff = c.Cutoff.String()
		}
		out = append(out, h)
	}
	for _, w := range rec.Withdrawals {
		h := HistoryItem{Seq: w.Seq, Date: w.Date.String(), Withdrawal: true, Erase: w.Erase, AfterCutoff: w.AfterCutoff, Recorded: day(w.Recorded)}
		if !w.Whole() {
			h.Scopes = []policy.Scope{w.Scope}
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func documentOf(d *vault.Document) Document {
	doc := Document{Handle: d.Handle, Kind: d.Kind, Date: d.Date, Participants: d.Participants, Meeting: d.Meeting, Versions: len(d.Versions), Erased: d.Erased, Destroyed: d.Destroyed != nil}
	if len(d.Versions) == 0 {
		return doc
	}
	v := d.Latest()
	doc.Format, doc.Lines = v.Format, v.Lines
	doc.Readable = v.Class == vault.ClassCatalog && !d.Erased
	doc.Flagged = flagged(append(append([]policy.Flag{}, v.Flags...), v.Markup...))
	return doc
}

// flagged counts the distinct lines each flag kind covers.
func flagged(flags []policy.Flag) []FlagCount {
	lines := map[policy.FlagKind]map[int]bool{}
	for _, f := range flags {
		if lines[f.Kind] == nil {
			lines[f.Kind] = map[int]bool{}
		}
		for n := f.From; n <= f.To; n++ {
			lines[f.Kind][n] = true
		}
	}
	var out []FlagCount
	for _, k := range policy.FlagKinds() {
		if n := len(lines[k]); n > 0 {
			out = append(out, FlagCount{Kind: k, Lines: n})
		}
	}
	return out
}

func exitOf(e vault.Entry, roles roles) Exit {
	x := Exit{
		Seq: e.Seq, Time: e.Time.UTC(), Action: e.Action, Refused: e.Outcome == "refused",
		Partial: e.Outcome == vault.OutcomePartial, Delivered: e.Detail["delivered_bytes"],
		Purpose: e.Detail["purpose"], Format: e.Detail["format"], Lines: e.Detail["lines"],
		Consents: e.Consents, Participants: e.Participants, Flags: e.Flags,
		Output: e.Hashes["output"], Chapter: e.Hashes["chapter"], Withheld: -1,
	}
	if e.Actor != "" {
		x.Actor = roles.actor(e.Actor)
	}
	for _, h := range e.Handles {
		if v := e.Detail["version:"+h]; v != "" {
			h += " v" + v
		}
		x.Docs = append(x.Docs, h)
	}
	if n, err := strconv.Atoi(e.Detail["withheld_lines"]); err == nil {
		x.Withheld = n
	}
	if n, err := strconv.Atoi(e.Detail["residual_accepted"]); err == nil {
		x.ResidualAccepted = n
	}
	for _, rule := range e.Rules {
		rc := RuleCount{Rule: policy.Rule(rule), Description: policy.Rule(rule).Describe(), Lines: -1}
		if len(e.Rules) == 1 && x.Withheld >= 0 && !x.Refused {
			rc.Lines = x.Withheld // one rule withheld every line the exit withheld
		}
		x.Rules = append(x.Rules, rc)
	}
	return x
}

func methodsOf(cat *vault.Catalog, exits []Exit) Methods {
	var m Methods
	kinds := map[redact.Kind]*KindCount{}
	get := func(k redact.Kind) *KindCount {
		if kinds[k] == nil {
			kinds[k] = &KindCount{Kind: k}
		}
		return kinds[k]
	}
	for _, p := range cat.Participants {
		kc := get(redact.KindPerson)
		kc.Registered++
		kc.Aliases += len(p.Aliases)
	}
	for _, e := range cat.Entities {
		kc := get(e.Kind)
		kc.Registered++
		kc.Aliases += len(e.Aliases)
	}
	for _, mt := range cat.Meetings {
		kc := get(redact.KindMeeting)
		kc.Registered++
		kc.Aliases += len(mt.Aliases)
	}
	if cat.Pseudonyms != nil {
		for _, e := range cat.Pseudonyms.Entries() {
			kc := get(e.Kind)
			kc.Pseudonyms++
			if e.Explicit {
				kc.Chosen++
			}
		}
	}
	for _, k := range vault.EntityKinds() {
		if kc := kinds[k]; kc != nil {
			m.Replaced = append(m.Replaced, *kc)
		}
	}
	rules := map[policy.Rule]*RuleCount{}
	actions := map[string]int{}
	rule := func(rc RuleCount) *RuleCount {
		agg := rules[rc.Rule]
		if agg == nil {
			agg = &RuleCount{Rule: rc.Rule, Description: rc.Description}
			rules[rc.Rule] = agg
		}
		return agg
	}
	for _, x := range exits {
		if x.Refused {
			m.Refusals++
			for _, rc := range x.Rules {
				rule(rc).Refused++
			}
			continue
		}
		m.Exits++
		actions[x.Action]++
		if x.Withheld > 0 {
			m.WithheldLines += x.Withheld
		}
		if x.ResidualAccepted > 0 {
			m.ResidualAccepted += x.ResidualAccepted
			m.ResidualExits++
		}
		for _, rc := range x.Rules {
			agg := rule(rc)
			agg.Exits++
			if rc.Lines < 0 || agg.Lines < 0 {
				agg.Lines = -1
			} else {
				agg.Lines += rc.Lines
			}
		}
	}
	for _, k := range sortedKeys(rules) {
		m.Withheld = append(m.Withheld, *rules[k])
	}
	for _, a := range sortedKeys(actions) {
		m.ExitsByAction = append(m.ExitsByAction, ActionCount{a, actions[a]})
	}
	return m
}

// usedSinceWithdrawal finds, for every withdrawal, the delivered exits on or
// after its date that used the participant's words under a consent recorded
// before it, for a purpose the withdrawn scope covers (a whole withdrawal
// covers every exit). The gate refuses such an exit once the withdrawal is
// recorded, so each one means the withdrawal was recorded after the words
// had already left: the officer sees it under the withdrawal and among the
// things to attend to.
func (r *Report) usedSinceWithdrawal() {
	for i := range r.Participants {
		p := &r.Participants[i]
		for j := range p.History {
			w := &p.History[j]
			if !w.Withdrawal {
				continue
			}
			for _, x := range r.Exits {
				if x.Refused || x.Time.UTC().Format(time.DateOnly) < w.Date {
					continue
				}
				n, ok := reliedBefore(x.Consents, p.Handle, w.Seq)
				if !ok || (len(w.Scopes) > 0 && !slices.Contains(exitNeeds(x), w.Scopes[0])) {
					continue
				}
				ref := ExitRef{Seq: x.Seq, Date: x.Time.UTC().Format(time.DateOnly), Action: x.Action, Consent: n}
				w.Since = append(w.Since, ref)
				what := "everything"
				if len(w.Scopes) > 0 {
					what = string(w.Scopes[0])
				}
				p.Problems = append(p.Problems, fmt.Sprintf("%s on %s (audit entry #%d) used their words under consent #%d, on or after their withdrawal #%d of %s dated %s: the withdrawal was recorded after the exit",
					ref.Action, ref.Date, ref.Seq, n, w.Seq, what, w.Date))
			}
		}
	}
}

// reliedBefore returns the consent record of participant an exit relied on
// ("P07#2" in its consents) if it was recorded before seq.
func reliedBefore(consents []string, handle string, seq int) (int, bool) {
	for _, c := range consents {
		h, num, ok := strings.Cut(c, "#")
		if !ok || h != handle {
			continue
		}
		if n, err := strconv.Atoi(num); err == nil && n < seq {
			return n, true
		}
	}
	return 0, false
}

// exitNeeds is the scopes an exit needed of every participant whose words
// it used: participate always, quote unless it was for analysis, and its
// purpose (publish, present, archive) when it had one.
func exitNeeds(x Exit) []policy.Scope {
	need := []policy.Scope{policy.ScopeParticipate}
	switch p := policy.Scope(x.Purpose); p {
	case policy.PurposeAnalysis:
	case policy.ScopePublish, policy.ScopePresent, policy.ScopeArchive:
		need = append(need, policy.ScopeQuote, p)
	default:
		need = append(need, policy.ScopeQuote)
	}
	return need
}

func (r *Report) summarise() {
	s := &r.Summary
	for _, p := range r.Participants {
		s.Participants++
		switch p.Status {
		case policy.StatusActive:
			s.Active++
		case policy.StatusPartlyWithdrawn:
			s.PartlyWithdrawn++
		case policy.StatusWithdrawn:
			s.Withdrawn++
		case policy.StatusErased:
			s.Erased++
		default:
			s.NoConsent++
		}
		s.Attention += len(p.Problems)
	}
	seen := map[string]bool{}
	count := func(d Document) {
		if seen[d.Handle] {
			return
		}
		seen[d.Handle] = true
		if d.Erased {
			s.ErasedDocuments++
			if d.Destroyed {
				s.DestroyedDocuments++
			}
		} else {
			s.Documents++
		}
	}
	for _, p := range r.Participants {
		for _, d := range p.Docs {
			count(d)
		}
	}
	for _, d := range r.Other {
		count(d)
	}
	s.Exits, s.Refusals = r.Methods.Exits, r.Methods.Refusals
	for _, x := range r.Exits {
		if x.Purpose == "" {
			s.NoPurpose++
		}
	}
	s.AuditOK = r.Audit.OK
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Write builds the report and writes it to path: the HTML page, or with
// methods the Markdown summary. The file is created only once the report is
// complete; an existing file is replaced only with force.
func Write(ctx context.Context, s *vault.Study, path string, methods, force bool, opts Options) (*Report, error) {
	r, err := Build(ctx, s, opts)
	if err != nil {
		return nil, err
	}
	write := r.WriteHTML
	if methods {
		write = r.WriteMethods
	}
	if err := s.WriteOutput(path, force, write); err != nil {
		return nil, err
	}
	return r, nil
}

// retentionOf reads the rules, what is due on today and the tombstones.
func retentionOf(cat *vault.Catalog, today policy.Date) Retention {
	st := cat.RetentionState(today)
	r := Retention{StudyEnd: st.StudyEnd, Today: st.Today}
	for _, rule := range st.Rules {
		r.Rules = append(r.Rules, rule.String())
	}
	for _, s := range st.Schedule {
		sc := Scheduled{Handle: s.Handle, Kind: s.Kind, Due: s.Due.String(), Rule: s.Rule.String()}
		switch {
		case s.IsDue:
			r.Due = append(r.Due, sc)
		case s.Held:
			r.Held = append(r.Held, sc)
		case len(s.KeptFor) > 0:
			sc.KeptFor = s.KeptFor
			r.Kept = append(r.Kept, sc)
		}
	}
	for _, t := range cat.Tombstones {
		r.Destroyed = append(r.Destroyed, Destroyed{Participant: t.Participant, Date: t.Erased.UTC().Format(time.DateOnly), Documents: t.Documents,
			Objects: t.Objects, Kind: t.Kind, Rule: t.Rule, SHA256: t.SHA256})
	}
	return r
}
