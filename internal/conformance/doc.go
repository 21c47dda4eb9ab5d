// Package conformance holds the conformance matrix of gormup's write entry
// points; it has no code of its own, only tests.
//
// One test body runs every write entry point (updater.Update, updater.Transaction,
// updater.UpdateEach, batch.Update plain and CommitEach, batch.UpdateKeys (and with
// Workers), batch.UpdateRows atomic, CommitEach, Workers, CheckVersion, BulkLoad and
// BulkLoad with CheckVersion, chunk.Run, chunk.Ranges
// and Run with Workers) over awkward inputs (conditions with OR, a
// schema-qualified db.Table, a db.Model that names another table than the type
// argument, version fields, soft-deleted rows, composite keys, string keys the
// database compares case-insensitively or padded, NULLs) on every configured
// database, and reads back the exact rows of the target table and of a
// neighbour table of the same shape:
//
//	export GORMUP_TEST_POSTGRES='host=127.0.0.1 user=postgres dbname=test sslmode=disable'
//	export GORMUP_TEST_MYSQL='root@tcp(127.0.0.1:3306)/test?parseTime=true'
//	go test -count=1 -run TestConformance ./internal/conformance
//
// A failing run ends with a compact matrix per dialect: one line per input,
// one column per entry point.
package conformance
