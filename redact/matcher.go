package redact

import (
	"encoding/binary"
	"math/bits"
	"sort"
	"unicode"
	"unicode/utf8"
)

// MaxGap is the longest run of whitespace, in bytes, that may separate two
// words of a multi-word alias in the text. It bounds how far the matcher
// looks ahead, and so the memory a LineRedactor needs.
const MaxGap = 256

// The matcher is a byte trie over the "view" of every alias (case-folded,
// whitespace runs as one space), entered only at rune positions where a
// match may begin: a word start, or a punctuation rune. Because a match must
// begin at a word start, Aho-Corasick failure links buy nothing here: the
// walk from a start ends at the first byte that leaves the trie (for real
// text almost always inside the first word), so the cost per byte does not
// grow with the number of aliases, and leftmost-longest falls out of trying
// starts left to right and keeping the longest accepted end. Writing it
// ourselves (rather than using a general Aho-Corasick module) lets the walk
// fold case per rune, collapse whitespace runs while keeping the original
// offsets, and check Unicode word boundaries at both ends.
//
// Nodes with many children use a dense 256-entry table; the rest keep their
// edges sorted in one flat array, so memory is proportional to the total
// length of the aliases.
type matcher struct {
	nodes   []tnode
	nodeOut []int32 // per node: index into outs, or -1
	edges   []edge
	dense   []int32
	outs    [][]int32 // per terminal: candidate patterns, case-sensitive first
	root    *[256]int32
	// pre has a bit for every three-byte ASCII start a match can have (all
	// extensions of shorter aliases included): most word starts are
	// rejected by one lookup, without walking the trie.
	pre []uint64
	// pre4 does the same for four-byte starts (20 bits, 128 KiB). It is
	// consulted only when pre says yes, so it stays out of the way of the
	// common case, and it rejects most of the words pre lets through (a
	// common word that shares its first three letters with some alias).
	pre4 []uint64
	// byteWise turns off skip (for tests: scan gives the same either way).
	byteWise bool
}

// preIndex keeps five bits of each byte: exact for lower-case letters, a
// harmless false positive for the rest, and a 4 KiB table that stays in L1.
func preIndex(a, b, c byte) uint32 { return uint32(a&31)<<10 | uint32(b&31)<<5 | uint32(c&31) }

// addPrefix marks the first three bytes of view v in pre and the first four
// in pre4; a view shorter than that marks every extension (with five bits a
// byte, every ASCII byte covers all 32 values, so that is a contiguous range).
func (m *matcher) addPrefix(v string) {
	setRange := func(bits []uint64, lo, n uint32) {
		for i := lo; i < lo+n; i++ {
			bits[i>>6] |= 1 << (i & 63)
		}
	}
	var idx uint32
	for k := 0; k < 4; k++ {
		if k == len(v) {
			if k < 3 {
				setRange(m.pre, idx<<(5*(3-k)), 1<<(5*(3-k)))
			}
			setRange(m.pre4, idx<<(5*(4-k)), 1<<(5*(4-k)))
			return
		}
		if v[k] >= 0x80 {
			return // non-ASCII starts are never prefiltered
		}
		idx = idx<<5 | uint32(v[k]&31)
		if k == 2 {
			setRange(m.pre, idx, 1)
		}
	}
	setRange(m.pre4, idx, 1)
}

// mayStart reports whether a match may start at text[i]; it looks only at
// plain ASCII and says yes otherwise. Whitespace after the second byte is
// one space in the view (the byte after a single space is the next view
// byte; after a longer run mayStart stops looking).
func (m *matcher) mayStart(text []byte, i int) bool {
	if i+3 > len(text) {
		return true
	}
	a, b, c := text[i], text[i+1], text[i+2]
	if a|b|c >= 0x80 || asciiClass[a] == clsSpace || asciiClass[b] == clsSpace {
		return true
	}
	c = lowerASCII[c]
	if asciiClass[c] == clsSpace {
		c = ' '
	}
	k := preIndex(lowerASCII[a], lowerASCII[b], c)
	if m.pre[k>>6]&(1<<(k&63)) == 0 {
		return false
	}
	if i+4 > len(text) || text[i+3] >= 0x80 {
		return true
	}
	d := lowerASCII[text[i+3]]
	if asciiClass[d] == clsSpace {
		if c == ' ' {
			return true
		}
		d = ' '
	}
	k = k<<5 | uint32(d&31)
	return m.pre4[k>>6]&(1<<(k&63)) != 0
}

