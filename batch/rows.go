package batch

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// Result is what UpdateRows returns.
type Result struct {
	// Matched is the number of input rows whose key was found and that were
	// written (under CheckVersion: found with the expected version).
	Matched int64
	// Missing is the number of input rows whose key matched no row; they
	// were not inserted.
	Missing int64
	// MissingKeys lists the keys of the missing rows (key values in schema
	// order), in input order within each chunk; only with ListMissing.
	MissingKeys [][]any
	// Conflicts lists the keys of the rows CheckVersion skipped because their
	// stored version differed from the row's; nil without CheckVersion.
	Conflicts [][]any
	// Statements is the number of UPDATE statements executed (one per chunk,
	// counting the attempt that committed).
	Statements int

	lastAffected int64 // RowsAffected of the last chunk statement
}

// UpdateRows writes, for every row of rows, the named columns to the table
// row with the same primary key, in one set-based statement per chunk.
//
//	res, err := batch.UpdateRows(ctx, db, accounts, []string{"balance", "status"})
//	// res.Matched, res.Missing
//
// T is the model type (a struct or a pointer to one, with a primary key,
// composite keys included). columns are Go field or column names; only they
// are written, zero values and NULLs included, plus fields with
// autoUpdateTime (UpdatedAt), which are set to the current time unless named.
// Unknown, read-only, repeated and primary-key columns are refused with a
// *ColumnError before any SQL, as are conditions on db (ErrConditions: rows
// are matched by key alone), an empty rows slice (ErrEmpty), a nil
// row (*KeyError wrapping ErrNilRow) and the same key twice (*KeyError
// wrapping ErrDuplicateKey). A row whose key is not in the table is never
// inserted: it counts in Result.Missing (listed with ListMissing). Rows are
// matched by primary key alone: GORM's soft-delete filter does not apply, so
// a soft-deleted row with a matching key is written like any other.
//
// The statement per chunk is the dialect's fastest set-based form:
// PostgreSQL UPDATE … FROM (VALUES …) with every value cast to its column's
// exact type (read from the server, so uuid, json/jsonb, numeric, enums and
// NULLs work), MySQL/MariaDB UPDATE … JOIN (SELECT … UNION ALL …), SQLite
// 3.33+ UPDATE … FROM (VALUES …) (CASE WHEN before 3.33), SQL Server
// UPDATE … FROM … JOIN (VALUES …). Chunks hold DefaultChunkRows rows, fewer
// when the dialect's bind-parameter limit (2,100 on SQL Server) or
// MaxStatementParams requires; ChunkRows fixes the size.
//
// All chunks commit together by default, in one transaction retried as a
// whole on deadlocks, serialization failures and SQLite busy errors;
// CommitEach commits (and retries) each chunk on its own. When db is already
// a transaction, UpdateRows joins it and retries nothing. ctx bounds every
// statement. A failed chunk returns a *StatementError; in atomic mode the
// Result is then zero.
//
// Matched counts matched rows on every dialect: on MySQL and MariaDB without
// clientFoundRows, a chunk whose RowsAffected (changed rows) falls short is
// followed by a SELECT of its keys. With CheckVersion the chunk's keys and
// versions are first read with FOR UPDATE (the SQLite write lock, SQL
// Server UPDLOCK) to tell conflicts from missing rows.
//
// The statements go through GORM's callback chain (db.Exec), so plugins see
// them, and when a gormup audit plugin listens (hooks.Collecting) every
// written column of every row travels as a hooks.Change. Per-row model hooks
// (BeforeUpdate, AfterUpdate, BeforeSave...) do NOT run, as with Django's
// bulk_update and Rails' update_all: the write is set-based.
func UpdateRows[T any](ctx context.Context, db *gorm.DB, rows []T, columns []string, opts ...Option) (Result, error) {
	if db == nil {
		return Result{}, ErrNilDB
	}
	cfg, err := newConfig(forRows, opts)
	if err != nil {
		return Result{}, err
	}
	w, err := newRowWriter[T](ctx, db, columns, cfg)
	if err != nil {
		return Result{}, err
	}
	if len(rows) == 0 {
		return Result{}, ErrEmpty
	}
	in, err := extractRows(ctx, w, rows)
	if err != nil {
		return Result{}, err
	}
	return w.write(ctx, db, in)
}

// rowWriter holds one UpdateRows call's resolved schema and SQL shape.
type rowWriter struct {
	d        *dialect.Dialect
	s        *schema.Schema
	table    string
	keys     []*schema.Field
	cols     []*schema.Field
	direct   []int // per column: its struct field index when read directly, -1 for GORM's ValueOf
	version  *schema.Field
	auto     []*schema.Field
	stmt     rowsStmt
	size     int
	cfg      config
	matched  bool
	collects bool
}

