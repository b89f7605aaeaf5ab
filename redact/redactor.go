package redact

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Parts reported in Match.Part.
const (
	PartFull   = "full"
	PartGiven  = "given"
	PartFamily = "family"
	PartAlias  = "alias"
	// PartInitial is an initial with the family name ("R. Quixwort"),
	// replaced by the pseudonym's initial and family name.
	PartInitial = "initial"
)

// Match is one occurrence of an alias: byte offsets into the NFC form of
// the text given to Find.
type Match struct {
	Start, End int
	EntityID   string
	Part       string // PartFull, PartGiven, PartFamily or PartAlias
}

// aliasSpec is one alias of an entity before compilation.
type aliasSpec struct {
	text     string // NFC, without prefix
	part     string
	exact    bool // case-sensitive
	off      bool // "!" alias: switches a part off
	explicit bool
	initials bool
	// variant: derived from a part of the name (one part of a compound
	// surname, a title or an initial with the surname, a distinctive word
	// of a place or organisation); dropped, not an error, where it would
	// equal a pseudonym.
	variant bool
	// initialLast: a PartInitial variant with the initial after the
	// surname ("Okonkwo, N.").
	initialLast bool
	// plural: the family name in the plural ("the Okonkwos").
	plural bool
	// view: MatchView(text), where variants worked it out already.
	view string
	// givenFirst: the name of a person registered family name first,
	// written given name first ("Xiuying Wang" of Wang Xiuying), which
	// the pseudonym is too.
	givenFirst bool
}

// entityAliases lists the aliases of e: derived parts first, then the
// explicit ones, then the derived variants. It does not validate e.
func entityAliases(e Entity) []aliasSpec {
	name := norm.NFC.String(e.Name)
	// Room for the forms variants adds (a person's run to a few dozen),
	// so that they are appended in place.
	extra := 8
	if e.Kind == KindPerson {
		extra = 24
	}
	out := make([]aliasSpec, 0, len(e.Aliases)+extra)
	var given, family string
	if e.Kind == KindPerson {
		_, given, family = splitPersonOrder(strings.Fields(name), e.FamilyFirst)
		words := strings.Fields(name)
		for len(words) > 1 && isTitle(words[0]) {
			words = words[1:]
		}
		core := strings.Join(words, " ")
		out = append(out, aliasSpec{text: core, part: PartFull})
		if !e.NoParts && family != "" {
			// A one-letter part ("J Smith") is an initial, never a word
			// to replace on its own.
			if letterCount(given) >= 2 {
				out = append(out, aliasSpec{text: given, part: PartGiven})
			}
			out = append(out, aliasSpec{text: family, part: PartFamily})
		}
	} else {
		out = append(out, aliasSpec{text: strings.Join(strings.Fields(name), " "), part: PartFull})
	}
	// The keyed forms of the derived parts, for the aliases to compare
	// with (each worked out once, not once per alias).
	var derived [3]string
	nDerived := 0
	for i := range out {
		if !out[i].explicit && nDerived < len(derived) {
			derived[nDerived] = NormaliseName(out[i].text)
			nDerived++
		}
	}
	var nGiven, nFamily, nFull, nFullFF string
	if e.Kind == KindPerson && len(e.Aliases) > 0 {
		nGiven, nFamily = NormaliseName(given), NormaliseName(family)
		nFull = strings.TrimSpace(nGiven + " " + nFamily)
		if e.FamilyFirst {
			nFullFF = strings.TrimSpace(nFamily + " " + nGiven)
		}
	}
	for _, a := range e.Aliases {
		a = norm.NFC.String(strings.TrimSpace(a))
		spec := aliasSpec{explicit: true}
		switch {
		case strings.HasPrefix(a, "="):
			spec.exact, a = true, a[1:]
		case strings.HasPrefix(a, "!"):
			spec.off, a = true, a[1:]
		}
		a = strings.Join(strings.Fields(a), " ")
		if a == "" {
			continue
		}
		spec.text = a
		// An alias equal to a derived part modifies that part.
		merged := false
		na := NormaliseName(a)
		for i := range out[:nDerived] {
			if derived[i] == na {
				if spec.off {
					out[i].off = true
				}
				if spec.exact {
					out[i].exact = true
					out[i].text = a
				}
				merged = true
			}
		}
		if merged || spec.off {
			continue
		}
		spec.part = PartAlias
		spec.initials = isInitialism(stripTitles(a))
		if e.Kind == KindPerson {
			core := stripTitles(a)
			switch nc := NormaliseName(core); nc {
			case nGiven:
				spec.part = PartGiven
			case nFamily:
				spec.part = PartFamily
			case nFull:
				spec.part = PartFull
				spec.givenFirst = e.FamilyFirst // "Xiuying Wang" of Wang Xiuying
			case nFullFF:
				spec.part = PartFull
			}
		}
		out = append(out, spec)
	}
	return variants(e, given, family, out)
}

