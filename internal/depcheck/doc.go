// Package depcheck holds the test that keeps gormup's library packages free
// of cgo and of database drivers. It has no code of its own.
package depcheck
