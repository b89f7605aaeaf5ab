package hcvault

// Tests against a real Vault dev server (see hcvaulttest). They skip when no
// vault binary is available, and fail instead when FIELDVAULT_REQUIRE_VAULT=1.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fieldvault/fieldvault/vault/keys/hcvault/hcvaulttest"
)

func TestMain(m *testing.M) { os.Exit(hcvaulttest.Main(m)) }

var keySeq atomic.Int64

// newKeyName returns a Transit key name unique to this test binary.
func newKeyName(t testing.TB) string {
	return fmt.Sprintf("fvtest-%d", keySeq.Add(1))
}

// names returns n synthetic canonical names as the redact engine would HMAC
// them ("kind:normalised name").
func names(n int) [][]byte {
	given := []string{"ada", "bram", "cerys", "dilys", "eamon", "fenella", "gethin", "hollis"}
	family := []string{"ashgrove", "brindle", "caldwater", "dunmere", "elstow", "farrant"}
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "person:%s %s %d", given[i%len(given)], family[i%len(family)], i)
	}
	return out
}

// noSecret fails the test if err's text holds the token or any message.
func noSecret(t *testing.T, err error, token string, msgs ...[]byte) {
	t.Helper()
	if err == nil {
		return
	}
	text := err.Error()
	if token != "" && strings.Contains(text, token) {
		t.Errorf("error text contains the vault token: %q", text)
	}
	for _, m := range msgs {
		if len(m) > 0 && strings.Contains(text, string(m)) {
			t.Errorf("error text contains an input message")
		}
	}
	if strings.Contains(text, "\n") {
		t.Errorf("error %q is not one line", text)
	}
}

// setupKey creates a key with Setup and returns its pinned config.
func setupKey(t *testing.T) Config {
	t.Helper()
	cfg := Config{Key: newKeyName(t)}
	v, err := Setup(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Setup(%s): %v", cfg.Key, err)
	}
	cfg.KeyVersion = v
	return cfg
}

func mustNew(t *testing.T, cfg Config) *Keyer {
	t.Helper()
	k, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return k
}

func mustHMAC(t *testing.T, k *Keyer, msgs [][]byte) [][]byte {
	t.Helper()
	macs, err := k.HMAC(context.Background(), msgs)
	if err != nil {
		t.Fatalf("HMAC: %v", err)
	}
	if len(macs) != len(msgs) {
		t.Fatalf("HMAC returned %d MACs for %d messages", len(macs), len(msgs))
	}
	return macs
}

func TestSetupCreatesAndPins(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	ctx := context.Background()
	cfg := Config{Key: newKeyName(t)}

	v, err := Setup(ctx, cfg)
	if err != nil {
		t.Fatalf("Setup on a missing key: %v", err)
	}
	if v != 1 {
		t.Errorf("Setup pinned version %d of a new key, want 1", v)
	}
	sec, err := s.Client(t).Logical().Read("transit/keys/" + cfg.Key)
	if err != nil || sec == nil {
		t.Fatalf("reading the created key: %v", err)
	}
	if got := sec.Data["type"]; got != DefaultKeyType {
		t.Errorf("created key type = %v, want %s", got, DefaultKeyType)
	}

	if _, err := s.Client(t).Logical().Write("transit/keys/"+cfg.Key+"/rotate", nil); err != nil {
		t.Fatal(err)
	}
	if v, err := Setup(ctx, cfg); err != nil || v != 2 {
		t.Errorf("Setup after a rotation = %d, %v; want the latest version 2", v, err)
	}
	cfg.KeyVersion = 1
	if v, err := Setup(ctx, cfg); err != nil || v != 1 {
		t.Errorf("Setup with version 1 pinned = %d, %v; want 1 kept", v, err)
	}
	cfg.KeyVersion = 3
	_, err = Setup(ctx, cfg)
	if !errors.Is(err, ErrKeyVersion) || !strings.Contains(err.Error(), "above its latest version 2") {
		t.Errorf("Setup with a pinned version above the latest: %v, want ErrKeyVersion naming the latest", err)
	}
	noSecret(t, err, s.RootToken)
}

