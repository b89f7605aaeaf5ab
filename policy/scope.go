package policy

import (
	"errors"
	"fmt"
	"strings"
)

// A Scope is one use of a participant's material that a consent form can
// grant and a withdrawal can take back.
type Scope string

// The scopes a consent form can grant, in their canonical order.
const (
	ScopeParticipate Scope = "participate"  // take part at all; a prerequisite of every other scope
	ScopeRecordAudio Scope = "record-audio" // be recorded
	ScopeQuote       Scope = "quote"        // be quoted verbatim in the thesis
	ScopePublish     Scope = "publish"      // be quoted in papers
	ScopePresent     Scope = "present"      // be quoted in presentations
	ScopeArchive     Scope = "archive"      // have material deposited in an archive
	ScopeOffRecord   Scope = "off-record"   // use of words said after the recorder stopped
)

var allScopes = []Scope{
	ScopeParticipate, ScopeRecordAudio, ScopeQuote, ScopePublish,
	ScopePresent, ScopeArchive, ScopeOffRecord,
}

// ErrUnknownScope is wrapped by errors about a scope name that is not one of
// Scopes().
var ErrUnknownScope = errors.New("unknown consent scope")

// Scopes returns every scope, in canonical order.
func Scopes() []Scope {
	return append([]Scope(nil), allScopes...)
}

// Valid reports whether s is one of Scopes().
func (s Scope) Valid() bool {
	return scopeRank(s) >= 0
}

func scopeRank(s Scope) int {
	for i, v := range allScopes {
		if v == s {
			return i
		}
	}
	return -1
}

func scopeNames() string {
	names := make([]string, len(allScopes))
	for i, s := range allScopes {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// ParseScopes parses a comma-separated list of scope names such as
// "quote, participate". Names are matched case-insensitively, surrounding
// spaces and empty items are ignored, and the result is sorted in canonical
// order (the order of Scopes()) with duplicates removed. An unknown name, or a
// list naming no scope at all, is an error that lists the valid names.
func ParseScopes(csv string) ([]Scope, error) {
	seen := make(map[Scope]bool)
	for i, item := range strings.Split(csv, ",") {
		name := strings.ToLower(strings.TrimSpace(item))
		if name == "" {
			continue
		}
		s := Scope(name)
		if !s.Valid() {
			return nil, fmt.Errorf("scope %d of list: %w %q (valid: %s)", i+1, ErrUnknownScope, clip(name, 32), scopeNames())
		}
		seen[s] = true
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("no consent scope given (valid: %s)", scopeNames())
	}
	out := make([]Scope, 0, len(seen))
	for _, s := range allScopes {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// normaliseScopes validates scopes and returns them sorted in canonical order
// without duplicates.
func normaliseScopes(in []Scope) ([]Scope, error) {
	seen := make(map[Scope]bool, len(in))
	for i, s := range in {
		if !s.Valid() {
			return nil, fmt.Errorf("scope %d: %w %q (valid: %s)", i+1, ErrUnknownScope, clip(string(s), 32), scopeNames())
		}
		seen[s] = true
	}
	out := make([]Scope, 0, len(seen))
	for _, s := range allScopes {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// clip shortens s for use in an error message so that a mistaken paste of a
// long text into a flag does not end up in a log.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
