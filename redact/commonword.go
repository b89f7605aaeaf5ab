package redact

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Common words. A name part that is also an ordinary English word ("Will",
// "Hope", "May", "Green") must not rewrite the word: "I will hope so" is
// not about anyone. Such a part is matched only
//   - capitalised and not at the start of a sentence ("told Hope that"), or
//   - beside another part of the name or a title ("Will Hope", "Mrs Hope"),
//     or as a speaker label ("Hope: …");
// a capitalised occurrence at a sentence start, or one in text written in
// capitals ("I WILL HOPE SO"), is left as written and reported
// (SentenceStartNames) so the researcher can look at it.
//
// The word list is names/common-words.txt: the lower-case words of Debian's
// wbritish-small (SCOWL size 35, British spelling), see names/README.md.

var commonWords = sync.OnceValue(func() map[string]bool {
	list := loadList("common-words.txt")
	m := make(map[string]bool, len(list))
	for _, w := range list {
		m[w] = true
	}
	return m
})

// IsCommonWord reports whether w (one word, any case) is an ordinary
// English word.
func IsCommonWord(w string) bool {
	w = strings.ToLower(norm.NFC.String(strings.TrimSpace(w)))
	return w != "" && commonWords()[w]
}

// isCommonName reports whether every word of name (titles aside) is an
// ordinary word, so that the name needs the common-word rule.
func isCommonName(name string) bool {
	words := coreWords(name)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if !IsCommonWord(w) {
			return false
		}
	}
	return true
}