// pre3Word is mayStart at a word of n >= 3 ASCII letters and digits whose
// first eight bytes are x: false if pre rejects its first three bytes or
// (when n >= 4) pre4 its first four. With n == 3 a true is not final
// (mayStart looks at what follows the word).
func (m *matcher) pre3Word(x uint64, n int) bool {
	k := uint32(x&31)<<10 | uint32(x>>8&31)<<5 | uint32(x>>16&31)
	if m.pre[k>>6]&(1<<(k&63)) == 0 {
		return false
	}
	if n < 4 {
		return true
	}
	k = k<<5 | uint32(x>>24&31)
	return m.pre4[k>>6]&(1<<(k&63)) != 0
}

// edge is one sparse transition; label and target share a cache line.
type edge struct {
	label byte
	next  int32
}

// tnode is 16 bytes, four to a cache line: a large dictionary's trie does
// not fit in cache, and deep in it every step may be a miss.
type tnode struct {
	first int32 // outs[nodeOut[n]][0], the pattern taken unless exact; -1 if not terminal
	e0    int32 // first edge; the target with n == 1; the dense block with n < 0
	n     int32 // number of edges, or -1 for a 256-entry block in dense
	lab   byte  // with n == 1: the only edge's label
	exact bool  // some candidate is case-sensitive: call accept
}

const denseMin = 24

// buildMatcher builds the trie over views; pats[i] is reached by views[i].
// isExact tells which patterns are case-sensitive.
func buildMatcher(views []string, order func(a, b int32) bool, isExact func(int32) bool) *matcher {
	idx := make([]int32, len(views))
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return views[idx[a]] < views[idx[b]] })
	// Construction: first-child / next-sibling lists; insertion in sorted
	// order means a new child is always the last one of its parent.
	type bnode struct {
		label             byte
		first, last, next int32
		nchild            int32
		out               int32
	}
	bn := []bnode{{first: -1, last: -1, next: -1, out: -1}}
	var outs [][]int32
	path := []int32{0}
	prev := ""
	for _, pi := range idx {
		v := views[pi]
		l := 0
		for l < len(v) && l < len(prev) && v[l] == prev[l] {
			l++
		}
		path = path[:l+1]
		n := path[l]
		for k := l; k < len(v); k++ {
			c := int32(len(bn))
			bn = append(bn, bnode{label: v[k], first: -1, last: -1, next: -1, out: -1})
			if bn[n].last >= 0 {
				bn[bn[n].last].next = c
			} else {
				bn[n].first = c
			}
			bn[n].last = c
			bn[n].nchild++
			path = append(path, c)
			n = c
		}
		if bn[n].out < 0 {
			bn[n].out = int32(len(outs))
			outs = append(outs, nil)
		}
		outs[bn[n].out] = append(outs[bn[n].out], pi)
		prev = v
	}
	for _, o := range outs {
		sort.SliceStable(o, func(a, b int) bool { return order(o[a], o[b]) })
	}
	m := &matcher{nodes: make([]tnode, len(bn)), nodeOut: make([]int32, len(bn)), outs: outs}
	exact := make([]bool, len(outs))
	for i, o := range outs {
		for _, pi := range o {
			exact[i] = exact[i] || isExact(pi)
		}
	}
	for i, b := range bn {
		t := tnode{first: -1, e0: int32(len(m.edges)), n: b.nchild}
		m.nodeOut[i] = b.out
		if b.out >= 0 {
			t.first, t.exact = outs[b.out][0], exact[b.out]
		}
		if b.nchild >= denseMin || i == 0 {
			t.e0, t.n = int32(len(m.dense)/256), -1
			blk := make([]int32, 256)
			for j := range blk {
				blk[j] = -1
			}
			for c := b.first; c >= 0; c = bn[c].next {
				blk[bn[c].label] = c
			}
			m.dense = append(m.dense, blk...)
		} else if b.nchild == 1 {
			t.lab, t.e0 = bn[b.first].label, b.first // chains need no edge array
		} else {
			for c := b.first; c >= 0; c = bn[c].next {
				m.edges = append(m.edges, edge{bn[c].label, c})
			}
		}
		m.nodes[i] = t
	}
	m.root = (*[256]int32)(m.dense[0:256])
	m.pre = make([]uint64, 1<<15/64)
	m.pre4 = make([]uint64, 1<<20/64)
	for _, v := range views {
		m.addPrefix(v)
	}
	return m
}