// The team story: two researchers' vaults on one Transit key compute the
// same MACs, hence the same pseudonyms, and the MACs are exactly
// HMAC-SHA256(key, message) with the key's version-1 HMAC key.
func TestTwoKeyersOneKey(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	key := newKeyName(t)
	if _, err := s.Client(t).Logical().Write("transit/keys/"+key, map[string]any{"type": DefaultKeyType, "exportable": true}); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Key: key}
	v, err := Setup(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.KeyVersion = v

	msgs := names(2500)
	alice := mustNew(t, Config{Key: key, KeyVersion: v, BatchSize: 1000})
	bob := mustNew(t, Config{Key: key, KeyVersion: v, BatchSize: 300})
	a := mustHMAC(t, alice, msgs)
	b := mustHMAC(t, bob, msgs)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("MAC %d differs between two keyers on one key: %x vs %x", i, a[i], b[i])
		}
	}
	if got, want := alice.Requests(), 3; got != want {
		t.Errorf("alice sent %d requests for 2500 names at batch 1000, want %d", got, want)
	}
	if got, want := bob.Requests(), 9; got != want {
		t.Errorf("bob sent %d requests for 2500 names at batch 300, want %d", got, want)
	}

	// Independent check of value and order: export the HMAC key and compute.
	raw := exportedHMACKey(t, s, key)
	for i, m := range msgs {
		h := hmac.New(sha256.New, raw)
		h.Write(m)
		if want := h.Sum(nil); !bytes.Equal(a[i], want) {
			t.Fatalf("MAC %d = %x, want HMAC-SHA256 %x", i, a[i], want)
		}
	}
}

// exportedHMACKey exports version 1 of an exportable key's HMAC key, for
// checking MACs independently of Vault.
func exportedHMACKey(t *testing.T, s *hcvaulttest.Server, key string) []byte {
	t.Helper()
	sec, err := s.Client(t).Logical().Read("transit/export/hmac-key/" + key + "/1")
	if err != nil || sec == nil {
		t.Fatalf("exporting the hmac key: %v", err)
	}
	keys, _ := sec.Data["keys"].(map[string]any)
	raw, err := base64.StdEncoding.DecodeString(fmt.Sprint(keys["1"]))
	if err != nil || len(raw) == 0 {
		t.Fatalf("decoding the exported hmac key: %v", err)
	}
	return raw
}

func TestRotationChangesNoMAC(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	cfg := setupKey(t)
	msgs := names(50)
	before := mustHMAC(t, mustNew(t, cfg), msgs)

	for range 2 {
		if _, err := s.Client(t).Logical().Write("transit/keys/"+cfg.Key+"/rotate", nil); err != nil {
			t.Fatal(err)
		}
	}
	k := mustNew(t, cfg)
	after := mustHMAC(t, k, msgs)
	for i := range before {
		if !bytes.Equal(before[i], after[i]) {
			t.Fatalf("MAC %d changed after rotation with version %d pinned", i, cfg.KeyVersion)
		}
	}

	latest := mustHMAC(t, mustNew(t, Config{Key: cfg.Key, KeyVersion: 3}), msgs)
	if bytes.Equal(latest[0], before[0]) {
		t.Errorf("version 3 gives the same MAC as version 1; the pin would prove nothing")
	}
}