// variants derives the other forms a name is written in: each part of a
// compound surname alone, the words after the given name of a name of three
// words or more (a double surname, middle names), the surname with spaces or
// without its hyphens,
// an initial with the surname ("R. Quixwort"), a title with a surname that
// is an ordinary word ("Mr Hope", which the common-word rule would
// otherwise leave), and for places and organisations each distinctive word
// (not an ordinary word, a title or a fixed form like "Council") alone.
// A variant equal to one of the aliases already listed is left out, and so
// is one whose part is switched off ("!Hale"). It returns have with the
// variants appended.
func variants(e Entity, given, family string, have []aliasSpec) []aliasSpec {
	// A name has a few dozen forms at most: the views seen so far are
	// searched in a slice, cheaper than a map for so few.
	seen := make([]string, 0, len(have)+24)
	var off map[string]bool
	for _, a := range have {
		seen = append(seen, MatchView(a.text))
		if a.off {
			if off == nil {
				off = map[string]bool{}
			}
			off[seen[len(seen)-1]] = true
		}
	}
	for _, a := range e.Aliases {
		if strings.HasPrefix(strings.TrimSpace(a), "!") {
			if off == nil {
				off = map[string]bool{}
			}
			off[MatchView(strings.TrimSpace(a)[1:])] = true
		}
	}
	out := have // the forms are appended to have
	add := func(text, part string) {
		v := MatchView(text)
		if v == "" || off[v] || slices.Contains(seen, v) {
			return
		}
		seen = append(seen, v)
		out = append(out, aliasSpec{text: text, part: part, variant: true, view: v})
	}
	addLast := func(text string) {
		n := len(out)
		if add(text, PartInitial); len(out) > n {
			out[len(out)-1].initialLast = true
		}
	}
	if e.Kind == KindPerson {
		if e.NoParts || family == "" || off[MatchView(family)] {
			return have
		}
		pieces := strings.FieldsFunc(family, func(r rune) bool { return r == '-' || r == ' ' || canonRune(r) == '-' })
		var core []string
		for _, p := range pieces {
			if !particles[strings.ToLower(p)] && !pieceParticles[MatchView(p)] {
				core = append(core, p)
			}
		}
		// A piece written in lower case in a name that has capitals
		// ("jun" of "Min-jun", "na" of "Yu-na") is not a name of its own.
		capName := strings.ContainsFunc(e.Name, unicode.IsUpper)
		if len(pieces) > 1 {
			for _, p := range core {
				if r, _ := utf8.DecodeRuneInString(p); letterCount(p) >= 2 && (!capName || unicode.IsUpper(r)) {
					add(p, PartFamily)
					for _, sp := range spellings(p) {
						add(sp, PartFamily)
					}
				}
			}
		}
		// A name of three words or more ("María García López", "Anna
		// Maria Kowalska"): the words after the given name may be a double
		// surname or middle names; each alone, and all of them together,
		// stand for the family name.
		words := coreWords(norm.NFC.String(e.Name))
		if e.FamilyFirst && len(words) > 1 {
			// The name given name first ("Xiuying Wang", "Minh Khai
			// Nguyễn"), and the last words of the given name alone ("Minh
			// Khai", "Khai" of "Nguyễn Thị Minh Khai"), the name a person
			// of those traditions is called by.
			for i := 1; i < len(words); i++ {
				if i > 1 && letterCount(words[i]) >= 2 {
					add(strings.Join(words[i:], " "), PartGiven)
				}
				if t := strings.Join(words[i:], " ") + " " + family; letterCount(words[i]) >= 2 {
					n := len(out)
					if add(t, PartFull); len(out) > n {
						out[len(out)-1].givenFirst = true
					}
				}
			}
		} else if len(words) > 2 {
			add(strings.Join(words[1:], " "), PartFamily)
			// The last words of a longer name ("Minh Khai" of "Nguyễn
			// Thị Minh Khai") are one name, not two to replace apart.
			for i := 2; i < len(words)-1; i++ {
				if !isParticle(words[i]) && !pieceParticles[MatchView(words[i])] {
					add(strings.Join(words[i:], " "), PartFamily)
				}
			}
			for _, w := range words[1 : len(words)-1] {
				if letterCount(w) >= 2 && !isParticle(w) && !pieceParticles[MatchView(w)] {
					add(w, PartFamily)
				}
			}
		}
		if len(pieces) > 1 {
			add(strings.Join(pieces, " "), PartFamily)
			add(strings.Join(pieces, ""), PartFamily)
			add(strings.Join(pieces, "-"), PartFamily)
		}
		givenOn := given != "" && !off[MatchView(given)]
		if givenOn && letterCount(given) >= 2 {
			for _, sp := range spellings(given) {
				add(sp, PartGiven)
			}
		}
		for _, sp := range spellings(family) {
			add(sp, PartFamily)
		}
		if givenOn {
			if r, _ := utf8.DecodeRuneInString(given); unicode.IsLetter(r) {
				add(string(r)+". "+family, PartInitial)
				add(string(r)+" "+family, PartInitial)
				// A list of names or a citation puts the initial last.
				addLast(family + " " + string(r) + ".")
				addLast(family + ", " + string(r) + ".")
			}
			// A hyphenated given name is also written with a space or
			// run together ("Jean Pierre", "Annemarie").
			if strings.ContainsFunc(given, isHyphen) {
				if gp := strings.FieldsFunc(given, isHyphen); len(gp) > 1 {
					add(strings.Join(gp, " "), PartGiven)
					add(strings.Join(gp, ""), PartGiven)
				}
			}
			if n := len(words) - strings.Count(family, " ") - 1; !e.FamilyFirst && (n >= 2 || (n == 1 && strings.ContainsFunc(given, isHyphen))) {
				for _, f := range initialForms(words[:n], 2) {
					add(f+" "+family, PartInitial)
				}
				if n >= 2 {
					// "Ngozi A. Okonkwo": the given name with the middle
					// names' initials is the whole name.
					for _, f := range initialForms(words[1:n], 1) {
						add(given+" "+f+" "+family, PartFull)
					}
				}
			}
		}
		compoundForms(given, family, words, e.FamilyFirst, out, add)
		// A family in the plural ("the Okonkwos", "the van der Merwes"),
		// unless the plural is a word or name of its own ("Hopes",
		// "Jones").
		if pl := pluralName(family); pl != "" {
			n := len(out)
			if add(pl, PartFamily); len(out) > n {
				out[len(out)-1].plural = true
			}
		}
		if isCommonName(family) {
			for _, t := range titleForms {
				add(t+" "+family, PartFamily)
			}
		}
		return out
	}
	if e.Kind == KindPlace || e.Kind == KindOrg {
		// Words, and the pieces of a hyphenated name ("Wexcombe" of
		// "Wexcombe-on-Sea").
		words := strings.FieldsFunc(norm.NFC.String(e.Name), func(r rune) bool { return unicode.IsSpace(r) || isHyphen(r) })
		if len(words) > 1 {
			for _, w := range words {
				w = strings.Trim(trimPossessive(w), ",.;:()'\"")
				if letterCount(w) >= 3 && !isCommonName(w) && !isTitle(w) && !particles[strings.ToLower(w)] && !fixedWords[NormaliseName(w)] {
					add(w, PartAlias)
				}
			}
		}
	}
	return out
}

