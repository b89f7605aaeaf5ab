package vault

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fieldvault/fieldvault/policy"
)

// Flags belong to the text, not to one version. When a corrected version of
// a document is ingested, every flag of the previous version (recorded or
// set by inline markup) is mapped onto the new version's lines by a line
// diff, so that nothing withheld before becomes quotable after:
//
//   - lines whose normalised text is unchanged are paired by a longest
//     common subsequence (exact anchors);
//   - between two anchors (a "gap": lines removed and lines added), lines
//     are paired when similar enough (an edited line keeps its flag);
//   - a flagged line that pairs with nothing (reworded, split, merged,
//     removed) takes its flag to the whole new side of its gap, the text
//     that replaced it; if nothing replaced it, to the nearest surviving
//     lines on either side, and the flag is reported as not placed;
//   - new lines that pair with nothing, in a gap holding a flagged line,
//     take that flag too (a split line keeps its flag on both halves);
//   - a flag covering several lines becomes one range from the first to the
//     last new line it reached (lines inserted inside a flagged passage are
//     flagged with it).
//
// The result errs on withholding more, never less.
//
// No version is held whole. The diff runs on a keyed 64-bit hash of each
// line's normalised text (lineHash; the key is drawn per process, so no
// input can be made to collide), taken as the lines stream past at ingest.
// The texts are read again, both versions in step, only where lines may
// pair by similarity (a gap small enough, one gap's lines held at a
// time), and the previous version once more for a flag whose neighbour
// gained words, to look for them among the flagged lines. Memory is a few
// bytes a line of each version, whatever their size.

// Carry records how one flag of the previous version reached a new one.
type Carry struct {
	Kind     policy.FlagKind `json:"kind"`
	Inline   bool            `json:"inline,omitempty"` // set by the previous version's markup
	FromVer  int             `json:"from_version"`
	From     int             `json:"from"` // range in the previous version
	To       int             `json:"to"`
	NewFrom  int             `json:"new_from"` // range in this version
	NewTo    int             `json:"new_to"`
	How      string          `json:"how"`
	Retained bool            `json:"retained,omitempty"` // the new text's own markup already sets it
}

// How a flag was carried.
const (
	CarrySame     = "same"     // every flagged line is unchanged
	CarryEdited   = "edited"   // some flagged lines were edited and followed
	CarryReplaced = "replaced" // some flagged lines were rewritten; the text that replaced them is flagged
	CarryNearest  = "nearest"  // the flagged lines are gone; the nearest surviving lines are flagged
)

// Placed reports whether the flag was placed on the text it covered (as
// opposed to the nearest lines, or the text that replaced it).
func (c Carry) Placed() bool { return c.How == CarrySame || c.How == CarryEdited }

func (c Carry) String() string {
	src := "flag"
	if c.Inline {
		src = "markup"
	}
	what := fmt.Sprintf("%s %s v%d:%s → v%d:%s", src, c.Kind, c.FromVer, lineRange(c.From, c.To), c.FromVer+1, lineRange(c.NewFrom, c.NewTo))
	switch {
	case c.Retained:
		return "kept " + what + " (the new text's own markup sets it)"
	case c.How == CarrySame:
		return "carried " + what
	case c.How == CarryEdited:
		return "carried " + what + " (edited lines followed)"
	case c.How == CarryReplaced:
		return "could not place " + what + " exactly: the flagged text was rewritten; the lines that replaced it are flagged"
	}
	return "could not place " + what + ": the flagged lines were removed; the nearest surviving lines are flagged"
}

func lineRange(a, b int) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d-%d", a, b)
}

// A lineSource streams the texts of a version's lines, in order, to fn; an
// error from fn stops it and comes back as is.
type lineSource func(fn func(text string) error) error

// lineSeed keys the hashes lines and words are compared by.
var lineSeed = maphash.MakeSeed()

