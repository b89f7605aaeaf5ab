package transcript

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// excludedLabelWords are first words that never make a speaker label.
var excludedLabelWords = []string{
	"action", "actions", "address", "agenda", "apologies", "attendees", "bcc",
	"cc", "chapter", "comment", "comments", "date", "dates", "decision",
	"decisions", "duration", "e-mail", "email", "example", "fax", "file", "from",
	"ftp", "http", "https", "important", "interview", "item", "items", "location",
	"mailto", "minutes", "mobile", "nb", "next", "note", "notes", "outcome",
	"page", "part", "phone", "place", "present", "ps", "question", "re",
	"recording", "ref", "reference", "section", "see", "source", "status",
	"subject", "summary", "tel", "theme", "time", "times", "title", "to",
	"topic", "total", "transcribed", "transcriber", "transcript", "update",
	"venue", "warning", "web", "website",
}

// labelParticles may appear in lower case inside a label ("Anna van Dijk",
// "Head of Research").
var labelParticles = map[string]bool{
	"al": true, "and": true, "bin": true, "binti": true, "da": true, "das": true,
	"de": true, "del": true, "della": true, "den": true, "der": true, "di": true,
	"do": true, "dos": true, "du": true, "el": true, "for": true, "la": true,
	"le": true, "of": true, "ten": true, "ter": true, "the": true, "van": true,
	"von": true, "y": true,
}

// ExcludedLabelWords returns, in lower case, the first words that never make
// a speaker label, so that "Note: …", "Date: …" or "Present: …" in field
// notes are not taken for turns. They are compared case-insensitively,
// ignoring a trailing full stop.
func ExcludedLabelWords() []string {
	return append([]string(nil), excludedLabelWords...)
}

var excludedLabel = func() map[string]bool {
	m := make(map[string]bool, len(excludedLabelWords))
	for _, w := range excludedLabelWords {
		m[w] = true
	}
	return m
}()

const maxLabelBytes = 80

// ParseLabel applies the speaker-label rule (see the package documentation)
// to the start of line. It returns the label without Markdown bold or colon
// ("Carol", "Interviewer") and the rest of the line after the colon and the
// spaces that follow it.
func ParseLabel(line string) (label, rest string, ok bool) {
	s := line
	bold := strings.HasPrefix(s, "**")
	if bold {
		s = s[2:]
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 || i > maxLabelBytes {
		return "", "", false
	}
	name, after := s[:i], s[i+1:]
	if bold {
		switch {
		case strings.HasPrefix(after, "**"):
			after = after[2:]
		case strings.HasSuffix(name, "**"):
			name = name[:len(name)-2]
		default:
			return "", "", false
		}
	}
	if after != "" && after[0] != ' ' && after[0] != '\t' {
		return "", "", false
	}
	// Allow one space before the colon ("Carol : …", French style).
	name = strings.TrimSuffix(name, " ")
	name = strings.TrimSuffix(name, "\u00a0")
	if !validLabel(name) {
		return "", "", false
	}
	return name, strings.TrimLeft(after, " \t"), true
}

func validLabel(name string) bool {
	if name == "" || name[0] == ' ' {
		return false
	}
	words := strings.Split(name, " ")
	if len(words) > 4 {
		return false
	}
	for k, w := range words {
		if w == "" {
			return false
		}
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case k == 0:
			if !unicode.IsUpper(r) && !unicode.IsTitle(r) {
				return false
			}
			if excludedLabel[strings.ToLower(strings.TrimSuffix(w, "."))] {
				return false
			}
		case unicode.IsUpper(r) || unicode.IsTitle(r) || unicode.IsDigit(r):
		case labelParticles[w]:
		default:
			return false
		}
		letters := 0
		for _, c := range w {
			switch {
			case unicode.IsLetter(c):
				letters++
			case unicode.IsDigit(c), unicode.IsMark(c):
			case c == '.' || c == '\'' || c == '\u2019' || c == '-':
			default:
				return false
			}
		}
		if letters == 0 && !(k > 0 && isDigits(w)) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