func TestMinEncryptionVersionRaised(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	cfg := setupKey(t)
	c := s.Client(t)
	if _, err := c.Logical().Write("transit/keys/"+cfg.Key+"/rotate", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Logical().Write("transit/keys/"+cfg.Key+"/config", map[string]any{"min_encryption_version": 2}); err != nil {
		t.Fatal(err)
	}
	msgs := names(3)

	k := mustNew(t, cfg)
	macs, err := k.HMAC(context.Background(), msgs)
	if !errors.Is(err, ErrKeyVersion) {
		t.Fatalf("HMAC with version 1 below min_encryption_version 2: %v, want ErrKeyVersion", err)
	}
	if macs != nil {
		t.Errorf("HMAC returned %d MACs with an error", len(macs))
	}
	if !strings.Contains(err.Error(), "min_encryption_version") || !strings.Contains(err.Error(), "never falls back") {
		t.Errorf("error %q does not say the pin is below min_encryption_version and that there is no fall-back", err)
	}
	noSecret(t, err, s.RootToken, msgs...)

	_, err = Setup(context.Background(), cfg)
	if !errors.Is(err, ErrKeyVersion) || !strings.Contains(err.Error(), "below its min_encryption_version 2") {
		t.Errorf("Setup with version 1 pinned: %v, want ErrKeyVersion naming min_encryption_version 2", err)
	}
	noSecret(t, err, s.RootToken)
}

// A batch item error is provoked for real: the second batch carries one input
// that is not base64, and Vault answers 200 with that item failed.
func TestBatchItemErrorAborts(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	cfg := setupKey(t)
	cfg.BatchSize = 100
	k := mustNew(t, cfg)
	msgs := names(250)
	bad := msgs[137]
	k.encode = func(m []byte) string {
		if bytes.Equal(m, bad) {
			return "!not base64!"
		}
		return base64.StdEncoding.EncodeToString(m)
	}
	macs, err := k.HMAC(context.Background(), msgs)
	var item *BatchItemError
	if !errors.As(err, &item) {
		t.Fatalf("HMAC with a failing item: %v, want *BatchItemError", err)
	}
	if item.Index != 137 {
		t.Errorf("BatchItemError.Index = %d, want 137", item.Index)
	}
	if macs != nil {
		t.Errorf("HMAC returned %d MACs with an error", len(macs))
	}
	if got := k.Requests(); got != 2 {
		t.Errorf("requests = %d, want 2 (the failing batch stops the run)", got)
	}
	noSecret(t, err, s.RootToken, msgs...)
}

func TestPermissions(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	cfg := setupKey(t)
	msgs := names(5)
	ctx := context.Background()

	t.Run("policy is sufficient", func(t *testing.T) {
		tok := s.Token(t, Policy("transit", cfg.Key))
		t.Setenv("VAULT_TOKEN", tok)
		v, err := Setup(ctx, Config{Key: cfg.Key})
		if err != nil || v != cfg.KeyVersion {
			t.Fatalf("Setup with the minimal policy = %d, %v", v, err)
		}
		mustHMAC(t, mustNew(t, cfg), msgs)
	})

	t.Run("policy is per key", func(t *testing.T) {
		other := setupKey(t)
		tok := s.Token(t, Policy("transit", cfg.Key))
		t.Setenv("VAULT_TOKEN", tok)
		_, err := mustNew(t, other).HMAC(ctx, msgs)
		var perm *PermissionError
		if !errors.As(err, &perm) || perm.Path != "transit/hmac/"+other.Key+"/sha2-256" {
			t.Errorf("HMAC on another study's key: %v, want *PermissionError on its hmac path", err)
		}
		noSecret(t, err, tok, msgs...)
	})

	t.Run("no hmac capability", func(t *testing.T) {
		tok := s.Token(t, fmt.Sprintf("path \"transit/keys/%s\" {\n  capabilities = [\"read\"]\n}\n", cfg.Key))
		t.Setenv("VAULT_TOKEN", tok)
		_, err := mustNew(t, cfg).HMAC(ctx, msgs)
		var perm *PermissionError
		if !errors.As(err, &perm) {
			t.Fatalf("HMAC without the hmac capability: %v, want *PermissionError", err)
		}
		if want := "transit/hmac/" + cfg.Key + "/sha2-256"; perm.Path != want || perm.Capability != "update" {
			t.Errorf("PermissionError = {%q, %q}, want {%q, update}", perm.Path, perm.Capability, want)
		}
		if !strings.Contains(err.Error(), "transit/hmac/"+cfg.Key) || !strings.Contains(err.Error(), `"update"`) {
			t.Errorf("message %q does not name the path and capability", err)
		}
		noSecret(t, err, tok, msgs...)

		_, err = Setup(ctx, Config{Key: cfg.Key})
		if !errors.As(err, &perm) || perm.Capability != "update" {
			t.Errorf("Setup without the hmac capability: %v, want *PermissionError for update", err)
		}
		noSecret(t, err, tok)
	})

	t.Run("no read capability", func(t *testing.T) {
		tok := s.Token(t, fmt.Sprintf("path \"transit/hmac/%s/sha2-256\" {\n  capabilities = [\"update\"]\n}\n", cfg.Key))
		t.Setenv("VAULT_TOKEN", tok)
		_, err := Setup(ctx, Config{Key: cfg.Key})
		var perm *PermissionError
		if !errors.As(err, &perm) || perm.Path != "transit/keys/"+cfg.Key || perm.Capability != "read" {
			t.Errorf("Setup without read on the key: %v, want *PermissionError{transit/keys/%s, read}", err, cfg.Key)
		}
		noSecret(t, err, tok)
	})

	t.Run("may not create the key", func(t *testing.T) {
		missing := newKeyName(t)
		tok := s.Token(t, Policy("transit", missing))
		t.Setenv("VAULT_TOKEN", tok)
		_, err := Setup(ctx, Config{Key: missing})
		if !errors.Is(err, ErrKeyMissing) {
			t.Fatalf("Setup on a missing key the token may not create: %v, want ErrKeyMissing", err)
		}
		if want := "vault write -f transit/keys/" + missing + " type=aes256-gcm96"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say what to create (%q)", err, want)
		}
		noSecret(t, err, tok)
	})

	t.Run("invalid token", func(t *testing.T) {
		const tok = "hvs.not-a-real-token-0123456789"
		t.Setenv("VAULT_TOKEN", tok)
		_, err := mustNew(t, cfg).HMAC(ctx, msgs)
		var perm *PermissionError
		if !errors.As(err, &perm) {
			t.Errorf("HMAC with an unknown token: %v, want *PermissionError", err)
		}
		noSecret(t, err, tok, msgs...)
	})
}

