package redacttest

import "strings"

// syllables build the invented names of Person: no real person is meant.
var syllables = []string{"ba", "ke", "lo", "mi", "nu", "ra", "se", "ti", "vo", "wy", "da", "fe", "go", "hi", "ju", "pa", "qe", "zo", "xi", "ce"}

// Person returns invented person i (distinct for i < 8,000): a name and
// three aliases (two short forms and the family name with a title), for
// benchmarks that need a register of many people.
func Person(i int) (name string, aliases []string) {
	s := func(k int) string { return syllables[k%len(syllables)] }
	title := func(w string) string { return strings.ToUpper(w[:1]) + w[1:] }
	given := title(s(i) + s(i/20) + "ndra")
	family := title(s(i/400) + s(i/7) + s(i) + "worth")
	return given + " " + family, []string{title(s(i) + s(i/20) + "nz"), title(s(i/20) + s(i) + "sie"), "Dr " + family}
}

// words is the vocabulary of Interview's prose.
var words = strings.Fields(`the a and to of in it was we that they for on with but at
had there about when what so all then been were after before just some very more
time day week year morning night people work depot rota van yard office canteen
kitchen river bridge road market school church station hall bus train shift
talked went came said thought knew asked told started stopped moved stayed left
back over round through into again still never always often really quite only
new old long short cold wet busy quiet early late next last other same different
because although while until since once if whether nobody everyone someone
keys doors gate lights radio rain snow tea sandwiches boxes forms letters phone`)

// Interview returns an interview transcript of about size bytes between
// an interviewer and Person(0) and Person(1): turns of one to three lines
// of ordinary prose (varied, reproducible), about one line in four naming
// one of the first people persons by name, short form or title, now and
// then across a line end.
func Interview(people, size int) string {
	var sb strings.Builder
	sb.Grow(size + 1024)
	p1, _ := Person(0)
	p2, _ := Person(1)
	seed := uint32(1)
	rnd := func(n int) int {
		seed = seed*1664525 + 1013904223 // a fixed LCG
		return int(seed>>8) % n
	}
	for turn := 0; sb.Len() < size; turn++ {
		speaker := "Interviewer"
		switch turn % 4 {
		case 1:
			speaker = p1
		case 3:
			speaker = p2
		}
		sb.WriteString(speaker + ": ")
		for line, lines := 0, 1+rnd(3); line < lines; line++ {
			n := 22 + rnd(20)
			name := -1
			if rnd(4) == 0 {
				name = rnd(n)
			}
			for w := 0; w < n; w++ {
				if w > 0 {
					sb.WriteByte(' ')
				}
				if w == name {
					full, aliases := Person(2 + rnd(people-2))
					switch k := rnd(5); {
					case k < 3:
						sb.WriteString(aliases[k])
					case w == n-1 && line < lines-1:
						given, family, _ := strings.Cut(full, " ")
						sb.WriteString(given + "\n" + family) // the name runs on to the next line
					default:
						sb.WriteString(full)
					}
					continue
				}
				sb.WriteString(words[rnd(len(words))])
			}
			sb.WriteString(".\n")
		}
	}
	return sb.String()
}
