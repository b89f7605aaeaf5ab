package redact

import (
	"embed"
	"sort"
	"strings"
	"sync"
)

//go:embed names/*.txt names/en-GB/*.txt
var namesFS embed.FS

// Locales pick the lists person pseudonyms are drawn from. A registry
// records its locale, so a vault keeps drawing from the lists it started
// with and no pseudonym already given changes.
const (
	// LocaleEN is the lists of vaults made before locales existed (and of a
	// registry that records none): faker's en names.
	LocaleEN = "en"
	// LocaleGB draws from the names of those lists that British English
	// dictionaries know as proper names (see names/README.md).
	LocaleGB = "en-GB"
	// DefaultLocale is the locale of a new study.
	DefaultLocale = LocaleGB
)

// Locales lists the known locales.
func Locales() []string { return []string{LocaleEN, LocaleGB} }

// ValidLocale reports whether l is a known locale.
func ValidLocale(l string) bool { return l == LocaleEN || l == LocaleGB }

var personIndexes = map[string]func() *personNames{
	LocaleEN: sync.OnceValue(func() *personNames {
		return newPersonNames([3][]string{givenAll, givenFemale, givenMale}, familyNames)
	}),
	LocaleGB: sync.OnceValue(func() *personNames {
		f, m, n := loadList("en-GB/given-female.txt"), loadList("en-GB/given-male.txt"), loadList("en-GB/given-neutral.txt")
		return newPersonNames([3][]string{sortedUnion(f, m, n), f, m}, loadList("en-GB/family.txt"))
	}),
}

// personIndex returns the candidate lists of a locale ("" is LocaleEN).
func personIndex(locale string) *personNames {
	if f, ok := personIndexes[locale]; ok {
		return f()
	}
	return personIndexes[LocaleEN]()
}

func loadList(file string) []string {
	b, err := namesFS.ReadFile("names/" + file)
	if err != nil {
		panic("redact: embedded name list missing: " + file)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var (
	givenFemale  = loadList("given-female.txt")
	givenMale    = loadList("given-male.txt")
	givenNeutral = loadList("given-neutral.txt")
	givenAll     = sortedUnion(givenFemale, givenMale, givenNeutral)
	familyNames  = loadList("family.txt")
	genderOf     = func() map[string]*[]string {
		m := make(map[string]*[]string)
		for _, n := range givenFemale {
			m[NormaliseName(n)] = &givenFemale
		}
		for _, n := range givenMale {
			m[NormaliseName(n)] = &givenMale
		}
		return m
	}()
	placeNames = generatePlaces()
)

func sortedUnion(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.Strings(out)
	return out
}

// placeStems are invented word starts; with placeEndings they make place
// names that read as English without naming a real town on purpose.
var placeStems = []string{
	"Ashen", "Brindle", "Corvel", "Dunmere", "Elder", "Fallow", "Garrow", "Hollin",
	"Ivel", "Kestle", "Larrow", "Mardle", "Nettle", "Orrin", "Pellow", "Quarren",
	"Rendle", "Sallow", "Tamber", "Ulver", "Wexel", "Yarrow", "Brackel", "Cindle",
	"Drossel", "Emble", "Fernel", "Gosling", "Harrow", "Lindel", "Morrow", "Nidder",
	"Oxlen", "Pennel", "Ravel", "Stannel", "Thistle", "Umber", "Varrow", "Wickel",
	"Ambel", "Bexel", "Crendle", "Delver", "Eskel", "Farrel",
}

var placeEndings = []string{
	"bury", "combe", "wick", "stow", "mere", "ley", "thorpe", "by", "ford",
	"holt", "hurst", "ton", "worth", "field", "den", "cote", "stead", "well",
	"bridge", "ham", "moor", "dale", "brook", "minster", "haven", "gate",
}

func generatePlaces() []string {
	out := make([]string, 0, len(placeStems)*len(placeEndings))
	for _, s := range placeStems {
		for _, e := range placeEndings {
			out = append(out, s+e)
		}
	}
	sort.Strings(out)
	return out
}

// neutralWords name organisations, meetings and other entities.
var neutralWords = []string{
	"Alder", "Aspen", "Beech", "Birch", "Blackthorn", "Bramble", "Cedar", "Chestnut",
	"Clover", "Cypress", "Elm", "Fern", "Fir", "Foxglove", "Gorse", "Hawthorn",
	"Heather", "Hornbeam", "Juniper", "Larch", "Laurel", "Linden", "Maple", "Medlar",
	"Myrtle", "Oak", "Osier", "Poplar", "Quince", "Rowan", "Rush", "Sedge",
	"Sorrel", "Spruce", "Sycamore", "Tamarisk", "Teasel", "Thyme", "Walnut", "Willow",
	"Yew", "Avocet", "Bittern", "Bunting", "Buzzard", "Chaffinch", "Curlew", "Dipper",
	"Dunlin", "Egret", "Fieldfare", "Goldcrest", "Goshawk", "Grebe", "Harrier", "Heron",
	"Jackdaw", "Kestrel", "Kingfisher", "Kite", "Lapwing", "Linnet", "Magpie", "Merlin",
	"Nightjar", "Nuthatch", "Osprey", "Plover", "Redstart", "Redwing", "Sanderling", "Shrike",
	"Siskin", "Skylark", "Snipe", "Sparrowhawk", "Starling", "Stonechat", "Swallow", "Swift",
	"Teal", "Thrush", "Treecreeper", "Turnstone", "Wagtail", "Warbler", "Waxwing", "Wheatear",
	"Whimbrel", "Wigeon", "Woodcock", "Wren", "Yellowhammer", "Agate", "Amber", "Basalt",
	"Beryl", "Chalk", "Cobalt", "Flint", "Garnet", "Granite", "Jasper", "Jet",
	"Marble", "Onyx", "Opal", "Quartz", "Slate", "Topaz",
}

var orgForms = []string{
	"Trust", "Partnership", "Group", "Network", "Association", "Collective",
	"Foundation", "Alliance", "Forum", "Society", "Project", "Consortium",
}

// neutralName returns candidate i of the neutral list for kind k.
func neutralCandidates(k Kind) int {
	if k == KindOrg {
		return len(neutralWords) * len(orgForms)
	}
	return len(neutralWords)
}

func neutralName(k Kind, i int) string {
	switch k {
	case KindOrg:
		return neutralWords[i%len(neutralWords)] + " " + orgForms[i/len(neutralWords)]
	case KindMeeting:
		return "Meeting " + neutralWords[i]
	case KindPlace:
		return placeNames[i]
	}
	return "Item " + neutralWords[i]
}