// lineHash is what a line is compared by: a keyed hash of its normalised
// text, the bytes of normLine(s) hashed as they are made.
func lineHash(s string) uint64 {
	var h maphash.Hash
	h.SetSeed(lineSeed)
	gap, words := false, false
	for _, r := range s { // an invalid byte is U+FFFD, as strings.ToLower makes it
		if unicode.IsSpace(r) {
			gap = words
			continue
		}
		if gap {
			h.WriteByte(' ')
			gap = false
		}
		words = true
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			h.WriteByte(byte(r))
			continue
		}
		var buf [utf8.UTFMax]byte
		h.Write(buf[:utf8.EncodeRune(buf[:], unicode.ToLower(r))])
	}
	return h.Sum64()
}

func wordHash(w string) uint64 { return maphash.String(lineSeed, w) }

// lineHashes reads a version's lines (about n of them) and returns their
// hashes.
func lineHashes(src lineSource, n int) ([]uint64, error) {
	out := make([]uint64, 0, n)
	err := src(func(s string) error {
		out = append(out, lineHash(s))
		return nil
	})
	return out, err
}

// lineMap pairs the lines of two versions (0-based indexes).
type lineMap struct {
	oldTo []int32 // old index → new index, or -1
	fuzzy []bool  // the old line is paired by similarity
	newTo []int32 // new index → old index, or -1
	// gaps are the runs of lines between exact anchors, in order; every
	// line not paired exactly lies in one.
	gaps []gap
	// gained holds, for a new line paired by similarity where a flag
	// needs it, the hashes of the words it has that its old line has not.
	gained map[int32][]uint64
}

// A gap is the lines between two exact anchors: old [oldLo, oldHi) and new
// [newLo, newHi).
type gap struct{ oldLo, oldHi, newLo, newHi int32 }

// oldGapID is the index in m.gaps of the gap old line i lies in, -1 for a
// line paired exactly.
func (m *lineMap) oldGapID(i int) int32 {
	k := sort.Search(len(m.gaps), func(k int) bool { return int(m.gaps[k].oldHi) > i })
	if k == len(m.gaps) || int(m.gaps[k].oldLo) > i {
		return -1
	}
	return int32(k)
}

// oldGap is the new-side span of the gap around old line i ([0, 0] for a
// line paired exactly).
func (m *lineMap) oldGap(i int) [2]int {
	id := m.oldGapID(i)
	if id < 0 {
		return [2]int{}
	}
	return [2]int{int(m.gaps[id].newLo), int(m.gaps[id].newHi)}
}

// Thresholds bounding the work of the diff on pathological input.
const (
	maxLCSCells   = 4 << 20 // exact LCS table in one region
	maxFuzzyCells = 1 << 18 // similarity pairs in one gap
	minSimilarity = 0.5
	// maxFuzzyBytes bounds the text of one gap held to pair its lines by
	// similarity (a gap holding more is left unpaired, as one of more
	// than maxFuzzyCells pairs is).
	maxFuzzyBytes = 16 << 20
	// maxGainedWords bounds the words remembered for flags next to lines
	// paired by similarity; past it, such a line is flagged without
	// looking (more withheld, never less).
	maxGainedWords = 1 << 22
)

// mapLines diffs two versions by their lines' hashes: exact anchors and
// the gaps between them. Pairing by similarity is follow's.
func mapLines(a, b []uint64) *lineMap {
	m := &lineMap{oldTo: fill(len(a)), fuzzy: make([]bool, len(a)), newTo: fill(len(b))}
	exactDiff(a, b, 0, len(a), 0, len(b), m.anchor)
	// Gaps between anchors (the old lines paired, in order).
	pi, pj := 0, 0
	for i := 0; i <= len(a); i++ {
		ei, ej := len(a), len(b)
		if i < len(a) {
			if m.oldTo[i] < 0 {
				continue
			}
			ei, ej = i, int(m.oldTo[i])
		}
		if ei > pi || ej > pj {
			m.gaps = append(m.gaps, gap{int32(pi), int32(ei), int32(pj), int32(ej)})
		}
		pi, pj = ei+1, ej+1
	}
	return m
}

