package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"strings"
	"testing"
)

var directiveSeeds = []string{
	"{{quote D12:120-134}}",
	"As {{pseudonym P07}} said at {{entity E3}}:\n\n{{quote D1:4-4}}\n",
	"{{quote D1:5-2}}", "{{quote D1}}", "{{ pseudonym  P1 }}", "{{unknown X1}}", "{{", "}}", "{{{{quote D1:1-1}}}}",
	"line one\n{{quote D2:1-3}} and {{quote D3:4-5}}\n",
}

// FuzzParseDirectives: never panics; positions lie inside the chapter; a
// malformed directive is a *DirectiveError that does not quote the chapter.
func FuzzParseDirectives(f *testing.F) {
	if len(directiveSeeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range directiveSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, chapter string) {
		ds, err := ParseDirectives(chapter)
		if err != nil {
			var de *DirectiveError
			if !errors.As(err, &de) {
				t.Fatalf("error of type %T", err)
			}
			if len(chapter) > 12 && strings.Contains(err.Error(), chapter) {
				t.Fatalf("error quotes the chapter")
			}
			return
		}
		lines := strings.Split(chapter, "\n")
		for _, d := range ds {
			if d.Line < 1 || d.Line > len(lines) || d.Start < 0 || d.End > len(lines[d.Line-1]) || d.Start >= d.End {
				t.Fatalf("directive out of range: %+v", d)
			}
			if d.Verb == "quote" && (d.From < 1 || d.To < d.From) {
				t.Fatalf("bad range: %+v", d)
			}
		}
		// Substituting every directive must not panic and removes them all.
		out := substitute(chapter, ds, make([]string, len(ds)))
		if again, err := ParseDirectives(out); err == nil && len(again) >= len(ds) && len(ds) > 0 {
			t.Fatalf("substitution left %d directives", len(again))
		}
	})
}

// FuzzAuditChain: verifyChain never panics on any log and never accepts an
// entry whose hash does not match.
func FuzzAuditChain(f *testing.F) {
	var e1, e2 Entry
	e1 = Entry{Action: "init", Time: fixedNow()}
	e1.seal(1, "")
	e2 = Entry{Action: "ingest", Handles: []string{"D1"}, Time: fixedNow()}
	e2.seal(2, e1.Hash)
	good := string(e1.line()) + string(e2.line())
	seeds := []string{good, good[:len(good)/2], strings.Replace(good, "ingest", "export", 1), "{}\n", "not json\n", ""}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var lines [][]byte
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(l) > 0 {
				lines = append(lines, l)
			}
		}
		entries, prob := verifyChain(lines)
		for i, e := range entries {
			if e.computeHash() != e.Hash || e.Seq != uint64(i+1) {
				t.Fatalf("accepted a bad entry %d", i+1)
			}
		}
		if prob != nil && (prob.Line < 1 || prob.Line > len(lines)) {
			t.Fatalf("problem names line %d of %d", prob.Line, len(lines))
		}
	})
}

// FuzzCatalogDecode: the catalogue's JSON decoding never panics, whatever
// a damaged (but decryptable) catalogue holds.
func FuzzCatalogDecode(f *testing.F) {
	s := newStudy(f)
	addParticipant(f, s, "P1", "Genevieve Okafor-Hale", "participate", "quote")
	cat, err := s.Catalog()
	if err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(cat)
	for _, seed := range [][]byte{good, good[:len(good)/3], []byte(`{"format":1}`), []byte(`{"format":1,"pseudonyms":{"version":9}}`), []byte("null")} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Catalog
		if json.Unmarshal(data, &c) != nil {
			return
		}
		c.objectRefs()
		c.Records()
		c.dictionary()
		c.Redactor()
		c.erasePlan("P1")
	})
}

// TestCorruptKObjects flips one bit in K of N objects: verify --read-data
// reports exactly those K, by handle.
func TestCorruptKObjects(t *testing.T) {
	s := newStudy(t)
	const n, k = 8, 3
	var docs []*Document
	for i := 0; i < n; i++ {
		d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", strings.Repeat("note ", 20000+i)), Kind: KindFieldNotes})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	rng := rand.New(rand.NewSource(7))
	want := map[string]bool{}
	for _, i := range rng.Perm(n)[:k] {
		p := objectPath(s.Dir, docs[i].Latest().Object)
		data, _ := os.ReadFile(p)
		data[rng.Intn(len(data))] ^= 1 << uint(rng.Intn(8))
		os.WriteFile(p, data, 0o600)
		want[docs[i].Handle] = true
	}
	rep, err := s.Verify(true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range rep.Problems {
		got[strings.Fields(p)[0]] = true
	}
	if len(got) != k || len(rep.Problems) != k {
		t.Fatalf("problems = %q, want exactly %d naming %v", rep.Problems, k, want)
	}
	for h := range want {
		if !got[h] {
			t.Errorf("corrupted %s not reported", h)
		}
		var buf bytes.Buffer
		if _, err := s.Export(ctx, ExitRequest{Doc: h, W: &buf}); !errors.Is(err, ErrIntegrity) || buf.Len() > 0 {
			t.Errorf("export of corrupted %s: err = %v", h, err)
		}
	}
}