func (m *matcher) next(n int32, c byte) int32 {
	nd := &m.nodes[n]
	if nd.n == 1 {
		if nd.lab == c {
			return nd.e0
		}
		return -1
	}
	if nd.n < 0 {
		return m.dense[int(nd.e0)*256+int(c)]
	}
	for _, e := range m.edges[nd.e0 : nd.e0+nd.n] {
		if e.label == c {
			return e.next
		}
		if e.label > c {
			break
		}
	}
	return -1
}

// asciiWord marks the ASCII letters and digits (false for every byte >= 0x80).
var asciiWord = func() (t [256]bool) {
	for i := range 128 {
		t[i] = asciiClass[i] == clsWord
	}
	return t
}()

func isSpaceRune(r rune) bool {
	if r < 0x80 {
		return asciiClass[r] == clsSpace
	}
	return unicode.IsSpace(r)
}

// wordLen8 returns how many of the eight bytes of x (little-endian: the
// first byte lowest) begin it that are ASCII letters and digits (asciiWord),
// 8 if all are. Each byte's range checks are done in its own seven-bit lane,
// so no carry crosses into the next byte, and a byte with its high bit set
// is never a letter.
func wordLen8(x uint64) int {
	return bits.TrailingZeros64(^wordBytes8(x)&high8) / 8
}

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// wordBytes8 returns the high bit of each byte of x that is an ASCII letter
// or digit (asciiWord).
func wordBytes8(x uint64) uint64 {
	y := x &^ high8
	l := y | 0x20*ones8 // A-Z as a-z
	letter := (l + (0x80-'a')*ones8) &^ (l + (0x80-'z'-1)*ones8)
	digit := (y + (0x80-'0')*ones8) &^ (y + (0x80-'9'-1)*ones8)
	return (letter | digit) &^ x & high8
}

// spaceBytes8 returns the high bit of each byte of x that is ASCII white
// space (asciiClass clsSpace: '\t' to '\r' and ' ').
func spaceBytes8(x uint64) uint64 {
	y := x &^ high8
	notSpace := (y ^ ' '*ones8) + 0x7f*ones8 // high bit clear only for ' '
	ctl := (y + (0x80-'\t')*ones8) &^ (y + (0x80-'\r'-1)*ones8)
	return (^notSpace | ctl) &^ x & high8
}

// pack8 gathers the high bits of m's eight bytes into one byte, the first
// byte's lowest.
func pack8(m uint64) uint64 { return m * 0x0002040810204081 >> 56 }