// anchor pairs old line i and new line j exactly.
func (m *lineMap) anchor(i, j int) { m.oldTo[i], m.newTo[j] = int32(j), int32(i) }

func fill(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = -1
	}
	return s
}

// normLine is the form lines are compared in: case-folded, runs of
// whitespace as one space, trimmed.
func normLine(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// exactDiff pairs (calls pair with) the lines of an LCS of a[alo:ahi] and
// b[blo:bhi]:
// common prefix and suffix first, then a dynamic-programming LCS when the
// region is small, otherwise anchors on lines unique to both sides (their
// longest increasing run) and recursion into what lies between.
func exactDiff(a, b []uint64, alo, ahi, blo, bhi int, pair func(i, j int)) {
	for alo < ahi && blo < bhi && a[alo] == b[blo] {
		pair(alo, blo)
		alo, blo = alo+1, blo+1
	}
	for alo < ahi && blo < bhi && a[ahi-1] == b[bhi-1] {
		ahi, bhi = ahi-1, bhi-1
		pair(ahi, bhi)
	}
	n, m := ahi-alo, bhi-blo
	if n == 0 || m == 0 {
		return
	}
	if n*m <= maxLCSCells {
		lcs(a, b, alo, ahi, blo, bhi, pair)
		return
	}
	anchors := longestIncreasing(uniquePairs(a, b, alo, ahi, blo, bhi))
	if len(anchors) == 0 {
		return // no exact anchor: the whole region is one gap
	}
	pa, pb := alo, blo
	for _, p := range anchors {
		exactDiff(a, b, pa, int(p[0]), pb, int(p[1]), pair)
		pair(int(p[0]), int(p[1]))
		pa, pb = int(p[0])+1, int(p[1])+1
	}
	exactDiff(a, b, pa, ahi, pb, bhi, pair)
}

// uniquePairs returns the patience anchors of a region: the lines
// occurring once on each side, paired, in the order of a. It sorts the
// region's line indexes by hash (4 bytes a line) rather than counting in a
// map.
func uniquePairs(a, b []uint64, alo, ahi, blo, bhi int) [][2]int32 {
	byHash := func(h []uint64, lo, hi int) []int32 {
		ix := make([]int32, hi-lo)
		for k := range ix {
			ix[k] = int32(lo + k)
		}
		slices.SortFunc(ix, func(x, y int32) int { return cmp.Or(cmp.Compare(h[x], h[y]), cmp.Compare(x, y)) })
		return ix
	}
	ia, ib := byHash(a, alo, ahi), byHash(b, blo, bhi)
	var uniq [][2]int32
	for p, q := 0, 0; p < len(ia) && q < len(ib); {
		ha, hb := a[ia[p]], b[ib[q]]
		switch {
		case ha < hb:
			p++
		case ha > hb:
			q++
		default:
			np, nq := p+1, q+1
			for np < len(ia) && a[ia[np]] == ha {
				np++
			}
			for nq < len(ib) && b[ib[nq]] == hb {
				nq++
			}
			if np-p == 1 && nq-q == 1 {
				uniq = append(uniq, [2]int32{ia[p], ib[q]})
			}
			p, q = np, nq
		}
	}
	slices.SortFunc(uniq, func(x, y [2]int32) int { return cmp.Compare(x[0], y[0]) })
	return uniq
}

// lcs pairs the lines of a longest common subsequence by dynamic
// programming.
func lcs(a, b []uint64, alo, ahi, blo, bhi int, pair func(i, j int)) {
	n, m := ahi-alo, bhi-blo
	t := make([]int32, (n+1)*(m+1))
	at := func(i, j int) *int32 { return &t[i*(m+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[alo+i] == b[blo+j] {
				*at(i, j) = *at(i+1, j+1) + 1
			} else {
				*at(i, j) = max(*at(i+1, j), *at(i, j+1))
			}
		}
	}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[alo+i] == b[blo+j]:
			pair(alo+i, blo+j)
			i, j = i+1, j+1
		case *at(i+1, j) >= *at(i, j+1):
			i++
		default:
			j++
		}
	}
}