// spellings are the other ways a name is commonly written in English
// text, each a variant of the name: without its apostrophe or with a space
// for it ("ONeill", "O Neill" for "O'Neill"), with the umlauts and the
// Scandinavian letters spelt out ("Juergen" for "Jürgen", "Soeren" for
// "Søren"; the matcher already takes "Jurgen"), and with the other form of
// a Scottish or Irish "Mac"/"Mc", or with a space after it ("McLeod" and
// "Mac Leod" for "MacLeod", "MacAllister" for "McAllister"). Accents alone
// need no spelling: the matcher ignores them.
func spellings(name string) []string {
	var out []string
	if i := strings.IndexFunc(name, func(r rune) bool { return canonRune(r) == '\'' }); i > 0 {
		_, n := utf8.DecodeRuneInString(name[i:])
		if letterCount(name[:i]) > 0 && letterCount(name[i+n:]) > 0 {
			out = append(out, name[:i]+name[i+n:], name[:i]+" "+name[i+n:])
		}
	}
	if strings.ContainsFunc(name, func(r rune) bool { return translit[unicode.ToLower(r)] != "" }) {
		var b strings.Builder
		for _, r := range name {
			t := translit[unicode.ToLower(r)]
			switch {
			case t == "":
				b.WriteRune(r)
			case unicode.IsUpper(r):
				b.WriteString(strings.ToUpper(t[:1]) + t[1:])
			default:
				b.WriteString(t)
			}
		}
		out = append(out, b.String())
	}
	for _, w := range [][2]string{{"Mac", "Mc"}, {"Mc", "Mac"}} {
		if rest, ok := strings.CutPrefix(name, w[0]); ok {
			if r, _ := utf8.DecodeRuneInString(rest); unicode.IsUpper(r) && letterCount(rest) >= 2 {
				out = append(out, w[1]+rest, w[0]+" "+rest)
			}
		}
	}
	return out
}

// compoundForms adds the forms of a person's name whose registered parts
// are written together or apart: the same letters with or without a space
// or hyphen between parts. Two words of a name or alias are also written
// as one ("Abdul Rahman" → "Abdulrahman", "Gebre Mariam" →
// "Gebremariam", "Mohamed Ali" → "Mohamedali"), unless the word they make
// is an ordinary English word ("Will Power" is not "willpower"), or for
// the full name a given and a family name (oneName); two words
// after the given name also with a hyphen ("Gebre-Mariam", one family
// name, not two). The first two words of a name of three or more, written
// as one or hyphenated, are the given name ("Abdulrahman" of "Abdul Rahman
// Haddad"). And a part registered as one word is written as two where it
// is made of two (nameSplits: "Desouza" → "De Souza", "Abdulrahman" →
// "Abdul Rahman"), with a space or a hyphen. Each form stands for the part
// the registered one does.
func compoundForms(given, family string, words []string, familyFirst bool, have []aliasSpec, add func(text, part string)) {
	for _, a := range have {
		if a.off || a.exact || a.initials || a.part == PartInitial || a.plural || titleCount(a.text) > 0 {
			continue
		}
		// a.text has single spaces between its words; each space is a
		// gap between two of them, l and r.
		t := a.text
		for ls, gap := 0, strings.IndexByte(t, ' '); gap >= 0; {
			re := strings.IndexByte(t[gap+1:], ' ')
			if re < 0 {
				re = len(t)
			} else {
				re += gap + 1
			}
			l, r := t[ls:gap], t[gap+1:re]
			if letterCount(l) >= 2 && letterCount(r) >= 2 && lettersOnly(l) && lettersOnly(r) {
				if a.part == PartFull && !oneName(l, r) {
					// A given and a family name are not run together
					// ("NgoziOkonkwo"); the joined given name of a
					// longer name is added below.
				} else if !isOrdinaryJoin(l, r) {
					add(t[:gap]+t[gap+1:], a.part)
				}
				if a.part != PartFull {
					add(t[:gap]+"-"+t[gap+1:], a.part)
				}
			}
			if re == len(t) {
				break
			}
			ls, gap = gap+1, re
		}
	}
	if !familyFirst && len(words) >= 3 && given != "" && given == words[0] && lettersOnly(words[0]) && lettersOnly(words[1]) &&
		letterCount(words[1]) >= 2 && !isParticle(words[1]) {
		if !isOrdinaryJoin(words[0], words[1]) {
			add(words[0]+words[1], PartGiven)
		}
		add(words[0]+"-"+words[1], PartGiven)
	}
	for _, p := range [2][2]string{{given, PartGiven}, {family, PartFamily}} {
		if p[0] == "" || strings.ContainsFunc(p[0], unicode.IsSpace) {
			continue
		}
		for _, sp := range nameSplits(p[0], p[1] == PartFamily) {
			add(sp[0]+" "+sp[1], p[1])
			add(sp[0]+"-"+sp[1], p[1])
		}
	}
}

// oneName reports whether the words l and r may be one name written apart:
// l is a compound head ("Nurul Huda", "Abdul Karim") or both are given
// names of the lists ("Mohamed Ali", "Anne Marie").
func oneName(l, r string) bool {
	if slices.Contains(compoundHeads, MatchView(l)) {
		return true
	}
	lexiconOnce.Do(loadLexicon)
	return lookup(l)&lxGiven != 0 && lookup(r)&lxGiven != 0
}

func lettersOnly(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			return false
		}
	}
	return w != ""
}

