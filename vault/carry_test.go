package vault

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact/format/transcript"
	"github.com/fieldvault/fieldvault/redact/format/transcript/transcripttest"
)

// TestCarryGolden ingests each case's old text, flags it, ingests the new
// text as its next version, and compares what ingest recorded (the carry
// report and every line of the new version with the flags the gate will
// apply to it) with testdata/carry/<case>.golden.
func TestCarryGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "carry", "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in testdata/carry: %v", err)
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string]string{}
			for _, f := range ar.Files {
				files[f.Name] = string(f.Data)
			}
			s := newStudy(t)
			if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "old.txt", files["old.txt"]), Kind: policy.KindFieldNotes, Handle: "D1"}); err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(strings.TrimSpace(files["flags"]), "\n") {
				if l == "" {
					continue
				}
				var kind string
				var from, to int
				if _, err := fmt.Sscanf(l, "%s %d-%d", &kind, &from, &to); err != nil {
					t.Fatalf("flags line %q: %v", l, err)
				}
				if err := s.Flag(ctx, FlagRequest{Doc: "D1", From: from, To: to, Kind: policy.FlagKind(kind), Reason: "golden"}); err != nil {
					t.Fatal(err)
				}
			}
			d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "new.txt", files["new.txt"]), VersionOf: "D1"})
			if err != nil {
				t.Fatal(err)
			}
			v := d.Latest()
			var b strings.Builder
			for _, c := range v.Carried {
				fmt.Fprintln(&b, c)
			}
			lines, _, err := transcripttest.Parse(t.Context(), transcript.FormatText, strings.NewReader(files["new.txt"]))
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString("--\n")
			for _, l := range lines {
				var kinds []string
				for _, f := range v.Flags {
					if f.From <= l.N && l.N <= f.To {
						kinds = append(kinds, string(f.Kind))
					}
				}
				for _, f := range l.Flags {
					kinds = append(kinds, string(f)+"(markup)")
				}
				fmt.Fprintf(&b, "%2d %-24s %s\n", l.N, strings.Join(kinds, ","), l.Text)
			}
			csvGolden(t, strings.TrimSuffix(path, ".txtar")+".golden", []byte(b.String()))
		})
	}
}

// TestCarryProperty applies random edits to a flagged text and checks that
// every line descended from a withheld line is withheld in the new version,
// and that no flag is lost.
func TestCarryProperty(t *testing.T) {
	words := strings.Fields("the board never saw figures depot spring treasurer money float changed banks chair knew auditors " +
		"grant late rota volunteers van kitchen shelves winter donors council letter meeting minutes budget")
	r := rand.New(rand.NewPCG(13, 7))
	sentence := func() string {
		n := 4 + r.IntN(8)
		w := make([]string, n)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ") + " " + strconv.Itoa(r.IntN(1e6)) + "."
	}
	// Provenance is kept per word: a new line comes from a withheld line
	// when any of its words does.
	type word struct {
		text   string
		origin int // index of the old line it came from, or -1
	}
	type line []word
	fresh := func() line {
		var l line
		for _, w := range strings.Fields(sentence()) {
			l = append(l, word{w, -1})
		}
		return l
	}
	text := func(l line) string {
		w := make([]string, len(l))
		for i, x := range l {
			w[i] = x.text
		}
		return strings.Join(w, " ")
	}
	for iter := range 500 {
		n := 3 + r.IntN(30)
		cur := make([]line, n)
		old := make([]string, n)
		for i := range cur {
			cur[i] = fresh()
			for k := range cur[i] {
				cur[i][k].origin = i
			}
			old[i] = text(cur[i])
		}
		var flags []policy.Flag
		for range 1 + r.IntN(3) {
			a := 1 + r.IntN(n)
			b := min(n, a+r.IntN(3))
			flags = append(flags, policy.Flag{Kind: policy.FlagStruck, From: a, To: b})
		}
		for range 1 + r.IntN(6) {
			if len(cur) == 0 {
				break
			}
			i := r.IntN(len(cur))
			switch r.IntN(7) {
			case 0: // insert
				cur = slices.Insert(cur, i, fresh())
			case 1: // delete
				cur = slices.Delete(cur, i, i+1)
			case 2: // typo
				l := slices.Clone(cur[i])
				k := r.IntN(len(l))
				b := []byte(l[k].text)
				b[r.IntN(len(b))] = 'x'
				l[k].text = string(b)
				cur[i] = l
			case 3: // reword, keeping where it came from
				l := fresh()
				for k := range l {
					l[k].origin = cur[i][0].origin
				}
				cur[i] = l
			case 4: // split
				if len(cur[i]) > 1 {
					k := 1 + r.IntN(len(cur[i])-1)
					cur = slices.Replace(cur, i, i+1, slices.Clone(cur[i][:k]), slices.Clone(cur[i][k:]))
				}
			case 5: // merge with the next
				if i+1 < len(cur) {
					cur = slices.Replace(cur, i, i+2, append(slices.Clone(cur[i]), cur[i+1]...))
				}
			case 6: // words added
				cur[i] = append(slices.Clone(cur[i]), fresh()...)
			}
		}
		newText := make([]string, len(cur))
		for i, l := range cur {
			newText[i] = text(l)
		}
		got, carries := carryFlags(old, newText, 1, flags, nil, nil)
		if len(newText) > 0 && len(carries) != len(flags) {
			t.Fatalf("iteration %d: %d flags in, %d carried", iter, len(flags), len(carries))
		}
		withheldOld := make([]bool, n)
		for _, f := range flags {
			for i := f.From; i <= f.To; i++ {
				withheldOld[i-1] = true
			}
		}
		for j, l := range cur {
			if !slices.ContainsFunc(l, func(w word) bool { return w.origin >= 0 && withheldOld[w.origin] }) {
				continue
			}
			if !slices.ContainsFunc(got, func(f policy.Flag) bool { return f.From <= j+1 && j+1 <= f.To }) {
				t.Fatalf("iteration %d: new line %d holds words of a withheld line and is quotable after the edit\nold: %q\nflags: %+v\nnew: %q\ngot: %+v",
					iter, j+1, old, flags, newText, got)
			}
		}
	}
}

