package hcvault

import (
	"fmt"
	"strings"
)

// Policy returns the minimal Vault policy (HCL) a researcher's token needs for
// a study whose key is key at mount, with audit anchors in the default KV
// mount. See PolicyFor.
func Policy(mount, key string) string {
	return PolicyFor(Config{Mount: mount, Key: key})
}

// PolicyFor returns the minimal Vault policy (HCL) for cfg: "update" on the
// key's sha2-256 hmac path (every pseudonym), "read" on the key (init checks
// its versions) and "create", "read", "update" on the study key's audit
// anchors in KV version 2. It grants nothing else: no encryption, no key
// export, rotation or deletion, no other secret. An empty mount means
// "transit", an empty KV mount "secret".
func PolicyFor(cfg Config) string {
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
	fmt.Fprintf(&b, "path %q {\n  capabilities = [\"read\"]\n}\n\n", cfg.keyPath())
	b.WriteString("# Anchor each study vault's audit-log head (fieldvault audit verify compares it).\n")
	fmt.Fprintf(&b, "path %q {\n  capabilities = [\"create\", \"read\", \"update\"]\n}\n", cfg.anchorPolicyPath())
	return b.String()
}
