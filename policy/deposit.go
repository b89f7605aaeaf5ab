package policy

// ArchiveExclusion says why a document stays out of an archive deposit
// altogether, or "" if it goes to the gate (with purpose archive), which
// then withholds the turns of every speaker without archive consent. kind
// and participants are the document's; turns reports whether its text is
// attributed to speakers line by line (speaker labels). Fail closed: a
// document goes only if at least one participant it concerns consented to
// archive, and text with no speaker turns — the researcher's notes — goes
// only if every participant it concerns did, since nothing in it can be
// withheld speaker by speaker.
func ArchiveExclusion(kind string, participants []string, records map[string]*Record, turns bool) string {
	switch kind {
	case KindRecording:
		return "recordings never leave"
	case KindConsentForm:
		return "consent forms never leave"
	}
	if !ValidKind(kind) {
		return "unknown kind"
	}
	if len(participants) == 0 {
		return "concerns no participant, so no one consented to archive"
	}
	some, all := false, true
	for _, p := range participants {
		if records[p].Has(ScopeArchive) {
			some = true
		} else {
			all = false
		}
	}
	switch {
	case !some:
		return "no participant it concerns consented to archive"
	case !all && !turns:
		return "notes without speaker turns concerning a participant who did not consent to archive"
	}
	return ""
}
