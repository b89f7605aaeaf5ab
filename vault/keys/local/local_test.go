package local

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNewRejectsShortKeyWithoutLeaking(t *testing.T) {
	_, err := New([]byte("short-secret-key"))
	if !errors.Is(err, ErrKeySize) || strings.Contains(err.Error(), "short-secret-key") {
		t.Errorf("New error = %v", err)
	}
	if utf8.ValidString(err.Error()) && strings.ToLower(err.Error()) != err.Error() {
		t.Errorf("error not lower case: %v", err)
	}
}

func TestProviderHMAC(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	var p Provider
	k, err := p.Keyer(context.Background(), func() ([]byte, error) { return key, nil })
	if err != nil {
		t.Fatal(err)
	}
	msgs := [][]byte{[]byte("person:Ada"), []byte("org:Mill")}
	got, err := k.HMAC(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		h := hmac.New(sha256.New, key)
		h.Write(m)
		if !hmac.Equal(got[i], h.Sum(nil)) {
			t.Errorf("HMAC(%q) differs from crypto/hmac", m)
		}
	}
	fresh, err := p.NewKey()
	if err != nil || len(fresh) != KeySize {
		t.Fatalf("NewKey = %d bytes, %v", len(fresh), err)
	}
	if _, err := p.Keyer(context.Background(), func() ([]byte, error) { return fresh[:5], nil }); !errors.Is(err, ErrKeySize) {
		t.Errorf("damaged key: err = %v, want ErrKeySize", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.HMAC(ctx, msgs); err == nil {
		t.Error("HMAC ran on a cancelled context")
	}
}
