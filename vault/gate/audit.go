package gate

import (
	"maps"
	"slices"

	"github.com/fieldvault/fieldvault/vault"
)

// refusalEntry is the audit entry of a refused exit (vault.RefusalEntry).
func refusalEntry(action string, handles []string, err error) vault.Entry {
	e, _ := vault.RefusalEntry(action, handles, err)
	return e
}

// isRefusal says whether err is a refusal, audited even though the exit
// fails.
func isRefusal(err error) bool {
	_, ok := vault.RefusalEntry("", nil, err)
	return ok
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
