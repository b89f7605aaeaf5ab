package redact

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The residual name scan weighs evidence for each capitalised word and run
// of words: what the word is (a listed given or family name, an invented
// place, a proper noun of the English word list, an ordinary word, a word
// that is never a name), where it stands (sentence start found in running
// text, not at line starts), and what surrounds it (titles, "said", speaker
// labels, bracketed attributions, greetings and sign-offs, forum headers,
// organisation and place words, author citations).

// What a word is, from the lexicon.
const (
	lxGiven     = 1 << iota // given name (names/given-*.txt)
	lxFamily                // family name (names/family.txt)
	lxPlace                 // invented place (names.go)
	lxProper                // proper noun of the English word list
	lxWord                  // ordinary English word (lower case in the word list)
	lxCommon                // capitalised but not a name (common-capitalised.txt)
	lxNotName               // structural word, job title, interjection (not-names.txt)
	lxTitle                 // honorific before a name (Mr, Dr, Cllr, …)
	lxOrgHead               // word that ends an organisation's name (Council, Trust, …)
	lxPlaceHead             // word that ends a place's name (Lane, Ward, …)
	lxGeneric               // generic modifier (City, Community, …): not distinctive
	lxSaid                  // verb that follows a person (said, told, wrote, …)
	lxGreet                 // word before a person (Dear, Hi, Thanks, …)
	lxKin                   // relation before a person (sister, neighbour, …)
	lxParticle              // lower-case name particle (van, de, bin, …)
	lxSaint                 // St, Saint: starts the name of a church, school, …
	lxGroup                 // proper noun with a plural: a people, faith, party (Zulu, Frank)
)

var orgHeads = []string{
	"Council", "Trust", "Network", "Centre", "Center", "School", "Hospital", "University",
	"College", "Church", "Chapel", "Cathedral", "Mosque", "Temple", "Synagogue", "Gurdwara",
	"Surgery", "Practice", "Clinic", "Association", "Society", "Project", "Foundation",
	"Partnership", "Club", "Library", "Academy", "Institute", "Board", "Authority", "Agency",
	"Federation", "Union", "Alliance", "Collective", "Cooperative", "Co-op", "Charity",
	"Foodbank", "Shelter", "Hall", "House", "Primary", "Juniors", "Infants", "Nursery",
	"Motors", "Coaches", "Ltd", "Limited", "Plc", "Inc", "Rovers", "United", "Fund",
	"Group", "Forum", "Services", "Service", "Hotel", "Inn", "Arms", "Cafe", "Café",
	"Bank", "Press", "Company", "Consortium", "Ministries", "Mission", "Hub",
}

var placeHeads = []string{
	"Lane", "Ward", "Street", "Road", "Avenue", "Close", "Drive", "Way", "Crescent",
	"Gardens", "Terrace", "Court", "Square", "Park", "Estate", "Grove", "Row", "Hill",
	"Mews", "Walk", "Place", "Rise", "Village", "Parish", "Borough", "County", "Valley",
}

var genericWords = []string{
	"City", "County", "Parish", "Town", "District", "Borough", "Community", "Local",
	"National", "Regional", "Primary", "Secondary", "High", "Steering", "Focus", "Working",
	"Support", "Youth", "Health", "Housing", "Residents", "Tenants", "Carers", "Parents",
	"Women's", "Men's", "Citizens", "Advice", "Food", "General", "Royal", "New", "Old",
	"North", "South", "East", "West", "Central", "Upper", "Lower", "Great", "Little",
	"Main", "Church", "Station", "Market", "Mill", "Green", "Park", "Social", "Public",
	"Family", "Children's", "Mental", "Medical", "Legal", "Law", "Job", "Job Centre",
	"Allotment", "Night", "Day", "Research", "Student", "Students", "Trade", "The",
}

var saidWords = []string{
	"said", "says", "say", "told", "tells", "asked", "asks", "explained", "replied",
	"recalled", "wrote", "writes", "added", "argued", "mentioned", "reckons", "reported",
	"thanked", "raised", "presented", "outlined", "confirmed", "apologised", "apologized",
	"suggested", "noted", "laughed", "agreed", "described", "introduced", "welcomed",
	"thinks", "knocked", "drives", "complained", "insisted", "admitted", "joked",
	"remembered", "recalls", "remembers", "claimed", "claims", "shouted", "whispered",
}

// auxWords may stand between a name and its verb: "Frank would say".
var auxWords = map[string]bool{
	"would": true, "will": true, "did": true, "had": true, "has": true, "then": true,
	"just": true, "also": true, "always": true, "never": true, "once": true, "later": true,
	"often": true, "then,": true, "still": true, "actually": true,
}

var greetWords = []string{
	"Dear", "Hi", "Hello", "Hey", "Thanks", "Thank", "Cheers", "Morning", "Evening",
	"Bye", "Love", "Regards", "thanks", "hi", "hello", "hey", "cheers", "by", "from",
	"called", "named", "ask", "with", "and", "best", "kind", "many", "yours", "warm", "wishes",
}

