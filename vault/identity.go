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
	"filippo.io/age/armor"
	"github.com/fieldvault/fieldvault/vault/store"
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

// ErrPassphrase: a passphrase-protected identity file could not be opened.
var ErrPassphrase = errors.New("identity passphrase")

// A PassphraseFunc asks for the passphrase of a protected identity file.
type PassphraseFunc func(prompt string) (string, error)

// ageHeader starts an age-encrypted file (binary or, after armoring, text).
var ageHeaders = [][]byte{[]byte("age-encryption.org/v1\n"), []byte("-----BEGIN AGE ENCRYPTED FILE-----")}

// LoadIdentity reads an identity file: age X25519 identities, one per line,
// or an unencrypted OpenSSH private key; either may be protected with a
// passphrase (the file age-encrypted with scrypt, as `age -p` writes it), in
// which case passphrase is asked for it.
func LoadIdentity(path string, passphrase PassphraseFunc) (*Identity, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: identity file %s does not exist", ErrNoIdentity, path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading identity file: %w", err)
	}
	for _, h := range ageHeaders {
		if bytes.HasPrefix(data, h) {
			if data, err = unlockIdentity(path, data, passphrase); err != nil {
				return nil, err
			}
			break
		}
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

// unlockIdentity decrypts a passphrase-protected identity file.
func unlockIdentity(path string, data []byte, passphrase PassphraseFunc) ([]byte, error) {
	if passphrase == nil {
		return nil, fmt.Errorf("%w: identity file %s is passphrase-protected and no passphrase can be asked for (run from a terminal)", ErrPassphrase, path)
	}
	pass, err := passphrase("passphrase for identity " + path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPassphrase, err)
	}
	sid, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPassphrase, err)
	}
	var src io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(data, ageHeaders[1]) {
		src = armor.NewReader(src)
	}
	r, err := age.Decrypt(src, sid)
	if err != nil {
		return nil, fmt.Errorf("%w: identity file %s: wrong passphrase, or not a passphrase-protected identity", ErrPassphrase, path)
	}
	out, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: identity file %s is damaged", ErrPassphrase, path)
	}
	return out, nil
}

// CreateIdentity generates a new X25519 identity at path (0600, directories
// 0700). It refuses to overwrite an existing file. With a passphrase the
// file is age-encrypted with it (scrypt, armored), as `age -p -a` would.
func CreateIdentity(path string, now time.Time, passphrase string) (*Identity, error) {
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
	err = writeIdentity(f, fmt.Sprintf("# created by fieldvault: %s\n# public key: %s\n%s\n",
		now.UTC().Format(time.RFC3339), k.Recipient(), k), passphrase)
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
		return nil, headerError(err, what, class, listed)
	}
	return r, nil
}

// decryptHeader unwraps the file key of a detached age header (decrypt's
// rules), for age.DecryptReaderAt.
func decryptHeader(hdr []byte, id *Identity, what, class string, listed bool) ([]byte, error) {
	key, err := age.DecryptHeader(hdr, id.Identities...)
	if err != nil {
		return nil, headerError(err, what, class, listed)
	}
	return key, nil
}

// headerError is what an age header that does not decrypt means.
func headerError(err error, what, class string, listed bool) error {
	// The disk or the store failed while the header was read: its own
	// error, without age's "failed to read header: …" around it.
	var se *store.Error
	var pe *os.PathError
	if errors.As(err, &se) {
		return se
	}
	if errors.As(err, &pe) {
		return pe
	}
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) && listed {
		return integrity("%s: its header is damaged (flipped or truncated bytes)", what)
	}
	if errors.As(err, &noMatch) {
		return &RecipientError{Class: class, What: what}
	}
	return integrity("%s: not a readable age file", what)
}

// writeIdentity writes the identity text, encrypted with the passphrase if
// there is one.
func writeIdentity(w io.Writer, text, passphrase string) error {
	if passphrase == "" {
		_, err := io.WriteString(w, text)
		return err
	}
	sr, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return err
	}
	aw := armor.NewWriter(w)
	ew, err := age.Encrypt(aw, sr)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(ew, text); err != nil {
		return err
	}
	if err := ew.Close(); err != nil {
		return err
	}
	return aw.Close()
}
