package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
)

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
		d, err := s.Ingest(ctx, IngestRequest{Path: writeFile(t, "n.txt", strings.Repeat("note ", 20000+i)), Kind: policy.KindFieldNotes})
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
		if err := exitVia(ctx, s, "export", exitRequest{Doc: h, W: &buf}); !errors.Is(err, ErrIntegrity) || buf.Len() > 0 {
			t.Errorf("export of corrupted %s: err = %v", h, err)
		}
	}
}
