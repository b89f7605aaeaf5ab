package gate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitSpoolEncrypted: an exit to standard output larger than spoolMem
// waits in a temporary file until it commits. That output has not left
// (it is neither verified against the object's hash nor audited), so a
// file a killed process leaves in $TMPDIR must hold none of it in the
// clear; the spool still gives it all back, and discard removes it.
func TestExitSpoolEncrypted(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	const line = "**Leila Marchbank:** the rota at the depot CANARY-EXIT-7713\n\n"
	var want bytes.Buffer
	sp := &spool{}
	defer sp.discard()
	for want.Len() <= spoolMem+spoolMem/2 {
		want.WriteString(line)
		if _, err := sp.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(tmp, "fieldvault-exit-*"))
	if len(files) != 1 {
		t.Fatalf("temporary files %v, want one fieldvault-exit-*", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"CANARY-EXIT", "Marchbank", "rota at the depot"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the spool file holds %q in the clear", secret)
		}
	}
	var got bytes.Buffer
	if err := sp.copyTo(&got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("the spool gave back %d bytes, want the %d written", got.Len(), want.Len())
	}
	sp.discard()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("left in the temporary directory: %s", strings.Join(names, ", "))
	}
}
