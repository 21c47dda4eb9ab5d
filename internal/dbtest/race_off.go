//go:build !race

package dbtest

// RaceEnabled reports whether the binary was built with -race (Run then
// skips its sqlite-purego subtests, see EnvPureGoUnderRace).
const RaceEnabled = false