func newRowWriter[T any](ctx context.Context, db *gorm.DB, columns []string, cfg config) (*rowWriter, error) {
	rt := reflect.TypeFor[T]()
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: row type %s is not a struct", ErrBadModel, reflect.TypeFor[T]())
	}
	t, err := targetError(model.Resolve[T](db))
	if err != nil {
		return nil, err
	}
	s := t.Schema
	if len(s.PrimaryFields) == 0 {
		return nil, fmt.Errorf("%w: %s has none", ErrNoPrimaryKey, s.Name)
	}
	if c, ok := db.Statement.Clauses["WHERE"]; ok && c.Expression != nil {
		return nil, ErrConditions
	}
	cols, err := resolveColumns(s, columns)
	if err != nil {
		return nil, err
	}
	w := &rowWriter{s: s, table: t.Table, keys: s.PrimaryFields, cols: cols, cfg: cfg}
	for _, f := range cols {
		// A plain top-level field is read with reflection directly, skipping
		// the zero check of GORM's ValueOf; embedded and serialized fields
		// keep GORM's ValueOf.
		idx := -1
		if len(f.StructField.Index) == 1 && f.Serializer == nil {
			idx = f.StructField.Index[0]
		}
		w.direct = append(w.direct, idx)
	}
	written := map[string]bool{}
	for _, f := range cols {
		written[f.DBName] = true
	}
	if cfg.version != "" {
		v := s.LookUpField(cfg.version)
		switch {
		case v == nil || v.DBName == "":
			return nil, &ColumnError{Column: cfg.version, Model: s.Name, Err: ErrUnknownColumn}
		case v.PrimaryKey:
			return nil, &ColumnError{Column: cfg.version, Model: s.Name, Err: ErrPrimaryKeyColumn}
		case written[v.DBName]:
			return nil, &ColumnError{Column: cfg.version, Model: s.Name, Err: ErrDuplicateColumn}
		}
		w.version = v
		written[v.DBName] = true
	}
	for _, f := range s.Fields {
		if f.AutoUpdateTime > 0 && f.DBName != "" && f.Updatable && !written[f.DBName] {
			w.auto = append(w.auto, f)
		}
	}
	if w.d, err = dialect.Of(ctx, db); err != nil {
		return nil, err
	}
	if w.matched, err = w.d.RowsAffectedMatched(ctx, db); err != nil {
		return nil, err
	}
	if err := w.prepare(ctx, db); err != nil {
		return nil, err
	}
	w.collects = hooks.Collecting(db)
	return w, nil
}

// prepare fixes the statement shape, PostgreSQL casts and the chunk size.
func (w *rowWriter) prepare(ctx context.Context, db *gorm.DB) error {
	st := rowsStmt{
		strategy: w.d.Bulk(),
		quote:    func(n string) string { return dialect.Quote(db, n) },
		table:    dialect.Quote(db, w.table),
	}
	derived := make([]*schema.Field, 0, len(w.keys)+len(w.cols)+1)
	for _, f := range w.keys {
		st.keys = append(st.keys, f.DBName)
		derived = append(derived, f)
	}
	for _, f := range w.cols {
		st.cols = append(st.cols, f.DBName)
		derived = append(derived, f)
	}
	if w.version != nil {
		st.version = w.version.DBName
		derived = append(derived, w.version)
	}
	for _, f := range w.auto {
		st.auto = append(st.auto, f.DBName)
	}
	if st.strategy == dialect.BulkJoinUnion {
		for _, f := range derived {
			st.binary = append(st.binary, f.DataType == schema.Bytes)
		}
	}
	if st.strategy == dialect.BulkValuesCast {
		server, err := w.d.ColumnCasts(ctx, db, w.table)
		if err != nil {
			return err
		}
		cast := func(f *schema.Field) string {
			if t, ok := server[f.DBName]; ok {
				return t
			}
			return w.d.FieldCast(db, f)
		}
		for _, f := range derived {
			st.casts = append(st.casts, cast(f))
		}
		for _, f := range w.auto {
			st.autoCast = append(st.autoCast, cast(f))
		}
	}
	w.stmt = st
	// Two parameters of slack: SQL Server's sp_executesql counts its own
	// statement and parameter-list arguments against the 2,100 limit.
	fixed := len(w.auto) + 2
	room := w.d.ChunkSize(st.perRow(), fixed)
	if room == 0 {
		return fmt.Errorf("%w: one row of %d values does not fit in a %s statement", ErrBadOption, st.perRow(), w.d.Family())
	}
	w.size = max(1, min(DefaultChunkRows, room, (MaxStatementParams-fixed)/st.perRow()))
	if w.cfg.chunkRows > 0 {
		if w.cfg.chunkRows > room {
			return fmt.Errorf("%w: ChunkRows(%d) exceeds the %d rows that fit in one %s statement", ErrBadOption, w.cfg.chunkRows, room, w.d.Family())
		}
		w.size = w.cfg.chunkRows
	}
	return nil
}