// longestIncreasing returns the longest run of pairs (sorted by first)
// whose second elements increase.
func longestIncreasing(p [][2]int32) [][2]int32 {
	if len(p) == 0 {
		return nil
	}
	tails := []int32{} // index into p of the smallest tail of each length
	prev := make([]int32, len(p))
	for i := range p {
		k := sort.Search(len(tails), func(k int) bool { return p[tails[k]][1] >= p[i][1] })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, int32(i))
		} else {
			tails[k] = int32(i)
		}
	}
	out := make([][2]int32, len(tails))
	for i, k := tails[len(tails)-1], len(tails)-1; k >= 0; i, k = prev[i], k-1 {
		out[k] = p[i]
	}
	return out
}

// similar reports whether a gap's lines are paired by similarity.
func similar(g gap) bool {
	n, k := int(g.oldHi-g.oldLo), int(g.newHi-g.newLo)
	return n > 0 && k > 0 && n*k <= maxFuzzyCells
}

// errChanged reports a version whose lines were not the same when read
// again.
var errChanged = errors.New("a version's lines changed while they were read; run the command again")

// follow pairs the lines of every gap small enough by similarity. It reads
// both versions once more, in step, holding one gap's lines at a time.
// need(id, i) says whether the words gained by the new line paired with
// old line i of gap id are wanted (m.gained).
func (m *lineMap) follow(oldSrc, newSrc lineSource, need func(id, i int32) bool) error {
	if !slices.ContainsFunc(m.gaps, similar) {
		return nil
	}
	op, np := pull(oldSrc), pull(newSrc)
	defer op.stop()
	defer np.stop()
	words := 0
	for id, g := range m.gaps {
		if !similar(g) {
			continue
		}
		a, aBytes, err := op.lines(int(g.oldLo), int(g.oldHi), maxFuzzyBytes)
		if err != nil {
			return err
		}
		b, _, err := np.lines(int(g.newLo), int(g.newHi), maxFuzzyBytes-aBytes)
		if err != nil {
			return err
		}
		if a == nil || b == nil {
			continue // more text than one gap may hold: left unpaired
		}
		m.pairFuzzy(a, b, g)
		for j := g.newLo; j < g.newHi; j++ {
			i := m.newTo[j]
			if i < 0 || !need(int32(id), i) {
				continue
			}
			if w := gainedWords(a[i-g.oldLo], b[j-g.newLo]); words+len(w) <= maxGainedWords {
				m.gained[j] = w
				words += len(w)
			}
		}
	}
	return nil
}

// gainedWords returns the hashes of the words of nw that old lacks.
func gainedWords(old, nw string) []uint64 {
	had := map[string]bool{}
	for _, w := range strings.Fields(lettersOnly(old)) {
		had[w] = true
	}
	out := []uint64{}
	for _, w := range strings.Fields(lettersOnly(nw)) {
		if !had[w] {
			had[w] = true
			out = append(out, wordHash(w))
		}
	}
	return out
}

// A puller takes a version's lines one at a time from a lineSource.
type puller struct {
	next func() (string, bool)
	stop func()
	err  error
	n    int // lines taken
}

var errPulled = errors.New("pulled enough")

func pull(src lineSource) *puller {
	p := &puller{}
	p.next, p.stop = iter.Pull(func(yield func(string) bool) {
		err := src(func(s string) error {
			if !yield(s) {
				return errPulled
			}
			return nil
		})
		if err != nil && !errors.Is(err, errPulled) {
			p.err = err
		}
	})
	return p
}

