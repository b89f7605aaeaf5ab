package vault

import "github.com/fieldvault/fieldvault/policy"

// RefusedBy is implemented by refusals other than the policy's own (the
// gate's residual scan, a chapter's problems): the policy refusals they
// carry and the further rules that refused.
type RefusedBy interface {
	RefusedBy() ([]*policy.Refusal, []string)
}

// RefusalEntry builds the audit entry of a refused change or exit (rules
// and participants, never a name); ok is false for an error that is not a
// refusal, which is not audited.
func RefusalEntry(action string, handles []string, err error) (Entry, bool) {
	e := Entry{Action: action, Outcome: "refused", Handles: handles}
	rules := map[string]bool{}
	parts := map[string]bool{}
	var refs []*policy.Refusal
	switch x := err.(type) {
	case *policy.Refused:
		refs = x.Refusals
	case *policy.Refusal:
		refs = []*policy.Refusal{x}
	case RefusedBy:
		var other []string
		refs, other = x.RefusedBy()
		for _, r := range other {
			rules[r] = true
		}
	default:
		return e, false
	}
	for _, r := range refs {
		rules[string(r.Rule)] = true
		if r.Participant != "" {
			parts[r.Participant] = true
		}
	}
	e.Rules = sortedKeys(rules)
	e.Participants = sortedKeys(parts)
	return e, true
}