// skip returns the first position from i on that scan must look at itself,
// passing over in 64-byte blocks what it would pass over one word at a
// time: white space, the rest of a word, a word that cannot start a match
// (pre3Word, mayStart) and punctuation that cannot (mayStart, root). It
// stops at a byte of a multi-byte rune, and 72 bytes before the end of
// text (so that every load it makes is whole). prev tells whether the byte
// before text[i] belongs to a word, and the result does for the position
// returned.
func (m *matcher) skip(text []byte, i int, prev bool) (int, bool) {
	for i+72 <= len(text) {
		var word, space, high uint64
		for k := 0; k < 64; k += 8 {
			x := binary.LittleEndian.Uint64(text[i+k:])
			word |= pack8(wordBytes8(x)) << k
			space |= pack8(spaceBytes8(x)) << k
			high |= pack8(x&high8) << k
		}
		var pw uint64
		if prev {
			pw = 1
		}
		// A word starts at a word byte after a byte that is not one
		// (white space, punctuation: the multi-byte runes, which may be
		// letters, stop the block first).
		cand := word&^(word<<1|pw) | ^(word | space | high)
		limit := bits.TrailingZeros64(high) // 64 if none
		for ; cand != 0; cand &= cand - 1 {
			p := bits.TrailingZeros64(cand)
			if p >= limit {
				break
			}
			c := text[i+p]
			if word>>p&1 != 0 {
				x := binary.LittleEndian.Uint64(text[i+p:])
				n := bits.TrailingZeros64(^(word >> p)) // exact unless the word runs to the block's end
				if p+n >= 64 {
					n = wordLen8(x)
				}
				may := n < 3 || m.pre3Word(x, n)
				if may && n < 4 {
					may = m.mayStart(text, i+p)
				}
				if may {
					return i + p, false
				}
				continue
			}
			if m.mayStart(text, i+p) && m.root[lowerASCII[c]] >= 0 {
				return i + p, p == 0 && prev || p > 0 && word>>(p-1)&1 != 0
			}
		}
		if limit < 64 {
			return i + limit, limit == 0 && prev || limit > 0 && word>>(limit-1)&1 != 0
		}
		i += 64
		prev = word>>63 != 0
	}
	return i, prev
}

// wordEnd returns the end of the run of ASCII letters and digits (asciiWord)
// that starts at text[i], looking at eight bytes at a time (wordLen8).
func wordEnd(text []byte, i int) int {
	for i+8 <= len(text) {
		if n := wordLen8(binary.LittleEndian.Uint64(text[i:])); n < 8 {
			return i + n
		}
		i += 8
	}
	for i < len(text) && asciiWord[text[i]] {
		i++
	}
	return i
}

// decode returns the rune at text[j:]; ok is false when the buffer ends in
// the middle of a rune and more input may follow.
func decode(text []byte, j int, final bool) (r rune, size int, ok bool) {
	c := text[j]
	if c < 0x80 {
		return rune(c), 1, true
	}
	if !final && !utf8.FullRune(text[j:]) {
		return 0, 0, false
	}
	r, size = utf8.DecodeRune(text[j:])
	return r, size, true
}