// input holds the rows of one UpdateRows call: each row's struct value and
// key, read once up front so that duplicates are refused before any SQL.
// Column values are read chunk by chunk into a reused buffer (fill), which
// keeps memory flat for large inputs.
type input struct {
	ctx     context.Context
	src     []reflect.Value // each row's struct value
	keyVals []any           // the key values of every row, len(keys) per row
	keys    []any           // each row's normalised key (normKey)
	buf     []any
	rows    [][]any
}

// extractRows reads every row's key, refusing nil rows and duplicate keys.
func extractRows[T any](ctx context.Context, w *rowWriter, rows []T) (*input, error) {
	nk := len(w.keys)
	in := &input{ctx: ctx, src: make([]reflect.Value, len(rows)), keyVals: make([]any, len(rows)*nk), keys: make([]any, len(rows))}
	seen := make(map[any]int, len(rows))
	for i := range rows {
		rv := reflect.ValueOf(&rows[i]).Elem()
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return nil, &KeyError{Index: i, First: -1, Err: ErrNilRow}
			}
			rv = rv.Elem()
		}
		key := in.keyVals[i*nk : (i+1)*nk : (i+1)*nk]
		for j, f := range w.keys {
			key[j], _ = f.ValueOf(ctx, rv)
		}
		k := normKey(key)
		if first, dup := seen[k]; dup {
			return nil, &KeyError{Index: i, First: first, Key: append([]any(nil), key...), Err: ErrDuplicateKey}
		}
		seen[k] = i
		in.src[i] = rv
		in.keys[i] = k
	}
	return in, nil
}

// fill returns the derived-table values of rows [lo, hi): key values, column
// values and (CheckVersion) the expected version. The slices are reused by
// the next call.
func (w *rowWriter) fill(in *input, lo, hi int) [][]any {
	nk, width := len(w.keys), w.stmt.width()
	n := hi - lo
	if cap(in.buf) < n*width {
		in.buf = make([]any, n*width)
		in.rows = make([][]any, n)
	}
	rows := in.rows[:n]
	for i := range n {
		row := in.buf[i*width : (i+1)*width : (i+1)*width]
		copy(row, in.keyVals[(lo+i)*nk:(lo+i+1)*nk])
		rv := in.src[lo+i]
		j := nk
		for c, f := range w.cols {
			if idx := w.direct[c]; idx >= 0 {
				row[j] = rv.Field(idx).Interface()
			} else {
				row[j], _ = f.ValueOf(in.ctx, rv)
			}
			j++
		}
		if w.version != nil {
			row[j], _ = w.version.ValueOf(in.ctx, rv)
		}
		rows[i] = row
	}
	return rows
}

// write runs the chunks, atomically or one transaction each.
func (w *rowWriter) write(ctx context.Context, db *gorm.DB, in *input) (Result, error) {
	chunks := dialect.Split(len(in.src), w.size)
	start := time.Now()
	progress := func(n int, r Result) {
		if w.cfg.onProgress != nil {
			el := time.Since(start)
			p := hooks.Progress{Done: r.Matched, Chunks: int64(n), Total: -1, Elapsed: el}
			if el > 0 {
				p.Rate = float64(r.Matched) / el.Seconds()
			}
			w.cfg.onProgress(p)
		}
	}
	var res Result
	if !w.cfg.commitEach {
		failed := 0
		attempts, err := runTx(ctx, db, w.cfg.policy(), func(tx *gorm.DB) error {
			res = Result{}
			now := db.NowFunc()
			for i, c := range chunks {
				if err := w.chunk(tx, now, w.fill(in, c[0], c[1]), in.keys[c[0]:c[1]], &res); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if err != nil {
			return Result{}, &StatementError{Chunk: failed, Attempts: attempts, Err: err}
		}
		progress(len(chunks), res)
		return res, nil
	}
	if dialect.InTransaction(db) {
		return Result{}, ErrInTransaction
	}
	for i, c := range chunks {
		var part Result
		attempts, err := runTx(ctx, db, w.cfg.policy(), func(tx *gorm.DB) error {
			part = Result{}
			return w.chunk(tx, db.NowFunc(), w.fill(in, c[0], c[1]), in.keys[c[0]:c[1]], &part)
		})
		if err != nil {
			return res, &StatementError{Chunk: i, Done: res.Matched, Attempts: attempts, Err: err}
		}
		res.Matched += part.Matched
		res.Missing += part.Missing
		res.MissingKeys = append(res.MissingKeys, part.MissingKeys...)
		res.Conflicts = append(res.Conflicts, part.Conflicts...)
		res.Statements += part.Statements
		progress(i+1, res)
	}
	return res, nil
}
