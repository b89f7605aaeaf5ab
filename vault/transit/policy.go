package transit

import (
	"fmt"
	"strings"
)

// Policy returns the minimal Vault policy (HCL) a researcher's token needs for
// a study whose key is key at mount: "update" on the key's sha2-256 hmac path
// (every pseudonym) and "read" on the key (init checks its versions). It
// grants nothing else: no encryption, no key export, rotation or deletion.
// mount and key are the names from fieldvault.json; an empty mount means
// "transit".
func Policy(mount, key string) string {
	cfg := Config{Mount: mount, Key: key}
	if cfg.Mount == "" {
		cfg.Mount = DefaultMount
	}
	cfg.Mount = strings.Trim(cfg.Mount, "/")
	var b strings.Builder
	fmt.Fprintf(&b, "# fieldvault: minimal policy for the study key %q at mount %q.\n", cfg.Key, cfg.Mount)
	b.WriteString("# Write it with: vault policy write <name> <this file>\n\n")
	b.WriteString("# Compute pseudonym HMACs with the key (fieldvault pins key_version).\n")
	fmt.Fprintf(&b, "path %q {\n  capabilities = [\"update\"]\n}\n\n", cfg.hmacPath())
	b.WriteString("# Read the key's versions (fieldvault init, and the min_encryption_version check).\n")
	fmt.Fprintf(&b, "path %q {\n  capabilities = [\"read\"]\n}\n", cfg.keyPath())
	return b.String()
}