// lines skips to line lo and returns lines [lo, hi) and their size, or nil
// (having read past them) if they hold more than limit bytes.
func (p *puller) lines(lo, hi, limit int) ([]string, int, error) {
	var out []string
	size := 0
	for p.n < hi {
		s, ok := p.next()
		if !ok {
			if p.err != nil {
				return nil, 0, p.err
			}
			return nil, 0, errChanged
		}
		if p.n >= lo && size <= limit {
			if size += len(s); size <= limit {
				out = append(out, s)
			} else {
				out = nil
			}
		}
		p.n++
	}
	if size > limit {
		return nil, size, nil
	}
	return out, size, nil
}

// pairFuzzy pairs the lines of gap g (texts a and b) by similarity, in
// order, maximising the total similarity of the pairs (each at least
// minSimilarity).
func (m *lineMap) pairFuzzy(a, b []string, g gap) {
	n, k := len(a), len(b)
	ga := make([]map[string]int, n)
	for i := range ga {
		ga[i] = bigrams(normLine(a[i]))
	}
	gb := make([]map[string]int, k)
	for j := range gb {
		gb[j] = bigrams(normLine(b[j]))
	}
	sim := make([]float64, n*k)
	for i := range n {
		for j := range k {
			sim[i*k+j] = dice(ga[i], gb[j])
		}
	}
	best := make([]float64, (n+1)*(k+1))
	at := func(i, j int) *float64 { return &best[i*(k+1)+j] }
	for i := n - 1; i >= 0; i-- {
		for j := k - 1; j >= 0; j-- {
			v := max(*at(i+1, j), *at(i, j+1))
			if s := sim[i*k+j]; s >= minSimilarity {
				v = max(v, *at(i+1, j+1)+s)
			}
			*at(i, j) = v
		}
	}
	alo, blo := g.oldLo, g.newLo
	for i, j := 0, 0; i < n && j < k; {
		s := sim[i*k+j]
		switch {
		case s >= minSimilarity && *at(i, j) == *at(i+1, j+1)+s:
			m.oldTo[alo+int32(i)], m.newTo[blo+int32(j)], m.fuzzy[alo+int32(i)] = blo+int32(j), alo+int32(i), true
			i, j = i+1, j+1
		case *at(i, j) == *at(i+1, j):
			i++
		default:
			j++
		}
	}
}

// bigrams counts the letter and digit bigrams of s (a line of one letter
// counts as one "bigram").
func bigrams(s string) map[string]int {
	var rs []rune
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		} else if len(rs) > 0 && rs[len(rs)-1] != ' ' {
			rs = append(rs, ' ')
		}
	}
	g := map[string]int{}
	if len(rs) == 1 {
		g[string(rs)]++
	}
	for i := 0; i+1 < len(rs); i++ {
		g[string(rs[i:i+2])]++
	}
	return g
}

// lettersOnly is s case-folded with every rune that is not a letter or a
// digit turned into a space.
func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, s)
}

// dice is the Sørensen–Dice coefficient of two bigram multisets.
func dice(x, y map[string]int) float64 {
	nx, ny, both := 0, 0, 0
	for g, c := range x {
		nx += c
		both += min(c, y[g])
	}
	for _, c := range y {
		ny += c
	}
	if nx+ny == 0 {
		return 1 // two lines with no letters (blank, punctuation)
	}
	return 2 * float64(both) / float64(nx+ny)
}

// placing is one flag on its way to the new version.
type placing struct {
	f       policy.Flag
	inline  bool
	a, b    int // the flagged old lines, 1-based, clamped
	lo, hi  int // new lines reached, 0-based; -1 for none yet
	how     string
	pending []int32 // new lines next to the flag that gained words: flagged if a flagged line holds one
}

func (p *placing) add(j int) {
	if p.lo < 0 || j < p.lo {
		p.lo = j
	}
	if j > p.hi {
		p.hi = j
	}
}

// SharesFew says whether a new version that keeps (unchanged or edited)
// kept of the of non-blank lines of the version before is unlikely to be a
// version of the same text: under a third kept. A version with no
// non-blank line shares nothing to judge by.
func SharesFew(kept, of int) bool { return of > 0 && kept*3 < of }

