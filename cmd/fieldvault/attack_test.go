package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"github.com/fieldvault/fieldvault/vault/store"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"filippo.io/age"
	"github.com/rogpeppe/go-internal/testscript"
)

// attackCmds are the testscript commands of the attacks of issue 14.
var attackCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"swapkey": cmdSwapKey,
	"samedir": cmdSameDir,
	"mkfifo":  cmdMkfifo,
}

// swapkey VAULT: replaces VAULT's local pseudonym key with a key the
// attacker knows, encrypted to the raw recipients listed in fieldvault.json
// (what anyone with write access to the folder, and no identity, can do).
func cmdSwapKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: swapkey VAULT")
	}
	dir := ts.MkAbs(args[0])
	b, err := os.ReadFile(filepath.Join(dir, "fieldvault.json"))
	ts.Check(err)
	var cfg struct {
		Recipients map[string][]string `json:"recipients"`
	}
	ts.Check(json.Unmarshal(b, &cfg))
	var rcpts []age.Recipient
	for _, r := range cfg.Recipients["raw"] {
		x, err := age.ParseX25519Recipient(r)
		ts.Check(err)
		rcpts = append(rcpts, x)
	}
	key := make([]byte, 32)
	rand.Read(key)
	var out bytes.Buffer
	w, err := age.Encrypt(&out, rcpts...)
	ts.Check(err)
	w.Write(key)
	ts.Check(w.Close())
	ts.Check(os.WriteFile(filepath.Join(dir, "keys", "pseudonym.age"), out.Bytes(), 0o600))
}

// samedir A B: the two trees hold the same files with the same bytes (the
// lock file, which every writer rewrites with its own pid, aside).
func cmdSameDir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: samedir A B")
	}
	a, b := treeOf(ts, args[0]), treeOf(ts, args[1])
	same := len(a) == len(b)
	for name, content := range a {
		if other, ok := b[name]; !ok || other != content {
			same = false
			if !neg {
				ts.Logf("%s differs", name)
			}
		}
	}
	if same == neg {
		ts.Fatalf("samedir %s %s: same=%v", args[0], args[1], same)
	}
}

func treeOf(ts *testscript.TestScript, root string) map[string]string {
	if store.IsURL(root) {
		return storeTree(ts, root)
	}
	root = ts.MkAbs(root)
	out := map[string]string{}
	ts.Check(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[rel] = string(b)
		return err
	}))
	return out
}

// mkfifo PATH: makes a named pipe nobody writes to.
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkfifo PATH")
	}
	ts.Check(syscall.Mkfifo(ts.MkAbs(args[0]), 0o600))
}