var kinWords = []string{
	"sister", "brother", "cousin", "husband", "wife", "son", "daughter", "mum", "mother",
	"dad", "father", "friend", "neighbour", "neighbor", "aunt", "auntie", "uncle", "nephew",
	"niece", "partner", "colleague", "boss", "manager", "coordinator", "adviser", "advisor",
	"councillor", "officer", "vicar", "grandson", "granddaughter", "nan", "gran", "lad",
	"lady", "man", "woman", "girl", "boy", "mate", "chair", "teacher", "doctor", "nurse",
	"landlord", "landlady", "caseworker", "worker", "volunteer", "student", "pupil",
}

var particleWords = []string{
	"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la",
	"le", "bin", "binti", "bint", "ibn", "al", "el", "ter", "ten", "ap", "y", "zu", "of",
	"&",
}

// lexicon maps a folded word to its lx flags. It is built on first use.
var (
	lexiconOnce sync.Once
	lexicon     map[string]uint32
)

func loadLexicon() {
	m := make(map[string]uint32, 80000)
	add := func(words []string, f uint32) {
		for _, w := range words {
			k := string(appendView(nil, w))
			m[k] |= f
		}
	}
	add(givenAll, lxGiven)
	add(familyNames, lxFamily)
	add(placeNames, lxPlace)
	add(loadList("proper-nouns.txt"), lxProper)
	add(loadList("english-words.txt"), lxWord)
	add(loadList("common-capitalised.txt"), lxCommon)
	add(loadList("proper-groups.txt"), lxGroup)
	add(loadList("not-names.txt"), lxNotName)
	for t := range titles {
		m[t] |= lxTitle
	}
	for _, t := range []string{"pc", "dc", "sgt", "cllr"} {
		m[t] |= lxTitle
	}
	m["st"] |= lxSaint
	m["saint"] |= lxSaint
	add(orgHeads, lxOrgHead)
	add(placeHeads, lxPlaceHead)
	add(genericWords, lxGeneric)
	add(saidWords, lxSaid)
	add(greetWords, lxGreet)
	add(kinWords, lxKin)
	add(particleWords, lxParticle)
	lexicon = m
}

// lookupCache remembers recent lookups of short ASCII words: a text's
// capitalised words repeat (speaker labels, sentence openers, names).
type lookupCache [256]struct {
	key string
	lx  uint32
}

func (c *lookupCache) lookup(w string) uint32 {
	n := len(w)
	if n == 0 || n > 24 {
		return lookup(w)
	}
	h := (uint(n)*31 + uint(w[0])*7 + uint(w[n-1]) + uint(w[n/2])*3) & 255
	e := &c[h]
	if e.key == w && e.key != "" {
		return e.lx
	}
	lx := lookup(w)
	e.key, e.lx = w, lx
	return lx
}

// lookup returns the lexicon flags of word w (no allocation for short words).
func lookup(w string) uint32 {
	var buf [48]byte
	b := buf[:0]
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii && len(w) <= len(buf) {
		for i := 0; i < len(w); i++ {
			b = append(b, lowerASCII[w[i]])
		}
	} else {
		b = appendView(b, w)
	}
	return lexicon[string(b)]
}

// A word of a line as the name scan sees it.
type nword struct {
	s, e      int    // bytes of the word in the line (possessive stripped)
	lx        uint32 // lexicon flags
	upper     bool   // starts with an upper-case letter
	caps      bool   // all letters upper case (two or more)
	initial   bool   // a single capital letter followed by "."
	sentStart bool   // first word of a sentence
	lazy      bool   // lower case, not yet looked up (see context)
	score     float32
}

// context returns w's lexicon flags, looking a lower-case word up on first
// use: most words of a text never stand next to a capitalised one.
func (w *nword) context(line string) uint32 {
	if w.lazy {
		w.lx = lookup(line[w.s:w.e]) & (lxSaid | lxGreet | lxKin | lxParticle | lxTitle)
		w.lazy = false
	}
	return w.lx
}

// isParticleWord reports whether w is a lower-case name particle.
func isParticleWord(w string) bool {
	switch w {
	case "van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la",
		"le", "bin", "binti", "bint", "ibn", "al", "el", "ter", "ten", "ap", "y", "zu", "of":
		return true
	}
	return false
}

// Name scan state carried from one line to the next.
type nameState struct {
	prevEnds   bool // the previous line ended a sentence (or was blank, or short)
	prevSignal bool // the previous line was a greeting or sign-off phrase ("Cheers,")
	words      []nword
	count      int // words on the line (words keeps only those near capitals)
	cache      lookupCache
}

// nameMatters are the bytes the name scan cannot skip over: capitals,
// non-ASCII, and punctuation that ends a sentence, opens a quotation or
// joins names.
var nameMatters = func() (t [256]bool) {
	for i := range t {
		c := byte(i)
		t[i] = c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || strings.IndexByte(".!?:'\"&", c) >= 0
	}
	return t
}()

