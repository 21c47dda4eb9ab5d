package hooks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
)

// DefaultAuditTable is the table Audit writes to when Audit.Table is empty.
const DefaultAuditTable = "gormup_audit"

// Callback names Audit registers.
const (
	auditBeginCallback  = "gormup:audit_begin"
	auditWriteCallback  = "gormup:audit"
	auditCommitCallback = "gormup:audit_commit"
)

// settingAuditTx marks (per statement, with gorm's InstanceSet) a statement
// whose transaction Audit began and must end.
const settingAuditTx = "gormup:audit_started_transaction"

// auditMaxBatch caps the rows of one INSERT into the audit table;
// auditSafeBatch is used when the dialect is unknown: its 2,000 parameters
// fit every dialect's limit (2,100 on SQL Server).
const (
	auditMaxBatch  = 500
	auditSafeBatch = 200
)

// ErrAuditFailed is wrapped by the error of a statement whose audit records
// could not be written (the audit table or the sink returned an error). The
// change is rolled back with them when GORM or Audit began its transaction;
// inside a transaction of the caller's, the caller must roll back on the
// returned error, as for any failed statement.
var ErrAuditFailed = errors.New("hooks: audit records not written")

// ErrAuditRowStatement is returned, before anything runs, for a statement
// that carries changes (WithChanges) but returns an open cursor — Row, Rows,
// or Raw(...).Scan: its audit records could not be written on the same
// connection while the cursor is open. Run the write with Exec, or with
// Raw(...).Find when it returns rows.
var ErrAuditRowStatement = errors.New("hooks: changes attached to Row/Rows/Scan cannot be audited; use Exec or Find")

// Record is one audited column write: the Change as its producer described
// it, with when, by whom and how many rows the statement affected.
type Record struct {
	Change
	// At is when the statement ran (Audit.Now, in UTC).
	At time.Time
	// Actor is the actor of the statement's context (WithActor); "" if none.
	Actor string
	// Rows is the statement's RowsAffected. MySQL and MariaDB count changed
	// rows unless the DSN sets clientFoundRows=true.
	Rows int64
}