// TestCarryUnchanged: a version identical to the last keeps every flag
// exactly where it was.
func TestCarryUnchanged(t *testing.T) {
	text := []string{"a line", "", "another line", "a line", "last"}
	flags := []policy.Flag{{Kind: policy.FlagDNQ, From: 2, To: 4}, {Kind: policy.FlagStruck, From: 5, To: 5}}
	got, carries := carryFlags(text, text, 1, flags, nil, nil)
	for i, f := range got {
		if f.From != flags[i].From || f.To != flags[i].To || carries[i].How != CarrySame {
			t.Errorf("flag %d: got %d-%d (%s), want %d-%d same", i, f.From, f.To, carries[i].How, flags[i].From, flags[i].To)
		}
	}
}

// TestLineDiffLarge exercises the anchored path of the diff (regions too
// large for the quadratic table) and checks it still pairs unchanged lines.
func TestLineDiffLarge(t *testing.T) {
	n := 3000
	old := make([]string, n)
	for i := range old {
		old[i] = "line " + strconv.Itoa(i)
	}
	nw := slices.Clone(old)
	nw[1] = "changed at the top"
	nw[n-2] = "changed at the bottom"
	nw = slices.Insert(nw, 1500, "inserted in the middle")
	m := mapTexts(old, nw)
	for i := range old {
		if i == 1 || i == n-2 {
			continue
		}
		want := i
		if i >= 1500 {
			want++
		}
		if int(m.oldTo[i]) != want {
			t.Fatalf("old line %d paired with %d, want %d", i, m.oldTo[i], want)
		}
	}
}

// FuzzCarry: any two texts and any flag range: no panic, every carried
// range lies inside the new version, and no flag is lost.
func FuzzCarry(f *testing.F) {
	seeds := [][2]string{
		{"a\nb\nc\n", "a\nb2\nc\n"},
		{"one\ntwo\nthree", ""},
		{"", "x"},
		{"same\nsame\nsame", "same\nother\nsame\nsame"},
		{"The treasurer took the mony.\nAfter that.", "Cash went missing.\nAfter that."},
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], uint8(1), uint8(2))
	}
	f.Fuzz(func(t *testing.T, oldText, newText string, a, b uint8) {
		old, nw := strings.Split(oldText, "\n"), strings.Split(newText, "\n")
		fl := []policy.Flag{{Kind: policy.FlagStruck, From: int(a)%len(old) + 1, To: int(b)%len(old) + 1}}
		got, carries := carryFlags(old, nw, 1, fl, fl, nil)
		if len(carries) != 2 {
			t.Fatalf("%d flags in, %d carried", 2, len(carries))
		}
		for _, g := range got {
			if g.From < 1 || g.To > len(nw) || g.From > g.To {
				t.Fatalf("carried range %d-%d outside 1-%d", g.From, g.To, len(nw))
			}
		}
	})
}