// isTerminalByte: punctuation after which a sentence ends.
func endsSentence(line string) bool {
	t := strings.TrimRight(line, " \t\"'”’)]*_")
	if t == "" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(t)
	return strings.ContainsRune(".!?:…", r)
}

// lineStartsSentence decides whether the first word of line starts a
// sentence, given the previous line: a wrapped line continues one.
func (st *nameState) lineStartsSentence(line string) bool {
	t := strings.TrimLeft(line, " \t")
	if st.prevEnds || len(t) < len(line) && len(line)-len(t) >= 2 {
		return true
	}
	if t == "" {
		return true
	}
	switch t[0] {
	case '-', '*', '#', '>', '[', '(':
		return true
	}
	if strings.HasPrefix(t, "•") {
		return true
	}
	if t[0] >= '0' && t[0] <= '9' {
		return true
	}
	return false
}

// tokenise splits line into words, marking sentence starts.
func (st *nameState) tokenise(line string) []nword {
	ws := st.words[:0]
	st.count = 0
	pendS, pendE := 0, 0 // the last lower-case word not kept, if pendE > 0
	var last nword       // the last word (s, e, lx, initial)
	tail := 0
	sent := st.lineStartsSentence(line)
	i := 0
	for i < len(line) {
		c := line[i]
		if c == ' ' {
			i++
			continue
		}
		if 'a' <= c && c <= 'z' {
			// Fast path: a lower-case ASCII word not joined to another
			// by an apostrophe, hyphen or non-ASCII letter.
			j := i + 1
			for j < len(line) && line[j] < utf8.RuneSelf && asciiClass[line[j]] == clsWord {
				j++
			}
			if j == len(line) || line[j] != '\'' && line[j] != '-' && line[j] < utf8.RuneSelf {
				st.count++
				last.s, last.e, last.lx, last.initial = i, j, 0, false
				sent = false
				if tail > 0 {
					w := nword{s: i, e: j, lazy: true}
					if j-i <= 5 && isParticleWord(line[i:j]) {
						w.lx, w.lazy = lxParticle, false
					}
					ws = append(ws, w)
					tail--
				} else {
					pendS, pendE = i, j
				}
				i = j
				if tail == 0 && len(line) >= 48 {
					// Skip to the next byte that can matter: a capital,
					// a non-ASCII letter, punctuation that ends a
					// sentence or opens a quotation, "&". The words
					// skipped are lower-case: none is kept.
					k := i
					for k < len(line) && !nameMatters[line[k]] {
						k++
					}
					if k > i {
						st.count += 2 // at least one more word; the count only tells 1-3 from more
						// Back up to the start of a word the landing
						// byte is inside of (iPhone, don't).
						for k > i && (isASCIIWordByte(line[k-1]) || line[k-1] == '\'' || line[k-1] == '-') {
							k--
						}
						if k > i {
							// The word before the landing byte, for
							// context and for an abbreviation's full stop.
							e := k
							for e > i && !isASCIIWordByte(line[e-1]) {
								e--
							}
							s := e
							for s > i && isASCIIWordByte(line[s-1]) {
								s--
							}
							if e > s && (s > i || !isASCIIWordByte(line[s])) {
								pendS, pendE = s, e
								last.s, last.e, last.lx, last.initial = s, e, 0, false
							}
						}
						i = k
					}
				}
				continue
			}
		}
		var r rune = rune(c)
		sz := 1
		if c >= utf8.RuneSelf {
			r, sz = utf8.DecodeRuneInString(line[i:])
		}
		if !isWordRune(r) {
			switch r {
			case '.', '!', '?', ':', '…':
				if r == '.' && last.e == i && last.e > 0 && abbrevBefore(line, &last) {
					// An abbreviation's or an initial's full stop ends no
					// sentence. (last may be a word the lower-case fast
					// path passed over, which ws does not hold.)
					i += sz
					continue
				}
				if r == ':' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9' {
					i += sz
					continue
				}
				sent = true
			case '\'', '‘', '"', '“':
				// An opening quotation mark starts a quoted sentence.
				if i == 0 || line[i-1] == ' ' || line[i-1] == '(' || line[i-1] == '\t' {
					sent = true
				}
			case '&':
				ws = append(ws, nword{s: i, e: i + 1, lx: lxParticle})
			}
			i += sz
			continue
		}
		j := i + sz
		for j < len(line) {
			c := line[j]
			if c < utf8.RuneSelf && asciiClass[c] == clsWord {
				j++
				continue
			}
			if c != '\'' && c != '-' && c < utf8.RuneSelf {
				break
			}
			r2, s2 := utf8.DecodeRuneInString(line[j:])
			if !isWordRune(r2) && !((r2 == '\'' || r2 == '’' || r2 == '-') && j+s2 < len(line) && isWordRune(firstRuneOf(line[j+s2:]))) {
				break
			}
			j += s2
		}
		w := nword{s: i, e: j, sentStart: sent}
		word := line[i:j]
		if c >= 'a' && c <= 'z' {
			w.upper = false
		} else {
			w.upper = unicode.IsUpper(r)
		}
		if w.upper {
			word = stripPossessive(word)
			w.e = i + len(word)
		}
		if !w.upper && j-i > 3 && (word[2] == '-' || word[3] == '-') && particlePrefixed(word) {
			w.upper = true // "al-Sayed", "el-Amin"
			word = word[strings.IndexByte(word, '-')+1:]
		}
		if w.upper {
			w.lx = st.cache.lookup(word)
			if w.lx&(lxWord|lxProper|lxGiven|lxFamily|lxPlace) == 0 {
				if isOrdinaryForm(word) {
					w.lx |= lxWord
				}
			}
			if stem, ok := strings.CutSuffix(word, "s"); ok && w.lx&(lxGiven|lxFamily|lxWord|lxNotName|lxCommon) == 0 && lookup(stem)&lxCommon != 0 {
				w.lx |= lxCommon // Mondays
			}
			n, up := 0, 0
			for k := 0; k < len(word); k++ {
				switch c := word[k]; {
				case 'A' <= c && c <= 'Z':
					n++
					up++
				case 'a' <= c && c <= 'z':
					n++
				case c >= utf8.RuneSelf:
					r, sz := utf8.DecodeRuneInString(word[k:])
					if unicode.IsLetter(r) {
						n++
						if unicode.IsUpper(r) {
							up++
						}
					}
					k += sz - 1
				}
			}
			w.caps = n >= 2 && up == n
			w.initial = n == 1 && j < len(line) && line[j] == '.'
		} else if j-i <= 5 && isParticleWord(word) {
			w.lx = lxParticle
		} else {
			w.lazy = true // looked up only if it stands next to a candidate
		}
		st.count++
		last.s, last.e, last.lx, last.initial = w.s, w.e, w.lx, w.initial
		sent = false
		i = j
		// Only capitalised words and the lower-case words next to them
		// are kept: the one before (a title, "my sister") and two after
		// ("said", "would say", a particle).
		if w.upper {
			if pendE > 0 {
				ws = append(ws, nword{s: pendS, e: pendE, lazy: true})
				pendE = 0
			}
			ws = append(ws, w)
			tail = 2
			continue
		}
		if tail > 0 || w.lx&lxParticle != 0 {
			ws = append(ws, w)
			tail--
			continue
		}
		pendS, pendE = w.s, w.e
	}
	st.words = ws
	return ws
}