// isOrdinaryJoin reports whether the word l+r is a word of either English
// list the common-word rule uses (names/common-words.txt,
// names/english-words.txt), without building it.
func isOrdinaryJoin(l, r string) bool {
	var buf [64]byte
	k := nameKey(nameKey(buf[:0], l), r)
	if commonWords()[string(k)] {
		return true
	}
	lexiconOnce.Do(loadLexicon)
	return lexicon[string(k)]&lxWord != 0
}

// compoundHeads are the first elements of names that are written joined
// or apart in their traditions: Arabic "Abd"/"Abdul" ("servant of"),
// "Abu", "Nur"/"Nurul"; Ethiopian and Eritrean "Gebre", "Wolde", "Habte",
// "Tekle", "Haile" ("gift of", "son of", …).
var compoundHeads = []string{
	"abdul", "abdel", "abdal", "abdur", "abdil", "abd", "abu", "nurul", "nur",
	"gebre", "gebra", "wolde", "welde", "habte", "tekle", "haile", "kidane",
}

// nameSplits are the ways a one-word name part is made of two registered
// parts, each [first, rest]: at a capital inside it ("DeSouza",
// "AbdulRahman"); after a compound head ("Abdul|rahman", "Gebre|mariam");
// for a family name, after a particle ("De|souza", "Van|dyke"); and
// between two names of the lists ("Mohamed|ali", "Anne|marie"). The rest
// is at least three letters and gets a capital.
func nameSplits(w string, family bool) [][2]string {
	if !lettersOnly(w) || letterCount(w) < 5 {
		return nil
	}
	var out [][2]string
	addSplit := func(i int) {
		first, rest := w[:i], w[i:]
		if letterCount(first) < 2 || letterCount(rest) < 3 {
			return
		}
		r, n := utf8.DecodeRuneInString(rest)
		sp := [2]string{first, string(unicode.ToUpper(r)) + rest[n:]}
		if !slices.Contains(out, sp) {
			out = append(out, sp)
		}
	}
	prev := rune(0)
	for i, r := range w {
		if i > 0 && unicode.IsUpper(r) && unicode.IsLower(prev) {
			addSplit(i)
		}
		prev = r
	}
	lw := strings.ToLower(w)
	for _, h := range compoundHeads {
		if strings.HasPrefix(lw, h) {
			addSplit(len(h))
		}
	}
	if family {
		for p := range capitalParticles {
			if letterCount(p) >= 2 && lettersOnly(p) && strings.HasPrefix(lw, p) {
				addSplit(len(p))
			}
		}
	}
	lexiconOnce.Do(loadLexicon)
	for i := range lw {
		if i < 3 || len(lw)-i < 3 || !isASCII(lw) {
			continue
		}
		if lookup(lw[:i])&lxGiven != 0 && lookup(lw[i:])&(lxGiven|lxFamily) != 0 {
			addSplit(i)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func isHyphen(r rune) bool { return canonRune(r) == '-' }

// initialForms are the ways the initials of words (the given and middle
// names, hyphenated ones letter by letter) are written before a surname
// when there are at least `least` of them: "N. A.", "N.A.", "NA", "N A",
// and for a hyphenated name "J.-P." and "J-P".
func initialForms(words []string, least int) []string {
	var inits []string // upper-case initials
	var hyph []string  // per word, its pieces' initials joined with "-"
	var hyphDot []string
	hyphen := false
	for _, w := range words {
		pieces := strings.FieldsFunc(w, isHyphen)
		hyphen = hyphen || len(pieces) > 1
		var hs, hd []string
		for _, p := range pieces {
			r, _ := utf8.DecodeRuneInString(p)
			if !unicode.IsLetter(r) {
				return nil
			}
			i := string(unicode.ToUpper(r))
			inits = append(inits, i)
			hs, hd = append(hs, i), append(hd, i+".")
		}
		hyph, hyphDot = append(hyph, strings.Join(hs, "-")), append(hyphDot, strings.Join(hd, "-"))
	}
	if len(inits) < least {
		return nil
	}
	dotted := make([]string, len(inits))
	for i, c := range inits {
		dotted[i] = c + "."
	}
	out := []string{strings.Join(dotted, " "), strings.Join(dotted, ""), strings.Join(inits, ""), strings.Join(inits, " ")}
	if hyphen {
		out = append(out, strings.Join(hyphDot, " "), strings.Join(hyph, " "))
	}
	return out
}

// translit spells letters the way English text often writes them.
var translit = map[rune]string{'ä': "ae", 'ö': "oe", 'ü': "ue", 'ø': "oe", 'å': "aa"}

// trimPossessive drops a possessive "'s" ("St Aldhelm's Church" has the
// distinctive word "Aldhelm").
func trimPossessive(w string) string {
	for _, s := range []string{"'s", "’s"} {
		if t, ok := strings.CutSuffix(w, s); ok && t != "" {
			return t
		}
	}
	return w
}

// pluralName is the plural of a family name ("Okonkwos", "Marshes"), or ""
// where that plural is an English word or a name of the lists.
func pluralName(name string) string {
	if name == "" || isCommonName(name) || isWordName(name, KindPerson) {
		return ""
	}
	pl := plural(name)
	words := strings.Fields(pl)
	lexiconOnce.Do(loadLexicon)
	if lookup(words[len(words)-1])&(lxWord|lxGiven|lxFamily) != 0 {
		return ""
	}
	return pl
}

// plural is name with the plural ending of English: "es" after s, x, z,
// ch and sh, "s" after anything else.
func plural(name string) string {
	n := len(name)
	// A UTF-8 continuation byte masked to seven bits is below 0x40:
	// never taken for a letter.
	last := func(k int) byte { return lowerASCII[name[n-k]&0x7f] }
	switch {
	case n >= 1 && (last(1) == 's' || last(1) == 'x' || last(1) == 'z'),
		n >= 2 && last(1) == 'h' && (last(2) == 'c' || last(2) == 's'):
		return name + "es"
	}
	return name + "s"
}

// isNameParticle reports whether w is one word that is a name particle
// in some tradition, however written ("al", "De", "Van", "Ó").
func isNameParticle(w string) bool {
	if strings.ContainsFunc(w, unicode.IsSpace) {
		return false
	}
	v := MatchView(w)
	return particles[v] || capitalParticles[v] || pieceParticles[v]
}

// pieceParticles are words of a surname never matched alone, beyond the
// lower-case particles splitPersonOrder knows ("Ní Bhriain", "Ibn Rushd").
var pieceParticles = map[string]bool{
	"ni": true, "nic": true, "o": true, "ua": true, "mac": true, "mc": true, "ibn": true, "bint": true,
	"ben": true, "bat": true, "dos": true, "das": true, "do": true, "zu": true, "af": true, "av": true,
	"y": true, "e": true, "d'": true, "l'": true, "ter": true, "ten": true, "op": true, "het": true,
	"st": true, "st.": true, "ste": true, "ste.": true,
}

// titleForms are the titles written before a surname, with and without
// the full stop of an abbreviation.
var titleForms = func() []string {
	var out []string
	for t := range titles {
		out = append(out, strings.ToUpper(t[:1])+t[1:])
		if len(t) <= 4 {
			out = append(out, strings.ToUpper(t[:1])+t[1:]+".")
		}
	}
	sort.Strings(out)
	return out
}()

func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func stripTitles(s string) string { return strings.Join(coreWords(s), " ") }

// coreWords is strings.Fields(stripTitles(s)): the words of s without the
// titles before them.
func coreWords(s string) []string {
	w := strings.Fields(s)
	for len(w) > 1 && isTitle(w[0]) {
		w = w[1:]
	}
	return w
}

// titleCount is how many titles coreWords drops from s.
func titleCount(s string) int {
	n, words := 0, 0
	for w := range strings.FieldsSeq(s) {
		if words == n && isTitle(w) {
			n++
		}
		words++
	}
	return min(n, max(words-1, 0))
}

// isInitialism reports an alias such as "CJJ": 2–4 upper-case letters.
func isInitialism(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 4
}

type pattern struct {
	entity   int32
	common   uint8 // commonNone, commonSingle or commonMulti
	part     string
	exact    string // non-empty: the alias must appear exactly so (exact view)
	titles   int    // leading title words kept from the original
	words    []string
	priority int
	// particle: the alias is one word that is also the Arabic article
	// ("Al"), not matched before a hyphen ("Al-Rashidi", "al-Masri").
	particle bool
}

// Redactor finds and replaces every alias of a compiled dictionary. It is
// safe for concurrent use.
type Redactor struct {
	m         *matcher
	pats      []pattern
	ids       []string
	pseud     map[string]Pseudonym
	pwords    map[string]bool
	ambig     [][]string
	patCount  int
	hasCommon bool // some pattern is an ordinary word
	// reps[p] is what replace needs of pattern p, packed so that a match
	// touches one small record and one shared, deduplicated arena of
	// replacement words rather than the pattern, its slice and its strings
	// (each a likely cache miss once the dictionary is large).
	reps    []repl
	repText string
}

// repl locates the replacement of one pattern: its words joined by single
// spaces (a pseudonym word never contains one) at repText[off:off+n].
type repl struct {
	off    uint32
	n      uint32
	words  uint16
	titles uint16
}

// ErrPseudonymConflict is returned by Compile when a pseudonym is itself an
// alias of some entity, which would make redaction ambiguous.
var ErrPseudonymConflict = errors.New("pseudonym is also an alias")

// ErrNoPseudonym is returned by Compile for an entity the registry has no
// pseudonym for (run Assign first).
var ErrNoPseudonym = errors.New("no pseudonym assigned")

// Compile builds the single-pass matcher over every alias of every entity.
// Pseudonyms come from reg (an explicit Entity.Pseudonym wins); an entity
// without one is an error that names its ID. When two entities share an
// alias, an explicit alias beats a full name, which beats a derived given or
// family name; among equals the earlier entity wins, and the IDs are listed
// by Ambiguities.
func Compile(entities []Entity, reg *Registry) (*Redactor, error) {
	r := &Redactor{pseud: make(map[string]Pseudonym), pwords: make(map[string]bool)}
	var views []string
	aliasOwner := make(map[string]int32)
	ambig := make(map[string]map[int32]bool)
	pseuds := make([]Pseudonym, len(entities))
	pviews := make(map[string]bool) // every form of every pseudonym
	for ei, e := range entities {
		if err := validate(e); err != nil {
			return nil, err
		}
		var p Pseudonym
		if e.Pseudonym != "" {
			p = entityPseudonym(e)
		} else {
			var ok bool
			if p, ok = reg.Lookup(e.Kind, e.Name); !ok {
				return nil, fmt.Errorf("%w for %s", ErrNoPseudonym, e.ID)
			}
		}
		pseuds[ei] = p
		for _, f := range append([]string{p.String(), p.Given, p.Family}, strings.Fields(p.String())...) {
			if f != "" {
				pviews[MatchView(f)] = true
			}
		}
	}
	aliases := allAliases(entities)
	n := 0
	for _, as := range aliases {
		n += len(as)
	}
	r.pats, views = make([]pattern, 0, n), make([]string, 0, n)
	variantOwner := make(map[string]int32)
	for ei, e := range entities {
		p := pseuds[ei]
		pw := newPseudWords(p, e.FamilyFirst)
		r.ids = append(r.ids, e.ID)
		r.pseud[e.ID] = p
		for _, w := range strings.Fields(p.String()) {
			r.pwords[NormaliseName(w)] = true
		}
		for _, a := range aliases[ei] {
			if a.off {
				continue
			}
			if a.plural && p.Family != "" {
				// "the Pembertons" the plural variant writes is the
				// pseudonym's, not a name the scan should report.
				fw := strings.Fields(p.Family)
				r.pwords[NormaliseName(plural(fw[len(fw)-1]))] = true
			}
			v := a.view
			if v == "" {
				v = MatchView(a.text)
			}
			if v == "" || (a.variant && pviews[v]) {
				continue
			}
			pt := pattern{entity: int32(ei), part: a.part, titles: titleCount(a.text), common: commonMode(a, e.Kind)}
			if e.Kind == KindPerson && !a.exact && isNameParticle(a.text) {
				// "Al" of Al Smith: the "al" of "et al." and
				// "al-Rashidi" is not his.
				pt.particle = v == "al" || v == "el"
				if pt.common == commonNone {
					pt.common = commonMulti
				}
			}
			if a.part == PartInitial || (a.variant && e.Kind != KindPerson) {
				// Only capitalised: "A Hope" is a name, "a hope" is not;
				// "the Larder" is the organisation, "the larder" a room.
				pt.common = commonMulti
			}
			if a.exact {
				pt.exact = exactView(a.text)
			}
			pt.words = pw.replacement(e.Kind, a, e.FamilyFirst && !a.givenFirst)
			switch {
			case a.variant:
				pt.priority = 0
			case a.explicit:
				pt.priority = 3
			case a.part == PartFull:
				pt.priority = 2
			default:
				pt.priority = 1
			}
			owners := aliasOwner
			if a.variant {
				owners = variantOwner
			}
			if o, ok := owners[v]; ok && o != int32(ei) {
				if ambig[v] == nil {
					ambig[v] = map[int32]bool{o: true}
				}
				ambig[v][int32(ei)] = true
			} else {
				owners[v] = int32(ei)
			}
			r.hasCommon = r.hasCommon || pt.common != commonNone
			r.pats = append(r.pats, pt)
			views = append(views, v)
		}
	}
	// A pseudonym that is an alias would be replaced again.
	for ei, e := range entities {
		p := r.pseud[e.ID]
		for _, s := range []string{p.String(), p.Given, p.Family} {
			if o, ok := aliasOwner[MatchView(s)]; ok && s != "" {
				return nil, fmt.Errorf("%w: the pseudonym of %s is an alias of %s", ErrPseudonymConflict, entities[ei].ID, entities[o].ID)
			}
		}
	}
	var idx []int32
	for _, set := range ambig {
		// In entity order; a set holds a few of the entities.
		idx = slices.AppendSeq(idx[:0], maps.Keys(set))
		slices.Sort(idx)
		ids := make([]string, len(idx))
		for k, i := range idx {
			ids[k] = entities[i].ID
		}
		r.ambig = append(r.ambig, ids)
	}
	r.patCount = len(r.pats)
	r.buildReps()
	if len(views) == 0 {
		views = []string{}
	}
	r.m = buildMatcher(views, func(a, b int32) bool {
		pa, pb := r.pats[a], r.pats[b]
		if (pa.exact != "") != (pb.exact != "") {
			return pa.exact != ""
		}
		if pa.priority != pb.priority {
			return pa.priority > pb.priority
		}
		return pa.entity < pb.entity
	}, func(i int32) bool { return r.pats[i].exact != "" || r.pats[i].common != commonNone })
	return r, nil
}

// allAliases returns entityAliases of each entity (valid ones), a large
// dictionary's second half worked out on a goroutine of its own.
func allAliases(entities []Entity) [][]aliasSpec {
	out := make([][]aliasSpec, len(entities))
	half := len(entities)
	done := make(chan struct{})
	if len(entities) >= 512 {
		half = len(entities) / 2
		go func() {
			defer close(done)
			for i := half; i < len(entities); i++ {
				out[i] = entityAliases(entities[i])
			}
		}()
	} else {
		close(done)
	}
	for i := 0; i < half; i++ {
		out[i] = entityAliases(entities[i])
	}
	<-done
	return out
}

// Ambiguities lists groups of entity IDs that share an alias.
func (r *Redactor) Ambiguities() [][]string { return r.ambig }

// exactView is the case-sensitive view: NFC, punctuation variants unified,
// whitespace runs as one space.
func exactView(s string) string {
	var b strings.Builder
	space := false
	for _, c := range s {
		if unicode.IsSpace(c) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(canonRune(c))
	}
	return b.String()
}

// withArticle gives a place's or organisation's pseudonym the article the
// form it replaces has, as written: "the Larder" → "the Alder Trust",
// "Wexcombe Larder" (after a "the" of the text's own) → "Alder Trust".
func withArticle(full, alias []string) []string {
	aArt := len(alias) > 0 && strings.EqualFold(alias[0], "the")
	pArt := len(full) > 1 && strings.EqualFold(full[0], "the")
	switch {
	case aArt && !pArt:
		return append([]string{alias[0]}, full...)
	case aArt && pArt:
		return append([]string{alias[0]}, full[1:]...)
	case !aArt && pArt:
		return full[1:]
	}
	return full
}

// pseudWords are the words of one pseudonym, split once for all the
// patterns of its entity (which share them: a pattern's words are never
// changed).
type pseudWords struct {
	p                 Pseudonym
	full, ordered     []string // given name first; in the name's order
	given, familyOnly []string
}

func newPseudWords(p Pseudonym, familyFirst bool) *pseudWords {
	w := &pseudWords{p: p, full: strings.Fields(p.String()), given: strings.Fields(p.Given), familyOnly: strings.Fields(p.Family)}
	w.ordered = w.full
	if familyFirst && p.Name == "" && len(w.given) > 0 && len(w.familyOnly) > 0 {
		w.ordered = append(slices.Clip(w.familyOnly), w.given...)
	}
	return w
}

// replacement is the words that replace alias a (titles excluded);
// familyFirst: the full pseudonym is written family name first.
func (pw *pseudWords) replacement(k Kind, a aliasSpec, familyFirst bool) []string {
	p, full := pw.p, pw.full
	if familyFirst {
		full = pw.ordered
	}
	if a.initials && a.part == PartAlias {
		var b strings.Builder
		for _, w := range full {
			for _, piece := range strings.Split(w, "-") {
				if r, _ := utf8.DecodeRuneInString(piece); r != utf8.RuneError {
					b.WriteRune(unicode.ToUpper(r))
				}
			}
		}
		return []string{b.String()}
	}
	if k != KindPerson {
		return withArticle(full, coreWords(a.text))
	}
	if a.part == PartInitial && p.Family != "" {
		r, _ := utf8.DecodeRuneInString(p.String()) // the given name's initial
		init := string(unicode.ToUpper(r))
		if strings.Contains(a.text, ".") {
			init += "."
		}
		if a.initialLast {
			// "Okonkwo, N." → "Pemberton, A.": the initial after the
			// surname, and the comma between them, stay where they were.
			fam := p.Family
			if strings.Contains(a.text, ",") {
				fam += ","
			}
			return []string{fam, init}
		}
		return []string{init, p.Family}
	}
	switch {
	case a.part == PartGiven && p.Given != "":
		return pw.given
	case a.part == PartFamily && p.Family != "":
		w := pw.familyOnly
		if a.plural {
			w = slices.Clone(w)
			w[len(w)-1] = plural(w[len(w)-1])
		}
		return w
	case a.part == PartAlias && p.Given != "" && len(coreWords(a.text)) == 1:
		return pw.given
	}
	return full
}

// acceptFn decides the candidates that need a look at the text: exact
// aliases, and ordinary words (see commonword.go). before is the last rune
// that is not a space ahead of text (0 at the start of the input). With
// report set, an ordinary word is taken only where it is not replaced:
// capitalised at a sentence start.
func (r *Redactor) acceptFn(text []byte, before rune, report bool) func(out int32, s, e int) int32 {
	return func(out int32, s, e int) int32 {
		var ev string
		for _, pi := range r.m.outs[out] {
			p := &r.pats[pi]
			if p.exact != "" {
				if ev == "" {
					ev = exactView(string(text[s:e]))
				}
				if ev != p.exact {
					continue
				}
			}
			if p.particle && e < len(text) {
				if r, _ := utf8.DecodeRune(text[e:]); canonRune(r) == '-' {
					continue
				}
			}
			switch p.common {
			case commonSingle:
				if !capitalised(text[s:e], 0) || monthInContext(text, s, e) {
					continue
				}
				// A word in capitals amid capitals ("I WILL HOPE SO")
				// tells no more than one at a sentence start: left, and
				// reported. Amid lower case ("Then CAROL said") the
				// capitals mark the name.
				initial := (sentenceStart(text, s, before) || inCapitals(text, s, e, before)) && !labelAfter(text, e)
				if initial != report {
					continue
				}
			case commonMulti:
				if !capitalised(text[s:e], p.titles) {
					continue
				}
			}
			return pi
		}
		return -1
	}
}

// Find returns every match in text, leftmost-longest, as byte offsets into
// norm.NFC.String(text).
func (r *Redactor) Find(text string) []Match {
	b := []byte(norm.NFC.String(text))
	var out []Match
	r.m.scan(b, false, true, r.acceptFn(b, 0, false), func(s, e int, p int32) {
		pt := r.pats[p]
		out = append(out, Match{Start: s, End: e, EntityID: r.ids[pt.entity], Part: pt.part})
	})
	return out
}

// FindName is Find for a name standing on its own, such as a speaker
// label: it is not taken to start a sentence, so a registered part that is
// an ordinary word ("Will:") is matched when capitalised.
func (r *Redactor) FindName(text string) []Match {
	b := []byte(norm.NFC.String(text))
	var out []Match
	r.m.scan(b, false, true, r.acceptFn(b, midSentence, false), func(s, e int, p int32) {
		pt := r.pats[p]
		out = append(out, Match{Start: s, End: e, EntityID: r.ids[pt.entity], Part: pt.part})
	})
	return out
}

// Redact returns text (normalised to NFC) with every alias replaced by the
// matching part of its entity's pseudonym.
func (r *Redactor) Redact(text string) string {
	b := []byte(norm.NFC.String(text))
	out := make([]byte, 0, len(b)+len(b)/16)
	last := 0
	r.m.scan(b, false, true, r.acceptFn(b, 0, false), func(s, e int, p int32) {
		out = append(out, b[last:s]...)
		out = r.replace(out, b[s:e], p)
		last = e
	})
	out = append(out, b[last:]...)
	return string(out)
}

// buildReps fills reps and repText. Should some pattern not fit a repl
// (absurdly many words or titles, or more than 4 GiB of text), reps stays
// nil and replace reads the patterns instead.
func (r *Redactor) buildReps() {
	reps := make([]repl, len(r.pats))
	seen := make(map[string]uint32)
	var arena strings.Builder
	for i := range r.pats {
		p := &r.pats[i]
		joined := strings.Join(p.words, " ")
		off, ok := seen[joined]
		if !ok {
			if uint64(arena.Len())+uint64(len(joined)) > 1<<32-1 {
				return
			}
			off = uint32(arena.Len())
			seen[joined] = off
			arena.WriteString(joined)
		}
		if len(p.words) > 1<<16-1 || p.titles > 1<<16-1 || p.titles < 0 {
			return
		}
		reps[i] = repl{off: off, n: uint32(len(joined)), words: uint16(len(p.words)), titles: uint16(p.titles)}
	}
	r.reps, r.repText = reps, arena.String()
}

// replace appends the replacement of orig under pattern pi: leading titles
// as written, then the pseudonym words in orig's case style, separated by
// orig's own whitespace so line breaks stay where they were.
func (r *Redactor) replace(dst, orig []byte, pi int32) []byte {
	var titles, nw int
	var rest string
	if r.reps != nil {
		rp := r.reps[pi]
		titles, nw, rest = int(rp.titles), int(rp.words), r.repText[rp.off:rp.off+rp.n]
	} else {
		p := &r.pats[pi]
		titles, nw, rest = p.titles, len(p.words), strings.Join(p.words, " ")
	}
	var wa, ga [8][]byte
	words, gaps := splitWords(orig, wa[:0], ga[:0])
	for i := 0; i < titles && i < len(words); i++ {
		dst = append(dst, words[i]...)
		dst = append(dst, gaps[i]...)
	}
	if titles < len(words) {
		words, gaps = words[titles:], gaps[titles:]
	}
	style := caseStyle(words)
	for i := range nw {
		w := rest
		if i < nw-1 {
			k := strings.IndexByte(rest, ' ')
			w, rest = rest[:k], rest[k+1:]
		}
		if i > 0 {
			if i-1 < len(gaps) {
				dst = append(dst, gaps[i-1]...)
			} else {
				dst = append(dst, ' ')
			}
		}
		if i == 0 && len(words) > 0 && strings.EqualFold(w, string(words[0])) {
			dst = append(dst, words[0]...) // "the" of "the Wexcombe Larder" stays as written
			continue
		}
		switch style {
		case styleUpper:
			dst = append(dst, strings.ToUpper(w)...)
		case styleLower:
			dst = append(dst, strings.ToLower(w)...)
		default:
			dst = append(dst, w...)
		}
	}
	for i := nw - 1; i < len(gaps); i++ { // keep line count
		if i < 0 {
			continue
		}
		for _, c := range gaps[i] {
			if c == '\n' {
				dst = append(dst, '\n')
			}
		}
	}
	return dst
}

// splitWords splits b at whitespace runs; gaps[i] follows words[i].
func splitWords(b []byte, words, gaps [][]byte) ([][]byte, [][]byte) {
	i := 0
	for i < len(b) {
		j := i
		for j < len(b) {
			r, sz := utf8.DecodeRune(b[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += sz
		}
		words = append(words, b[i:j])
		k := j
		for k < len(b) {
			r, sz := utf8.DecodeRune(b[k:])
			if !unicode.IsSpace(r) {
				break
			}
			k += sz
		}
		if k > j {
			gaps = append(gaps, b[j:k])
		}
		i = k
	}
	return words, gaps
}

const (
	styleAsIs = iota
	styleUpper
	styleLower
)

func caseStyle(words [][]byte) int {
	upper, lower := 0, 0
	for _, w := range words {
		for _, r := range string(w) {
			switch {
			case unicode.IsUpper(r):
				upper++
			case unicode.IsLower(r) && unicode.ToUpper(r) != r:
				// A lower-case letter with no capital of its own (ß in
				// "STRAUß") does not make a word written in capitals mixed.
				lower++
			}
		}
	}
	switch {
	case upper >= 2 && lower == 0:
		return styleUpper
	case upper == 0 && lower > 0:
		return styleLower
	}
	return styleAsIs
}

// Pseudonym returns the pseudonym the entity with this ID is replaced by.
func (r *Redactor) Pseudonym(entityID string) (Pseudonym, bool) {
	p, ok := r.pseud[entityID]
	return p, ok
}

// IsAlias reports whether word, as a whole, is an alias the redactor would
// replace.
// (as a name, not at a sentence start).
func (r *Redactor) IsAlias(word string) bool { return r.isAlias(word, nil) }

// isAlias is IsAlias with a buffer for the word's bytes, reused from one
// call to the next.
func (r *Redactor) isAlias(word string, buf *[]byte) bool {
	w := strings.TrimSpace(norm.NFC.String(word))
	if w == "" {
		return false
	}
	var b []byte
	if buf != nil {
		b = append((*buf)[:0], w...)
		*buf = b
	} else {
		b = []byte(w)
	}
	n := 0
	whole := false
	r.m.scan(b, false, true, r.acceptFn(b, midSentence, false), func(s, e int, p int32) {
		n++
		whole = s == 0 && e == len(b)
	})
	return n == 1 && whole
}

// midSentence stands for the text before a name looked at on its own, so
// that it is not taken to start a sentence.
const midSentence = 'x'

// midSentenceCaps is midSentence after a word in capitals.
const midSentenceCaps = 'X'

// RedactName returns what the gate writes for name standing in running
// text (not at a sentence start), the IDs of the entities it matched, and
// whether every letter of name lay inside a match.
func (r *Redactor) RedactName(name string) (out string, ids []string, whole bool) {
	b := []byte(norm.NFC.String(strings.TrimSpace(name)))
	o := make([]byte, 0, len(b))
	last := 0
	whole = true
	r.m.scan(b, false, true, r.acceptFn(b, midSentence, false), func(s, e int, p int32) {
		whole = whole && !hasLetter(b[last:s])
		o = append(o, b[last:s]...)
		o = r.replace(o, b[s:e], p)
		last = e
		ids = append(ids, r.ids[r.pats[p].entity])
	})
	whole = whole && !hasLetter(b[last:]) && len(ids) > 0
	return string(append(o, b[last:]...)), ids, whole
}

func hasLetter(b []byte) bool {
	for _, r := range string(b) {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// IsPseudonym reports whether word is a word of some pseudonym in the
// dictionary (any case).
func (r *Redactor) IsPseudonym(word string) bool {
	var buf [64]byte
	return r.pwords[string(nameKey(buf[:0], word))]
}

func isASCII[T string | []byte](b T) bool {
	for len(b) >= 8 {
		// Written as a little-endian word so that the compiler makes it
		// one load.
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if x&high8 != 0 {
			return false
		}
		b = b[8:]
	}
	for i := 0; i < len(b); i++ {
		if b[i] >= 0x80 {
			return false
		}
	}
	return true
}
