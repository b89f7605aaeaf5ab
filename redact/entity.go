package redact

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Kind is the kind of an entity.
type Kind string

// The kinds of entity.
const (
	KindPerson  Kind = "person"
	KindPlace   Kind = "place"
	KindOrg     Kind = "org"
	KindMeeting Kind = "meeting"
	KindOther   Kind = "other"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindPerson, KindPlace, KindOrg, KindMeeting, KindOther:
		return true
	}
	return false
}

// Entity is one thing to pseudonymise. ID is the caller's stable id (a
// participant handle "P07" or entity handle "E03").
type Entity struct {
	ID   string
	Kind Kind
	// Name is the canonical full name, e.g. "Carol Jacklin-Jarvis".
	Name string
	// Aliases are extra aliases ("Caz", "Dr Jacklin-Jarvis", "CJJ"). An alias
	// prefixed with "=" is case-sensitive ("=Hope"); one prefixed with "!"
	// switches off the derived name part it equals ("!Carol").
	Aliases []string
	// Pseudonym is an explicit pseudonym chosen by the researcher ("" =
	// derive one). For a person the last word is the family name.
	Pseudonym string
	// NoParts, for persons, stops the given and family names being derived
	// from Name as aliases.
	NoParts bool
	// FamilyFirst, for persons, says Name is written family name first
	// (as Chinese, Korean, Vietnamese, Japanese and Hungarian names are:
	// "Wang Xiuying", "Nagy Zsófia"): the first word is the family name,
	// the rest the given name. The full pseudonym is written in the same
	// order, a chosen Pseudonym is read in it, and the name written given
	// name first ("Xiuying Wang") becomes the pseudonym given name first.
	// It does not change the pseudonym's key: an existing pseudonym stays.
	FamilyFirst bool
}

// Pseudonym is a replacement name: for persons Given and Family; other kinds
// use Name only.
type Pseudonym struct {
	Given  string `json:"given,omitempty"`
	Family string `json:"family,omitempty"`
	Name   string `json:"name,omitempty"`
}

// String returns the full form of the pseudonym.
func (p Pseudonym) String() string {
	if p.Name != "" {
		return p.Name
	}
	switch {
	case p.Given == "":
		return p.Family
	case p.Family == "":
		return p.Given
	}
	return p.Given + " " + p.Family
}

func (p Pseudonym) isZero() bool { return p.Given == "" && p.Family == "" && p.Name == "" }

// InOrder is the full form of the pseudonym in the order of the name it
// stands for: String, or for a name written family name first
// (Entity.FamilyFirst) the family name first.
func (p Pseudonym) InOrder(familyFirst bool) string {
	if !familyFirst || p.Name != "" || p.Given == "" || p.Family == "" {
		return p.String()
	}
	return p.Family + " " + p.Given
}

// parsePseudonymOrder reads an explicit pseudonym for an entity of kind k,
// written in the order of the name: for a person's name written family
// name first, the first word is the pseudonym's family name.
func parsePseudonymOrder(k Kind, s string, familyFirst bool) Pseudonym {
	words := strings.Fields(norm.NFC.String(s))
	if len(words) == 0 {
		return Pseudonym{}
	}
	if k != KindPerson {
		return Pseudonym{Name: strings.Join(words, " ")}
	}
	if len(words) == 1 {
		return Pseudonym{Given: words[0]}
	}
	if familyFirst {
		return Pseudonym{Given: strings.Join(words[1:], " "), Family: words[0]}
	}
	return Pseudonym{Given: strings.Join(words[:len(words)-1], " "), Family: words[len(words)-1]}
}

// ParsePersonPseudonym reads a person's chosen pseudonym as Compile does:
// the last word is the family name, or the first for a name written family
// name first.
func ParsePersonPseudonym(s string, familyFirst bool) Pseudonym {
	return parsePseudonymOrder(KindPerson, s, familyFirst)
}

// entityPseudonym is the explicit pseudonym of e, read in its name's order.
func entityPseudonym(e Entity) Pseudonym {
	return parsePseudonymOrder(e.Kind, e.Pseudonym, e.FamilyFirst && e.Kind == KindPerson)
}

