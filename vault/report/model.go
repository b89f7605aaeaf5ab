package report

import (
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
)

// Report is every fact the page and the methods summary show. It is built
// from the catalogue and the audit log and holds handles, pseudonyms, counts,
// dates and hashes; Name fields are filled only with Options.Names.
type Report struct {
	Generated time.Time
	Names     bool
	Study     Study
	Summary   Summary
	// Participants in handle order, each with their consent history and
	// the material held that concerns them.
	Participants []Participant
	// Other is material that concerns no participant (meeting notes of a
	// meeting, documents).
	Other []Document
	// Exits is every exit and refused exit, oldest first. ExitsWithheld
	// says why none are listed when the audit log does not verify.
	Exits         []Exit
	ExitsWithheld string
	Audit         Audit
	Retention     Retention
	Methods       Methods
}

// Study describes the vault: what an officer checks first.
type Study struct {
	ID         string
	Name       string
	Format     int
	Generation uint64
	Key        KeyProvider
	Recipients []Recipient
}

// KeyProvider says where the pseudonym key lives.
type KeyProvider struct {
	Type       string // vault.ProviderLocal or vault.ProviderTransit
	Where      string // one line for the page
	Mount, Key string // Transit only
	KeyVersion int    // Transit only: the pinned version
}

// Recipient is one public key the vault encrypts to, by role.
type Recipient struct {
	Role        string // researcher, supervisor, ethics officer
	Label       string // the person's label where the config records one
	Fingerprint string // the recipient, shortened
	Full        string
	Classes     []string // catalog, raw
}

// Summary is the page's opening panel.
type Summary struct {
	Participants, Active, PartlyWithdrawn, Withdrawn, Erased, NoConsent int
	// Documents held, and erased (at a participant's request, or destroyed under a retention rule).
	Documents, ErasedDocuments int
	// DestroyedDocuments are those of ErasedDocuments destroyed under a
	// retention rule, not erased at a participant's request.
	DestroyedDocuments int
	Exits, Refusals    int
	AuditOK            bool
	// Attention counts the problems in the register to attend to.
	Attention int
	// NoPurpose counts the exits whose audit entry records no purpose.
	NoPurpose int
}

// Participant is one row of the register with its history and material.
type Participant struct {
	Handle    string
	Pseudonym string
	Name      string // only with Options.Names
	Status    policy.Status
	Form      string
	Signed    string
	Cutoff    string
	Scopes    []policy.Scope // in force now
	History   []HistoryItem
	// Forms lists the signed forms held (consent-form documents), by handle.
	Forms []string
	// FormsDestroyed lists the signed forms destroyed under a retention rule.
	FormsDestroyed []string
	Erasure        *Erasure
	Docs           []Document
	Held           int // documents held (not erased)
	Exits          int
	LastExit       string
	Problems       []string
}

// HistoryItem is one consent or withdrawal, in the order recorded.
type HistoryItem struct {
	Seq         int
	Date        string
	Withdrawal  bool
	Form        string         // consent
	Scopes      []policy.Scope // consent: granted; withdrawal: the scope taken back (none = everything)
	Cutoff      string         // consent
	Evidence    string         // consent: the signed form's document handle
	Erase       bool           // withdrawal
	AfterCutoff bool           // withdrawal
	Recorded    string
	// Since (withdrawal) lists the exits on or after the withdrawal's date
	// that used the participant's words under a consent recorded before it,
	// for a purpose the withdrawn scope covers: a withdrawal recorded late.
	Since []ExitRef
}

// ExitRef names one exit by its audit entry, with the consent it relied on.
type ExitRef struct {
	Seq     uint64
	Date    string
	Action  string
	Consent int // the participant's consent record the exit relied on
}

// Erasure is what a tombstone records: what was removed, never what it held.
type Erasure struct {
	Date      string
	Documents []string
	Objects   int
	Kept      []string
}

