package policy

import "strings"

// HandleLess is the one order of handles (P1, D12, E3, M2, R1): by prefix,
// then by number (P2 before P10), then as strings (so "P01" and "P1" still
// have a fixed order).
func HandleLess(a, b string) bool {
	pa, na := splitHandle(a)
	pb, nb := splitHandle(b)
	if pa != pb {
		return pa < pb
	}
	if na != nb {
		return na < nb
	}
	return a < b
}

// splitHandle splits a handle into its prefix and the number that follows
// (digits up to the first non-digit; a number too large to matter stops
// growing).
func splitHandle(h string) (string, int) {
	i := strings.IndexFunc(h, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return h, 0
	}
	n := 0
	for _, r := range h[i:] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
		if n > 1<<30 {
			break
		}
	}
	return h[:i], n
}
