package hcvault

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAddrNotVault: VAULT_ADDR naming a web server that is not Vault (a
// proxy's landing page, a mistyped port) answers 200 with HTML. That is a
// wrong address, said as such, never "cannot reach vault".
func TestAddrNotVault(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><title>Welcome</title><p>It works!"))
	}))
	defer page.Close()
	t.Setenv("VAULT_ADDR", page.URL)
	t.Setenv("VAULT_TOKEN", "s.not-a-real-token")
	_, err := Setup(context.Background(), Config{Key: "study"})
	if !errors.Is(err, ErrResponse) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("Setup against a web page: %v, want ErrResponse", err)
	}
	msg := err.Error()
	for _, want := range []string{page.URL, "not a vault server", "VAULT_ADDR"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") || strings.Contains(msg, "Welcome") {
		t.Errorf("message %q: one line, none of the page's text", msg)
	}
}