// particlePrefixed reports whether w is a lower-case Arabic or similar
// particle joined by a hyphen to a capitalised name: al-Sayed, el-Amin.
func particlePrefixed(w string) bool {
	p, rest, ok := strings.Cut(w, "-")
	if !ok || rest == "" || !unicode.IsUpper(firstRuneOf(rest)) {
		return false
	}
	switch p {
	case "al", "el", "ul", "bin", "ibn", "abu", "ben", "ad", "as", "ash", "ar", "az", "ad-din":
		return true
	}
	return false
}

// isOrdinaryForm reports whether a word missing from the word list is a
// form of words that are in it: a contraction (She'd, We've, Don't), a
// hyphenated compound of ordinary words (Anti-social), or a plural or
// an ordinary word (not other inflections: Sayed is not say+ed).
func isOrdinaryForm(w string) bool {
	ordinary := func(s string) bool { return s != "" && lookup(s)&lxWord != 0 }
	if i := strings.IndexAny(w, "'’"); i > 0 {
		switch strings.ToLower(strings.TrimLeft(w[i:], "'’")) {
		case "d", "ve", "ll", "re", "m", "t", "s":
			return ordinary(w[:i]) || lookup(w[:i])&lxProper != 0 && len(w[:i]) <= 4
		}
		return false
	}
	if strings.Contains(w, "-") {
		for part := range strings.SplitSeq(w, "-") {
			if !ordinary(part) {
				return false
			}
		}
		return true
	}
	for _, suf := range []string{"s", "es"} {
		if stem, ok := strings.CutSuffix(w, suf); ok && len(stem) >= 3 && ordinary(stem) {
			return true
		}
	}
	return false
}

// abbrevBefore reports whether the word before a full stop is an initial or
// an abbreviation after which the sentence goes on (Mr. J. et al. St.).
func abbrevBefore(line string, w *nword) bool {
	if w.initial {
		return true
	}
	word := line[w.s:w.e]
	if w.lx&lxTitle != 0 {
		return true
	}
	switch word {
	case "al", "etc", "vs", "e.g", "i.e", "approx", "no", "No", "p", "pp", "ed", "eds", "vol", "cf":
		return true
	}
	return false
}

