package hcvault

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Canned answers, recorded from a Vault v1.19.0 dev server.
const (
	cannedHMAC    = `{"request_id":"182e6ff8-1819-7048-4655-afc9ff930f7c","lease_id":"","renewable":false,"lease_duration":0,"data":{"batch_results":[{"hmac":"vault:v1:1/x5BfVSMGfdHB9CeDjHanFwsc0EP7nbwrUYkdhGokc=","reference":"0"},{"hmac":"vault:v1:MbOFjxY4xRY9GyxEEjFlur+VX4uA4MeBnRtZdVvyE7I=","reference":"1"}]},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"transit"}`
	cannedItemErr = `{"data":{"batch_results":[{"hmac":"vault:v1:1/x5BfVSMGfdHB9CeDjHanFwsc0EP7nbwrUYkdhGokc=","reference":"0"},{"error":"unable to decode input as base64: illegal base64 data at input byte 0","reference":"1"}]}}`
	cannedKey     = `{"request_id":"b1cefe08-9129-c871-51ad-5dd24e85724f","lease_id":"","renewable":false,"lease_duration":0,"data":{"allow_plaintext_backup":false,"auto_rotate_period":0,"deletion_allowed":false,"derived":false,"exportable":false,"imported_key":false,"keys":{"1":1795466691,"2":1795466799},"latest_version":2,"min_available_version":0,"min_decryption_version":1,"min_encryption_version":0,"name":"k1","supports_decryption":true,"supports_derivation":true,"supports_encryption":true,"supports_signing":false,"type":"aes256-gcm96"},"wrap_info":null,"warnings":null,"auth":null,"mount_type":"transit"}`
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseHMAC(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name    string
		in      string
		version int
		wantErr error
	}{
		{"valid", "vault:v3:" + good, 3, nil},
		{"other version", "vault:v2:" + good, 3, ErrKeyVersion},
		{"no prefix", "v3:" + good, 3, ErrResponse},
		{"no second colon", "vault:v3" + good, 3, ErrResponse},
		{"version zero", "vault:v0:" + good, 0, ErrResponse},
		{"leading zero", "vault:v03:" + good, 3, ErrResponse},
		{"signed version", "vault:v+3:" + good, 3, ErrResponse},
		{"not base64", "vault:v3:@@@@", 3, ErrResponse},
		{"unpadded", "vault:v3:" + strings.TrimRight(good, "="), 3, ErrResponse},
		{"short mac", "vault:v3:" + base64.StdEncoding.EncodeToString(make([]byte, 20)), 3, ErrResponse},
		{"empty", "", 3, ErrResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHMAC(tt.in, tt.version)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr != nil && err == nil) {
				t.Fatalf("parseHMAC(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr == nil && !bytes.Equal(got, bytes.Repeat([]byte{7}, 32)) {
				t.Errorf("parseHMAC(%q) = %x, want 32 bytes of 07", tt.in, got)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

// parseHMACResponse checks a raw answer body as Keyer.batch checks the
// answer the vault client decoded from it: an empty answer is refused, the
// data goes through parseHMACData.
func parseHMACResponse(body []byte, n, offset, version int) ([][]byte, error) {
	secret, err := api.ParseSecret(bytes.NewReader(body))
	if err != nil {
		return nil, newError(ErrResponse, err, "check that VAULT_ADDR points at a vault server", "decoding vault's hmac answer: not valid json")
	}
	if secret == nil {
		return nil, newError(ErrResponse, nil, "check that the mount is a transit secrets engine", "vault's hmac answer is empty")
	}
	return parseHMACData(secret.Data, n, offset, version)
}

func TestParseHMACResponse(t *testing.T) {
	mac0 := b64(t, "1/x5BfVSMGfdHB9CeDjHanFwsc0EP7nbwrUYkdhGokc=")
	mac1 := b64(t, "MbOFjxY4xRY9GyxEEjFlur+VX4uA4MeBnRtZdVvyE7I=")
	swapped := strings.Replace(strings.Replace(cannedHMAC, `"reference":"0"`, `"reference":"X"`, 1), `"reference":"1"`, `"reference":"0"`, 1)
	tests := []struct {
		name     string
		body     string
		n        int
		offset   int
		version  int
		want     [][]byte
		wantErr  error
		wantItem int // index of the *BatchItemError, -1 for none
	}{
		{"ok", cannedHMAC, 2, 0, 1, [][]byte{mac0, mac1}, nil, -1},
		{"item error names the caller's index", cannedItemErr, 2, 1000, 1, nil, nil, 1001},
		{"too few results", cannedHMAC, 3, 0, 1, nil, ErrResponse, -1},
		{"too many results", cannedHMAC, 1, 0, 1, nil, ErrResponse, -1},
		{"out of order", swapped, 2, 0, 1, nil, ErrResponse, -1},
		{"wrong version", cannedHMAC, 2, 0, 2, nil, ErrKeyVersion, -1},
		{"no data", `{"data":null}`, 2, 0, 1, nil, ErrResponse, -1},
		{"no batch_results", `{"data":{"hmac":"vault:v1:x"}}`, 1, 0, 1, nil, ErrResponse, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHMACResponse([]byte(tt.body), tt.n, tt.offset, tt.version)
			if tt.wantItem >= 0 {
				var item *BatchItemError
				if !errors.As(err, &item) {
					t.Fatalf("error = %v, want *BatchItemError", err)
				}
				if item.Index != tt.wantItem {
					t.Errorf("BatchItemError.Index = %d, want %d", item.Index, tt.wantItem)
				}
				if got != nil {
					t.Errorf("got %d MACs with an error, want none", len(got))
				}
				return
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("got %d MACs with an error, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d MACs, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Errorf("MAC %d = %x, want %x", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestHMACRequest(t *testing.T) {
	body, err := json.Marshal(hmacRequest([][]byte{[]byte("person:a"), {}, {0xff}}, 4, base64.StdEncoding.EncodeToString))
	if err != nil {
		t.Fatal(err)
	}
	got := string(body)
	want := `{"batch_input":[{"input":"cGVyc29uOmE=","reference":"0"},{"input":"","reference":"1"},{"input":"/w==","reference":"2"}],"key_version":4}`
	if got != want {
		t.Errorf("encodeHMACRequest =\n%s\nwant\n%s", got, want)
	}
}

func TestParseKeyInfo(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    keyInfo
		wantErr error
	}{
		{"recorded", cannedKey, keyInfo{Type: "aes256-gcm96", LatestVersion: 2, MinEncryptionVersion: 0, MinDecryptionVersion: 1}, nil},
		{"min encryption", `{"data":{"type":"hmac","latest_version":5,"min_encryption_version":3,"min_decryption_version":1}}`, keyInfo{Type: "hmac", LatestVersion: 5, MinEncryptionVersion: 3, MinDecryptionVersion: 1}, nil},
		{"no latest_version", `{"data":{"type":"aes256-gcm96"}}`, keyInfo{}, ErrResponse},
		{"latest zero", `{"data":{"latest_version":0}}`, keyInfo{}, ErrResponse},
		{"min above latest", `{"data":{"latest_version":2,"min_encryption_version":3}}`, keyInfo{}, ErrResponse},
		{"no data", `{"errors":[]}`, keyInfo{}, ErrResponse},
		{"not json", `nope`, keyInfo{}, ErrResponse},
		{"wrong types", `{"data":{"latest_version":"2"}}`, keyInfo{}, ErrResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKeyInfo([]byte(tt.body))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseKeyInfo = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckVersion(t *testing.T) {
	info := keyInfo{LatestVersion: 4, MinEncryptionVersion: 2}
	tests := []struct {
		name    string
		version int
		info    keyInfo
		wantErr bool
		wantMsg string
	}{
		{"latest", 4, info, false, ""},
		{"at min", 2, info, false, ""},
		{"below min", 1, info, true, "below its min_encryption_version 2"},
		{"above latest", 5, info, true, "above its latest version 4"},
		{"unset", 0, info, true, "no key version is pinned"},
		{"min zero allows v1", 1, keyInfo{LatestVersion: 3}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkVersion(Config{Mount: "transit", Key: "study", KeyVersion: tt.version}, tt.info)
			if (err != nil) != tt.wantErr {
				t.Fatalf("checkVersion(%d) = %v, want error %v", tt.version, err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrKeyVersion) {
				t.Errorf("error %v does not match ErrKeyVersion", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	cfg := Config{Mount: "transit", Key: "study", KeyVersion: 1}
	respErr := func(code int, msgs ...string) error {
		return &api.ResponseError{HTTPMethod: "PUT", URL: "http://127.0.0.1:8200/v1/x", StatusCode: code, Errors: msgs}
	}
	netErr := &url.Error{Op: "Put", URL: "http://127.0.0.1:1/v1/x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	tests := []struct {
		name    string
		err     error
		path    string
		want    error
		wantMsg string
	}{
		{"refused", netErr, cfg.hmacPath(), ErrUnreachable, "cannot reach vault at http://127.0.0.1:8200"},
		{"sealed", respErr(503, "Vault is sealed"), cfg.hmacPath(), ErrSealed, "is sealed"},
		{"unavailable", respErr(503, "standby"), cfg.hmacPath(), ErrUnreachable, "http 503"},
		{"mount missing", respErr(404, `no handler for route "nope/hmac/study/sha2-256". route entry not found.`), cfg.hmacPath(), ErrMountMissing, "vault secrets enable -path=transit transit"},
		{"key missing on hmac", respErr(400, "encryption key not found"), cfg.hmacPath(), ErrKeyMissing, "vault write -f transit/keys/study type=aes256-gcm96"},
		{"key missing on read", respErr(404), cfg.keyPath(), ErrKeyMissing, `transit key "study" does not exist`},
		{"too old", respErr(400, "cannot generate HMAC: version is too old (disallowed by policy)"), cfg.hmacPath(), ErrKeyVersion, "min_encryption_version"},
		{"no such version", respErr(400, "key version does not exist; latest key version is 1"), cfg.hmacPath(), ErrKeyVersion, "does not exist in vault"},
		{"other", respErr(400, "missing batch input to process"), cfg.hmacPath(), ErrResponse, "http 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(context.Background(), tt.err, cfg, "http://127.0.0.1:8200", tt.path, "update")
			if !errors.Is(got, tt.want) {
				t.Fatalf("classify = %v, want %v", got, tt.want)
			}
			if !strings.Contains(got.Error(), tt.wantMsg) {
				t.Errorf("classify = %q, want it to contain %q", got, tt.wantMsg)
			}
			if strings.Contains(got.Error(), "\n") {
				t.Errorf("classify = %q, not one line", got)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("classify result does not wrap its cause")
			}
		})
	}

	t.Run("permission", func(t *testing.T) {
		got := classify(context.Background(), respErr(403, "permission denied"), cfg, "http://127.0.0.1:8200", cfg.hmacPath(), "update")
		var perm *PermissionError
		if !errors.As(got, &perm) {
			t.Fatalf("classify = %v, want *PermissionError", got)
		}
		if perm.Path != "transit/hmac/study/sha2-256" || perm.Capability != "update" {
			t.Errorf("PermissionError = {%q, %q}, want {transit/hmac/study/sha2-256, update}", perm.Path, perm.Capability)
		}
		var re *api.ResponseError
		if !errors.As(got, &re) {
			t.Errorf("PermissionError does not wrap the *api.ResponseError")
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got := classify(ctx, netErr, cfg, "http://127.0.0.1:8200", cfg.hmacPath(), "update")
		if !errors.Is(got, context.Canceled) || errors.Is(got, ErrUnreachable) {
			t.Errorf("classify with a cancelled context = %v, want context.Canceled only", got)
		}
	})
}

func TestConfigNormalise(t *testing.T) {
	tests := []struct {
		name    string
		in      Config
		want    Config
		wantErr error
	}{
		{"defaults", Config{Key: "study-2026"}, Config{Mount: "transit", Key: "study-2026", BatchSize: DefaultBatchSize}, nil},
		{"nested mount", Config{Mount: "/team/transit/", Key: "k.v1", BatchSize: 10, KeyVersion: 2}, Config{Mount: "team/transit", Key: "k.v1", BatchSize: 10, KeyVersion: 2}, nil},
		{"empty key", Config{}, Config{}, ErrConfig},
		{"key with slash", Config{Key: "a/b"}, Config{}, ErrConfig},
		{"key with quote", Config{Key: `a"b`}, Config{}, ErrConfig},
		{"mount dotdot", Config{Mount: "transit/../sys", Key: "k"}, Config{}, ErrConfig},
		{"mount only slashes", Config{Mount: "//", Key: "k"}, Config{}, ErrConfig},
		{"mount with space", Config{Mount: "my transit", Key: "k"}, Config{}, ErrConfig},
		{"negative version", Config{Key: "k", KeyVersion: -1}, Config{}, ErrKeyVersion},
		{"negative batch", Config{Key: "k", BatchSize: -1}, Config{}, ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.normalise()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("normalise(%+v) error = %v, want %v", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("normalise(%+v): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("normalise(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPolicyGolden(t *testing.T) {
	tests := []struct{ mount, key, golden string }{
		{"transit", "study-ethnography-2026", "policy.golden"},
		{"", "focus-groups", "policy_default_mount.golden"},
		{"/team/transit/", "k1", "policy_nested_mount.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := Policy(tt.mount, tt.key)
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("Policy(%q, %q) =\n%s\nwant\n%s", tt.mount, tt.key, got, want)
			}
		})
	}
}

func TestHelperToken(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("VAULT_TOKEN", "")
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:1")

	_, err := newClient()
	if !errors.Is(err, ErrNoToken) {
		t.Fatalf("newClient without a token: error = %v, want ErrNoToken", err)
	}
	if !strings.Contains(err.Error(), "VAULT_TOKEN") {
		t.Errorf("error %q does not say to set VAULT_TOKEN", err)
	}

	if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte("  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(); !errors.Is(err, ErrNoToken) {
		t.Errorf("newClient with an empty token file: error = %v, want ErrNoToken", err)
	}

	const tok = "hvs.helper-file-token-for-a-test"
	if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := newClient()
	if err != nil {
		t.Fatalf("newClient with a token file: %v", err)
	}
	if c.Token() != tok {
		t.Errorf("token from helper file not used")
	}

	t.Setenv("VAULT_TOKEN", "hvs.from-the-environment")
	c, err = newClient()
	if err != nil {
		t.Fatal(err)
	}
	if c.Token() != "hvs.from-the-environment" {
		t.Errorf("VAULT_TOKEN does not take precedence over the helper file")
	}
}

func TestErrorMessages(t *testing.T) {
	perm := &PermissionError{Path: "transit/hmac/k/sha2-256", Capability: "update"}
	item := &BatchItemError{Index: 42, Reason: "missing input for HMAC"}
	tests := []struct {
		err  error
		want []string
	}{
		{perm, []string{`"update"`, `"transit/hmac/k/sha2-256"`, "hint:", "fieldvault transit policy"}},
		{item, []string{"batch item 42", "missing input for HMAC", "hint:"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T", tt.err), func(t *testing.T) {
			msg := tt.err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("%q is not one line", msg)
			}
		})
	}
}

// fuzzSeeds is the seed corpus shared by the response fuzzers.
var fuzzSeeds = []string{cannedHMAC, cannedItemErr, cannedKey, `{}`, `{"data":{}}`, `{"data":{"batch_results":[]}}`, `null`, ``}

func FuzzParseHMAC(f *testing.F) {
	seeds := []string{"vault:v1:1/x5BfVSMGfdHB9CeDjHanFwsc0EP7nbwrUYkdhGokc=", "vault:v12:", "vault:v:", "vault:v1:AAAA", "", "vault:v99999999999999999999:x"}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, s string, version int) {
		mac, err := parseHMAC(s, version)
		if err != nil {
			if !errors.Is(err, ErrResponse) && !errors.Is(err, ErrKeyVersion) {
				t.Fatalf("untyped error %v", err)
			}
			if mac != nil {
				t.Fatalf("MAC returned with an error")
			}
			return
		}
		if len(mac) != macSize {
			t.Fatalf("got %d-byte MAC", len(mac))
		}
	})
}

func FuzzParseHMACResponse(f *testing.F) {
	if len(fuzzSeeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), 2, 0)
	}
	f.Fuzz(func(t *testing.T, body []byte, n, offset int) {
		if n < 0 || n > 1<<16 || offset < 0 || offset > 1<<30 {
			return
		}
		macs, err := parseHMACResponse(body, n, offset, 1)
		if err != nil {
			var item *BatchItemError
			if !errors.As(err, &item) && !errors.Is(err, ErrResponse) && !errors.Is(err, ErrKeyVersion) {
				t.Fatalf("untyped error %v", err)
			}
			if item != nil && (item.Index < offset || item.Index >= offset+n) {
				t.Fatalf("item index %d outside [%d, %d)", item.Index, offset, offset+n)
			}
			if macs != nil {
				t.Fatalf("MACs returned with an error")
			}
			return
		}
		if len(macs) != n {
			t.Fatalf("got %d MACs for %d inputs", len(macs), n)
		}
		for i, m := range macs {
			if len(m) != macSize {
				t.Fatalf("MAC %d is %d bytes", i, len(m))
			}
		}
	})
}

func FuzzParseKeyInfo(f *testing.F) {
	if len(fuzzSeeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		info, err := parseKeyInfo(body)
		if err != nil {
			if !errors.Is(err, ErrResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if info.LatestVersion < 1 || info.MinEncryptionVersion < 0 || info.MinEncryptionVersion > info.LatestVersion {
			t.Fatalf("inconsistent key info accepted: %+v", info)
		}
		// A valid description must survive re-encoding.
		if _, err := json.Marshal(info); err != nil {
			t.Fatal(err)
		}
	})
}