// Audit is a GORM plugin that keeps an audit trail of the changes made
// through gormup: every statement carrying changes (WithChanges — updater,
// batch.UpdateRows and batch.Update attach them when Collecting(db) is true)
// has one Record per changed column written in the same transaction as the
// statement, right after it succeeds. A rolled-back change leaves no record
// and a committed one always has its records: when the statement is not
// inside a transaction already, GORM's default transaction holds both, and
// when there is none (Exec, or SkipDefaultTransaction) Audit begins one
// around the statement and its records and commits it.
//
// Records go to the table Table (DefaultAuditTable when empty), created by
// db.Use if missing — outside any transaction, because MySQL commits the
// current transaction on CREATE TABLE —, or, when Sink is set, to Sink
// instead. A failure of either fails the statement with an error wrapping
// ErrAuditFailed and rolls the change back.
//
// The zero value writes to DefaultAuditTable. Audit is safe for concurrent
// use; statements without changes cost one settings lookup.
type Audit struct {
	// Table names the audit table; "" means DefaultAuditTable. Its columns:
	// id, table_name, row_key, where_sql, column_name, old_value, old_known,
	// new_value, actor, rows_affected, changed_at (see AuditRow).
	Table string
	// Sink, when set, receives the records of each statement instead of the
	// table, inside the statement's transaction and with its context. An
	// error fails the statement and rolls the change back. nil writes to the
	// table.
	Sink func(ctx context.Context, records []Record) error
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

var _ gorm.Plugin = (*Audit)(nil)

// Name returns "gormup:audit", the name Collecting looks for.
func (a *Audit) Name() string { return auditPluginName }

// table returns the audit table's name.
func (a *Audit) table() string {
	if a.Table == "" {
		return DefaultAuditTable
	}
	return a.Table
}

// Initialize creates the audit table when it is missing and Sink is nil,
// then registers Audit's callbacks: "gormup:audit_begin" before the
// statement (it begins a transaction when there is none), "gormup:audit"
// right after it (it writes the records; before GORM's commit), and
// "gormup:audit_commit" after every other callback (it ends the transaction
// it began). On Row it registers "gormup:audit" before "gorm:row", refusing
// changes with ErrAuditRowStatement. It is called by db.Use.
func (a *Audit) Initialize(db *gorm.DB) error {
	if a.Sink == nil && !db.DryRun {
		if err := a.ensureTable(db); err != nil {
			return err
		}
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("gorm:before_create").Register(auditBeginCallback, a.begin),
		cb.Create().Before("gorm:commit_or_rollback_transaction").Register(auditWriteCallback, a.write),
		cb.Create().After("*").Register(auditCommitCallback, a.end),
		cb.Update().Before("gorm:before_update").Register(auditBeginCallback, a.begin),
		cb.Update().Before("gorm:commit_or_rollback_transaction").Register(auditWriteCallback, a.write),
		cb.Update().After("*").Register(auditCommitCallback, a.end),
		cb.Delete().Before("gorm:before_delete").Register(auditBeginCallback, a.begin),
		cb.Delete().Before("gorm:commit_or_rollback_transaction").Register(auditWriteCallback, a.write),
		cb.Delete().After("*").Register(auditCommitCallback, a.end),
		cb.Query().Before("gorm:query").Register(auditBeginCallback, a.begin),
		cb.Query().After("gorm:after_query").Register(auditWriteCallback, a.write),
		cb.Query().After("*").Register(auditCommitCallback, a.end),
		cb.Raw().Before("gorm:raw").Register(auditBeginCallback, a.begin),
		cb.Raw().After("gorm:raw").Register(auditWriteCallback, a.write),
		cb.Raw().After("*").Register(auditCommitCallback, a.end),
		cb.Row().Before("gorm:row").Register(auditWriteCallback, refuseRowChanges),
	)
}

// pending returns the changes of db's statement, if it is one Audit records.
func pending(db *gorm.DB) []Change {
	if db.Error != nil || db.DryRun {
		return nil
	}
	changes, _ := ChangesOf(db)
	return changes
}

// begin starts a transaction around a statement with changes that would
// otherwise run outside one.
func (a *Audit) begin(db *gorm.DB) {
	if len(pending(db)) == 0 || dialect.InTransaction(db) {
		return
	}
	tx := db.Begin()
	if tx.Error != nil {
		db.AddError(fmt.Errorf("hooks: beginning the audit transaction: %w", tx.Error))
		return
	}
	db.Statement.ConnPool = tx.Statement.ConnPool
	db.InstanceSet(settingAuditTx, true)
}

// write records the changes of a statement that succeeded, on its
// connection (its transaction).
func (a *Audit) write(db *gorm.DB) {
	changes := pending(db)
	if len(changes) == 0 {
		return
	}
	if err := a.record(db, changes); err != nil {
		db.AddError(fmt.Errorf("%w: %w", ErrAuditFailed, err))
	}
}

// end commits the transaction begin started, or rolls it back when the
// statement or its audit failed. Unlike the other callbacks it runs when
// db.Error is set: that is when it must roll back.
func (a *Audit) end(db *gorm.DB) {
	if _, ok := db.InstanceGet(settingAuditTx); !ok {
		return
	}
	db.Statement.Settings.Delete(fmt.Sprintf("%p", db.Statement) + settingAuditTx)
	if db.Error != nil {
		db.Rollback()
	} else if err := db.Commit().Error; err != nil {
		db.Error = fmt.Errorf("hooks: committing the audited change: %w", err)
	}
	db.Statement.ConnPool = db.ConnPool
}

func refuseRowChanges(db *gorm.DB) {
	if len(pending(db)) > 0 {
		db.AddError(ErrAuditRowStatement)
	}
}

func (a *Audit) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

// record turns changes into Records and hands them to the sink or the table.
func (a *Audit) record(db *gorm.DB, changes []Change) error {
	ctx := db.Statement.Context
	at, actor := a.now(), ActorFrom(ctx)
	// The statement's table with its schema qualifier; GORM keeps only the
	// bare name in Statement.Table.
	table, err := model.Table(db)
	if err != nil || table == "" {
		table = db.Statement.Table
	}
	records := make([]Record, len(changes))
	for i, c := range changes {
		if c.Table == "" {
			c.Table = table
		}
		records[i] = Record{Change: c, At: at, Actor: actor, Rows: db.RowsAffected}
	}
	if a.Sink != nil {
		return a.Sink(ctx, records)
	}
	rows := make([]AuditRow, len(records))
	for i, r := range records {
		rows[i] = auditRowOf(db, r)
	}
	// A fresh session on the statement's connection: its transaction, none
	// of its conditions or settings (so no changes, no recursion).
	conn := db.Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: true, Context: ctx})
	size := auditSafeBatch
	if d, err := dialect.Of(ctx, conn); err == nil {
		size = max(1, min(auditMaxBatch, d.ChunkSize(auditColumns, 0)))
	}
	return conn.Table(a.table()).CreateInBatches(rows, size).Error
}

// ensureTable creates the audit table when it does not exist. A concurrent
// creation by another process is not an error.
func (a *Audit) ensureTable(db *gorm.DB) error {
	m := db.Session(&gorm.Session{NewDB: true}).Table(a.table()).Migrator()
	if m.HasTable(&AuditRow{}) {
		return nil
	}
	if err := m.CreateTable(&AuditRow{}); err != nil && !m.HasTable(&AuditRow{}) {
		return fmt.Errorf("hooks: creating the audit table %s: %w", a.table(), err)
	}
	return nil
}
