// Package docs holds gormup's documentation (design.md, benchmarks.md and the
// charts) and the test that keeps it and the README honest: every relative
// link resolves, nothing points at notes outside the repository, and the
// README keeps its install line and the test command CI runs.
package docs
