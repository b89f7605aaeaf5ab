package gate

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/vault"
)

// DepositFile is one data file of a deposit.
type DepositFile struct {
	Name         string         `json:"file"`
	Doc          string         `json:"doc"`
	Kind         string         `json:"kind"`
	Date         string         `json:"date,omitempty"`
	Participants []string       `json:"participants"` // pseudonyms of those whose words it holds
	Lines        int            `json:"lines"`
	Withheld     int            `json:"withheld"`
	ByGroup      map[string]int `json:"withheld_by_rule,omitempty"`
	SHA256       string         `json:"sha256"`
}

// DepositExclusion is a document left out of a deposit, and why.
type DepositExclusion struct {
	Doc  string `json:"doc"`
	Kind string `json:"kind"`
	Why  string `json:"why"`
}

// Names inside a deposit package.
const (
	DepositReadme   = "README.txt"
	DepositDataList = "data_list.csv"
	depositDataDir  = "data/"
)

// withheldGroups names the rules in a deposit's data list in neutral
// groups, as the markers do: the list must not reveal that someone withdrew
// or asked for lines to be struck.
var withheldGroups = map[policy.Rule]string{
	policy.RuleParticipateConsent: "consent", policy.RuleQuoteConsent: "consent", policy.RulePurposeConsent: "consent",
	policy.RuleWithdrawn: "consent", policy.RuleOffRecord: "consent",
	policy.RuleOtherSpeaker: "speaker",
	policy.RuleDNQ:          "not-for-quotation", policy.RuleDNQMeeting: "not-for-quotation",
}

func withheldGroup(r policy.Rule) string {
	if g, ok := withheldGroups[r]; ok {
		return g
	}
	return "restricted"
}