// CommonParts lists the words of an entity's name, aliases and derived
// parts that the common-word rule applies to (a part or alias made only of
// ordinary English words), each once, in the order met, so registration can
// warn what the rule will do with them.
func CommonParts(e Entity) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range entityAliases(e) {
		if a.off || commonMode(a, e.Kind) == commonNone {
			continue
		}
		for _, w := range coreWords(a.text) {
			if isTitle(w) {
				continue
			}
			k := strings.ToLower(w)
			if !seen[k] && IsCommonWord(w) {
				seen[k] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// Common-word modes of a pattern.
const (
	commonNone   = iota
	commonSingle // one ordinary word: capitalised, and not at a sentence start
	commonMulti  // several words, all ordinary (or a title and one): each capitalised
)

func commonMode(a aliasSpec, k Kind) uint8 {
	if a.exact {
		return commonNone
	}
	if !isCommonName(a.text) {
		if a.part != PartInitial && isWordName(a.text, k) {
			// An ordinary word of the larger list ("the Larder", the
			// "Min" of "Min-jun"): never rewritten in lower case ("the
			// larder", "10 min"), matched capitalised wherever it stands.
			return commonMulti
		}
		return commonNone
	}
	if len(strings.Fields(a.text)) == 1 {
		return commonSingle
	}
	return commonMulti
}

// isWordName reports whether name, of an entity of kind k, is made of
// ordinary words of the scan's English word list (names/english-words.txt,
// SCOWL size 50, which holds the less frequent words common-words.txt does
// not: "larder", "min"), titles and lower-case function words aside. For a
// person, a word that is also a given or family name of the name lists
// ("john", "max") does not count: a person's name in lower case is more
// likely than the word. Meetings and other entities are left as they are.
func isWordName(name string, k Kind) bool {
	if k != KindPerson && k != KindPlace && k != KindOrg {
		return false
	}
	lexiconOnce.Do(loadLexicon)
	n, lead := 0, true
	for w := range strings.FieldsSeq(name) {
		if lead && isTitle(w) {
			continue // a title before the name ("Dr Min")
		}
		lead = false
		if functionWords[w] {
			continue
		}
		lx := lookup(w)
		if lx&lxWord == 0 || (k == KindPerson && lx&(lxGiven|lxFamily) != 0) {
			return false
		}
		n++
	}
	return n > 0
}

// capitalised reports whether every word of b (after titles) starts with
// an upper-case letter, articles and other function words written in lower
// case aside ("the Council", "Friends of the Earth"), and at least one does.
func capitalised(b []byte, titles int) bool {
	var wa, ga [8][]byte
	words, _ := splitWords(b, wa[:0], ga[:0])
	if titles < len(words) {
		words = words[titles:]
	}
	caps := 0
	for _, w := range words {
		r, _ := utf8.DecodeRune(w)
		switch {
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			caps++
		case !functionWords[string(w)]:
			return false
		}
	}
	return caps > 0
}

// functionWords may stand in lower case inside a capitalised name.
var functionWords = map[string]bool{"the": true, "of": true, "and": true, "for": true, "in": true,
	"on": true, "at": true, "a": true, "an": true, "to": true, "&": true}

// sentenceStart reports whether text[s:] begins a sentence: nothing but
// space and opening punctuation lies between it and the start of the text
// or a full stop, question or exclamation mark, colon or ellipsis (a full
// stop after a title or an initial does not count). before is the last
// rune that is not a space ahead of text, 0 at the start of the input.
func sentenceStart(text []byte, s int, before rune) bool {
	if end, ok := sentenceContext(text, s); ok {
		return end
	}
	return before == 0 || sentenceEnd(before)
}

// sentenceContext walks back from text[s] over space and opening
// punctuation: ok is false if it reaches the start of text, else end says
// whether what it finds ends a sentence.
func sentenceContext(text []byte, s int) (end, ok bool) {
	j := s
	for j > 0 {
		r, size := utf8.DecodeLastRune(text[:j])
		if isSpaceRune(r) || strings.ContainsRune("\"'“‘«([{*_", r) {
			j -= size
			continue
		}
		if r == '.' {
			// "Mr. Hope", "R. Hope": the word before the stop.
			k := j - size
			for k > 0 {
				pr, ps := utf8.DecodeLastRune(text[:k])
				if !isWordRune(pr) {
					break
				}
				k -= ps
			}
			w := text[k : j-size]
			if r, n := utf8.DecodeRune(w); n == len(w) && unicode.IsLetter(r) || isTitleBytes(w) {
				return false, true
			}
		}
		return sentenceEnd(r), true
	}
	return false, false
}

// contextRune sums up text already decided for the text that follows it,
// as the before of sentenceStart: '.' if a sentence ended there, midSentence
// if not, prev if text holds nothing but space and opening punctuation.
func contextRune(text []byte, prev rune) rune {
	end, ok := sentenceContext(text, len(text))
	switch {
	case !ok:
		return prev
	case end:
		return '.'
	}
	return midSentence
}

func sentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', ':', '…', '¿', '¡':
		return true
	}
	return false
}

// months are the month names that are also given names or words.
var months = map[string]bool{"january": true, "february": true, "march": true, "april": true, "may": true,
	"june": true, "july": true, "august": true, "september": true, "october": true, "november": true, "december": true}

// dateWords, before a month name, make it the month ("in May", "last June").
var dateWords = map[string]bool{"in": true, "of": true, "since": true, "until": true, "till": true, "during": true,
	"from": true, "to": true, "by": true, "last": true, "next": true, "this": true, "early": true, "late": true,
	"mid": true, "before": true, "after": true, "through": true, "that": true, "every": true, "each": true}

// monthInContext reports whether text[s:e], a month name, reads as the
// month: after a word such as "in" or "last", or before or after a number.
func monthInContext(text []byte, s, e int) bool {
	if !months[strings.ToLower(string(text[s:e]))] {
		return false
	}
	k := e
	for k < len(text) && (text[k] == ' ' || text[k] == ',') {
		k++
	}
	if k < len(text) && '0' <= text[k] && text[k] <= '9' {
		return true
	}
	j := s
	for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t' || text[j-1] == '\n') {
		j--
	}
	i := j
	for i > 0 && (asciiWord[text[i-1]] || text[i-1] >= 0x80) {
		i--
	}
	w := strings.ToLower(string(text[i:j]))
	if w == "" {
		return false
	}
	if '0' <= w[0] && w[0] <= '9' {
		return true // "3 May", "21st May"
	}
	return dateWords[w]
}

