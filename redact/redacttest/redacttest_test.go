package redacttest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/fieldvault/fieldvault/redact"
)

func TestKeyerRecordsAndIsDeterministic(t *testing.T) {
	a, b, c := New("study-a"), New("study-a"), New("study-b")
	msgs := [][]byte{[]byte("person:orla brannigan"), []byte("place:ashenbury")}
	ma, err := a.HMAC(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := b.HMAC(context.Background(), msgs)
	mc, _ := c.HMAC(context.Background(), msgs)
	for i := range msgs {
		if !bytes.Equal(ma[i], mb[i]) {
			t.Errorf("message %d: same seed gave different MACs", i)
		}
		if bytes.Equal(ma[i], mc[i]) {
			t.Errorf("message %d: different seeds gave the same MAC", i)
		}
	}
	if got := len(a.Calls()); got != 1 || len(a.Calls()[0]) != 2 {
		t.Errorf("Calls() = %d batches, want 1 of 2", got)
	}
	a.Err = errors.New("boom")
	if _, err := a.HMAC(context.Background(), msgs); err == nil {
		t.Error("Err not returned")
	}
	var _ redact.Keyer = a
}