// baseScore is how likely word w is a name on its own evidence.
func baseScore(line string, w *nword) float32 {
	if !w.upper || w.lx&(lxCommon|lxNotName) != 0 && w.lx&(lxGiven|lxFamily|lxPlace) == 0 {
		return 0
	}
	word := line[w.s:w.e]
	if w.initial {
		return 0.3 // counts only inside a run: "J. R. Okafor"
	}
	if isPluralAcronym(word) {
		return 0
	}
	if w.caps {
		// Acronyms (NHS, NGOs, PTA) are not names; a name in capitals
		// (a SARAH: label, a surname in a heading) is one if the list
		// knows it.
		if utf8.RuneCountInString(word) < 3 || w.lx&(lxGiven|lxFamily|lxPlace) == 0 || w.lx&lxWord != 0 {
			return 0
		}
		return 0.7
	}
	if !hasLower(word) || hasDigit(word) {
		return 0
	}
	listed := w.lx&(lxGiven|lxFamily|lxPlace) != 0
	if w.lx&lxGroup != 0 && !listed {
		return 0.1 // a name only with a cue: "Frank would say"
	}
	ordinary := w.lx&lxWord != 0
	switch {
	case listed && !ordinary:
		return 0.9
	case w.lx&lxProper != 0 && !ordinary:
		if w.sentStart {
			return 0.7
		}
		return 0.85
	case listed || w.lx&lxProper != 0:
		// Both a name and an ordinary word (Will, Rose, Green).
		if w.sentStart {
			return 0.1
		}
		return 0.45
	case !ordinary:
		// Not a word of English: a name from elsewhere, or invented.
		if w.sentStart {
			return 0.6
		}
		return 0.75
	}
	if w.sentStart {
		return 0
	}
	return 0.2
}

// isPluralAcronym: capitals and a final s (NGOs, CEOs, GPs).
func isPluralAcronym(w string) bool {
	if len(w) < 3 || w[len(w)-1] != 's' {
		return false
	}
	for i := 0; i < len(w)-1; i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// scanNames finds names in the current line: capitalised words and runs
// weighed by evidence (see the comment at the top of this file).
func (sc *lineScanner) scanNames() {
	lexiconOnce.Do(loadLexicon)
	line := sc.line
	st := &sc.names
	ws := st.tokenise(line)
	trimmed := strings.TrimSpace(line)
	label := labelEnd(line, ws)
	signal := false
	for k := range ws {
		w := &ws[k]
		w.score = baseScore(line, w)
		if sc.known != nil && w.upper {
			word := line[w.s:w.e]
			if sc.known.isAlias(word, &sc.word) || sc.known.IsPseudonym(word) {
				w.upper, w.score, w.lx = false, 0, 0 // registered: not a finding
			}
		}
	}
	for a := 0; a < len(ws); {
		if !ws[a].upper || ws[a].lx&(lxTitle|lxGreet|lxNotName) != 0 && ws[a].lx&(lxGiven|lxFamily) == 0 && a+1 < len(ws) && ws[a+1].upper && sep(line, ws[a], ws[a+1]) {
			a++
			continue
		}
		b := a + 1
		for b < len(ws) {
			prev, next := ws[b-1], ws[b]
			if !sep(line, prev, next) {
				break
			}
			if next.upper {
				b++
				continue
			}
			// A particle joins two capitalised words: "Ana de la Cruz",
			// "University of Tamberford", "Harlow & Finch".
			k := b
			for k < len(ws) && !ws[k].upper && ws[k].lx&lxParticle != 0 && sep(line, ws[k-1], ws[k]) {
				k++
			}
			if k > b && k < len(ws) && ws[k].upper && sep(line, ws[k-1], ws[k]) && (line[ws[b].s:ws[b].e] != "of" || ws[b-1].lx&lxOrgHead != 0) {
				b = k + 1
				continue
			}
			break
		}
		if b-a == 1 && ws[a].caps && ws[a].e-ws[a].s <= 3 && sc.afterPlace(ws[a].s) {
			// Short capitals next to a place: "Brindleford, NY".
			sc.addName(FindPlace, Low, 0.6, ws[a].s, ws[a].e)
		} else {
			sc.judgeRun(ws, a, b, label, trimmed)
		}
		a = b
	}
	// Greetings and sign-offs alone on a line name the next line's person.
	if len(ws) > 0 && st.count <= 3 && ws[0].lx&lxGreet != 0 && !strings.ContainsAny(trimmed, ".?") {
		signal = true
	}
	st.prevSignal = signal
	st.prevEnds = endsSentence(line) || len(trimmed) < 45 && !strings.HasSuffix(trimmed, ",")
}

// afterPlace reports whether the line's last finding is a place (or an
// unsure name) that ends just before s, with a comma or a space between.
func (sc *lineScanner) afterPlace(s int) bool {
	if len(sc.found) == 0 {
		return false
	}
	f := sc.found[len(sc.found)-1]
	if f.Line != sc.lineNo || f.Kind != FindPlace && f.Kind != FindPossibleName {
		return false
	}
	end := len(sc.line[:s]) - len(strings.TrimRight(sc.line[:s], " ,"))
	gap := sc.line[s-end : s]
	return (gap == ", " || gap == " ") && strings.HasSuffix(sc.line[:s-end], f.Text)
}

// sep reports whether only a space (or an initial's full stop and a space)
// lies between words x and y.
func sep(line string, x, y nword) bool {
	gap := line[x.e:y.s]
	for _, p := range []string{"'s", "’s", "'", "’"} {
		if g, ok := strings.CutPrefix(gap, p); ok {
			gap = g
			break
		}
	}
	switch gap {
	case " ":
		return true
	case ". ", ".":
		return x.initial || x.lx&lxTitle != 0
	}
	return false
}

// labelEnd returns the index of the first word after a speaker label or
// forum header name at the start of the line ("Dervla:", "Sam Ng  0:09",
// "Yusuf Demir wrote:"), or 0 when there is none.
func labelEnd(line string, ws []nword) int {
	// A label may follow a timestamp: "[00:01:02] Priya Shah:".
	k := 0
	for k < len(ws) && !ws[k].upper && isTimestampByte(line[ws[k].s]) {
		k++
	}
	if k == len(ws) || !ws[k].upper || strings.Trim(line[:ws[k].s], " \t0123456789:.,[]()-") != "" {
		return 0
	}
	k0 := k
	for k < len(ws) && k-k0 < 5 && (ws[k].upper || ws[k].lx&lxParticle != 0) && (k == k0 || sep(line, ws[k-1], ws[k])) {
		k++
	}
	rest := strings.TrimLeft(line[ws[k-1].e:], "'’s")
	switch {
	case strings.HasPrefix(rest, ":"):
		return k
	case strings.HasPrefix(rest, " wrote:") || strings.HasPrefix(rest, " writes:") || strings.HasPrefix(rest, " said:"):
		return k
	case len(rest) > 2 && (rest[0] == ' ' || rest[0] == '\t') && isTimestamp(strings.TrimSpace(rest)):
		return k
	}
	return 0
}

func isTimestampByte(c byte) bool { return '0' <= c && c <= '9' }

// isTimestamp reports whether s is a time like "0:09" or "01:02:03".
func isTimestamp(s string) bool {
	if len(s) < 4 || len(s) > 12 {
		return false
	}
	colon := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ':':
			colon = true
		case c >= '0' && c <= '9', c == '.', c == '(' || c == ')' || c == '[' || c == ']':
		default:
			return false
		}
	}
	return colon
}

