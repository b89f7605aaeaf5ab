//go:build race

package gate

// raceEnabled: the race detector multiplies a process's memory several
// times over, so memory ceilings are asserted in runs without it (.ci/run
// runs them again without -race).
const raceEnabled = true