// Deposit writes an archive deposit package: every text document that
// policy.ArchiveExclusion lets through, passed through the gate with
// purpose archive (so only the words of participants who consented to
// archive leave; other speakers are withheld behind neutral markers), a
// data list (CSV) and a README describing the pseudonymisation, the markers
// and what was left out and why. No recordings, consent forms, real names
// or keys. Residual high-confidence identifiers block it unless accepted.
// It is audited as one exit that names every file's hash, and the zip is
// delivered only once that entry is committed.
func deposit(ctx context.Context, s *vault.Study, req Request) (*Result, error) {
	switch req.Purpose {
	case "":
		req.Purpose = policy.ScopeArchive
	case policy.ScopeArchive:
	default:
		return nil, fmt.Errorf("%w: a deposit is an archive package; its purpose is archive", vault.ErrInvalid)
	}
	if req.Output == "" {
		return nil, fmt.Errorf("%w: deposit needs -o FILE.zip", vault.ErrInvalid)
	}
	res := &Result{Files: []DepositFile{}, Excluded: []DepositExclusion{}}
	err := s.Update(ctx, func(tx *vault.Tx) error {
		var current string // the document being gated, named in a refusal
		err := depositTx(s, tx, req, res, &current)
		if isRefusal(err) {
			var handles []string
			for _, f := range res.Files {
				handles = append(handles, f.Doc)
			}
			handles = append(handles, nonEmpty(current)...)
			tx.AuditAlways(refusalEntry("deposit", handles, err))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func depositTx(s *vault.Study, tx *vault.Tx, req Request, res *Result, current *string) error {
	if err := s.CheckOutput(req.Output, req.Force); err != nil {
		return err
	}
	cat := tx.Cat
	rd, err := cat.Redactor()
	if err != nil {
		return err
	}
	records := cat.Records()
	docs := slices.Clone(cat.Documents)
	sort.SliceStable(docs, func(i, j int) bool { return policy.HandleLess(docs[i].Handle, docs[j].Handle) })
	var gs []*gated
	data := map[string]int{} // data file name → its index in res.Files and gs
	exclude := func(d *vault.Document, why string) {
		res.Excluded = append(res.Excluded, DepositExclusion{Doc: d.Handle, Kind: d.Kind, Why: why})
	}
	for _, d := range docs {
		// With turns assumed, the exclusion is what no gate could change.
		why := policy.ArchiveExclusion(d.Kind, d.Participants, records, true)
		switch {
		case why != "":
		case d.Erased:
			why = "holds no material (erased or destroyed)"
		case d.Latest().Format == vault.FormatBinary:
			why = "not a text format"
		}
		if why != "" {
			exclude(d, why)
			continue
		}
		*current = d.Handle
		g, err := target{Doc: d.Handle, Mode: policy.ModeExport, Purpose: req.Purpose}.open(cat, rd)
		if err != nil {
			return err
		}
		// A first pass writes the data file only to hash it, and learns
		// what the data list says of it; the package is written once every
		// file is known (writeDeposit).
		var st depositStats
		g.each = st.line
		found, sum, _, err := streamExit(s, g, rd, io.Discard, OutText, transcript.WriteOptions{}, nil)
		g.each = nil
		if err != nil {
			return err
		}
		if why = policy.ArchiveExclusion(d.Kind, d.Participants, records, st.turns); why != "" {
			exclude(d, why)
			continue
		}
		if !st.words {
			exclude(d, "nothing in it may leave for archive")
			continue
		}
		if err := sortFindings(locate(d.Handle, found), req.AcceptResidual, res); err != nil {
			return err
		}
		f := DepositFile{Name: depositDataDir + d.Handle + "_" + d.Kind + ".txt", Doc: d.Handle, Kind: d.Kind, Date: d.Date,
			Participants: []string{}, Lines: st.lines, Withheld: g.withheld, ByGroup: st.byGroup, SHA256: sum}
		for _, r := range g.decision.ReliedOn {
			if !slices.ContainsFunc(res.ReliedOn, func(x policy.Reliance) bool { return x.Participant == r.Participant }) {
				res.ReliedOn = append(res.ReliedOn, r)
			}
			if p, err := cat.Participant(r.Participant); err == nil {
				if ps, ok := cat.PseudonymOf(p); ok {
					f.Participants = append(f.Participants, ps)
				}
			}
		}
		data[f.Name] = len(res.Files)
		res.Files = append(res.Files, f)
		*current = ""
		res.Withheld += g.withheld
		gs = append(gs, g)
	}
	if len(res.Files) == 0 {
		return &policy.Refused{Refusals: []*policy.Refusal{{Rule: policy.RulePurposeConsent,
			Msg:    fmt.Sprintf("no document may go into an archive deposit (%d left out)", len(res.Excluded)),
			Remedy: "record consent with --scope archive for the participants whose material is to be deposited"}}}
	}
	list, err := depositDataList(res.Files)
	if err != nil {
		return err
	}
	readme := depositReadme(tx.Now(), res, len(res.Accepted))
	hashes := map[string]string{DepositReadme: sha(readme), DepositDataList: sha(list)}
	entries := []depositEntry{{DepositReadme, bytesEntry(readme)}, {DepositDataList, bytesEntry(list)}}
	var gerr error // the gate's own error, returned as it is
	for _, n := range sortedKeys(data) {
		i := data[n]
		f, g := res.Files[i], gs[i]
		hashes[n] = f.SHA256
		entries = append(entries, depositEntry{n, func(w io.Writer) error {
			// The second pass writes the data file into the package.
			_, sum, _, err := streamExit(s, g, rd, w, OutText, transcript.WriteOptions{}, nil)
			if err == nil && sum != f.SHA256 {
				err = fmt.Errorf("%w: document %s did not give the same text twice", vault.ErrIntegrity, f.Doc)
			}
			gerr = err
			return err
		}})
	}
	h := sha256.New()
	var size int64
	if err := tx.StageOutput(req.Output, func(w io.Writer) error {
		cw := &countWriter{w: io.MultiWriter(w, h)}
		if err := writeZip(cw, entries, tx.Now()); err != nil && gerr == nil {
			return err
		}
		size = cw.n
		return nil
	}); err != nil {
		return fmt.Errorf("writing the deposit: %w", err)
	}
	if gerr != nil {
		return gerr
	}
	// Pseudonyms leave in the archive: the key that made them must be the
	// study's pinned key, as for every exit.
	if err := tx.RequirePinnedKey(); err != nil {
		return err
	}
	res.SHA256, res.Bytes = hex.EncodeToString(h.Sum(nil)), int(size)
	e := exitEntry("deposit", gs, res)
	e.Detail["purpose"] = string(req.Purpose)
	e.Detail["format"] = "zip"
	e.Detail["files"] = fmt.Sprint(len(entries))
	e.Detail["excluded"] = fmt.Sprint(len(res.Excluded))
	for _, en := range entries {
		e.Hashes["file:"+en.name] = hashes[en.name]
	}
	tx.Audit(e)
	tx.CountExit(e.Participants)
	return nil
}

// depositStats is what a deposit's data list says of a data file, and
// whether it goes in, learnt line by line as the file's first pass
// decides them.
type depositStats struct {
	lines   int            // the lines decided
	turns   bool           // some line has a speaker label
	words   bool           // some line that leaves is not blank
	byGroup map[string]int // lines that do not leave, by rule group
}

func (st *depositStats) line(l transcript.Line, d policy.LineDecision) {
	st.lines++
	st.turns = st.turns || strings.TrimSpace(l.Speaker) != ""
	if d.Action != policy.Keep {
		if st.byGroup == nil {
			st.byGroup = map[string]int{}
		}
		st.byGroup[withheldGroup(d.Rule)]++
	} else if !l.MarkupOnly && strings.TrimSpace(l.Text) != "" {
		st.words = true
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// A depositEntry is a file of the package and what writes it.
type depositEntry struct {
	name  string
	write func(io.Writer) error
}

func bytesEntry(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}

// writeZip writes the files in the given order, with one timestamp.
func writeZip(w io.Writer, entries []depositEntry, at time.Time) error {
	zw := zip.NewWriter(w)
	for _, en := range entries {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: en.name, Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			return err
		}
		if err := en.write(fw); err != nil {
			return err
		}
	}
	return zw.Close()
}

// depositDataList is the data list: one row per data file.
// TODO(issue 14): write it with the project's CSV writer that neutralises
// formula cells once it exists; every cell here is a file name, a kind, a
// date, a pseudonym, a number or a rule group, none of which starts with a
// formula character.
func depositDataList(files []DepositFile) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"file", "document_kind", "date", "participants", "lines", "lines_withheld", "withheld_by_rule"})
	for _, f := range files {
		var groups []string
		for _, g := range sortedKeys(f.ByGroup) {
			groups = append(groups, fmt.Sprintf("%s=%d", g, f.ByGroup[g]))
		}
		w.Write([]string{f.Name, f.Kind, f.Date, strings.Join(f.Participants, "; "), fmt.Sprint(f.Lines), fmt.Sprint(f.Withheld), strings.Join(groups, "; ")})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// depositReadme is the archive's README: how the data were prepared.
func depositReadme(at time.Time, res *Result, accepted int) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("Archive deposit prepared with fieldvault on %s\n\n", at.UTC().Format(time.DateOnly))
	p("CONTENTS\n\n")
	p("  %s  this file\n", DepositReadme)
	p("  %s  the data list: one row per data file (file, document kind, date,\n", DepositDataList)
	p("      pseudonymised participants, lines, lines withheld, lines withheld by rule)\n")
	p("  %s  %d text file(s), one per document, UTF-8 plain text\n\n", depositDataDir, len(res.Files))
	p("CONSENT\n\n")
	p("Only the words of participants whose consent includes deposit in an archive\n")
	p("(scope \"archive\") and quotation are included. In a document with several speakers,\n")
	p("the turns of everyone else (participants without that consent, people who are not\n")
	p("participants, unidentified speakers) are withheld. Notes without speaker turns are\n")
	p("included only if every participant they concern consented to archive.\n\n")
	p("PSEUDONYMISATION\n\n")
	p("Every name of a participant, of a person mentioned, of a place, an organisation and\n")
	p("a meeting is replaced by a pseudonym. Pseudonyms are derived with a keyed hash\n")
	p("(HMAC-SHA256) held by the researcher and recorded once given, so the same person or\n")
	p("place has the same pseudonym in every file; they cannot be reversed without the key,\n")
	p("which is not part of this deposit. Partial names follow the full one (a given name\n")
	p("alone becomes the pseudonym's given name). The interviewer appears under a generic\n")
	p("label. Every file was scanned for identifiers left over (e-mail addresses, phone\n")
	p("numbers, postcodes, National Insurance numbers, URLs, full dates, unregistered names).\n")
	if accepted > 0 {
		p("%d high-confidence finding(s) of that scan were reviewed and accepted by the\n", accepted)
		p("researcher before deposit (recorded in the study's audit log).\n")
	}
	p("\nMARKERS\n\n")
	p("  [withheld: N lines]                  N lines are not included (consent, a speaker\n")
	p("                                       without archive consent, or a restriction\n")
	p("                                       recorded on the lines); the reason is not given\n")
	p("  [not for quotation: N lines withheld] N lines were said or observed on condition\n")
	p("                                       that they are not quoted\n\n")
	p("In the data list, withheld lines are counted by rule group: consent (no consent\n")
	p("covering archive for the speaker), speaker (someone who is not a participant),\n")
	p("not-for-quotation, and restricted (other restrictions on the lines). The groups\n")
	p("are deliberately coarse so that the list does not reveal individual decisions.\n\n")
	p("EXCLUDED\n\n")
	p("Never part of a deposit: audio and video recordings, scanned consent forms, the\n")
	p("participants' real names and contact details, and any key. ")
	if len(res.Excluded) == 0 {
		p("No document of the study\nwas left out.\n")
		return []byte(b.String())
	}
	p("Documents of the study\nleft out, and why:\n\n")
	counts := map[string]int{}
	for _, x := range res.Excluded {
		counts[x.Kind+": "+x.Why]++
	}
	for _, k := range sortedKeys(counts) {
		p("  %d %s\n", counts[k], k)
	}
	return []byte(b.String())
}
