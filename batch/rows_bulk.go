package batch

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// bulkLoad is one BulkLoad call's load table: its statements and columns.
type bulkLoad struct {
	create string   // CREATE TEMPORARY TABLE … AS SELECT … WITH NO DATA / LIMIT 0
	drop   string   // DROP TEMPORARY TABLE IF EXISTS …, "" where commit drops it
	names  []string // unquoted columns, in table order: derivedNames, then the ordinal
	// ordinal: the table numbers the rows from 1 (s.as.ordinal), for the
	// read-back of missing rows and version conflicts (rowsStmt.buildStatus).
	ordinal bool
	conn    *sql.Conn // PostgreSQL: the connection COPY runs on
	table   []string  // the load table's schema (if any) and name, unquoted (dialect.LoadTable)
}

// bulkWrite is UpdateRows under BulkLoad: in one transaction, every row goes
// into a temporary table (PostgreSQL: COPY; MySQL, MariaDB: multi-row
// INSERTs of Size rows), then one UPDATE joins it to the target, built by
// rowsStmt.build with the table as its derived table, and counted, read
// back and reported by rowWriter.chunk as a chunk of every row:
//
//	UPDATE "accounts" SET "balance" = "v"."balance", … FROM "pg_temp"."gormup_load" AS "v" WHERE "accounts"."id" = "v"."id"
//	UPDATE `accounts` JOIN `gormup_load` AS `v` ON `accounts`.`id` = `v`.`id` SET `accounts`.`balance` = `v`.`balance`, …
//
// Dialects without a bulk-load path, and DryRun sessions, take the default
// path (write).
func (w *rowWriter) bulkWrite(ctx context.Context, db *gorm.DB, in *input) (Result, error) {
	method := w.d.Load()
	if method == dialect.LoadNone || db.DryRun {
		return w.write(ctx, db, in)
	}
	st := w.stmt
	var l bulkLoad
	if schema, name := w.d.LoadTable(w.table); schema != "" {
		l.table = []string{schema, name}
	} else {
		l.table = []string{name}
	}
	st.load = st.quote(strings.Join(l.table, "."))
	st.full = fullText{} // the cached statement joins the rows, not the load table
	st.json = nil        // columns of the load table, not JSON text
	if method == dialect.LoadInsert {
		// UPDATE … JOIN … SET, with qualified targets, on every server
		// version (BulkCase builds no join).
		st.strategy = dialect.BulkJSONTable
	}
	l.ordinal = w.version != nil || w.cfg.listMissing || !w.matched
	l.names = st.derivedNames()
	sel := make([]string, len(l.names))
	src := st.quote(st.as.target)
	for i, n := range l.names {
		col := n
		if w.version != nil && i == len(l.names)-1 {
			col = w.version.DBName
		}
		sel[i] = src + "." + st.quote(col) + " AS " + st.quote(n)
	}
	ord := ""
	if l.ordinal {
		ord = st.quote(st.as.ordinal)
		l.names = append(l.names, st.as.ordinal)
	}
	l.create = w.d.CreateLoadTable(st.load, strings.Join(sel, ", "), st.table+" AS "+src, ord, st.quotedList(st.keys))
	l.drop = w.d.DropLoadTable(st.load)
	w.stmt = st

	loop := chunker.Loop{Policy: w.cfg.policy()}
	if method == dialect.LoadCopy {
		if dialect.InTransaction(db) {
			return Result{}, fmt.Errorf("%w: COPY needs a connection of its own and cannot run inside the caller's transaction; call UpdateRows outside it, or without BulkLoad", ErrBulkLoad)
		}
		var release func()
		var err error
		if db, l.conn, release, err = copySession(ctx, db); err != nil {
			return Result{}, err
		}
		defer release()
	} else if !w.d.Has(dialect.DriverCachesStatements) {
		loop.Prepare = reuse // the full INSERT is prepared once
	}
	var res Result
	if report := progressTo(w.cfg.onProgress); report != nil {
		loop.Committed = func(n int, _ int64, c chunker.Clock) { report(n, res.Matched, c) }
	}
	_, err := loop.Run(ctx, db, func(tx *gorm.DB, _ int) (int64, bool, error) {
		res = Result{} // a retried transaction starts again
		err := w.bulkChunk(ctx, tx, in, l, &res)
		return res.Matched, true, err
	})
	if err != nil {
		return Result{}, statementError(err)
	}
	return res, nil
}

// bulkChunk creates and fills the load table in tx, then writes every row
// with one UPDATE through rowWriter.chunk.
func (w *rowWriter) bulkChunk(ctx context.Context, tx *gorm.DB, in *input, l bulkLoad, res *Result) error {
	now := tx.NowFunc()
	if l.drop != "" {
		// A failed earlier call may have left the table on this pooled
		// connection.
		if err := rawExec(tx, l.drop, nil); err != nil {
			return err
		}
	}
	if err := rawExec(tx, l.create, nil); err != nil {
		return fmt.Errorf("%w: the server refused the temporary table: %w", ErrBulkLoad, err)
	}
	var err error
	if l.conn != nil {
		err = w.copyRows(ctx, l, in)
	} else {
		err = w.insertRows(tx, l, in)
	}
	if err == nil {
		// The UPDATE reads the load table: rowWriter.chunk reads only the
		// keys of missing and conflicting rows, and with an audit plugin
		// every row's values.
		all := &input{ctx: in.ctx, all: in.all, n: in.n, loaded: !w.collects}
		err = w.chunk(tx, now, all, 0, in.n, res)
	}
	if l.drop != "" {
		// Even after a failure: the table outlives a rolled-back
		// transaction on MySQL.
		if dropErr := rawExec(tx, l.drop, nil); err == nil {
			err = dropErr
		}
	}
	return err
}

// insertRows fills the load table with multi-row INSERTs of w.size rows
// (fewer if the ordinal would take them past MaxStatementParams), each
// value bound as GORM's own UPDATE binds it.
func (w *rowWriter) insertRows(tx *gorm.DB, l bulkLoad, in *input) error {
	head := "INSERT INTO " + w.stmt.load + " (" + w.stmt.quotedList(l.names) + ") VALUES "
	tuple := openParen + strings.TrimSuffix(strings.Repeat("?, ", len(l.names)), ", ") + ")"
	size := max(1, min(w.size, MaxStatementParams/len(l.names)))
	var q string
	var args []any
	for _, c := range dialect.Split(in.n, size) {
		rows := w.fill(in, c[0], c[1])
		if n := len(rows); q == "" || n != size {
			q = head + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
		}
		args = args[:0]
		for i, row := range rows {
			args = append(args, row...)
			if l.ordinal {
				args = append(args, int64(c[0]+i+1))
			}
		}
		if err := rawExec(tx, q, args); err != nil {
			return err
		}
	}
	return nil
}

// rawExec runs q through GORM's Raw callback chain (plugins and the logger
// see it) as built: the load statements bind with the driver's own "?"
// (MySQL), or bind nothing.
func rawExec(tx *gorm.DB, q string, args []any) error {
	exec := tx.Session(&gorm.Session{NewDB: true}).Scopes()
	exec.Statement.SQL.Reset()
	exec.Statement.SQL.WriteString(q)
	exec.Statement.Vars = args
	return exec.Callback().Raw().Execute(exec).Error
}