// Document is one document as the register sees it: no file name, no text.
type Document struct {
	Handle       string
	Kind         string
	Date         string
	Participants []string
	Meeting      string
	Versions     int
	Format       string // of the latest version
	Lines        int    // of the latest version
	Flagged      []FlagCount
	Erased       bool
	Destroyed    bool // under a retention rule (Erased too)
	// Readable says whether the officer (catalog class) can open it: signed
	// consent forms only.
	Readable bool
}

// FlagCount is how many lines of the latest version carry a flag kind.
type FlagCount struct {
	Kind  policy.FlagKind
	Lines int
}

// Exit is one delivered or refused exit.
type Exit struct {
	Seq     uint64
	Time    time.Time
	Actor   Actor
	Action  string
	Refused bool
	// Partial: the output went to a stream that was cut short (a pipe
	// closed early); Delivered is how many bytes reached it ("unknown"
	// when an interruption ended the command).
	Partial   bool
	Delivered string
	Purpose   string // as recorded; "" when the entry does not record one
	Format    string
	Docs      []string // "D3 v2"
	Lines     string   // a quote's range
	Consents  []string // "P07#2"
	// Participants are those whose words the exit relied on (or, for a
	// refusal, those the refusal concerned).
	Participants []string
	Flags        []string
	// Rules are the rules that withheld lines (or refused the exit).
	Rules []RuleCount
	// Withheld is the number of lines withheld, -1 when not recorded.
	Withheld         int
	ResidualAccepted int
	Output           string
	Chapter          string
}

// RuleCount is a rule with the lines it withheld where the log says.
type RuleCount struct {
	Rule        policy.Rule
	Description string
	// Lines withheld by this rule; -1 when the entry records the lines only
	// in total across several rules.
	Lines int
	// Exits counts the delivered exits it withheld lines from, Refused the
	// exits it refused (methods summary).
	Exits, Refused int
}

// Actor is who acted, as the config knows them.
type Actor struct {
	Role        string
	Label       string
	Fingerprint string
	Full        string
}

// Audit is the state of the hash chain.
type Audit struct {
	OK       bool
	Entries  int
	Head     string
	First    string // the first bad entry
	Problems []string
	Notes    []string
	// Checkpoint is the comparison with the checkpoint file, as verification
	// reported it ("" when none was given or it did not match).
	Checkpoint     string
	CheckpointFile string
	// Anchor is the comparison with the head anchored in HashiCorp Vault
	// (Vault key provider), or why there is none; AnchorOK when it matched.
	Anchor   string
	AnchorOK bool
	// Actions counts entries by action.
	Actions []ActionCount
}

// ActionCount counts audit entries of one action.
type ActionCount struct {
	Action string
	Count  int
}

// Retention is what the catalogue records about keeping and destroying
// material: the rules, the study's end, what is due for destruction on the
// day of the report (and what a hold keeps), and what has been destroyed
// or erased (tombstones).
type Retention struct {
	Rules    []string
	StudyEnd string
	Today    string
	Due      []Scheduled
	Held     []Scheduled
	// Kept are signed forms due but kept as evidence of consent for
	// material still held.
	Kept      []Scheduled
	Destroyed []Destroyed
}

// Scheduled is a document a retention rule applies to.
type Scheduled struct {
	Handle, Kind, Due, Rule string
	KeptFor                 []string
}

// Destroyed is one tombstone: an erasure at a participant's request
// (Participant) or a destruction under a retention rule (Rule).
type Destroyed struct {
	Participant string
	Date        string
	Documents   []string
	Objects     int
	Kind        string
	Rule        string
	SHA256      string
}

// Methods is the pseudonymisation summary for a methods appendix.
type Methods struct {
	Replaced []KindCount
	Withheld []RuleCount
	// WithheldLines is the total of lines withheld over all delivered exits.
	WithheldLines    int
	ResidualAccepted int
	ResidualExits    int
	Exits, Refusals  int
	ExitsByAction    []ActionCount
}

// KindCount is what the study pseudonymises of one kind.
type KindCount struct {
	Kind       redact.Kind
	Registered int // participants and entities of this kind
	Aliases    int // further forms of their names that are matched
	Pseudonyms int // pseudonyms fixed in the registry
	Chosen     int // of which chosen by a participant or the researcher
}