// judgeRun weighs words [a, b) of the line as one candidate name and adds a
// finding for it when the evidence is enough.
func (sc *lineScanner) judgeRun(ws []nword, a, b, label int, trimmed string) {
	line := sc.line
	if b-a == 1 && ws[a].score == 0 && (a == 0 || !ws[a-1].upper || ws[a-1].lx&lxTitle == 0) && !maybeCitation(line[ws[a].e:]) {
		// An ordinary, structural or sentence-initial word: only a title
		// before it or a citation after it could make it a name.
		return
	}
	// Words before the run that give context.
	var before, before2 *nword
	if a > 0 {
		before = &ws[a-1]
	}
	if a > 1 {
		before2 = &ws[a-2]
	}
	var after *nword
	if b < len(ws) {
		after = &ws[b]
	}
	gapBefore, gapAfter := "", line[ws[b-1].e:]
	if before != nil {
		gapBefore = line[before.e:ws[a].s]
	} else {
		gapBefore = line[:ws[a].s]
	}
	if after != nil {
		gapAfter = line[ws[b-1].e:after.s]
	}

	// Citations: "Name (2005)", "(Name, 2005)", "Name et al.", "Name and
	// Name (2005)".
	if e, ok := citationAfter(line, ws, b); ok {
		s := a
		for s < b-1 && ws[s].sentStart && ws[s].score < 0.3 {
			s++ // "Following Hartwell (2005)"
		}
		if ws[s].lx&(lxNotName|lxCommon) == 0 || ws[s].score > 0 {
			sc.addName(FindCitation, Low, 0.9, ws[s].s, e)
			return
		}
	}

	best, listed, gf := float32(0), false, 0
	head := uint32(0)
	distinctive := false
	for k := a; k < b; k++ {
		w := &ws[k]
		if w.score > best {
			best = w.score
		}
		if w.lx&(lxGiven|lxFamily) != 0 && w.lx&lxWord == 0 {
			listed = true
			gf++
		}
		if w.lx&(lxOrgHead|lxPlaceHead) != 0 && w.upper {
			if k == b-1 || k+1 < b && line[ws[k+1].s:ws[k+1].e] == "of" {
				head |= w.lx & (lxOrgHead | lxPlaceHead)
			}
		}
		if w.upper && !w.caps && w.lx&(lxGeneric|lxOrgHead|lxPlaceHead|lxTitle) == 0 && w.lx&lxNotName == 0 && !(w.sentStart && w.lx&lxWord != 0 && w.lx&lxProper == 0) {
			distinctive = true
		}
	}
	startsSaint := ws[a].lx&lxSaint != 0
	// Organisation and place names: a distinctive word and a head word.
	if b-a >= 2 && head != 0 && (distinctive || startsSaint) {
		kind := FindOrg
		if head&lxOrgHead == 0 {
			kind = FindPlace
		}
		s := a
		for s < b-1 && (ws[s].sentStart && ws[s].lx&lxWord != 0 && ws[s].lx&lxProper == 0 && ws[s].lx&lxGeneric == 0 || line[ws[s].s:ws[s].e] == "The") {
			s++ // a sentence-initial ordinary word ("Tried Ravelcote Road"), "The"
		}
		sc.addName(kind, Low, 0.8, ws[s].s, ws[b-1].e)
		return
	}
	if startsSaint && b-a >= 2 {
		sc.addName(FindOrg, Low, 0.8, ws[a].s, ws[b-1].e)
		return
	}

	// Person context.
	cue := 0 // 1 weak, 2 strong
	if b-a == 1 && ws[a].score == 0 && a >= label && (before == nil || !before.upper) {
		return // an ordinary or structural word with no title before it
	}
	if before != nil {
		before.context(line)
	}
	if after != nil {
		after.context(line)
	}
	titled := before != nil && before.lx&lxTitle != 0 && before.upper && (gapBefore == " " || gapBefore == ". ")
	if titled {
		cue = 2
	}
	if label > 0 && a < label {
		cue = 2
	}
	if after != nil && !after.upper && (gapAfter == " " || gapAfter == ", ") {
		verb := after
		if auxWords[line[after.s:after.e]] && b+1 < len(ws) && line[after.e:ws[b+1].s] == " " {
			verb = &ws[b+1]
		}
		if verb.context(line)&lxSaid != 0 {
			cue = max(cue, 2)
		}
	}
	if before != nil && !before.upper && before.lx&lxKin != 0 && (gapBefore == " " || gapBefore == ", ") {
		cue = max(cue, 2)
	}
	if before != nil && before.lx&lxGreet != 0 && strings.TrimRight(gapBefore, ",") == " " {
		cue = max(cue, 1)
		if before.upper || before2 != nil && line[before2.s:before2.e] == "Posted" || before2 != nil && line[before2.s:before2.e] == "Reply" {
			cue = 2
		}
	}
	if strings.HasSuffix(gapBefore, "(") && (strings.HasPrefix(gapAfter, ")") || strings.HasPrefix(gapAfter, ", ")) {
		cue = max(cue, 2) // "…' (Name)", "(Name, interview)"
	}
	if trimmed == strings.TrimRight(line[ws[a].s:ws[b-1].e], ".,") || strings.HasPrefix(trimmed, "- ") && strings.TrimSpace(trimmed[2:]) == line[ws[a].s:ws[b-1].e] {
		// A name alone on a line: a sign-off.
		cue = max(cue, 1)
		if sc.names.prevSignal {
			cue = 2
		}
	}
	score := best
	if b-a == 1 && best >= 0.4 && best < 0.5 && (after == nil || !after.upper) {
		// A name that is also a word, capitalised mid-sentence on its
		// own ("and then Will started"): probably a name.
		score = 0.55
	}
	plain := false
	if b-a >= 2 && distinctive && !ws[a].sentStart && head == 0 {
		plain = true
		for k := a; k < b; k++ {
			plain = plain && ws[k].upper && ws[k].lx&(lxGeneric|lxNotName|lxCommon|lxGroup) == 0 && !ws[k].caps
		}
		if plain {
			score = max(score, 0.55) // two capitalised words mid-sentence: "Zed Quill"
		}
	}
	switch {
	case titled:
		score = max(score, 0.95)
	case cue == 2 && best >= 0.1:
		score = max(score, 0.9)
	case cue == 1 && best >= 0.4:
		score = max(score, 0.8)
	}
	if b-a >= 2 && gf >= 2 {
		score = max(score, 0.9)
	}
	if score < 0.5 {
		return
	}
	// Trim weak words at the edges: a sentence-initial ordinary word
	// before a name ("Thanks Yusuf") or a heading word after it.
	weak := func(w nword) bool {
		named := w.lx&(lxGiven|lxFamily) != 0 || w.lx&lxProper != 0 && w.e-w.s > 2
		return w.score < 0.3 && !named && !w.initial
	}
	for a < b-1 && weak(ws[a]) && !plain && !(placePrefix[line[ws[a].s:ws[a].e]] && !ws[a].sentStart && ws[a+1].score >= 0.5) {
		a++
	}
	for b-1 > a && weak(ws[b-1]) && !plain {
		b--
	}
	kind := FindPossibleName
	switch {
	case listed || cue == 2:
		kind = FindPerson
	case head&lxPlaceHead != 0 || ws[a].lx&lxPlace != 0:
		kind = FindPlace
	case before != nil && !before.upper && isPlacePrep(line[before.s:before.e]) && score >= 0.7:
		kind = FindPlace
	case score >= 0.85 && cue > 0, b-a >= 2 && best >= 0.75 && (ws[b-1].score >= 0.6 || hasParticle(line, ws[a:b])):
		kind = FindPerson // "Sunita Rahman": two name-like words
	}
	conf := Low
	if kind == FindPerson && score >= 0.9 && (cue == 2 || gf >= 2) {
		conf = High
	}
	sc.addName(kind, conf, score, ws[a].s, ws[b-1].e)
}

