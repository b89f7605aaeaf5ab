package hcvault

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
)

const cannedAnchor = `{"request_id":"5d1c","data":{"data":{"hash":"sha256:9f2c4e","seq":"41"},"metadata":{"created_time":"2026-11-23T21:00:00Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":3}}}`

func TestParseAnchor(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		want        Anchor
		wantVersion int
		wantErr     bool
	}{
		{"recorded", cannedAnchor, Anchor{Seq: 41, Hash: "sha256:9f2c4e"}, 3, false},
		{"kv v1 shape", `{"data":{"hash":"x","seq":"1"}}`, Anchor{}, 0, true},
		{"seq not a number", strings.Replace(cannedAnchor, `"41"`, `"forty"`, 1), Anchor{}, 0, true},
		{"seq negative", strings.Replace(cannedAnchor, `"41"`, `"-1"`, 1), Anchor{}, 0, true},
		{"hash missing", strings.Replace(cannedAnchor, `"hash":"sha256:9f2c4e",`, ``, 1), Anchor{}, 0, true},
		{"hash with spaces", strings.Replace(cannedAnchor, `sha256:9f2c4e`, `a b`, 1), Anchor{}, 0, true},
		{"version zero", strings.Replace(cannedAnchor, `"version":3`, `"version":0`, 1), Anchor{}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, err := api.ParseSecret(strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			got, version, err := parseAnchor(secret.Data)
			if tt.wantErr {
				if !errors.Is(err, ErrResponse) {
					t.Fatalf("parseAnchor error = %v, want ErrResponse", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseAnchor: %v", err)
			}
			if got != tt.want || version != tt.wantVersion {
				t.Errorf("parseAnchor = %+v v%d, want %+v v%d", got, version, tt.want, tt.wantVersion)
			}
		})
	}
}

func FuzzParseAnchor(f *testing.F) {
	seeds := []string{cannedAnchor, `{"data":{"data":{},"metadata":{}}}`, `{"data":null}`, `{}`}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		secret, err := api.ParseSecret(bytes.NewReader(body))
		if err != nil || secret == nil {
			return
		}
		a, v, err := parseAnchor(secret.Data)
		if err != nil {
			if !errors.Is(err, ErrResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if v < 1 || !headRE.MatchString(a.Hash) {
			t.Fatalf("invalid anchor accepted: %+v v%d", a, v)
		}
	})
}