// NormaliseName returns the form of a name that is keyed: NFC, Unicode case
// folded, typographic apostrophes and hyphens made ASCII, whitespace runs
// collapsed to one space, trimmed. Composed and decomposed accents, case and
// spacing variants of a name therefore give the same pseudonym.
func NormaliseName(name string) string {
	if isASCII(name) {
		return string(appendView(make([]byte, 0, len(name)), name)) // ASCII is its own NFC
	}
	return string(appendView(nil, norm.NFC.String(name)))
}

// nameKey appends NormaliseName(name) to dst, for a map lookup that need
// not allocate (m[string(nameKey(buf[:0], w))]).
func nameKey(dst []byte, name string) []byte {
	if isASCII(name) {
		return appendView(dst, name)
	}
	return appendView(dst, norm.NFC.String(name))
}

// appendView appends the matcher's view of s (which must be NFC): folded,
// punctuation variants unified, whitespace runs as one space, trimmed.
func appendView(dst []byte, s string) []byte {
	start := len(dst)
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = appendFold(dst, r)
	}
	return dst
}

// MatchView returns the form of a name the matcher compares: like
// NormaliseName, and also accent- and width-insensitive (Renée = Renee,
// Łukasz = Lukasz, full-width Ａｎｎａ = Anna). Pseudonyms are keyed by
// NormaliseName, which keeps accents, so existing pseudonyms never change.
func MatchView(name string) string {
	s := norm.NFC.String(name)
	dst := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		dst = appendMatchFold(dst, r)
	}
	return string(dst)
}

// matchTab holds the matcher's form of the non-ASCII runes below 0x800:
// case-folded, decomposed, marks dropped, and the letters that do not
// decompose (ł, ø, đ, æ, …) spelled in ASCII.
var matchTab [0x800]string

// unaccented spells letters without a canonical decomposition.
var unaccented = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ħ': "h", 'ı': "i", 'ŀ': "l",
	'æ': "ae", 'œ': "oe", 'þ': "th", 'ß': "ss", 'ŧ': "t", 'ƒ': "f", 'ɨ': "i",
}

func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if u, ok := unaccented[r]; ok {
			b.WriteString(u)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// appendMatchFold appends the matcher's form of r (see MatchView); a
// combining mark appends nothing.
func appendMatchFold(dst []byte, r rune) []byte {
	if r < 0x80 {
		return append(dst, lowerASCII[r])
	}
	r = canonRune(r)
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, matchTab[r]...)
	case r >= 0xff01 && r <= 0xff5e: // full-width ASCII
		return append(dst, lowerASCII[r-0xfee0])
	}
	return append(dst, stripMarks(cases.Fold().String(string(r)))...)
}

// foldTab holds the folded UTF-8 form of the non-ASCII runes below 0x800
// (Latin, Greek, Cyrillic, …), computed once with cases.Fold.
var foldTab [0x800]string

func init() {
	c := cases.Fold()
	for r := rune(0x80); r < 0x800; r++ {
		foldTab[r] = c.String(string(r))
		matchTab[r] = stripMarks(foldTab[r])
	}
}

// canonRune maps typographic variants onto the ASCII rune the matcher uses.
func canonRune(r rune) rune {
	switch r {
	case '\u2019', '\u2018', '\u02bc', '\u2032', '\uff07':
		return '\''
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u00ad':
		return '-'
	}
	return r
}

// appendFold appends the case-folded UTF-8 form of r.
func appendFold(dst []byte, r rune) []byte {
	if r < 0x80 {
		return append(dst, lowerASCII[r])
	}
	r = canonRune(r)
	if r < 0x80 {
		return append(dst, byte(r))
	}
	if r < 0x800 {
		return append(dst, foldTab[r]...)
	}
	return append(dst, cases.Fold().String(string(r))...)
}

var lowerASCII = func() (t [128]byte) {
	for i := range t {
		c := byte(i)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t[i] = c
	}
	return t
}()

// isWordRune reports whether r belongs to a word for boundary purposes.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return asciiClass[r] == clsWord
	}
	if r == '\u02bc' {
		return false // the apostrophe of "Okonkwoʼs" (a letter to Unicode)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

const (
	clsOther = iota
	clsWord
	clsSpace
)

var asciiClass = func() (t [128]uint8) {
	for i := range t {
		c := rune(i)
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[i] = clsWord
		case unicode.IsSpace(c):
			t[i] = clsSpace
		}
	}
	return t
}()

