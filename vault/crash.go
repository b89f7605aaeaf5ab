//go:build !faultinject

package vault

// crashPoint is a named step of a write. Built with -tags faultinject, the
// crash-consistency tests can kill the process there; in normal builds it
// does nothing.
func crashPoint(string) {}
