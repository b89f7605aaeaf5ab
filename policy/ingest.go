package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Document kinds, as recorded in the catalogue.
const (
	KindRecording    = "recording"
	KindTranscript   = "transcript"
	KindFieldNotes   = "field-notes"
	KindMeetingNotes = "meeting-notes"
	KindDocument     = "document"
	KindConsentForm  = "consent-form"
)

var docKinds = []string{KindRecording, KindTranscript, KindFieldNotes, KindMeetingNotes, KindDocument, KindConsentForm}

// DocKinds returns the document kinds, in the order the CLI lists them.
func DocKinds() []string { return slices.Clone(docKinds) }

// IsTextKind reports whether documents of this kind are text the gate can
// parse (recordings and consent forms are not, and never leave).
func IsTextKind(kind string) bool {
	switch kind {
	case KindTranscript, KindFieldNotes, KindMeetingNotes, KindDocument:
		return true
	}
	return false
}

// ValidKind reports whether kind is one of DocKinds().
func ValidKind(kind string) bool { return slices.Contains(docKinds, kind) }

// CheckIngest decides whether material of docKind concerning the given
// participants may be taken into the vault:
//   - a consent form is always accepted (it may be the first thing held);
//   - anything else needs participate consent from every participant, and
//     is refused after a whole withdrawal;
//   - a recording also needs record-audio.
//
// A nil entry in recs stands for a participant with no record. An unknown
// kind is a plain error. A refusal of one participant is returned as a
// *Refusal, of several as a *Refused holding one *Refusal each; both match
// errors.Is(err, ErrRefused) and errors.As(err, **Refusal).
func CheckIngest(docKind string, recs []*Record) error {
	if !ValidKind(docKind) {
		return fmt.Errorf("unknown document kind %q (valid: %s)", clip(docKind, 32), strings.Join(docKinds, ", "))
	}
	if docKind == KindConsentForm {
		return nil
	}
	var out []*Refusal
	for _, r := range recs {
		if ref := ingestRefusal(docKind, r); ref != nil {
			out = append(out, ref)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return &Refused{Refusals: out}
}

func ingestRefusal(kind string, r *Record) *Refusal {
	handle := ""
	if r != nil {
		handle = r.Handle
	}
	who := handle
	if who == "" {
		who = "a participant"
	}
	ref := &Refusal{Rule: RuleIngest, Participant: handle}
	cur, ok := r.Current()
	switch {
	case !ok:
		ref.Msg = fmt.Sprintf("%s has no consent recorded (scope participate missing)", who)
		ref.Remedy = fmt.Sprintf("record consent for %s with --scope participate", who)
		return ref
	case r.Status() == StatusWithdrawn || r.Status() == StatusErased:
		w, _ := r.wholeWithdrawal()
		ref.Msg = fmt.Sprintf("%s withdrew on %s (withdrawal %d); no new material may be ingested", who, w.Date, w.Seq)
		ref.Remedy = fmt.Sprintf("record new consent for %s with --scope participate", who)
		return ref
	case !r.Has(ScopeParticipate):
		ref.Msg = fmt.Sprintf("%s has not consented to participate (consent %d lacks scope participate)", who, cur.Seq)
		ref.Remedy = fmt.Sprintf("record new consent for %s with --scope participate", who)
		return ref
	case kind == KindRecording && !r.Has(ScopeRecordAudio):
		if cur.Grants(ScopeRecordAudio) {
			ref.Msg = fmt.Sprintf("%s withdrew consent to be recorded (scope record-audio)", who)
		} else {
			ref.Msg = fmt.Sprintf("%s has not consented to be recorded (consent %d lacks scope record-audio)", who, cur.Seq)
		}
		ref.Remedy = fmt.Sprintf("record new consent for %s with --scope record-audio, or ingest notes instead of the recording", who)
		return ref
	}
	return nil
}
