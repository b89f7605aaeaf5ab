package vault

import (
	"errors"
	"fmt"

	"github.com/fieldvault/fieldvault/vault/store"
)

// Errors callers branch on. The CLI maps them to exit codes and hints.
var (
	// ErrNotVault: the directory holds no fieldvault.json.
	ErrNotVault = errors.New("not a fieldvault study vault")
	// ErrExists: init over an existing vault.
	ErrExists = errors.New("a study vault already exists here")
	// ErrFormat: the vault was written by a newer (or unknown) format version.
	ErrFormat = errors.New("unsupported vault format version")
	// ErrNotRecipient: the identity cannot decrypt this material.
	ErrNotRecipient = errors.New("this identity is not a recipient")
	// ErrNoIdentity: no identity file could be found.
	ErrNoIdentity = errors.New("no identity")
	// ErrIntegrity: something stored does not match what the catalogue says.
	ErrIntegrity = errors.New("integrity check failed")
	// ErrNotFound: an unknown handle.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: a request that cannot be carried out as given.
	ErrInvalid = errors.New("invalid request")
	// ErrReadOnly: the identity is an ethics-officer recipient only, and
	// the command would change the vault's records.
	ErrReadOnly = errors.New("this identity is an ethics officer's: it reads the register and the audit log, and changes nothing")
)

// LockedError reports that another writer holds the vault's lock.
type LockedError = store.LockedError

// notFound reports an unknown handle of some kind ("document", "participant").
func notFound(what, handle string) error {
	return fmt.Errorf("%w: no %s with handle %q", ErrNotFound, what, handle)
}

// integrity reports a problem found in stored data.
func integrity(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrIntegrity, fmt.Sprintf(format, args...))
}

// RecipientError reports material this identity cannot decrypt because it is
// not among the recipients of its class. It matches ErrNotRecipient.
type RecipientError struct {
	Class string // ClassCatalog or ClassRaw; "" when not known
	What  string
}

func (e *RecipientError) Error() string {
	return fmt.Sprintf("%s of %s in this vault", ErrNotRecipient, e.What)
}

// Is makes errors.Is(err, ErrNotRecipient) true.
func (e *RecipientError) Is(target error) bool { return target == ErrNotRecipient }
