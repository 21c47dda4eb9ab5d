// Package depcheck holds the tests that keep gormup's layering: library
// packages free of cgo and of database drivers, and a table of which
// package of the module may import which (layering_test.go), each with a
// test proving it can fail. It has no code of its own.
package depcheck