// placePrefix words begin place names: New York, North Shields, Port Talbot.
var placePrefix = map[string]bool{
	"New": true, "North": true, "South": true, "East": true, "West": true, "Upper": true,
	"Lower": true, "Great": true, "Little": true, "Old": true, "Port": true, "Fort": true,
	"Mount": true, "Lake": true, "San": true, "Santa": true, "Los": true, "Las": true,
	"Saint": true, "St": true, "Long": true, "High": true, "Market": true, "King's": true,
}

// hasParticle reports whether a run holds a name particle (van, de, bin).
func hasParticle(line string, ws []nword) bool {
	for _, w := range ws {
		if t := line[w.s:w.e]; !w.upper && w.lx&lxParticle != 0 && t != "of" && t != "&" {
			return true
		}
	}
	return false
}

func isPlacePrep(w string) bool {
	switch w {
	case "in", "at", "from", "to", "near", "around", "outside", "towards", "into":
		return true
	}
	return false
}

// maybeCitation reports whether rest, the text after a word, could go on
// as an author citation (a cheap test before citationAfter).
func maybeCitation(rest string) bool {
	if len(rest) < 2 {
		return false
	}
	switch rest[0] {
	case ' ':
		return rest[1] == '(' || rest[1] == '&' || rest[1] >= '0' && rest[1] <= '9' ||
			strings.HasPrefix(rest, " et al") || strings.HasPrefix(rest, " and ")
	case ',', '\'', 0xe2:
		return true
	}
	return false
}

