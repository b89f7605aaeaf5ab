package policy

// ruleText says in a sentence, for an ethics officer's report, what each
// rule protects. It names no handle, participant or line.
var ruleText = map[Rule]string{
	RuleKind:               "recordings and consent forms never leave",
	RuleRequest:            "the request itself was malformed",
	RuleParticipateConsent: "the speaker had no consent to take part",
	RuleQuoteConsent:       "the speaker had not consented to verbatim quotation",
	RulePurposeConsent:     "the speaker had not consented to the exit's purpose",
	RuleWithdrawn:          "the speaker had withdrawn from the study",
	RuleStruck:             "lines struck at a participant's request",
	RuleConfidential:       "confidential lines",
	RuleDNQ:                "lines marked do-not-quote",
	RuleDNQMeeting:         "a meeting observed on condition it is not quoted",
	RuleOffRecord:          "off-record words without off-record consent",
	RuleOtherSpeaker:       "a speaker who is not a registered participant",
	RuleIngest:             "material refused at ingest for want of consent",
	RuleResidual:           "identifiers left after pseudonymisation",
}

// RuleResidual is the rule id the audit log records when the residual scan
// blocked an exit (e-mail addresses, phone numbers, postcodes, ...).
const RuleResidual Rule = "residual"

// Describe returns what the rule protects, or "" for a rule id this release
// does not know (the id itself is then the best description).
func (r Rule) Describe() string { return ruleText[r] }