// titles are honorifics kept as written before a name.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true,
	"prof": true, "professor": true, "cllr": true, "councillor": true, "sir": true,
	"dame": true, "lord": true, "lady": true, "rev": true, "revd": true,
	"reverend": true, "fr": true, "father": true, "sister": true, "brother": true,
	"capt": true, "captain": true, "major": true, "col": true, "sgt": true,
	"insp": true, "inspector": true, "judge": true, "rabbi": true, "imam": true,
}

// isTitleBytes is isTitle of string(word), without the copy for a short
// ASCII word.
func isTitleBytes(word []byte) bool {
	var buf [32]byte
	if len(word) > len(buf) || !isASCII(word) {
		return isTitle(string(word))
	}
	k := buf[:0]
	for _, c := range word {
		if asciiClass[c] == clsSpace {
			return isTitle(string(word)) // not a word: the general rule
		}
		k = append(k, lowerASCII[c])
	}
	if n := len(k); n > 0 && k[n-1] == '.' {
		k = k[:n-1]
	}
	return titles[string(k)]
}

func isTitle(word string) bool {
	var buf [32]byte
	k := nameKey(buf[:0], word)
	if n := len(k); n > 0 && k[n-1] == '.' {
		k = k[:n-1]
	}
	return titles[string(k)]
}

// particles are lower-case words that belong to a family name.
var particles = map[string]bool{
	"van": true, "von": true, "der": true, "den": true, "de": true, "del": true,
	"della": true, "di": true, "da": true, "du": true, "la": true, "le": true,
	"st": true, "bin": true, "binti": true, "al": true, "el": true, "ap": true, "ter": true,
}

// capitalParticles are particles that belong to the family name even
// when written with a capital ("Ó Súilleabháin", "Ní Bhriain", "De Souza",
// "Van der Berg").
var capitalParticles = map[string]bool{
	"o": true, "ni": true, "nic": true, "ua": true, "mac": true, "van": true, "von": true,
	"de": true, "da": true, "di": true, "du": true, "del": true, "della": true, "der": true,
	"den": true, "le": true, "la": true, "ter": true, "ten": true, "dos": true, "das": true,
	"ibn": true, "bin": true, "binti": true, "bint": true, "al": true, "el": true, "ap": true,
	"st": true, "st.": true, "ste": true, "ste.": true, // "St John", "St. Clair"
}

// suffixes are the generational suffixes written after a name.
var suffixes = map[string]bool{"jr": true, "sr": true, "snr": true, "jnr": true, "ii": true, "iii": true, "iv": true}

// isParticle reports whether w, before a family name, belongs to it: a
// lower-case particle, or one of capitalParticles however written.
func isParticle(w string) bool {
	if particles[strings.ToLower(w)] && w == strings.ToLower(w) {
		return true
	}
	return capitalParticles[MatchView(w)]
}

// splitPersonOrder splits a person's name (NFC, fields) into leading
// titles, given name and family name; either name may be empty. Written
// family name first, the first word is the family name and the rest the
// given name ("Nguyễn" and "Thị Minh Khai").
func splitPersonOrder(words []string, familyFirst bool) (title []string, given, family string) {
	for len(words) > 1 && isTitle(words[0]) {
		title = append(title, words[0])
		words = words[1:]
	}
	switch len(words) {
	case 0:
		return title, "", ""
	case 1:
		return title, words[0], ""
	}
	if familyFirst {
		return title, strings.Join(words[1:], " "), words[0]
	}
	// A generational suffix ("Jr.", "III") is not the family name.
	for len(words) > 2 && suffixes[strings.TrimSuffix(strings.ToLower(words[len(words)-1]), ".")] {
		words = words[:len(words)-1]
	}
	i := len(words) - 1
	for i > 1 && isParticle(words[i-1]) {
		i--
	}
	return title, words[0], strings.Join(words[i:], " ")
}

// lastWord is the last word of s ("" for none).
func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}