// citationAfter reports whether the words from index b on make the run
// before them an author citation, and where the citation's names end.
func citationAfter(line string, ws []nword, b int) (int, bool) {
	end := ws[b-1].e
	rest := line[end:]
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "'s"), "’s")
	if strings.HasPrefix(rest, " et al") {
		n := len(" et al")
		if strings.HasPrefix(rest[n:], ".") {
			n++
		}
		return len(line) - len(rest) + n, true
	}
	r := strings.TrimLeft(rest, " ")
	if strings.HasPrefix(r, "(") && isYearAt(r[1:]) {
		return end, true
	}
	// Inside brackets: "(Name, 2005)", "(Name 2005; …)", "; Name, 2008)",
	// or a year and a closing bracket when the bracket opened on an earlier
	// line.
	yr := ""
	if strings.HasPrefix(r, ", ") && isYearAt(r[2:]) {
		yr = r[2:]
	} else if isYearAt(r) {
		yr = r
	}
	if yr != "" {
		after := strings.TrimLeft(yr[4:], "abc")
		if openBracketBefore(line, end) || strings.HasPrefix(after, ")") || strings.HasPrefix(after, ";") || strings.HasPrefix(after, ",") && strings.Contains(after, ")") {
			return end, true
		}
	}
	// "Name and Name (2005)", "Name & Name, 2005", "Name, Name and Name".
	if b < len(ws) {
		k := b
		if t := line[ws[k].s:ws[k].e]; (t == "and" || t == "&") && (strings.HasPrefix(rest, " and ") || strings.HasPrefix(rest, " & ") || strings.HasPrefix(rest, ", and ")) {
			k++
		} else if !strings.HasPrefix(rest, ", ") {
			return 0, false
		}
		if k < len(ws) && ws[k].upper {
			j := k + 1
			for j < len(ws) && ws[j].upper && sep(line, ws[j-1], ws[j]) {
				j++
			}
			if e, ok := citationAfter(line, ws, j); ok {
				return e, true
			}
		}
	}
	return 0, false
}

// isYearAt reports whether s starts with a year of publication (1800-2099)
// or "n.d." not followed by another digit.
func isYearAt(s string) bool {
	if strings.HasPrefix(s, "n.d.") || strings.HasPrefix(s, "forthcoming") {
		return true
	}
	if len(s) < 4 || !(s[0] == '1' && s[1] >= '8' || s[0] == '2' && s[1] == '0') {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) == 4 || s[4] < '0' || s[4] > '9'
}

// openBracketBefore reports whether a "(" opens before position e on the
// line and is not closed before it.
func openBracketBefore(line string, e int) bool {
	i := strings.LastIndexByte(line[:e], '(')
	return i >= 0 && strings.IndexByte(line[i:e], ')') < 0
}

func (sc *lineScanner) addName(kind string, c Confidence, score float32, s, e int) {
	if sc.overlaps(s, e) {
		return
	}
	if sc.known != nil {
		t := sc.line[s:e]
		if sc.known.IsAlias(t) || sc.known.IsPseudonym(stripPossessive(t)) {
			return
		}
	}
	sc.taken = append(sc.taken, span{s, e})
	sc.found = append(sc.found, Finding{Kind: kind, Line: sc.lineNo, Col: utf8.RuneCountInString(sc.line[:s]) + 1, Confidence: c, Score: score, Text: sc.line[s:e]})
}
