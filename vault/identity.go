package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

// IdentityEnv names the environment variable that selects an identity file.
const IdentityEnv = "FIELDVAULT_IDENTITY"

// DefaultIdentityPath is where init creates the researcher's identity when
// none is selected: fieldvault/identity.txt under the user's config dir.
func DefaultIdentityPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user's config dir: %w", err)
	}
	return filepath.Join(dir, "fieldvault", "identity.txt"), nil
}

// IdentityPath resolves the identity file: the flag, else $FIELDVAULT_IDENTITY,
// else the default path.
func IdentityPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := os.Getenv(IdentityEnv); env != "" {
		return env, nil
	}
	return DefaultIdentityPath()
}

// Identity is a loaded age identity file.
type Identity struct {
	Path       string
	Identities []age.Identity
	// Recipient is the recipient of the first X25519 identity, if any: the
	// researcher's own recipient at init, and the actor named in the audit log.
	Recipient string
}

// LoadIdentity reads an identity file (age X25519 identities, one per line, or
// an unencrypted OpenSSH private key).
func LoadIdentity(path string) (*Identity, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: identity file %s does not exist", ErrNoIdentity, path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading identity file: %w", err)
	}
	id := &Identity{Path: path}
	if bytes.HasPrefix(data, []byte("-----BEGIN")) {
		sid, err := agessh.ParseIdentity(data)
		if err != nil {
			return nil, fmt.Errorf("identity file %s: not a usable SSH private key (passphrase-protected keys are not supported)", path)
		}
		id.Identities = []age.Identity{sid}
		return id, nil
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		// age's parser errors may quote the file; do not repeat them.
		return nil, fmt.Errorf("identity file %s: not an age identity file", path)
	}
	id.Identities = ids
	for _, i := range ids {
		if x, ok := i.(*age.X25519Identity); ok {
			id.Recipient = x.Recipient().String()
			break
		}
	}
	return id, nil
}

// CreateIdentity generates a new X25519 identity at path (0600, directories
// 0700). It refuses to overwrite an existing file.
func CreateIdentity(path string, now time.Time) (*Identity, error) {
	k, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating identity directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating identity file: %w", err)
	}
	_, err = fmt.Fprintf(f, "# created by fieldvault: %s\n# public key: %s\n%s\n",
		now.UTC().Format(time.RFC3339), k.Recipient(), k)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("writing identity file: %w", err)
	}
	return &Identity{Path: path, Identities: []age.Identity{k}, Recipient: k.Recipient().String()}, nil
}

// ParseRecipient parses anything age accepts as a recipient: age1… (X25519 and
// hybrid post-quantum) and ssh-ed25519 / ssh-rsa public keys.
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "ssh-") {
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("%w: not a usable SSH public key recipient", ErrInvalid)
		}
		return r, nil
	}
	rs, err := age.ParseRecipients(strings.NewReader(s))
	if err != nil || len(rs) != 1 {
		return nil, fmt.Errorf("%w: %q is not an age recipient (expected age1… or ssh-ed25519 …)", ErrInvalid, shorten(s))
	}
	return rs[0], nil
}

func shorten(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

func parseRecipients(list []string) ([]age.Recipient, error) {
	out := make([]age.Recipient, 0, len(list))
	for _, s := range list {
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// decrypt opens an age stream with the identity, translating "no matching
// identity" into ErrNotRecipient.
//
// listed says the identity's recipient is among those the file was
// encrypted to: then "no matching identity" means a damaged header.
func decrypt(src io.Reader, id *Identity, what, class string, listed bool) (io.Reader, error) {
	r, err := age.Decrypt(src, id.Identities...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) && listed {
			return nil, integrity("%s: its header is damaged (flipped or truncated bytes)", what)
		}
		if errors.As(err, &noMatch) {
			return nil, &RecipientError{Class: class, What: what}
		}
		return nil, integrity("%s: not a readable age file", what)
	}
	return r, nil
}