// TestFlagEarlierVersionCarries: flagging a line of version 1 after
// version 2 exists flags the same text in version 2.
func TestFlagEarlierVersionCarries(t *testing.T) {
	s := newStudy(t)
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "v1.txt", "one\nthe struck line\nthree\n"), Kind: policy.KindFieldNotes, Handle: "D1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "v2.txt", "zero\none\nthe struck line\nthree\n"), VersionOf: "D1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flag(ctx, FlagRequest{Doc: "D1", Version: 1, From: 2, To: 2, Kind: policy.FlagStruck, Reason: "asked"}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Doc("D1")
	if err != nil {
		t.Fatal(err)
	}
	v2 := d.Latest()
	if len(v2.Flags) != 1 || v2.Flags[0].From != 3 || v2.Flags[0].To != 3 || v2.Flags[0].Kind != policy.FlagStruck {
		t.Fatalf("version 2 flags = %+v, want struck 3-3", v2.Flags)
	}
}

// textLines streams lines held in memory.
func textLines(lines []string) lineSource {
	return func(fn func(string) error) error {
		for _, s := range lines {
			if err := fn(s); err != nil {
				return err
			}
		}
		return nil
	}
}

func hashTexts(lines []string) []uint64 {
	h, _ := lineHashes(textLines(lines), len(lines))
	return h
}

// carryFlags is carryLines on two versions held in memory.
func carryFlags(oldText, newText []string, oldVer int, recorded, inline, newMarkup []policy.Flag) ([]policy.Flag, []Carry) {
	flags, carries, err := carryLines(textLines(oldText), textLines(newText), hashTexts(oldText), hashTexts(newText), oldVer, recorded, inline, newMarkup)
	if err != nil {
		panic(err) // lines in memory cannot fail to stream
	}
	return flags, carries
}

// mapTexts pairs the lines of two versions held in memory.
func mapTexts(old, nw []string) *lineMap {
	m := mapLines(hashTexts(old), hashTexts(nw))
	if err := m.follow(textLines(old), textLines(nw), func(int32, int32) bool { return false }); err != nil {
		panic(err)
	}
	return m
}

// FuzzLineHash: a line's hash is that of its normalised text (normLine),
// made without building it, so lines compare exactly as normLine says.
func FuzzLineHash(f *testing.F) {
	for _, s := range []string{"", "  A  b\tC ", "ÀÉ\u00a0x\u3000Y", "\xff\xfeab\xc3", "İSTANBUL ǅ", "\u2028x\u0085", "MiXeD 123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lineHash(s), maphash.String(lineSeed, normLine(s)); got != want {
			t.Fatalf("lineHash(%q) = %x, the hash of normLine %q is %x", s, got, normLine(s), want)
		}
	})
}

// TestSharedLines: a new version is judged by the non-blank lines of the
// version before that the line diff keeps (unchanged or edited); under a
// third kept reads as the wrong file.
func TestSharedLines(t *testing.T) {
	old := "Interviewer: Thank you for coming.\nLowenna: The flood took the van in March.\n\nLowenna: We rebuilt the depot with the neighbours.\nLowenna: Then the grant came, far too late.\nLowenna: It stayed shut all summer.\nLowenna: He looked at the mud and left.\n"
	tests := []struct {
		name     string
		nw       string
		kept, of int
		few      bool
	}{
		{"the same", old, 6, 6, false},
		{"corrected: lines edited and added, blank lines dropped", "Interviewer: Thank you for coming in today.\nLowenna: The flood took the van in early March.\nLowenna: We rebuilt the depot with the neighbours.\nA new line.\nLowenna: Then the grant came, far too late.\nLowenna: It stayed shut all summer.\nLowenna: He looked at the mud and left.\n", 6, 6, false},
		{"half cut", "Interviewer: Thank you for coming.\nLowenna: The flood took the van in March.\nLowenna: We rebuilt the depot with the neighbours.\n", 3, 6, false},
		{"another interview", "Interviewer: Thank you for coming.\nIdris: I drove the school bus for thirty years.\nIdris: The route changed when the bridge closed.\nIdris: Nobody asked the drivers.\nIdris: They never do.\n", 1, 6, true},
		{"empty", "", 0, 6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := splitText(old), splitText(tt.nw)
			// The count is the same whether or not the diff also carries
			// flags: one diff serves both.
			for _, flags := range [][]policy.Flag{nil, {{Kind: policy.FlagDNQ, From: 2, To: 4}}} {
				c, err := compareLines(textLines(a), textLines(b), hashTexts(a), hashTexts(b), 1, flags, nil, nil)
				if err != nil || c.kept != tt.kept || c.of != tt.of || SharesFew(c.kept, c.of) != tt.few {
					t.Errorf("with %d flags: shares %d of %d (few %v, %v), want %d of %d (few %v)", len(flags), c.kept, c.of, SharesFew(c.kept, c.of), err, tt.kept, tt.of, tt.few)
				}
				if len(flags) > 0 && len(b) > 0 && len(c.carries) != 1 {
					t.Errorf("carries %+v, want the flag carried", c.carries)
				}
			}
		})
	}
}

// splitText is text's lines (none for "").
func splitText(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}