func TestMissingKeyAndMount(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	ctx := context.Background()
	msgs := names(2)

	_, err := mustNew(t, Config{Key: newKeyName(t), KeyVersion: 1}).HMAC(ctx, msgs)
	if !errors.Is(err, ErrKeyMissing) {
		t.Errorf("HMAC on a missing key: %v, want ErrKeyMissing", err)
	}
	noSecret(t, err, s.RootToken, msgs...)

	_, err = mustNew(t, Config{Mount: "no-such-transit", Key: "k", KeyVersion: 1}).HMAC(ctx, msgs)
	if !errors.Is(err, ErrMountMissing) || !strings.Contains(err.Error(), "vault secrets enable -path=no-such-transit transit") {
		t.Errorf("HMAC on a missing mount: %v, want ErrMountMissing with the enable command", err)
	}
	noSecret(t, err, s.RootToken, msgs...)

	_, err = Setup(ctx, Config{Mount: "no-such-transit", Key: "k"})
	if !errors.Is(err, ErrMountMissing) {
		t.Errorf("Setup on a missing mount: %v, want ErrMountMissing", err)
	}
	noSecret(t, err, s.RootToken)
}

func TestNoToken(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	t.Setenv("VAULT_TOKEN", "")
	_, err := Setup(context.Background(), Config{Key: newKeyName(t)})
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("Setup without a token: %v, want ErrNoToken", err)
	}

	// The token helper file, as written by "vault login".
	home, _ := os.UserHomeDir()
	if err := os.WriteFile(home+"/.vault-token", []byte(s.RootToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Setup(context.Background(), Config{Key: newKeyName(t)}); err != nil {
		t.Errorf("Setup with ~/.vault-token: %v", err)
	}
}

// One dev server of its own: sealed, then stopped mid-run.
func TestSealedThenStopped(t *testing.T) {
	s := hcvaulttest.Start(t)
	s.Env(t)
	t.Setenv("VAULT_MAX_RETRIES", "0")
	ctx := context.Background()
	cfg := setupKey(t)
	msgs := names(10)
	k := mustNew(t, cfg)
	mustHMAC(t, k, msgs)

	s.Seal(t)
	macs, err := k.HMAC(ctx, msgs)
	if !errors.Is(err, ErrSealed) || macs != nil {
		t.Errorf("HMAC on a sealed vault: %d MACs, %v; want none and ErrSealed", len(macs), err)
	}
	noSecret(t, err, s.RootToken, msgs...)
	_, err = Setup(ctx, cfg)
	if !errors.Is(err, ErrSealed) || !strings.Contains(err.Error(), "vault operator unseal") {
		t.Errorf("Setup on a sealed vault: %v, want ErrSealed with a hint", err)
	}
	noSecret(t, err, s.RootToken)

	s.Stop()
	macs, err = k.HMAC(ctx, msgs)
	if !errors.Is(err, ErrUnreachable) || macs != nil {
		t.Errorf("HMAC on a stopped vault: %d MACs, %v; want none and ErrUnreachable", len(macs), err)
	}
	if !strings.Contains(err.Error(), s.Addr) {
		t.Errorf("error %q does not name the address", err)
	}
	noSecret(t, err, s.RootToken, msgs...)
	_, err = Setup(ctx, cfg)
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("Setup on a stopped vault: %v, want ErrUnreachable", err)
	}
	noSecret(t, err, s.RootToken)
}

