package vault

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

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

// lineMap pairs the lines of two versions (0-based indexes).
type lineMap struct {
	oldTo []int // old index → new index, or -1
	fuzzy []bool
	newTo []int // new index → old index, or -1
	// gap of an unpaired line: the new-side span [lo, hi) between the
	// anchors around it; by old index for old lines, by new index for new.
	oldGap [][2]int
	newGap [][2]int
	// oldGapID / newGapID number the gaps so lines of one gap meet.
	oldGapID, newGapID []int
}

// Thresholds bounding the work of the diff on pathological input.
const (
	maxLCSCells   = 4 << 20 // exact LCS table in one region
	maxFuzzyCells = 1 << 18 // similarity pairs in one gap
	minSimilarity = 0.5
)

// mapLines diffs the normalised old and new lines.
func mapLines(oldText, newText []string) *lineMap {
	a := make([]string, len(oldText))
	for i, s := range oldText {
		a[i] = normLine(s)
	}
	b := make([]string, len(newText))
	for i, s := range newText {
		b[i] = normLine(s)
	}
	m := &lineMap{oldTo: fill(len(a), -1), fuzzy: make([]bool, len(a)), newTo: fill(len(b), -1),
		oldGap: make([][2]int, len(a)), newGap: make([][2]int, len(b)),
		oldGapID: fill(len(a), -1), newGapID: fill(len(b), -1)}
	var anchors [][2]int
	exactDiff(a, b, 0, len(a), 0, len(b), &anchors)
	sort.Slice(anchors, func(i, j int) bool { return anchors[i][0] < anchors[j][0] })
	for _, p := range anchors {
		m.oldTo[p[0]], m.newTo[p[1]] = p[1], p[0]
	}
	// Gaps between anchors.
	pi, pj, id := 0, 0, 0
	for k := 0; k <= len(anchors); k++ {
		ei, ej := len(a), len(b)
		if k < len(anchors) {
			ei, ej = anchors[k][0], anchors[k][1]
		}
		if ei > pi || ej > pj {
			for i := pi; i < ei; i++ {
				m.oldGap[i], m.oldGapID[i] = [2]int{pj, ej}, id
			}
			for j := pj; j < ej; j++ {
				m.newGap[j], m.newGapID[j] = [2]int{pj, ej}, id
			}
			m.pairFuzzy(a, b, pi, ei, pj, ej)
			id++
		}
		pi, pj = ei+1, ej+1
	}
	return m
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// normLine is the form lines are compared in: case-folded, runs of
// whitespace as one space, trimmed.
func normLine(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// exactDiff appends the pairs of an LCS of a[alo:ahi] and b[blo:bhi]:
// common prefix and suffix first, then a dynamic-programming LCS when the
// region is small, otherwise anchors on lines unique to both sides (their
// longest increasing run) and recursion into what lies between.
func exactDiff(a, b []string, alo, ahi, blo, bhi int, out *[][2]int) {
	for alo < ahi && blo < bhi && a[alo] == b[blo] {
		*out = append(*out, [2]int{alo, blo})
		alo, blo = alo+1, blo+1
	}
	for alo < ahi && blo < bhi && a[ahi-1] == b[bhi-1] {
		ahi, bhi = ahi-1, bhi-1
		*out = append(*out, [2]int{ahi, bhi})
	}
	n, m := ahi-alo, bhi-blo
	if n == 0 || m == 0 {
		return
	}
	if n*m <= maxLCSCells {
		lcs(a, b, alo, ahi, blo, bhi, out)
		return
	}
	// Patience anchors: lines occurring once on each side.
	type occ struct{ na, nb, ia, ib int }
	seen := map[string]*occ{}
	for i := alo; i < ahi; i++ {
		o := seen[a[i]]
		if o == nil {
			o = &occ{}
			seen[a[i]] = o
		}
		o.na++
		o.ia = i
	}
	for j := blo; j < bhi; j++ {
		if o := seen[b[j]]; o != nil {
			o.nb++
			o.ib = j
		}
	}
	var uniq [][2]int
	for i := alo; i < ahi; i++ {
		if o := seen[a[i]]; o.na == 1 && o.nb == 1 {
			uniq = append(uniq, [2]int{i, o.ib})
		}
	}
	anchors := longestIncreasing(uniq)
	if len(anchors) == 0 {
		return // no exact anchor: the whole region is one gap
	}
	pa, pb := alo, blo
	for _, p := range anchors {
		exactDiff(a, b, pa, p[0], pb, p[1], out)
		*out = append(*out, p)
		pa, pb = p[0]+1, p[1]+1
	}
	exactDiff(a, b, pa, ahi, pb, bhi, out)
}

// lcs appends the pairs of a longest common subsequence by dynamic
// programming.
func lcs(a, b []string, alo, ahi, blo, bhi int, out *[][2]int) {
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
			*out = append(*out, [2]int{alo + i, blo + j})
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
func longestIncreasing(p [][2]int) [][2]int {
	if len(p) == 0 {
		return nil
	}
	tails := []int{} // index into p of the smallest tail of each length
	prev := make([]int, len(p))
	for i := range p {
		k := sort.Search(len(tails), func(k int) bool { return p[tails[k]][1] >= p[i][1] })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make([][2]int, len(tails))
	for i, k := tails[len(tails)-1], len(tails)-1; k >= 0; i, k = prev[i], k-1 {
		out[k] = p[i]
	}
	return out
}

// pairFuzzy pairs the lines of one gap by similarity, in order, maximising
// the total similarity of the pairs (each at least minSimilarity).
func (m *lineMap) pairFuzzy(a, b []string, alo, ahi, blo, bhi int) {
	n, k := ahi-alo, bhi-blo
	if n == 0 || k == 0 || n*k > maxFuzzyCells {
		return
	}
	ga := make([]map[string]int, n)
	for i := range ga {
		ga[i] = bigrams(a[alo+i])
	}
	gb := make([]map[string]int, k)
	for j := range gb {
		gb[j] = bigrams(b[blo+j])
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
	for i, j := 0, 0; i < n && j < k; {
		s := sim[i*k+j]
		switch {
		case s >= minSimilarity && *at(i, j) == *at(i+1, j+1)+s:
			m.oldTo[alo+i], m.newTo[blo+j], m.fuzzy[alo+i] = blo+j, alo+i, true
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

// carryFlags maps flags on the old lines (1-based ranges over oldText) onto
// the new lines. inline flags the old version's markup set; newMarkup is
// what the new version's own markup sets (a carried markup flag the new
// markup already covers is recorded as retained, not added again). It
// returns the flags to record on the new version and what happened to each.
func carryFlags(oldText, newText []string, oldVer int, recorded, inline, newMarkup []policy.Flag) (flags []policy.Flag, carries []Carry) {
	m := mapLines(oldText, newText)
	nOld, nNew := len(oldText), len(newText)
	place := func(f policy.Flag) (lo, hi int, how string) {
		a, b := max(min(f.From, f.To), 1), min(max(f.From, f.To), nOld)
		lo, hi, how = -1, -1, CarrySame
		add := func(j int) {
			if lo < 0 || j < lo {
				lo = j
			}
			if j > hi {
				hi = j
			}
		}
		gaps := map[int]bool{}
		for i := a - 1; i < b; i++ {
			if j := m.oldTo[i]; j >= 0 {
				add(j)
				if m.fuzzy[i] && how == CarrySame {
					how = CarryEdited
				}
				if m.fuzzy[i] {
					gaps[m.oldGapID[i]] = true
				}
				continue
			}
			g := m.oldGap[i]
			gaps[m.oldGapID[i]] = true
			if g[1] > g[0] {
				add(g[0])
				add(g[1] - 1)
				how = CarryReplaced
			}
		}
		// New lines in a gap the flag touched that pair with nothing, or
		// that gained words of a flagged line (a line break moved).
		var flagged map[string]bool
		for j := 0; j < nNew; j++ {
			if !gaps[m.newGapID[j]] {
				continue
			}
			i := m.newTo[j]
			if i < 0 {
				add(j)
				continue
			}
			if i >= a-1 && i < b {
				continue // itself a flagged line
			}
			if flagged == nil {
				flagged = map[string]bool{}
				for k := a - 1; k < b; k++ {
					for _, w := range strings.Fields(lettersOnly(oldText[k])) {
						flagged[w] = true
					}
				}
			}
			had := map[string]bool{}
			for _, w := range strings.Fields(lettersOnly(oldText[i])) {
				had[w] = true
			}
			for _, w := range strings.Fields(lettersOnly(newText[j])) {
				if !had[w] && flagged[w] {
					add(j)
					break
				}
			}
		}
		if lo < 0 {
			// Every flagged line is gone: the nearest survivors on
			// either side of where the lines were.
			how = CarryNearest
			// (All of them lie in one gap with nothing on its new side.)
			at := m.oldGap[b-1][0]
			if at > 0 {
				add(at - 1)
			}
			if at < nNew {
				add(at)
			}
		}
		return lo + 1, hi + 1, how
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
	do := func(f policy.Flag, isInline bool) {
		if nOld == 0 || nNew == 0 {
			return
		}
		lo, hi, how := place(f)
		if lo < 1 {
			return
		}
		c := Carry{Kind: f.Kind, Inline: isInline, FromVer: oldVer, From: f.From, To: f.To, NewFrom: lo, NewTo: hi, How: how}
		if isInline && covered(f.Kind, lo, hi) {
			c.Retained = true
		} else {
			nf := f
			nf.From, nf.To, nf.Inline = lo, hi, false
			if isInline && nf.Reason == "" {
				nf.Reason = fmt.Sprintf("inline markup of version %d", oldVer)
			}
			flags = append(flags, nf)
		}
		carries = append(carries, c)
	}
	for _, f := range recorded {
		do(f, false)
	}
	for _, f := range inline {
		do(f, true)
	}
	return flags, carries
}
