// Package hooks holds gormup's GORM callback plugins: Guard, Audit and
// Stats. The lifecycle callbacks of chunked runs are package chunk's
// (chunk.Callbacks).
//
// Changes made through updater and batch travel to plugins as []Change on the
// statement (WithChanges / ChangesOf), so an audit trail is written in the
// same transaction as the change it records.
//
// # Plugins
//
// Three gorm.Plugin values, installed once per opened database with db.Use;
// the zero value of each is ready to use:
//
//	db.Use(&hooks.Guard{})         // refuse UPDATE/DELETE not proved bounded
//	db.Use(&hooks.Audit{})         // record changes in gormup_audit, same transaction
//	db.Use(stats)                  // stats := &hooks.Stats{}; stats.Snapshot()
//
// Guard refuses, with an *UnboundedWriteError wrapping ErrUnboundedWrite and
// before anything reaches the database, every UPDATE and DELETE it cannot
// prove bounded: a statement passes only when a condition restricts a column
// of the table it writes against a value, a parameter, a subquery or a joined
// table's column. What it accepts and what it refuses, and why, is listed
// once, on [UnboundedReason] and its Reason constants; batch.Update and
// chunk.Purge refuse the same conditions. It reads statements GORM builds
// and raw SQL run with Exec or Raw, with each database's lexical rules.
// hooks.AllowUnbounded(db) (a reusable session) and
// hooks.AllowUnboundedContext(ctx) (for gorm.G[T] calls and anything else
// given that context) are the escape hatches.
//
// Audit writes one row per changed column (table, primary key, column, old
// value when known, new value, time, actor from WithActor) for every
// statement carrying changes — those of updater and batch when
// Collecting(db) — in that statement's transaction, into an audit table it
// creates (DefaultAuditTable) or to a sink function. A rolled-back change
// leaves no record; a failed record rolls the change back.
//
// Stats counts, per table and operation (create, query, update, delete, raw,
// row), the statements, errors, rows affected and time, and returns a copy
// with Snapshot.
//
// Callbacks are named "gormup:guard", "gormup:audit_begin", "gormup:audit",
// "gormup:audit_commit", "gormup:stats_before" and "gormup:stats_after", and
// are ordered explicitly around GORM's own; see each Initialize.
package hooks

// auditPluginName is the gorm.Plugin name of the audit plugin; Collecting
// looks for it.
const auditPluginName = "gormup:audit"