// invisible reports the format characters that may sit inside a word
// without showing: soft hyphen, zero-width space, non-joiner and joiner,
// word joiner, and a byte-order mark.
func invisible(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

// decodeVisible is decode of the first rune at text[j:] that is not
// invisible (a space when the text ends after invisible ones).
func decodeVisible(text []byte, j int, final bool) (r rune, size int, ok bool) {
	for {
		r, size, ok = decode(text, j, final)
		if !ok || !invisible(r) {
			return r, size, ok
		}
		if j += size; j >= len(text) {
			if !final {
				return 0, 0, false
			}
			return ' ', 0, true
		}
	}
}

// lineBreak reports whether the whitespace run at text[j:] holds a line
// break, and where it ends (more: the buffer ended inside it).
func lineBreak(text []byte, j int, final bool) (end int, nl, more bool) {
	k := j
	for k < len(text) && k-j <= MaxGap {
		r, sz, ok := decode(text, k, final)
		if !ok {
			return k, false, true
		}
		if !isSpaceRune(r) {
			return k, nl && k > j, false
		}
		nl = nl || r == '\n'
		k += sz
	}
	if k >= len(text) && !final {
		return k, false, true
	}
	return k, false, false
}

// walk follows the trie from the candidate start s. It returns the end and
// terminal of the longest accepted match (end < 0 if none), or more=true if
// the answer depends on input beyond text (only when !final).
func (m *matcher) walk(text []byte, s int, final bool, accept func(out int32, s, e int) int32) (end int, pat int32, more bool) {
	end, pat = -1, -1
	n := int32(0)
	j := s
	var fb [8]byte
	for {
		if j >= len(text) {
			return end, pat, !final
		}
		r, size, ok := decode(text, j, final)
		if !ok {
			return end, pat, true
		}
		if isSpaceRune(r) {
			if n = m.next(n, ' '); n < 0 {
				return end, pat, false
			}
			k := j
			for {
				if k >= len(text) {
					if !final {
						return end, pat, true
					}
					break
				}
				r2, sz, ok := decode(text, k, final)
				if !ok {
					return end, pat, true
				}
				if !isSpaceRune(r2) {
					break
				}
				k += sz
				if k-j > MaxGap {
					return end, pat, false
				}
			}
			j = k
			continue
		}
		if (r == '-' || (r >= 0x80 && canonRune(r) == '-')) && j > s {
			// A word hyphenated across a line break: "Okafor-⏎Hale" is
			// "Okafor-Hale", "Quix-⏎wort" is "Quixwort".
			k, nl, more := lineBreak(text, j+size, final)
			if more {
				return end, pat, true
			}
			if nl {
				if h := m.next(n, '-'); h >= 0 {
					n = h
				}
				j = k
				continue
			}
		}
		if r < 0x80 {
			n = m.next(n, lowerASCII[r])
		} else if j > s && invisible(r) {
			// A soft hyphen or zero-width character inside a word
			// ("Oko\u00adnkwo", pasted from a web page or PDF) is not
			// there for the reader: it neither matches nor ends a name.
			j += size
			continue
		} else {
			for _, b := range appendMatchFold(fb[:0], r) {
				if n = m.next(n, b); n < 0 {
					break
				}
			}
		}
		if n < 0 {
			return end, pat, false
		}
		j += size
		nd := &m.nodes[n]
		if nd.first < 0 {
			continue
		}
		if isWordRune(r) && j < len(text) {
			nr, _, ok := decodeVisible(text, j, final)
			if !ok {
				return end, pat, true
			}
			if isWordRune(nr) {
				continue
			}
		} else if isWordRune(r) && !final {
			return end, pat, true
		}
		if !nd.exact {
			end, pat = j, nd.first
		} else if p := accept(m.nodeOut[n], s, j); p >= 0 {
			end, pat = j, p
		}
	}
}

// scan finds leftmost-longest matches in text, calling emit for each. prev
// tells whether the rune before text[0] is a word rune. It returns how many
// bytes were fully decided (all of text when final) and whether the rune
// before that point is a word rune.
func (m *matcher) scan(text []byte, prev, final bool, accept func(out int32, s, e int) int32, emit func(s, e int, p int32)) (consumed int, prevWord bool) {
	i := 0
	prevWord = prev
	root := m.root
	for i < len(text) {
		if !m.byteWise {
			i, prevWord = m.skip(text, i, prevWord)
		}
		c := text[i]
		var first byte
		size := 1
		before := prevWord
		if c < 0x80 {
			switch asciiClass[c] {
			case clsWord:
				if prevWord {
					i = wordEnd(text, i+1)
					continue
				}
				prevWord = true
				if !m.mayStart(text, i) {
					i = wordEnd(text, i+1) // the rest of the word starts nothing
					continue
				}
			case clsSpace:
				prevWord = false
				i++
				continue
			default:
				prevWord = false
				if !m.mayStart(text, i) {
					i++
					continue
				}
			}
			first = lowerASCII[c]
		} else {
			r, sz, ok := decode(text, i, final)
			if !ok {
				return i, before
			}
			size = sz
			w := isWordRune(r)
			if w && prevWord {
				i += size
				continue
			}
			prevWord = w
			if !w && unicode.IsSpace(r) {
				i += size
				continue
			}
			var fb [8]byte
			f := appendMatchFold(fb[:0], r)
			if len(f) == 0 { // a lone combining mark
				i += size
				continue
			}
			first = f[0]
		}
		if root[first] < 0 {
			i += size
			continue
		}
		end, p, more := m.walk(text, i, final, accept)
		if more {
			return i, before
		}
		if end < 0 {
			i += size
			continue
		}
		emit(i, end, p)
		lr, _ := utf8.DecodeLastRune(text[:end])
		prevWord = isWordRune(lr)
		i = end
	}
	return len(text), prevWord
}
