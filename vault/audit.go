package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Entry is one line of audit.jsonl. It names handles, rules and hashes, never
// a real name, a passage of text, a token or a key.
type Entry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`             // the acting identity's public recipient
	Action  string    `json:"action"`            // "init", "ingest", "open", "export", …
	Outcome string    `json:"outcome,omitempty"` // "ok" (default), "refused", "failed" (not delivered) or "partial" (cut short: some left)
	// Handles of the documents, participants, meetings or entities concerned.
	Handles []string `json:"handles,omitempty"`
	// Participants whose words or consent the action relied on or changed.
	Participants []string `json:"participants,omitempty"`
	// Consents relied on, as "P07#2" (participant, consent record seq).
	Consents []string `json:"consents,omitempty"`
	// Flags applied, as "D12:120-134:dnq".
	Flags []string `json:"flags,omitempty"`
	// Rules that refused, or withheld lines, as policy rule ids.
	Rules []string `json:"rules,omitempty"`
	// Hashes: "output" → sha256 of what left, "input" → sha256 of what came in, "object:D3" → …
	Hashes map[string]string `json:"hashes,omitempty"`
	// Detail holds further non-identifying facts (counts, versions, key provider).
	Detail map[string]string `json:"detail,omitempty"`
	Prev   string            `json:"prev"`
	Hash   string            `json:"hash"`
}

// OutputKind is how an exit's audit entry says where its output went
// ("destination" detail): "file" or "stdout". The path itself is the
// researcher's choice and may carry a participant's name
// (quote-amelia.md): it stays on their terminal.
func OutputKind(path string) string {
	if path == "" {
		return "stdout"
	}
	return "file"
}

// LetOut reports whether the entry's output left, whole ("ok") or in part
// (a stream cut short, OutcomePartial).
func (e Entry) LetOut() bool {
	r := e.Result()
	return r == "ok" || r == OutcomePartial
}

// Result is the entry's outcome, "ok" when none is recorded.
func (e Entry) Result() string {
	if e.Outcome == "" {
		return "ok"
	}
	return e.Outcome
}

// computeHash is the SHA-256 of the entry's JSON encoding with Hash empty.
func (e Entry) computeHash() string {
	e.Hash = ""
	data, _ := json.Marshal(e)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// seal fills Seq, Prev and Hash after head.
func (e *Entry) seal(seq uint64, prev string) {
	e.Seq, e.Prev = seq, prev
	e.Time = e.Time.UTC()
	e.Hash = e.computeHash()
}

func (e Entry) line() []byte {
	data, _ := json.Marshal(e)
	return append(data, '\n')
}

// logState is what reading audit.jsonl found.
type logState struct {
	size    int64  // bytes of complete lines
	partial []byte // a trailing line with no newline (an interrupted append)
}

// readLog reads audit.jsonl. It fails only on I/O errors; malformed lines are
// left to verifyChain.
func readLog(dir string) (*logState, [][]byte, error) {
	data, err := readRegular(filepath.Join(dir, AuditFile))
	if errors.Is(err, os.ErrNotExist) {
		return &logState{}, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", AuditFile, err)
	}
	st := &logState{}
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			st.partial = data
			break
		}
		lines = append(lines, data[:i])
		st.size += int64(i + 1)
		data = data[i+1:]
	}
	return st, lines, nil
}

// ChainProblem describes the first bad entry of the audit log.
type ChainProblem struct {
	Line int    `json:"line"` // 1-based line of audit.jsonl
	Seq  uint64 `json:"seq"`  // the sequence number expected there
	What string `json:"what"`
}

func (p *ChainProblem) Error() string {
	return fmt.Sprintf("%s line %d (entry %d): %s", AuditFile, p.Line, p.Seq, p.What)
}

// verifyChain decodes and checks every line: sequence numbers from 1, each
// prev equal to the hash before, each hash recomputed.
func verifyChain(lines [][]byte) ([]Entry, *ChainProblem) {
	entries := make([]Entry, 0, len(lines))
	prev := ""
	for i, l := range lines {
		want := uint64(i + 1)
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return entries, &ChainProblem{Line: i + 1, Seq: want, What: "not a valid audit entry"}
		}
		switch {
		case e.Seq != want:
			return entries, &ChainProblem{Line: i + 1, Seq: want, What: fmt.Sprintf("sequence number %d out of order (entries deleted, inserted, duplicated or reordered)", e.Seq)}
		case e.Prev != prev:
			return entries, &ChainProblem{Line: i + 1, Seq: want, What: "does not chain to the entry before it (entries deleted, inserted or reordered)"}
		case e.computeHash() != e.Hash:
			return entries, &ChainProblem{Line: i + 1, Seq: want, What: "content does not match its hash (the entry was edited)"}
		case !bytes.Equal(bytes.TrimRight(l, "\r"), bytes.TrimSuffix(e.line(), []byte("\n"))):
			return entries, &ChainProblem{Line: i + 1, Seq: want, What: "not in canonical form (the entry was edited)"}
		}
		entries = append(entries, e)
		prev = e.Hash
	}
	return entries, nil
}

// AuditReport is the result of checking the audit log.
type AuditReport struct {
	Entries  int           `json:"entries"`
	Head     string        `json:"head"`
	Problems []string      `json:"problems"` // empty when the log is intact
	Notes    []string      `json:"notes"`    // things that are not problems (a pending entry awaiting the next writer)
	First    *ChainProblem `json:"first_bad_entry,omitempty"`
	// Checkpoint is set when a checkpoint was written or compared.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Anchor is set when the log matched the head anchored in HashiCorp
	// Vault (Vault key provider); a mismatch is a problem instead.
	Anchor string `json:"anchor,omitempty"`
}

// OK reports whether no problem was found.
func (r *AuditReport) OK() bool { return len(r.Problems) == 0 }

// checkLog verifies the chain and reconciles it with the catalogue's head.
// pendingOK: entries the catalogue holds as pending may be missing from the
// log's end (a crash between the catalogue's commit and the log's append).
func checkLog(st *logState, lines [][]byte, head AuditHead) (*AuditReport, []Entry) {
	rep := &AuditReport{}
	entries, prob := verifyChain(lines)
	if prob != nil {
		rep.First = prob
		rep.Problems = append(rep.Problems, prob.Error())
		return rep, entries
	}
	rep.Entries = len(entries)
	last := uint64(len(entries))
	lastHash := ""
	if last > 0 {
		lastHash = entries[last-1].Hash
	}
	rep.Head = lastHash
	switch {
	case last == head.Seq && lastHash == head.Hash:
		if len(st.partial) > 0 {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s ends in an incomplete line (an interrupted append); the next write removes it", AuditFile))
		}
	case last < head.Seq && pendingCovers(head, last, lastHash):
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d committed entr(ies) held in the catalogue await the next writer's append", head.Seq-last))
		rep.Entries = int(head.Seq)
		rep.Head = head.Hash
	case last < head.Seq:
		rep.First = &ChainProblem{Line: int(last) + 1, Seq: last + 1, What: fmt.Sprintf("missing: the catalogue records %d entries, the log holds %d (the log was truncated or rolled back)", head.Seq, last)}
		rep.Problems = append(rep.Problems, rep.First.Error())
	case last > head.Seq:
		rep.First = &ChainProblem{Line: int(head.Seq) + 1, Seq: head.Seq + 1, What: fmt.Sprintf("the log holds %d entries but the catalogue committed only %d (entries appended outside fieldvault, or the catalogue was rolled back)", last, head.Seq)}
		rep.Problems = append(rep.Problems, rep.First.Error())
	default:
		rep.First = &ChainProblem{Line: int(last), Seq: last, What: "the last entry differs from the head the catalogue recorded (the log was rewritten)"}
		rep.Problems = append(rep.Problems, rep.First.Error())
	}
	return rep, entries
}

// pendingCovers reports whether the catalogue's pending entries extend the
// log (which ends at seq last with hash lastHash) exactly to head.
func pendingCovers(head AuditHead, last uint64, lastHash string) bool {
	prev := lastHash
	next := last + 1
	for _, e := range head.Pending {
		if e.Seq < next {
			continue
		}
		if e.Seq != next || e.Prev != prev || e.computeHash() != e.Hash {
			return false
		}
		prev, next = e.Hash, next+1
	}
	return next-1 == head.Seq && prev == head.Hash
}

// reconcileLog runs under the writer's lock before a change: it completes an
// append a crash interrupted (entries the catalogue holds as pending) and
// drops an incomplete trailing line. Any other disagreement is an integrity
// error: writers refuse to extend a damaged log.
func reconcileLog(fsys FS, dir string, head AuditHead) ([]string, error) {
	st, lines, err := readLog(dir)
	if err != nil {
		return nil, err
	}
	entries, prob := verifyChain(lines)
	if prob != nil {
		return nil, fmt.Errorf("%w: %s; run 'fieldvault audit verify'", ErrIntegrity, prob.Error())
	}
	last := uint64(len(entries))
	lastHash := ""
	if last > 0 {
		lastHash = entries[last-1].Hash
	}
	var notes []string
	if len(st.partial) > 0 {
		if err := fsys.Truncate(filepath.Join(dir, AuditFile), st.size); err != nil {
			return nil, fmt.Errorf("removing an interrupted audit line: %w", err)
		}
		notes = append(notes, "removed an incomplete audit line left by an interrupted command")
	}
	if last == head.Seq && lastHash == head.Hash {
		return notes, nil
	}
	if last < head.Seq && pendingCovers(head, last, lastHash) {
		var missing []Entry
		for _, e := range head.Pending {
			if e.Seq > last {
				missing = append(missing, e)
			}
		}
		if err := appendLog(fsys, dir, missing); err != nil {
			return nil, err
		}
		return append(notes, fmt.Sprintf("completed %d audit entr(ies) an interrupted command had committed", len(missing))), nil
	}
	return nil, fmt.Errorf("%w: the audit log does not match the catalogue's head; run 'fieldvault audit verify'", ErrIntegrity)
}

// appendLog appends entries to audit.jsonl and syncs it.
func appendLog(fsys FS, dir string, entries []Entry) (err error) {
	if len(entries) == 0 {
		return nil
	}
	f, err := fsys.OpenAppend(filepath.Join(dir, AuditFile))
	if err != nil {
		return fmt.Errorf("opening %s: %w", AuditFile, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s: %w", AuditFile, cerr)
		}
	}()
	var buf bytes.Buffer
	for _, e := range entries {
		buf.Write(e.line())
	}
	crashPoint("before-audit-append")
	if _, err := f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("appending to %s: %w", AuditFile, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", AuditFile, err)
	}
	return nil
}

// Checkpoint is what an ethics officer keeps outside the vault: the log's
// head at a moment, so that even a rewrite of the whole log is detected.
type Checkpoint struct {
	StudyID string    `json:"study_id"`
	Seq     uint64    `json:"seq"`
	Hash    string    `json:"hash"`
	Taken   time.Time `json:"taken"`
}

func readCheckpoint(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Checkpoint
	if err := json.Unmarshal(data, &c); err != nil || c.Seq == 0 || len(c.Hash) != 64 {
		return nil, fmt.Errorf("%w: checkpoint %s is not a fieldvault audit checkpoint", ErrInvalid, path)
	}
	return &c, nil
}

// auditActions are the actions fieldvault writes to the audit log, in the
// order docs/format.md lists them. A command that writes a new action adds
// it here (TestAuditActionsListed finds every action the code writes).
var auditActions = []string{
	"init", "ingest", "open", "flag", "flag-clear", "flag-amend",
	"participant-add", "participant-edit", "participant-remove",
	"entity-add", "entity-edit", "meeting-add", "meeting-edit", "pseudonym-redraw",
	"researcher-add", "doc-link", "doc-unlink", "doc-remove",
	"recipient-add", "recipient-remove", "recipient-rekey", "backup",
	"consent-record", "consent-withdraw",
	"export", "quote", "render", "check", "export-qda", "deposit", "key-pin",
	"retention-set", "retention-unset", "retention-hold", "retention-release", "retention-destroy",
	"study-end",
}

// AuditActions lists the actions the audit log records.
func AuditActions() []string { return slices.Clone(auditActions) }

// MatchActions resolves an action filter against the known action names:
// an exact name selects that action; otherwise the name is taken as a
// prefix ending at a hyphen ("consent" selects consent-record and
// consent-withdraw). It returns nil when nothing matches.
func MatchActions(filter string, known []string) []string {
	if slices.Contains(known, filter) {
		return []string{filter}
	}
	var out []string
	for _, a := range known {
		if strings.HasPrefix(a, filter+"-") {
			out = append(out, a)
		}
	}
	return out
}

// AuditActionNames lists the actions an --action filter may name: those
// fieldvault writes and any other the log holds (written by a later
// release).
func (s *Study) AuditActionNames() ([]string, error) {
	entries, err := s.AuditLog(AuditFilter{})
	if err != nil {
		return nil, err
	}
	names := AuditActions()
	for _, e := range entries {
		if !slices.Contains(names, e.Action) {
			names = append(names, e.Action)
		}
	}
	return names, nil
}

// AuditFilter selects entries for the audit log listing.
type AuditFilter struct {
	Action string // only entries of this action
	// Actions selects entries of any of these actions (see MatchActions).
	Actions     []string
	Participant string
	Since       time.Time
}

func (f AuditFilter) match(e Entry) bool {
	if f.Action != "" && e.Action != f.Action {
		return false
	}
	if len(f.Actions) > 0 && !slices.Contains(f.Actions, e.Action) {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if f.Participant != "" {
		found := false
		for _, h := range append(append([]string{}, e.Participants...), e.Handles...) {
			if strings.EqualFold(h, f.Participant) {
				found = true
			}
		}
		if !found {
			for _, c := range e.Consents {
				if strings.HasPrefix(strings.ToUpper(c), strings.ToUpper(f.Participant)+"#") {
					found = true
				}
			}
		}
		return found
	}
	return true
}