// inCapitals reports whether the word text[s:e] is written in capitals,
// and so is the word before or after it on the same line: text in
// capitals, where a capital does not mark a name. before is as for
// sentenceStart: midSentenceCaps says the word before text is in capitals.
func inCapitals(text []byte, s, e int, before rune) bool {
	if !shouted(text[s:e]) {
		return false
	}
	if capsBefore(text[:s], before) {
		return true
	}
	i := e
	for i < len(text) && text[i] != '\n' && !isWordByteAt(text, i) {
		i++
	}
	j := i
	for j < len(text) && isWordByteAt(text, j) {
		_, n := utf8.DecodeRune(text[j:])
		j += n
	}
	return j > i && shouted(text[i:j])
}

// capsBefore reports whether the last word of text, on its last line, is
// in capitals; before stands for what lies ahead of text.
func capsBefore(text []byte, before rune) bool {
	i := len(text)
	for i > 0 && text[i-1] != '\n' && !isWordByteBefore(text, i) {
		i--
	}
	if i == 0 {
		return before == midSentenceCaps
	}
	j := i
	for j > 0 && isWordByteBefore(text, j) {
		_, n := utf8.DecodeLastRune(text[:j])
		j -= n
	}
	return j < i && shouted(text[j:i])
}

// contextRuneCaps is contextRune, and midSentenceCaps for text that ends
// mid-sentence with a word in capitals (a LineRedactor's next batch needs
// it for inCapitals).
func contextRuneCaps(text []byte, prev rune) rune {
	r := contextRune(text, prev)
	if (r == midSentence || r == midSentenceCaps) && capsBefore(text, prev) {
		return midSentenceCaps
	}
	if r == midSentenceCaps {
		return midSentence
	}
	return r
}

func isWordByteBefore(text []byte, i int) bool {
	r, _ := utf8.DecodeLastRune(text[:i])
	return isWordRune(r)
}

func isWordByteAt(text []byte, i int) bool {
	r, _ := utf8.DecodeRune(text[i:])
	return isWordRune(r)
}

// shouted reports whether the word b is written in capitals: two letters
// or more, none of them lower case.
func shouted(b []byte) bool {
	n := 0
	for _, r := range string(b) {
		switch {
		case unicode.IsUpper(r):
			n++
		case unicode.IsLower(r) && unicode.ToUpper(r) != r:
			return false
		}
	}
	return n >= 2
}

// labelAfter reports whether text[e:] goes on with a colon, as a speaker
// label does ("Hope: …").
func labelAfter(text []byte, e int) bool {
	for e < len(text) && (text[e] == ' ' || text[e] == '\t') {
		e++
	}
	return e < len(text) && text[e] == ':'
}

// SentenceStartNames finds capitalised occurrences of a registered name
// part that is an ordinary word at the start of a sentence: the redactor
// leaves them as written (they are more often the word: "Hope you're
// well"), so they are reported as possible names for the researcher to
// check. Findings are Low confidence, kind possible-name.
func SentenceStartNames(text string, r *Redactor) []Finding {
	if r == nil || !r.hasCommon {
		return nil
	}
	b := []byte(norm.NFC.String(text))
	var out []Finding
	line, lineStart, pos := 1, 0, 0
	r.m.scan(b, false, true, r.acceptFn(b, 0, true), func(s, e int, p int32) {
		if r.pats[p].common != commonSingle {
			return
		}
		for ; pos < s; pos++ {
			if b[pos] == '\n' {
				line++
				lineStart = pos + 1
			}
		}
		out = append(out, Finding{Kind: FindPossibleName, Line: line, Col: utf8.RuneCount(b[lineStart:s]) + 1, Confidence: Low, Text: string(b[s:e])})
	})
	return out
}
