package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"golang.org/x/text/unicode/norm"
)

// DefaultRoleLabel is the label a registered researcher's turns carry in
// everything that leaves, unless they chose another.
const DefaultRoleLabel = "Interviewer"

// Researcher is a member of the study team whose turns in transcripts are
// the researcher's: they leave under nobody's consent, labelled with Label
// (a role, never the researcher's name).
type Researcher struct {
	Handle  string    `json:"handle"`
	Name    string    `json:"name"`
	Aliases []string  `json:"aliases,omitempty"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// genericResearcherLabels are speaker labels that mean the researcher
// whoever registered; a trailing number ("Interviewer 2") is allowed.
var genericResearcherLabels = map[string]bool{
	"interviewer": true, "researcher": true, "int": true, "i": true, "q": true, "me": true,
	"facilitator": true, "moderator": true, "observer": true, "author": true,
	"interviewer (me)": true, "research team": true, "fieldworker": true,
}

// genericParticipantLabels are speaker labels that mean "the one being
// interviewed": the document's participant when it concerns exactly one,
// an unknown speaker otherwise.
var genericParticipantLabels = map[string]bool{
	"a": true, "answer": true, "interviewee": true, "respondent": true, "participant": true,
}

// GenericResearcherLabels lists the labels that always mean the researcher.
func GenericResearcherLabels() []string { return sortedKeys(genericResearcherLabels) }

// nameTitles are honorifics a label may carry before a registered name.
var nameTitles = map[string]bool{
	"dr": true, "doctor": true, "prof": true, "professor": true, "mr": true, "mrs": true,
	"ms": true, "miss": true, "mx": true, "rev": true, "revd": true, "reverend": true,
	"sir": true, "dame": true, "cllr": true, "councillor": true, "lord": true, "lady": true,
	"fr": true, "father": true, "sr": true, "sister": true, "br": true, "brother": true,
	"imam": true, "rabbi": true, "pastor": true, "sheikh": true, "capt": true, "major": true,
}

// nameKey folds a name for comparison: case, diacritics, typographic
// apostrophes and hyphens, runs of spaces.
func nameKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case r == '\u2019' || r == '\u2018' || r == '`':
			r = '\''
		case r == '\u2010' || r == '\u2011' || r == '\u2013':
			r = '-'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// labelKeys returns the keys a label is looked up under: as written without
// its annotations ("(she/her)", "(Guest)"), then without leading titles.
//
// A label written surname first, as Teams shows an organisation's accounts
// ("Okafor, Adaeze"), is looked up as "Adaeze Okafor"; annotations in square
// brackets ("[CONTRACTOR]", "[EXTERNAL]") are dropped as round ones are.
func labelKeys(label string) []string {
	k := nameKey(labelName(label))
	keys := []string{k}
	words := strings.Fields(k)
	for len(words) > 1 && nameTitles[strings.TrimSuffix(words[0], ".")] {
		words = words[1:]
		keys = append(keys, strings.Join(words, " "))
	}
	return keys
}

// labelName is the name a label gives, without its annotations and in
// the order given name, family name (see labelKeys).
func labelName(label string) string {
	// Emoji and other symbols people add to a meeting display name
	// ("Amy Li 🌻") are not part of the name.
	name := strings.TrimSpace(strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r > 0xff && unicode.In(r, unicode.So, unicode.Sk, unicode.Cf, unicode.Co, unicode.Variation_Selector) {
			return ' '
		}
		return r
	}, label)), " "))
	for strings.HasSuffix(name, "]") {
		i := strings.LastIndexByte(name, '[')
		if i <= 0 {
			break
		}
		name = strings.TrimRight(name[:i], " \u00a0")
	}
	name, _ = transcript.SplitAnnotations(name)
	if family, given, ok := strings.Cut(name, ","); ok && !strings.Contains(given, ",") &&
		strings.TrimSpace(family) != "" && strings.TrimSpace(given) != "" {
		name = strings.TrimSpace(given) + " " + strings.TrimSpace(family)
	}
	return name
}

// A speakerID is who a label resolves to.
type speakerID struct {
	kind        policy.SpeakerKind
	participant string
	role        string // a registered researcher's role label; "" otherwise
}

// speakerIndex resolves speaker labels against the register: researchers,
// participants (handle, name, aliases) and registered persons.
type speakerIndex struct {
	byKey map[string][]speakerID
	rd    *redact.Redactor
	cat   *Catalog
	// sole is the participant of a document that concerns exactly one:
	// generic labels such as "A:" or "Interviewee:" are theirs.
	sole string
}

func (c *Catalog) speakerIndex(rd *redact.Redactor) *speakerIndex {
	ix := &speakerIndex{byKey: map[string][]speakerID{}, rd: rd, cat: c}
	add := func(id speakerID, names ...string) {
		for _, n := range names {
			if k := nameKey(n); k != "" && !slices.Contains(ix.byKey[k], id) {
				ix.byKey[k] = append(ix.byKey[k], id)
			}
		}
	}
	for _, r := range c.Researchers {
		add(speakerID{kind: policy.SpeakerResearcher, role: r.Label}, append([]string{r.Name}, r.Aliases...)...)
	}
	for _, p := range c.Participants {
		add(speakerID{kind: policy.SpeakerParticipant, participant: p.Handle}, append([]string{p.Handle, p.Name}, p.Aliases...)...)
	}
	for _, e := range c.Entities {
		if e.Kind == redact.KindPerson {
			add(speakerID{kind: policy.SpeakerOther}, append([]string{e.Name}, e.Aliases...)...)
		}
	}
	return ix
}

