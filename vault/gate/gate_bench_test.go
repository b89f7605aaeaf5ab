package gate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fieldvault/fieldvault/policy"
	"github.com/fieldvault/fieldvault/redact"
	"github.com/fieldvault/fieldvault/vault"
	"github.com/fieldvault/fieldvault/vault/keys"
	"github.com/fieldvault/fieldvault/vault/keys/local"
)

// countingKeyer counts key-service round trips.
type countingKeyer struct {
	k     redact.Keyer
	calls atomic.Int64
}

func (c *countingKeyer) HMAC(ctx context.Context, msgs [][]byte) ([][]byte, error) {
	c.calls.Add(1)
	return c.k.HMAC(ctx, msgs)
}

// countingSource hands out a countingKeyer for the provider's keyer.
type countingSource struct {
	vault.KeySource
	ck **countingKeyer
}

func (c countingSource) Keyer(ctx context.Context, stored func() ([]byte, error)) (redact.Keyer, error) {
	k, err := c.KeySource.Keyer(ctx, stored)
	if err != nil {
		return nil, err
	}
	*c.ck = &countingKeyer{k: k}
	return *c.ck, nil
}

// BenchmarkExportCorpus lets 1,000 interview transcripts (~50 MB) out in
// one run (a QDA project of all of them), counting key-service round trips.
func BenchmarkExportCorpus(b *testing.B) {
	docs, perDoc := 1000, 50_000
	if testing.Short() {
		docs = 50
	}
	s := newStudy(b)
	var reqs []vault.ParticipantRequest
	for i := 0; i < 200; i++ {
		reqs = append(reqs, vault.ParticipantRequest{Handle: fmt.Sprintf("P%d", i+1), Name: fmt.Sprintf("Given%03d Family%03d", i, i)})
	}
	if err := s.AddParticipants(ctx, reqs); err != nil {
		b.Fatal(err)
	}
	for i := range reqs {
		if _, err := s.RecordConsent(ctx, vault.ConsentRequest{Handle: reqs[i].Handle, Form: "v1", Signed: "2025-01-01", Scopes: []policy.Scope{"participate", "quote"}}); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	total := 0
	for d := 0; d < docs; d++ {
		p := reqs[d%len(reqs)]
		var sb strings.Builder
		for sb.Len() < perDoc {
			fmt.Fprintf(&sb, "Interviewer: What happened next at depot %d, %s?\n", d, strings.Fields(p.Name)[0])
			fmt.Fprintf(&sb, "%s: We talked it through with Given%03d Family%03d and the others for most of the afternoon.\n", p.Name, (d+7)%200, (d+7)%200)
		}
		path := filepath.Join(dir, fmt.Sprintf("t%d.txt", d))
		os.WriteFile(path, []byte(sb.String()), 0o600)
		total += sb.Len()
		if _, err := s.Ingest(ctx, vault.IngestRequest{Path: path, Kind: policy.KindTranscript, Participants: []string{p.Handle}}); err != nil {
			b.Fatal(err)
		}
	}
	// Reopened as cmd opens it, with the key provider's keyer counted.
	var ck *countingKeyer
	s, err := vault.Open(s.Dir, vault.Options{IdentityFile: s.Identity.Path, Now: fixedNow, Providers: func(cfg *vault.Config) vault.Providers {
		p := keys.For(cfg)
		p.Key = countingSource{p.Key, &ck}
		return p
	}})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.PseudonymFor(ctx, "Nobody Registered", redact.KindPerson); err != nil { // the key checked once, before counting
		b.Fatal(err)
	}
	ck.calls.Store(0)
	out := filepath.Join(dir, "corpus.qdpx")
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(ctx, s, Request{Exit: ExitQDA, All: true, Output: out, Force: true, AcceptResidual: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := ck.calls.Load(); n > int64(b.N) {
		b.Fatalf("%d key-service round trips for %d runs", n, b.N)
	}
	b.ReportMetric(float64(ck.calls.Load())/float64(b.N), "key-round-trips/op")
}

// BenchmarkExportCorpusRedactOnly is the redact engine alone over the same
// kind of corpus, for the ratio the gate's throughput is held to (within 2×).
func BenchmarkExportCorpusRedactOnly(b *testing.B) {
	docs, perDoc := 1000, 50_000
	if testing.Short() {
		docs = 50
	}
	var ents []redact.Entity
	for i := 0; i < 200; i++ {
		ents = append(ents, redact.Entity{ID: fmt.Sprintf("P%d", i+1), Kind: redact.KindPerson, Name: fmt.Sprintf("Given%03d Family%03d", i, i)})
	}
	k, _ := local.New(make([]byte, 32))
	reg := redact.NewRegistry()
	if err := redact.Assign(ctx, k, reg, ents); err != nil {
		b.Fatal(err)
	}
	rd, err := redact.Compile(ents, reg)
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	total := 0
	for d := 0; d < docs; d++ {
		name := ents[d%len(ents)].Name
		var sb strings.Builder
		for sb.Len() < perDoc {
			fmt.Fprintf(&sb, "Interviewer: What happened next at the depot, %s?\n", strings.Fields(name)[0])
			fmt.Fprintf(&sb, "%s: We talked it through with Given%03d Family%03d and the others for most of the afternoon.\n", name, (d+7)%200, (d+7)%200)
		}
		texts = append(texts, sb.String())
		total += sb.Len()
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			redact.Scan(rd.Redact(t), rd)
		}
	}
}