// A comparison is what the line diff of two versions of a text found: the
// flags carried onto the new version and what happened to each, and how
// many of the old version's non-blank lines the new one keeps, unchanged or
// edited (kept of of; see SharesFew).
type comparison struct {
	flags    []policy.Flag
	carries  []Carry
	kept, of int
}

// carryLines maps flags on the old lines (1-based ranges) onto the new
// lines: compareLines's flags and carries.
func carryLines(old, nw lineSource, oldHash, newHash []uint64, oldVer int, recorded, inline, newMarkup []policy.Flag) ([]policy.Flag, []Carry, error) {
	c, err := compareLines(old, nw, oldHash, newHash, oldVer, recorded, inline, newMarkup)
	return c.flags, c.carries, err
}

// compareLines pairs the old version's lines with the new one's by a line
// diff (exact pairs, then similar edited lines), counts the old non-blank
// lines paired, and maps flags on the old lines (1-based ranges) onto the
// new lines. oldHash and newHash are the versions' line hashes (lineHash)
// and old and new stream their texts again where the diff needs them.
// inline flags the old version's markup set; newMarkup is what the new
// version's own markup sets (a carried markup flag the new markup already
// covers is recorded as retained, not added again). One diff serves both:
// the check that the new text is a version of the old, and the carry.
func compareLines(old, nw lineSource, oldHash, newHash []uint64, oldVer int, recorded, inline, newMarkup []policy.Flag) (c comparison, err error) {
	blank := lineHash("")
	for _, h := range oldHash {
		if h != blank {
			c.of++
		}
	}
	nOld, nNew := len(oldHash), len(newHash)
	if nOld == 0 || nNew == 0 {
		return c, nil
	}
	m := mapLines(oldHash, newHash)
	ps := make([]*placing, 0, len(recorded)+len(inline))
	for k, f := range slices.Concat(recorded, inline) {
		ps = append(ps, &placing{f: f, inline: k >= len(recorded), lo: -1, hi: -1, how: CarrySame,
			a: max(min(f.From, f.To), 1), b: min(max(f.From, f.To), nOld)})
	}
	// The words a line paired by similarity gained are wanted where a
	// flag touches its gap and the line's old counterpart is not flagged
	// by it: for each gap, the old lines every flag touching it covers.
	cover := map[int32][2]int32{}
	for _, p := range ps {
		for i := p.a - 1; i < p.b; i++ {
			if m.oldTo[i] >= 0 {
				continue // paired exactly (follow has not run yet)
			}
			id := m.oldGapID(i)
			cv, ok := cover[id]
			if !ok {
				cv = [2]int32{int32(p.a - 1), int32(p.b)}
			}
			cover[id] = [2]int32{max(cv[0], int32(p.a-1)), min(cv[1], int32(p.b))}
		}
	}
	m.gained = map[int32][]uint64{}
	if err := m.follow(old, nw, func(id, i int32) bool {
		cv, ok := cover[id]
		return ok && (i < cv[0] || i >= cv[1])
	}); err != nil {
		return comparison{}, err
	}
	for i, h := range oldHash {
		if h != blank && m.oldTo[i] >= 0 {
			c.kept++
		}
	}
	for _, p := range ps {
		m.place(p)
	}
	if err := m.search(old, ps); err != nil {
		return comparison{}, err
	}
	covered := func(k policy.FlagKind, lo, hi int) bool {
		for n := lo; n <= hi; n++ {
			in := false
			for _, f := range newMarkup {
				if f.Kind == k && f.From <= n && n <= f.To {
					in = true
					break
				}
			}
			if !in {
				return false
			}
		}
		return true
	}
	for _, p := range ps {
		if p.lo < 0 {
			// Every flagged line is gone: the nearest survivors on
			// either side of where the lines were.
			p.how = CarryNearest
			// (All of them lie in one gap with nothing on its new side.)
			at := m.oldGap(p.b - 1)[0]
			if at > 0 {
				p.add(at - 1)
			}
			if at < nNew {
				p.add(at)
			}
		}
		lo, hi, f := p.lo+1, p.hi+1, p.f
		if lo < 1 {
			continue
		}
		cr := Carry{Kind: f.Kind, Inline: p.inline, FromVer: oldVer, From: f.From, To: f.To, NewFrom: lo, NewTo: hi, How: p.how}
		if p.inline && covered(f.Kind, lo, hi) {
			cr.Retained = true
		} else {
			nf := f
			nf.From, nf.To, nf.Inline = lo, hi, false
			if p.inline && nf.Reason == "" {
				nf.Reason = fmt.Sprintf("inline markup of version %d", oldVer)
			}
			c.flags = append(c.flags, nf)
		}
		c.carries = append(c.carries, cr)
	}
	return c, nil
}