// resolve says who a label written at a line start is: a registered
// researcher, participant or person (under any of their names, whatever
// titles or annotations the label carries), the researcher by a generic
// label, or nobody (SpeakerUnknown). A label that names two registered
// people is unknown: the gate does not guess.
func (ix *speakerIndex) resolve(label string) speakerID {
	if strings.TrimSpace(label) == "" {
		return speakerID{kind: policy.SpeakerNone}
	}
	if id, ok := ix.known(label); ok {
		return id
	}
	return speakerID{kind: policy.SpeakerUnknown}
}

// known looks a label up in the register only; ok is false if it names
// nobody, or more than one person (a researcher's alias that is also a
// participant's given name, say).
func (ix *speakerIndex) known(label string) (speakerID, bool) {
	keys := labelKeys(label)
	var found []speakerID
	for _, k := range keys {
		if ids := ix.byKey[k]; len(ids) > 0 {
			found = ids
			break
		}
	}
	// A part of a registered name ("Amy" for Amy Li), as the matcher knows it.
	if id, ok := ix.matched(label, keys); ok && !slices.Contains(found, id) {
		found = append(found[:len(found):len(found)], id)
	}
	switch len(found) {
	case 1:
		return found[0], true
	case 0:
		for _, k := range keys {
			k = strings.TrimRight(strings.TrimRight(k, "0123456789"), " ")
			if genericResearcherLabels[k] {
				return speakerID{kind: policy.SpeakerResearcher}, true
			}
			if genericParticipantLabels[k] && ix.sole != "" {
				return speakerID{kind: policy.SpeakerParticipant, participant: ix.sole}, true
			}
		}
	}
	return speakerID{}, false
}

// matched resolves a label through the pseudonymisation matcher: matches
// of one participant or registered person that together cover the whole
// label (without annotations, or without titles), nothing but spaces and
// punctuation between them: "Al-Masri", and also the parts of a name in
// another order or spelling than registered ("Xiuying Wang" for Wang
// Xiuying, "Juergen Strauss" for Jürgen Strauß).
func (ix *speakerIndex) matched(label string, keys []string) (speakerID, bool) {
	if ix.rd == nil {
		return speakerID{}, false
	}
	words := strings.Fields(norm.NFC.String(labelName(label)))
	for _, k := range keys {
		n := len(strings.Fields(k))
		if n > len(words) {
			continue
		}
		text := strings.Join(words[len(words)-n:], " ")
		ms := ix.rd.FindName(text)
		if !coversName(text, ms) {
			continue
		}
		if _, err := ix.cat.Participant(ms[0].EntityID); err == nil {
			return speakerID{kind: policy.SpeakerParticipant, participant: ms[0].EntityID}, true
		}
		if e, err := ix.cat.Entity(ms[0].EntityID); err == nil && e.Kind == redact.KindPerson {
			return speakerID{kind: policy.SpeakerOther}, true
		}
		for _, r := range ix.cat.Researchers {
			if r.Handle == ms[0].EntityID {
				return speakerID{kind: policy.SpeakerResearcher, role: r.Label}, true
			}
		}
	}
	return speakerID{}, false
}

