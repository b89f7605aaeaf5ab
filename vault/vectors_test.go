package vault

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fieldvault/fieldvault/vault/keys/local"
)

// Test vectors of the on-disk format, also printed in docs/format.md (the
// test checks that the document says the same), so that another
// implementation, or a later fieldvault, can check itself against them.
var (
	// vectorKey is the 32 bytes 00 01 02 … 1f.
	vectorKey = func() []byte {
		k := make([]byte, 32)
		for i := range k {
			k[i] = byte(i)
		}
		return k
	}()
	vectorKeyCheck = "4412aff905ce9992118ebc5ae9f37a87176bb37e69754d8ec3bc52d30808fbb1"

	vectorEntries = []Entry{
		{Time: time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC), Actor: "age1test", Action: "init", Detail: map[string]string{"key_provider": "local"}},
		{Time: time.Date(2026, 1, 5, 9, 31, 0, 0, time.UTC), Actor: "age1test", Action: "export", Outcome: "ok", Handles: []string{"D1"},
			Participants: []string{"P01"}, Consents: []string{"P01#1"}, Hashes: map[string]string{"output": strings.Repeat("0", 64)}},
	}
	vectorHashes = []string{"f0e42972e841bb57de4fdac30149319466095028cfb2d637e64064a2920b1f01", "5d2f0c6cecef3bd87fe8f8b5b22b54b2e2fe9833a6a831ff733fade91fd5efe4"}
)

func TestKeyCheckVector(t *testing.T) {
	k, err := local.New(vectorKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := KeyCheckValue(context.Background(), k)
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorKeyCheck {
		t.Errorf("key check value %s, want %s", got, vectorKeyCheck)
	}
}

func TestAuditChainVector(t *testing.T) {
	prev := ""
	for i, e := range vectorEntries {
		if e.Outcome == "" {
			e.Outcome = "ok"
		}
		e.seal(uint64(i+1), prev)
		if e.Hash != vectorHashes[i] {
			t.Errorf("entry %d: hash %s, want %s\n%s", i+1, e.Hash, vectorHashes[i], e.line())
		}
		prev = e.Hash
	}
}

// TestFormatDocVectors: docs/format.md prints the same vectors.
func TestFormatDocVectors(t *testing.T) {
	doc, err := os.ReadFile("../docs/format.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append([]string{vectorKeyCheck, KeyCheckLabel}, vectorHashes...) {
		if !strings.Contains(string(doc), v) {
			t.Errorf("docs/format.md lacks the vector %s", v)
		}
	}
}
