package vault

import (
	"errors"
	"fmt"
	"strings"

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

// ErrSupervisorReadOnly: the identity is a supervisor's; it opens raw
// material (audited) but changes no record. It matches ErrReadOnly.
var ErrSupervisorReadOnly error = roleReadOnly("this identity is a supervisor's: it opens raw material and reads the register, and changes nothing")

type roleReadOnly string

func (e roleReadOnly) Error() string        { return string(e) }
func (e roleReadOnly) Is(target error) bool { return target == ErrReadOnly }

// LockedError reports that another writer holds the vault's lock.
type LockedError = store.LockedError

// notFound reports an unknown handle of some kind ("document",
// "participant"), suggesting the nearest known handle if one is close.
func notFound(what, handle string, known []string) error {
	if near := Nearest(handle, known); near != "" {
		return fmt.Errorf("%w: no %s with handle %q (did you mean %s?)", ErrNotFound, what, handle, near)
	}
	return fmt.Errorf("%w: no %s with handle %q", ErrNotFound, what, handle)
}

func handlesOf[T any](list []T, handle func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = handle(x)
	}
	return out
}

// Nearest returns the candidate closest to s (case-insensitive edit
// distance of at most 2, and less than s's length), or "" if none is.
func Nearest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD && d < len([]rune(s)) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by rune.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
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
	// Officer: the identity is an ethics officer's (a catalogue recipient
	// only), so the message says the role rather than only the class.
	Officer bool
}

func (e *RecipientError) Error() string {
	if e.Officer && e.Class == ClassRaw {
		return "this identity is an ethics officer's: it reads the register, consent forms and the audit log, not raw material"
	}
	return fmt.Sprintf("%s of %s in this vault", ErrNotRecipient, e.What)
}

// Is makes errors.Is(err, ErrNotRecipient) true.
func (e *RecipientError) Is(target error) bool { return target == ErrNotRecipient }
