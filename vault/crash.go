package vault

import "github.com/fieldvault/fieldvault/vault/store"

// The atomic-write helpers of package store name their steps too; they
// report them here, so one hook sees every step of a command.
func init() { store.SetCrashHook(crashPoint) }

// crashHook is called at every named step of a write (after the temp write,
// after fsync, before rename, before the directory fsync, before the audit
// append, before each removal of an object a committed change let go).
// Only this package's crash-consistency tests set it, in a child process
// they then kill at that step; in fieldvault it is always nil.
var crashHook func(step string)

func crashPoint(step string) {
	if crashHook != nil {
		crashHook(step)
	}
}
