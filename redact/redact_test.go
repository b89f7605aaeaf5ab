package redact

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// hmacKey is HMAC-SHA256 under a fixed key, as the local key provider
// (vault/keys/local, which imports this package) computes it.
type hmacKey []byte

func (k hmacKey) HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		h := hmac.New(sha256.New, k)
		h.Write(m)
		out[i] = h.Sum(nil)
	}
	return out, nil
}

func testKey(tb testing.TB, seed byte) Keyer {
	tb.Helper()
	key := make(hmacKey, 32)
	for i := range key {
		key[i] = seed + byte(i)
	}
	return key
}

func loadStudy(tb testing.TB) []Entity {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "study.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var ents []Entity
	if err := json.Unmarshal(b, &ents); err != nil {
		tb.Fatal(err)
	}
	return ents
}

func compileStudy(tb testing.TB, ents []Entity) *Redactor {
	tb.Helper()
	reg := NewRegistry()
	if err := Assign(context.Background(), testKey(tb, 1), reg, ents); err != nil {
		tb.Fatalf("Assign: %v", err)
	}
	r, err := Compile(ents, reg)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return r
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestRedactGolden(t *testing.T) {
	ents := loadStudy(t)
	r := compileStudy(t, ents)
	in, err := os.ReadFile(filepath.Join("testdata", "rules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// Line 2 carries a decomposed copy of the name: make it NFD here so the
	// input file itself can stay readable.
	text := strings.Replace(string(in), "(decomposed: Genevieve Ó Súilleabháin)", "(decomposed: "+norm.NFD.String("Genevieve Ó Súilleabháin")+")", 1)
	got := r.Redact(text)
	golden(t, "rules.golden", got)

	var matches strings.Builder
	nfc := norm.NFC.String(text)
	for _, m := range r.Find(text) {
		matches.WriteString(m.EntityID + " " + m.Part + " " + nfc[m.Start:m.End] + "\n")
	}
	golden(t, "rules.matches.golden", matches.String())

	if again := r.Redact(got); again != got {
		t.Errorf("not idempotent:\nonce:  %q\ntwice: %q", got, again)
	}
	if strings.Count(got, "\n") != strings.Count(text, "\n") {
		t.Errorf("line count changed: got %d, want %d", strings.Count(got, "\n"), strings.Count(text, "\n"))
	}
}

func TestReplacementRules(t *testing.T) {
	ents := []Entity{
		{ID: "P01", Kind: KindPerson, Name: "Carol Jacklin-Jarvis", Pseudonym: "Leila Hartwell", Aliases: []string{"CJJ", "Caz"}},
		{ID: "P02", Kind: KindPerson, Name: "Ellie Dunmore", Pseudonym: "Leila Okafor"},
		{ID: "E01", Kind: KindPlace, Name: "Milton Keynes", Pseudonym: "Wexelford"},
		{ID: "E02", Kind: KindOrg, Name: "Milton Keynes Council", Pseudonym: "Alder Trust"},
	}
	r, err := Compile(ents, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"Hi Carol", "Hi Leila"},
		{"ELLIE", "LEILA"},
		{"ellie", "leila"},
		{"Ms Jacklin-Jarvis", "Ms Hartwell"},
		{"Ask Carol's", "Ask Leila's"},
		{"Ask Carol’s", "Ask Leila’s"},
		{"Carol's", "Carol's"}, // an ordinary word at a sentence start: reported, not replaced
		{"Jacklin-Jarvis'", "Hartwell'"},
		{"Carol\nJacklin-Jarvis", "Leila\nHartwell"},
		{"Carol \t  Jacklin-Jarvis", "Leila \t  Hartwell"},
		{"Milton Keynes Council", "Alder Trust"},
		{"Milton Keynes", "Wexelford"},
		{"Milton\nKeynes\nCouncil", "Alder\nTrust\n"},
		{"MILTON KEYNES", "WEXELFORD"},
		{"CJJ", "LH"},
		{"Caz", "Leila"},
		{"Carolyn", "Carolyn"},
		{"with Carol-Ann", "with Leila-Ann"},
		{"Carol2", "Carol2"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCaseSensitiveAlias(t *testing.T) {
	ents := []Entity{{ID: "P01", Kind: KindPerson, Name: "Hope Barnes", Pseudonym: "Nia Cole", Aliases: []string{"=Hope"}}}
	r, err := Compile(ents, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"Hope said": "Nia said", "I hope so": "I hope so", "HOPE": "HOPE", "barnes": "cole",
	} {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPartsSwitchedOff(t *testing.T) {
	ents := []Entity{
		{ID: "P01", Kind: KindPerson, Name: "Will Baker", Pseudonym: "Omar Reid", NoParts: true},
		{ID: "P02", Kind: KindPerson, Name: "Sam Tyler", Pseudonym: "Ada Quinn", Aliases: []string{"!Sam"}},
	}
	r, err := Compile(ents, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	got := r.Redact("Will Baker will bake. Sam Tyler, Sam, Tyler.")
	want := "Omar Reid will bake. Ada Quinn, Sam, Quinn."
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStreamMatchesRedact(t *testing.T) {
	ents := loadStudy(t)
	r := compileStudy(t, ents)
	in, err := os.ReadFile(filepath.Join("testdata", "rules.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat(string(in), 300) + norm.NFD.String("Ó Súilleabháin")
	want := r.Redact(text)
	if got := redactLines(t, r, text); got != want {
		t.Errorf("LineRedactor output differs from Redact (len %d vs %d)", len(got), len(want))
	}
}

func TestPseudonymStableAcrossVariants(t *testing.T) {
	k := testKey(t, 7)
	variants := []string{
		"Genevieve Ó Súilleabháin",
		norm.NFD.String("Genevieve Ó Súilleabháin"),
		"GENEVIEVE Ó SÚILLEABHÁIN",
		"genevieve  ó\nsúilleabháin",
		" Genevieve\tÓ Súilleabháin ",
		"Dr Genevieve Ó Súilleabháin",
	}
	var first Pseudonym
	for i, v := range variants {
		reg := NewRegistry()
		if err := Assign(context.Background(), k, reg, []Entity{{ID: "P1", Kind: KindPerson, Name: v}}); err != nil {
			t.Fatal(err)
		}
		p, ok := reg.Lookup(KindPerson, variants[0])
		if !ok {
			t.Fatalf("variant %d: no pseudonym under the canonical form", i)
		}
		if i == 0 {
			first = p
		} else if p != first {
			t.Errorf("variant %d: got %v, want %v", i, p, first)
		}
	}
	// Another key gives another pseudonym; the same key on "another machine"
	// (a fresh keyer) the same.
	reg2, reg3 := NewRegistry(), NewRegistry()
	e := []Entity{{ID: "P1", Kind: KindPerson, Name: variants[0]}}
	if err := Assign(context.Background(), testKey(t, 99), reg2, e); err != nil {
		t.Fatal(err)
	}
	if err := Assign(context.Background(), testKey(t, 7), reg3, e); err != nil {
		t.Fatal(err)
	}
	p2, _ := reg2.Lookup(KindPerson, variants[0])
	p3, _ := reg3.Lookup(KindPerson, variants[0])
	if p2 == first {
		t.Errorf("another key gave the same pseudonym %v", p2)
	}
	if p3 != first {
		t.Errorf("same key gave %v, want %v", p3, first)
	}
}

type countingKeyer struct {
	Keyer
	calls [][][]byte
}

func (c *countingKeyer) HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error) {
	c.calls = append(c.calls, msgs)
	return c.Keyer.HMAC(ctx, msgs)
}

func TestAssignBatchesOnceAndFixes(t *testing.T) {
	ents := loadStudy(t)
	ck := &countingKeyer{Keyer: testKey(t, 3)}
	reg := NewRegistry()
	if err := Assign(context.Background(), ck, reg, ents); err != nil {
		t.Fatal(err)
	}
	if len(ck.calls) != 1 {
		t.Fatalf("HMAC called %d times, want 1", len(ck.calls))
	}
	if got, want := len(ck.calls[0]), len(ents)-1; got != want { // P06 has an explicit pseudonym
		t.Errorf("batch of %d messages, want %d", got, want)
	}
	for _, m := range ck.calls[0] {
		if string(m) == "person:carol jacklin-jarvis" {
			goto found
		}
	}
	t.Errorf("batch lacks the message %q", "person:carol jacklin-jarvis")
found:
	if err := Assign(context.Background(), ck, reg, ents); err != nil {
		t.Fatal(err)
	}
	if len(ck.calls) != 1 {
		t.Errorf("second Assign called HMAC again (%d calls), want none", len(ck.calls))
	}
	p, _ := reg.Lookup(KindPerson, "Sunita van der Berg")
	if p != (Pseudonym{Given: "Asha", Family: "Penrose"}) {
		t.Errorf("explicit pseudonym: got %+v", p)
	}
	// The registry round-trips through JSON and fixes pseudonyms: a
	// different key does not change them.
	b, err := json.Marshal(reg)
	if err != nil {
		t.Fatal(err)
	}
	reg2 := NewRegistry()
	if err := json.Unmarshal(b, reg2); err != nil {
		t.Fatal(err)
	}
	if err := Assign(context.Background(), testKey(t, 200), reg2, ents); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		p1, _ := reg.Lookup(e.Kind, e.Name)
		p2, ok := reg2.Lookup(e.Kind, e.Name)
		if !ok || p1 != p2 {
			t.Errorf("%s: after round trip got %v, want %v", e.ID, p2, p1)
		}
	}
	if err := json.Unmarshal([]byte(`{"version":9,"entries":[]}`), reg2); err == nil {
		t.Error("unknown registry version accepted")
	}
}

func TestAssignCollisionsStep(t *testing.T) {
	// A keyer that returns the same MAC for every message forces every
	// candidate to collide.
	same := keyerFunc(func(msgs [][]byte) [][]byte {
		out := make([][]byte, len(msgs))
		for i := range out {
			out[i] = make([]byte, 32)
		}
		return out
	})
	var ents []Entity
	for i, n := range []string{"Ann Cole", "Bea Dunn", "Cy Earl", "Di Fox"} {
		ents = append(ents, Entity{ID: string(rune('A' + i)), Kind: KindPerson, Name: n},
			Entity{ID: "pl" + string(rune('A'+i)), Kind: KindPlace, Name: n + " Green"},
			Entity{ID: "m" + string(rune('A'+i)), Kind: KindMeeting, Name: n + " Meeting"})
	}
	reg := NewRegistry()
	if err := Assign(context.Background(), same, reg, ents); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range ents {
		p, _ := reg.Lookup(e.Kind, e.Name)
		for _, part := range []string{p.Given, p.Family, p.Name} {
			if part == "" {
				continue
			}
			if prev, dup := seen[part]; dup {
				t.Errorf("%s and %s share pseudonym part %q", prev, e.ID, part)
			}
			seen[part] = e.ID
		}
	}
	if _, err := Compile(ents, reg); err != nil {
		t.Fatal(err)
	}
}

type keyerFunc func([][]byte) [][]byte

func (f keyerFunc) HMAC(_ context.Context, msgs [][]byte) ([][]byte, error) { return f(msgs), nil }

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		ents []Entity
		want string
	}{
		{"missing", []Entity{{ID: "P09", Kind: KindPerson, Name: "Zed Ward"}}, "no pseudonym assigned for P09"},
		{"kind", []Entity{{ID: "X1", Kind: "robot", Name: "Zed"}}, "invalid entity X1"},
		{"empty", []Entity{{ID: "X2", Kind: KindPlace, Name: "  "}}, "invalid entity X2: empty name"},
		{"conflict", []Entity{
			{ID: "P1", Kind: KindPerson, Name: "Zed Ward", Pseudonym: "Amy Lowe"},
			{ID: "P2", Kind: KindPerson, Name: "Amy Lowe", Pseudonym: "Kim Roe"},
		}, "the pseudonym of P1 is an alias of P2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.ents, NewRegistry())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			for _, e := range tt.ents {
				if strings.Contains(err.Error(), e.Name) && strings.TrimSpace(e.Name) != "" {
					t.Errorf("error %q contains a real name", err)
				}
			}
		})
	}
}

func TestAmbiguities(t *testing.T) {
	ents := []Entity{
		{ID: "P1", Kind: KindPerson, Name: "John Ward", Pseudonym: "Ian Lowe"},
		{ID: "P2", Kind: KindPerson, Name: "John Pell", Pseudonym: "Raj Kent"},
	}
	r, err := Compile(ents, NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Redact("John"); got != "Ian" {
		t.Errorf("shared given name: got %q, want %q (first entity wins)", got, "Ian")
	}
	if a := r.Ambiguities(); len(a) != 1 || strings.Join(a[0], ",") != "P1,P2" {
		t.Errorf("Ambiguities() = %v, want [[P1 P2]]", a)
	}
	if !r.IsAlias("john") || r.IsAlias("Johnny") || !r.IsPseudonym("LOWE") {
		t.Error("IsAlias/IsPseudonym disagree with the dictionary")
	}
}

func TestNameLists(t *testing.T) {
	for name, n := range map[string]int{"given": len(givenAll), "family": len(familyNames), "place": len(placeNames)} {
		if n < 1000 {
			t.Errorf("%s list has %d names, want at least 1000", name, n)
		}
	}
	seen := map[string]bool{}
	for _, p := range placeNames {
		if seen[p] {
			t.Errorf("place %q generated twice", p)
		}
		seen[p] = true
	}
}

// TestHMACNoCollisions: 10^6 distinct names give 10^6 distinct MACs (and
// distinct 64-bit prefixes, which is what indexes the lists).
func TestHMACNoCollisions(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	k := testKey(t, 5)
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = []byte(regKey(KindPerson, canonicalName(KindPerson, randomName(uint64(i)))))
	}
	macs, err := k.HMAC(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	seenMsg := make(map[string]bool, n)
	seen := make(map[[32]byte]bool, n)
	distinct := 0
	for i, m := range macs {
		if seenMsg[string(msgs[i])] {
			continue
		}
		seenMsg[string(msgs[i])] = true
		distinct++
		var a [32]byte
		copy(a[:], m)
		if seen[a] {
			t.Fatalf("collision at name %d", i)
		}
		seen[a] = true
	}
	if distinct < n*99/100 {
		t.Fatalf("only %d distinct names generated of %d", distinct, n)
	}
}

// randomName builds a synthetic name from a counter (xorshift).
func randomName(seed uint64) string {
	x := seed*0x9E3779B97F4A7C15 + 1
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	syl := []string{"ka", "ro", "li", "ven", "mar", "tis", "el", "dor", "an", "su", "bel", "qui", "zo", "ha", "nie", "wyn"}
	word := func(k int) string {
		var b strings.Builder
		for range k {
			b.WriteString(syl[next()%uint64(len(syl))])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return word(3+int(next()%2)) + " " + word(3+int(next()%3))
}

func TestPreviewDoesNotRecord(t *testing.T) {
	reg := NewRegistry()
	e := Entity{ID: "P1", Kind: KindPerson, Name: "Dervla Quennell"}
	p, err := Preview(context.Background(), testKey(t, 4), reg, e)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Len() != 0 {
		t.Errorf("Preview recorded %d entries, want 0", reg.Len())
	}
	if err := Assign(context.Background(), testKey(t, 4), reg, []Entity{e}); err != nil {
		t.Fatal(err)
	}
	if got, _ := reg.Lookup(KindPerson, e.Name); got != p {
		t.Errorf("Assign gave %v, Preview said %v", got, p)
	}
}

func TestSmallDictionaries(t *testing.T) {
	tests := []struct {
		ents     []Entity
		in, want string
	}{
		{nil, "Nothing to do here.", "Nothing to do here."},
		{[]Entity{{ID: "E1", Kind: KindPlace, Name: "Bath", Pseudonym: "Ivelcombe"}}, "In Bath, a bath.", "In Ivelcombe, a bath."},
		{[]Entity{{ID: "E1", Kind: KindPlace, Name: "Bath", Aliases: []string{"=Bath"}, Pseudonym: "Ivelcombe"}}, "In Bath, a bath.", "In Ivelcombe, a bath."},
		{[]Entity{{ID: "E1", Kind: KindOther, Name: "X", Pseudonym: "Item Yew"}}, "X marks x; xx.", "Item Yew marks item yew; xx."},
	}
	for _, tt := range tests {
		r, err := Compile(tt.ents, NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAssignKeyerFailures(t *testing.T) {
	ents := []Entity{{ID: "P1", Kind: KindPerson, Name: "Orla Brannigan"}}
	tests := []struct {
		name string
		k    Keyer
		want string
	}{
		{"error", keyerErr{}, "computing pseudonym keys: vault sealed"},
		{"short batch", keyerFunc(func([][]byte) [][]byte { return nil }), "returned 0 results for 1 messages"},
		{"short mac", keyerFunc(func(m [][]byte) [][]byte { return [][]byte{{1, 2}} }), "result 1 is 2 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := NewRegistry()
			err := Assign(context.Background(), tt.k, reg, ents)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
			if strings.Contains(strings.ToLower(err.Error()), "orla") {
				t.Errorf("error %q names the person", err)
			}
			if reg.Len() != 0 {
				t.Errorf("registry changed on failure: %d entries", reg.Len())
			}
		})
	}
}

type keyerErr struct{}

func (keyerErr) HMAC(context.Context, [][]byte) ([][]byte, error) {
	return nil, errorString("vault sealed")
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestConcurrentUse(t *testing.T) {
	r := compileStudy(t, loadStudy(t))
	in := "Hi Carol, Ms Jacklin-Jarvis met Genevieve at Milton Keynes Council. Ελένη ΣΤΡΑΣΣΕ."
	want := r.Redact(in)
	done := make(chan string)
	for range 8 {
		go func() {
			var out []string
			lr := r.Lines(func(l string) error { out = append(out, l); return nil })
			err := lr.Line(in)
			if err == nil {
				err = lr.End()
			}
			if err != nil {
				out = append(out, err.Error())
			}
			done <- r.Redact(in) + "|" + strings.Join(out, "\n")
		}()
	}
	for range 8 {
		if got := <-done; got != want+"|"+want {
			t.Errorf("concurrent result %q, want %q", got, want+"|"+want)
		}
	}
}