// place maps flag p by the pairing: flagged lines paired go to their
// partners, flagged lines unpaired to the new side of their gap, and the
// new lines of a gap the flag touched that pair with nothing are flagged
// too. A new line there paired with an unflagged old one is flagged if it
// gained a word of a flagged line (a line break moved): it is left in
// p.pending for search to decide.
func (m *lineMap) place(p *placing) {
	var touched []int32 // gaps holding a flagged line, in order
	for i := p.a - 1; i < p.b; i++ {
		if j := m.oldTo[i]; j >= 0 && !m.fuzzy[i] {
			p.add(int(j))
			continue
		}
		if id := m.oldGapID(i); len(touched) == 0 || touched[len(touched)-1] != id {
			touched = append(touched, id)
		}
		if j := m.oldTo[i]; j >= 0 {
			p.add(int(j))
			if p.how == CarrySame {
				p.how = CarryEdited
			}
			continue
		}
		if g := m.oldGap(i); g[1] > g[0] {
			p.add(g[0])
			p.add(g[1] - 1)
			p.how = CarryReplaced
		}
	}
	var next []int32
	for _, id := range touched {
		g := m.gaps[id]
		for j := g.newLo; j < g.newHi; j++ {
			i := m.newTo[j]
			switch {
			case i < 0:
				p.add(int(j))
			case int(i) < p.a-1 || int(i) >= p.b:
				next = append(next, j)
			}
		}
	}
	for _, j := range next {
		if int(j) >= p.lo && int(j) <= p.hi {
			continue // already flagged
		}
		w, known := m.gained[j]
		switch {
		case !known:
			p.add(int(j)) // past maxGainedWords: flagged without looking
		case len(w) > 0:
			p.pending = append(p.pending, j)
		}
	}
}

// errSearched stops search's read of the old version.
var errSearched = errors.New("searched")

// search reads the old version's lines once for the flags with pending
// new lines, flagging each whose gained words a flagged line holds.
func (m *lineMap) search(old lineSource, ps []*placing) error {
	var todo []*placing
	for _, p := range ps {
		if len(p.pending) > 0 {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	slices.SortStableFunc(todo, func(x, y *placing) int { return cmp.Compare(x.a, y.a) })
	end := 0
	for _, p := range todo {
		end = max(end, p.b)
	}
	var active []*placing
	next, k := 0, 0
	err := old(func(text string) error {
		defer func() { k++ }()
		if k >= end {
			return errSearched
		}
		for next < len(todo) && todo[next].a-1 <= k {
			active = append(active, todo[next])
			next++
		}
		active = slices.DeleteFunc(active, func(p *placing) bool { return k >= p.b || len(p.pending) == 0 })
		if len(active) == 0 {
			return nil
		}
		words := map[uint64]bool{}
		for _, w := range strings.Fields(lettersOnly(text)) {
			words[wordHash(w)] = true
		}
		for _, p := range active {
			p.pending = slices.DeleteFunc(p.pending, func(j int32) bool {
				if slices.ContainsFunc(m.gained[j], func(h uint64) bool { return words[h] }) {
					p.add(int(j))
					return true
				}
				return false
			})
		}
		return nil
	})
	if errors.Is(err, errSearched) {
		return nil
	}
	return err
}
