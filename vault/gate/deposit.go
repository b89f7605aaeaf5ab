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
	"github.com/fieldvault/fieldvault/redact"
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
	exclude := func(d *vault.Document, why string) {
		res.Excluded = append(res.Excluded, DepositExclusion{Doc: d.Handle, Kind: d.Kind, Why: why})
	}
	// The documents that no gate could let in are left out as they come;
	// the others (work) go through the gate.
	type pass struct {
		d     *vault.Document
		g     *gated
		st    depositStats
		found []redact.Finding
		sum   string
		k     int    // its index in docs
		why   string // left out after all
	}
	var work []*pass
	why := make([]string, len(docs)) // why docs[k] is left out before any pass
	for k, d := range docs {
		// With turns assumed, the exclusion is what no gate could change.
		why[k] = policy.ArchiveExclusion(d.Kind, d.Participants, records, true)
		switch {
		case why[k] != "":
		case d.Erased:
			why[k] = "holds no material (erased or destroyed)"
		case d.Latest().Format == vault.FormatBinary:
			why[k] = "not a text format"
		default:
			work = append(work, &pass{d: d, k: k})
		}
	}
	k := 0 // the documents before docs[k] are taken up
	leftOut := func(to int) {
		for ; k < to; k++ {
			if why[k] != "" {
				exclude(docs[k], why[k])
			}
		}
	}
	trackers := cat.SpeakerTrackers(rd)
	at := tx.Now().UTC()
	hashes := map[string]string{}
	var gerr error // the gate's own error, returned as it is
	h := sha256.New()
	var size int64
	if err := tx.StageOutput(req.Output, func(w io.Writer) error {
		cw := &countWriter{w: io.MultiWriter(w, h)}
		zw := zip.NewWriter(cw)
		add := func(name string) (io.Writer, error) {
			return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		}
		// One pass over each document writes its data file, staged until
		// the pass says whether it goes in: the data list and README that
		// describe the package are written last.
		open := func(i int) (io.Writer, error) { return add(depositName(work[i].d)) }
		do := func(i int, w io.Writer) (bool, error) {
			p := work[i]
			g, err := target{Doc: p.d.Handle, Mode: policy.ModeExport, Purpose: req.Purpose, Trackers: trackers}.open(cat, rd)
			if err != nil {
				return false, err
			}
			defer g.close()
			p.g = g
			g.each = p.st.line
			p.found, p.sum, _, err = streamExit(s, g, rd, w, OutText, transcript.WriteOptions{}, nil)
			g.each = nil
			if err != nil {
				return false, err
			}
			if p.why = policy.ArchiveExclusion(p.d.Kind, p.d.Participants, records, p.st.turns); p.why == "" && !p.st.words {
				p.why = "nothing in it may leave for archive"
			}
			return p.why == "", nil
		}
		gerr = inOrder(len(work), true, open, do, func(i int, _ bool, err error) error {
			p := work[i]
			leftOut(p.k)
			k++
			*current = p.d.Handle
			if err != nil {
				return err
			}
			if p.why != "" {
				exclude(p.d, p.why)
				return nil
			}
			if err := sortFindings(locate(p.d.Handle, p.found), req.AcceptResidual, res); err != nil {
				return err
			}
			f := DepositFile{Name: depositName(p.d), Doc: p.d.Handle, Kind: p.d.Kind, Date: p.d.Date,
				Participants: []string{}, Lines: p.st.lines, Withheld: p.g.withheld, ByGroup: p.st.byGroup, SHA256: p.sum}
			for _, r := range p.g.decision.ReliedOn {
				if !slices.ContainsFunc(res.ReliedOn, func(x policy.Reliance) bool { return x.Participant == r.Participant }) {
					res.ReliedOn = append(res.ReliedOn, r)
				}
				if pt, err := cat.Participant(r.Participant); err == nil {
					if ps, ok := cat.PseudonymOf(pt); ok {
						f.Participants = append(f.Participants, ps)
					}
				}
			}
			hashes[f.Name] = f.SHA256
			res.Files = append(res.Files, f)
			*current = ""
			res.Withheld += p.g.withheld
			gs = append(gs, p.g)
			work[i] = &pass{d: p.d, k: p.k} // what the list needs is in res now
			return nil
		})
		if gerr != nil {
			return nil
		}
		leftOut(len(docs))
		if len(res.Files) == 0 {
			gerr = &policy.Refused{Refusals: []*policy.Refusal{{Rule: policy.RulePurposeConsent,
				Msg:    fmt.Sprintf("no document may go into an archive deposit (%d left out)", len(res.Excluded)),
				Remedy: "record consent with --scope archive for the participants whose material is to be deposited"}}}
			return nil
		}
		list, err := depositDataList(res.Files)
		if err != nil {
			return err
		}
		readme := depositReadme(tx.Now(), res, len(res.Accepted))
		for _, en := range []struct {
			name string
			b    []byte
		}{{DepositReadme, readme}, {DepositDataList, list}} {
			hashes[en.name] = sha(en.b)
			fw, err := add(en.name)
			if err != nil {
				return err
			}
			if _, err := fw.Write(en.b); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
		size = cw.n
		return nil
	}); err != nil && gerr == nil {
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
	e.Detail["files"] = fmt.Sprint(len(hashes))
	e.Detail["excluded"] = fmt.Sprint(len(res.Excluded))
	for name, sum := range hashes {
		e.Hashes["file:"+name] = sum
	}
	tx.Audit(e)
	tx.CountExit(e.Participants)
	return nil
}

// depositStats is what a deposit's data list says of a data file, and
// whether it goes in, learnt line by line as the file's pass decides
// them.
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

// depositName is the name of a document's data file in the package.
func depositName(d *vault.Document) string {
	return depositDataDir + d.Handle + "_" + d.Kind + ".txt"
}
