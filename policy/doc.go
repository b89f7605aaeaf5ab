// Package policy holds fieldvault's consent and flag rules as pure functions
// over plain records: it decides what of a study's material may be taken in
// and what may leave, and explains every refusal. It imports nothing of the
// vault, of redaction or of encryption; the catalogue stores its record types
// (Record, Consent, Withdrawal, Flag) directly as JSON.
//
// # Consent
//
// A Record is one participant's consent history. Consents and withdrawals are
// only ever appended and share one sequence, so the consent in force is the
// latest one, a withdrawal applies to the consent before it, and a later
// consent (re-consent) supersedes earlier withdrawals, except an erasure,
// which is final: no consent follows it, and the participant's words never
// leave again. Withdrawing
// participate is withdrawing everything. A withdrawal made after the consent's
// cut-off date is still applied to every later exit, but is marked
// AfterCutoff: material that already left cannot be recalled, and the ethics
// report (Record.Problems) says so.
//
// # Ingest
//
// CheckIngest refuses material for a participant with no consent, without
// participate, or after a whole withdrawal, and a recording for one without
// record-audio; consent forms are always accepted. The refusal names the
// missing scope.
//
// # The gate
//
// Decide answers a Request to let a document out whole (ModeExport) or a
// line range of it (ModeQuote). Both are verbatim. Per line:
//
//   - Recordings, consent forms and documents of unknown kind never leave
//     (rule "kind"), in either mode.
//   - If the document concerns a do-not-quote meeting, every line is
//     withheld (rule "dnq-meeting"): an export shows one marker, a quote is
//     refused.
//   - Struck (rule "struck") and confidential ("confidential") lines are
//     dropped: an export shows only a neutral "[withheld: N lines]" marker.
//     Do-not-quote lines ("dnq") are withheld behind "[not for quotation: N
//     lines withheld]". Recorded flags and inline flags count alike.
//   - A participant's words need participate ("participate-consent") and
//     quote ("quote-consent") from the consent in force; a wholly withdrawn
//     participant's words are withheld ("withdrawn"); a participant missing
//     from Request.Records has no consent. Request.Purpose (publish, present,
//     archive) adds that scope ("purpose-consent").
//   - Off-record lines need off-record consent ("off-record") from the
//     participant speaking; for the researcher's own off-record notes (lines
//     with no speaker, or the researcher's), from every participant the
//     document concerns, and a document that concerns none is withheld.
//   - The researcher's lines and lines with no speaker (headers, notes) are
//     kept, subject to flags. A transcript or a document (kind "document":
//     a diary, a letter) with no speaker labels at all is attributed, line
//     by line, to every participant it concerns; field notes and meeting
//     notes are the researcher's.
//   - A registered person who is not a participant ("other-speaker") is kept
//     only in field notes and meeting notes of an observed meeting, and
//     never for purpose archive: a deposit holds only the words of
//     participants who consented to it.
//   - A speaker label that names nobody registered, or more than one
//     person (SpeakerUnknown), is withheld ("unknown-speaker") in every
//     document and for every purpose.
//   - Purpose PurposeAnalysis (the researcher's own working copy) needs
//     participate only: do-not-quote lines and meetings and the words of
//     participants who may not be quoted leave, each LineDecision carrying
//     Marks; struck, confidential, withdrawn, off-record-without-consent and
//     unknown speakers leave for no purpose.
//   - A blank line is kept unless it lies inside a run of lines that do not
//     leave, in which case it joins the run.
//
// In ModeQuote any line of the range that does not leave refuses the quote;
// there is one Refusal per rule and participant, with its line ranges, the
// reason and the remedy, in handles only. In ModeExport the withheld lines are
// replaced by a Marker per run and nothing is refused unless the kind never
// leaves; Decision.Withheld explains them in the same form, for the
// researcher.
// Decision.ReliedOn lists, for the audit log, every participant whose words
// leave with the consent sequence number, form and scopes relied on;
// FlagsApplied lists the flags that touched the lines considered.
//
// Errors from this package never contain a name or a word of the material:
// they name handles, line numbers, scopes and dates. *Refusal and *Refused
// match errors.Is(err, ErrRefused).
package policy