// coversName reports whether ms, matches in text, are all of one entity
// and leave no letter or digit of text outside them.
func coversName(text string, ms []redact.Match) bool {
	if len(ms) == 0 || ms[0].Start != 0 || ms[len(ms)-1].End != len(text) {
		return false
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].EntityID != ms[0].EntityID {
			return false
		}
		for _, r := range text[ms[i-1].End:ms[i].Start] {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// lineSpeaker is one line's resolved speaker, and for the turn of a
// registered researcher the line's text with the role label in place of the
// name.
type lineSpeaker struct {
	speakerID
	text string
}

// A speakerTracker resolves the lines of a document one at a time, in
// order: a line that begins a turn (a label-shaped prefix, a voice) is the
// turn of whoever its label names, or of an unknown speaker; a line with a
// lower-case prefix that names a registered person is theirs; any other
// line continues the turn in force. It remembers only the turn in force
// and the labels it has looked up.
type speakerTracker struct {
	ix    *speakerIndex
	memo  map[string]speakerID
	loose map[string]looseLookup
	cur   speakerID
	last  string
}

type looseLookup struct {
	id speakerID
	ok bool
}

func (ix *speakerIndex) tracker() *speakerTracker {
	return &speakerTracker{ix: ix, memo: map[string]speakerID{}, loose: map[string]looseLookup{}, cur: speakerID{kind: policy.SpeakerNone}}
}

// maxLookups bounds the look-ups a tracker remembers: a document's
// distinct prefixes and name-shaped lines are few, but a hostile one
// could make every line one.
const maxLookups = 1 << 12

// lookup looks a prefix or name line up in the register only.
func (t *speakerTracker) lookup(p string) (speakerID, bool) {
	k, seen := t.loose[p]
	if !seen {
		k.id, k.ok = t.ix.known(p)
		if len(t.loose) < maxLookups {
			t.loose[strings.Clone(p)] = k // not the line it came from
		}
	}
	return k.id, k.ok
}

func (t *speakerTracker) resolve(label string) speakerID {
	id, ok := t.memo[label]
	if !ok {
		id = t.ix.resolve(label)
		t.memo[strings.Clone(label)] = id // not the line it came from
	}
	return id
}

// next resolves the next line.
func (t *speakerTracker) next(l transcript.Line) lineSpeaker {
	ix := t.ix
	turn := l.Turn
	label := l.Speaker
	carried := !turn && l.Speaker != t.last // a speaker the reader gave a line without its label
	turn = turn || carried
	if !turn {
		// A registered name alone on a line: the words after it are theirs.
		if p, ok := transcript.NameLine(l.Text); ok {
			if id, known := t.lookup(p); known {
				label, t.cur = p, id
				t.last = l.Speaker
				return ix.relabel(l, label, t.cur)
			}
		}
		if p, _, ok := transcript.LoosePrefix(l.Text); ok {
			if id, known := t.lookup(p); known {
				label, t.cur = p, id
				t.last = l.Speaker
				return ix.relabel(l, label, t.cur)
			}
		}
	}
	if turn {
		t.cur = t.resolve(label)
		t.last = l.Speaker
	}
	if turn && !carried {
		return ix.relabel(l, label, t.cur)
	}
	return lineSpeaker{speakerID: t.cur}
}

// relabel puts a registered researcher's role label in place of the name at
// the start of their turn, keeping what follows it as written (": ", ":**",
// a service's time stamp).
func (ix *speakerIndex) relabel(l transcript.Line, label string, id speakerID) lineSpeaker {
	ls := lineSpeaker{speakerID: id}
	if id.role == "" {
		return ls
	}
	text := l.Text
	switch i := strings.Index(text, label); {
	case label != "" && i >= 0 && i <= len(text)-len(strings.TrimLeft(text, "[]()0123456789:., -*|+>\t\u2013\u2014\u2022\u00b7")):
		// The label as written, after any time stamp or bold: replace it there.
		ls.text = text[:i] + id.role + text[i+len(label):]
	default:
		// The turn's text starts with its label in some other form: never
		// let the researcher's name through in it.
		if _, rest, ok := transcript.LoosePrefix(text); ok {
			ls.text = id.role + ": " + rest
		} else if _, rest, ok := strings.Cut(text, ": "); ok {
			ls.text = id.role + ": " + rest
		} else {
			ls.text = id.role + ":"
		}
	}
	return ls
}

// ResearcherRequest registers a member of the study team.
type ResearcherRequest struct {
	Name    string
	Aliases []string
	Label   string // role label in exports; default DefaultRoleLabel
}

// AddResearcher registers a researcher: their turns are the researcher's
// and leave under their role label. A name or alias that is already a
// participant's or a registered person's is refused: one label must name
// one person.
func (s *Study) AddResearcher(ctx context.Context, req ResearcherRequest) (*Researcher, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return nil, fmt.Errorf("%w: researcher add needs a NAME", ErrInvalid)
	}
	label := strings.TrimSpace(req.Label)
	if label == "" {
		label = DefaultRoleLabel
	}
	if _, _, ok := transcript.ParseLabel(label + ": x"); !ok || len(label) > 40 {
		return nil, fmt.Errorf("%w: --label must be a short role label such as Interviewer or Researcher 2", ErrInvalid)
	}
	var r *Researcher
	err := s.Write(ctx, func(tx *Tx) error {
		cat := tx.Cat
		rd, err := cat.Redactor()
		if err != nil {
			return err
		}
		ix := cat.speakerIndex(rd)
		for _, n := range append([]string{name}, req.Aliases...) {
			taken := false
			for _, id := range ix.byKey[nameKey(n)] {
				taken = taken || id.kind != policy.SpeakerResearcher
			}
			if _, ok := ix.matched(n, labelKeys(n)); taken || ok {
				return fmt.Errorf("%w: a name or alias given is already a registered participant's or person's (or part of one); speaker labels must name one person", ErrInvalid)
			}
		}
		for _, x := range cat.Researchers {
			if nameKey(x.Name) == nameKey(name) {
				return fmt.Errorf("%w: researcher %s is already registered under that name", ErrInvalid, x.Handle)
			}
		}
		h := cat.nextHandle("R", cat.anyHandle)
		r = &Researcher{Handle: h, Name: name, Aliases: dedupe(req.Aliases), Label: label, Created: tx.Now().UTC()}
		cat.Researchers = append(cat.Researchers, r)
		if err := s.settlePseudonyms(tx, h); err != nil {
			return err
		}
		tx.Audit(Entry{Action: "researcher-add", Handles: []string{h}, Detail: map[string]string{"aliases": fmt.Sprint(len(r.Aliases))}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