func TestStoppedMidRun(t *testing.T) {
	s := hcvaulttest.Start(t)
	s.Env(t)
	t.Setenv("VAULT_MAX_RETRIES", "0")
	cfg := setupKey(t)
	cfg.BatchSize = 10
	k := mustNew(t, cfg)
	msgs := names(100)
	// Stop the server after the third batch's answer: the run must fail
	// whole, returning no MAC at all.
	n := 0
	k.encode = func(m []byte) string {
		if n == 30 {
			s.Stop()
		}
		n++
		return base64.StdEncoding.EncodeToString(m)
	}
	macs, err := k.HMAC(context.Background(), msgs)
	if !errors.Is(err, ErrUnreachable) || macs != nil {
		t.Fatalf("HMAC with vault stopped mid-run: %d MACs, %v; want none and ErrUnreachable", len(macs), err)
	}
	if got := k.Requests(); got != 4 {
		t.Errorf("requests = %d, want 4 (three answered, the fourth refused)", got)
	}
	noSecret(t, err, s.RootToken, msgs...)
}

func TestEmptyBatch(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	k := mustNew(t, setupKey(t))
	macs, err := k.HMAC(context.Background(), nil)
	if err != nil || len(macs) != 0 {
		t.Errorf("HMAC(nil) = %d MACs, %v; want 0, nil", len(macs), err)
	}
	if k.Requests() != 0 {
		t.Errorf("HMAC(nil) sent %d requests, want 0", k.Requests())
	}
}

// BenchmarkImport10000 HMACs a 10,000-name import, as one command run does,
// and asserts the round trips: ceil(10000 / batch size).
func BenchmarkImport10000(b *testing.B) {
	s := hcvaulttest.Shared(b)
	s.Env(b)
	cfg := Config{Key: newKeyName(b)}
	v, err := Setup(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	cfg.KeyVersion = v
	msgs := names(10000)
	k, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	want := int(math.Ceil(10000 / float64(k.BatchSize())))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := k.Requests()
		macs, err := k.HMAC(context.Background(), msgs)
		if err != nil {
			b.Fatal(err)
		}
		if len(macs) != len(msgs) {
			b.Fatalf("%d MACs for %d names", len(macs), len(msgs))
		}
		if got := k.Requests() - before; got > want {
			b.Fatalf("%d requests for 10,000 names, want at most %d", got, want)
		}
	}
	b.ReportMetric(float64(k.Requests())/float64(b.N), "requests/op")
}

func TestAnchorHead(t *testing.T) {
	s := hcvaulttest.Shared(t)
	s.Env(t)
	ctx := context.Background()
	cfg := setupKey(t)
	const study = "3f0b8a4e-6c1d-4e8a-9d2b-5a7c1e0f9b42"

	if _, err := AnchoredHead(ctx, cfg, study); !errors.Is(err, ErrNotAnchored) {
		t.Fatalf("AnchoredHead before any anchor: %v, want ErrNotAnchored", err)
	}
	steps := []struct {
		seq     uint64
		hash    string
		wantErr error
	}{
		{1, "sha256:aa01", nil},
		{5, "sha256:aa05", nil},
		{5, "sha256:aa05", nil},               // same head again: no-op
		{4, "sha256:aa04", ErrAnchorRollback}, // older head
		{5, "sha256:bb05", ErrAnchorRollback}, // same seq, other hash
		{9, "sha256:aa09", nil},
	}
	for _, st := range steps {
		err := AnchorHead(ctx, cfg, study, st.seq, st.hash)
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil && err != nil) {
			t.Fatalf("AnchorHead(%d, %s) = %v, want %v", st.seq, st.hash, err, st.wantErr)
		}
		noSecret(t, err, s.RootToken)
	}
	got, err := AnchoredHead(ctx, cfg, study)
	if err != nil || got != (Anchor{Seq: 9, Hash: "sha256:aa09"}) {
		t.Errorf("AnchoredHead = %+v, %v; want {9 sha256:aa09}", got, err)
	}

	t.Run("policy covers anchors", func(t *testing.T) {
		t.Setenv("VAULT_TOKEN", s.Token(t, Policy("transit", cfg.Key)))
		if err := AnchorHead(ctx, cfg, "second-study", 2, "sha256:cc02"); err != nil {
			t.Fatalf("AnchorHead with the minimal policy: %v", err)
		}
		if err := AnchorHead(ctx, cfg, study, 10, "sha256:aa10"); err != nil {
			t.Fatalf("AnchorHead update with the minimal policy: %v", err)
		}
		other := Config{Key: "another-study-key", KeyVersion: 1}
		err := AnchorHead(ctx, other, study, 1, "sha256:dd01")
		var perm *PermissionError
		if !errors.As(err, &perm) {
			t.Errorf("AnchorHead under another key: %v, want *PermissionError", err)
		}
	})

	t.Run("kv mount missing", func(t *testing.T) {
		bad := cfg
		bad.KVMount = "no-such-kv"
		_, err := AnchoredHead(ctx, bad, study)
		if !errors.Is(err, ErrMountMissing) || !strings.Contains(err.Error(), "-version=2 kv") {
			t.Errorf("AnchoredHead on a missing kv mount: %v, want ErrMountMissing with the enable command", err)
		}
	})

	t.Run("bad study id", func(t *testing.T) {
		if err := AnchorHead(ctx, cfg, "../x", 1, "h"); !errors.Is(err, ErrConfig) {
			t.Errorf("AnchorHead with study id ../x: %v, want ErrConfig", err)
		}
	})
}

// Requests returns the number of HMAC requests k has sent.
func (k *Keyer) Requests() int { return int(k.requests.Load()) }
