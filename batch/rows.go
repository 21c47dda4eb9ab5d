package batch

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// Result is what UpdateRows returns.
type Result struct {
	// Matched is the number of input rows whose key was found (by the
	// database's equality, soft-deleted rows excluded) and that were written
	// (under CheckVersion: found with the expected version, NULL matching
	// NULL). Matched + Missing + len(Conflicts) is the number of input rows.
	// A found row that a BEFORE UPDATE trigger skips (PostgreSQL's RETURN
	// NULL) counts as Matched with ListMissing (the keys are read back),
	// else as Missing.
	Matched int64
	// Missing is the number of input rows whose key matched no row (or only
	// a soft-deleted one, unless db is Unscoped); they were not inserted.
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
// row with the same primary key, in one set-based statement per chunk, and
// never inserts ([Per-row values]).
//
//	res, err := batch.UpdateRows(ctx, db, accounts, []string{"balance", "status"})
//	// res.Matched, res.Missing
//
// T is the model type (a struct or a pointer to one, with a primary key,
// composite keys included). columns are Go field or column names; only they
// are written, zero values and NULLs included, plus autoUpdateTime fields and
// the version field ([Values and columns]). Chunks hold DefaultSize rows
// (Size) under the dialect's parameter limit and commit together unless
// CommitEach, or Workers writes several at once ([Chunks and
// transactions]). ctx bounds every statement.
//
// Refused before any SQL: a bad column (*ColumnError), conditions on db
// (ErrConditions: rows are matched by key alone), empty rows (ErrEmpty), a
// nil row or two equal keys (*KeyError wrapping ErrNilRow or
// ErrDuplicateKey) and a value that cannot be sent exactly (*ColumnError
// wrapping ErrBadValue). A failed chunk returns a *StatementError (with Workers, a *PartialError
// wrapping it). Per-row
// model hooks do not run ([Hooks and plugins]).
//
// [Per-row values]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Per_row_values
// [Values and columns]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Values_and_columns
// [Chunks and transactions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Chunks_and_transactions
// [Hooks and plugins]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Hooks_and_plugins
func UpdateRows[T any](ctx context.Context, db *gorm.DB, rows []T, columns []string, opts ...RowsOption) (Result, error) {
	if db == nil {
		return Result{}, ErrNilDB
	}
	cfg, err := newConfig(opts, RowsOption.applyRows)
	if err != nil {
		return Result{}, err
	}
	db = model.Scoped(db, cfg.scopes...)
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
	if err := w.serverDuplicates(ctx, db, in); err != nil {
		return Result{}, err
	}
	if cfg.bulkLoad {
		return w.bulkWrite(ctx, db, in)
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
	direct   []int         // per column: its struct field index when read directly, -1 for GORM's ValueOf
	keyIdx   []int         // the same per key field
	version  *schema.Field // CheckVersion's field
	bump     *schema.Field // the version field incremented on every written row
	deleted  *schema.Field // the soft-delete field whose set rows are skipped; nil when none or Unscoped
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
	if c, ok := model.Scoped(db).Statement.Clauses["WHERE"]; ok && c.Expression != nil {
		return nil, ErrConditions
	}
	cols, err := resolveColumns(s, columns)
	if err != nil {
		return nil, err
	}
	w := &rowWriter{s: s, table: t.Table, keys: s.PrimaryFields, cols: cols, cfg: cfg}
	for _, f := range cols {
		w.direct = append(w.direct, directIndex(f))
	}
	for _, f := range w.keys {
		w.keyIdx = append(w.keyIdx, directIndex(f))
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
			return nil, &ColumnError{Column: cfg.version, Model: s.Name, Err: ErrVersionColumn}
		}
		w.version = v
		written[v.DBName] = true
	}
	if w.bump = w.version; w.bump == nil {
		if w.bump = versionField(s); w.bump != nil && written[w.bump.DBName] {
			return nil, &ColumnError{Column: w.bump.DBName, Model: s.Name, Err: ErrVersionColumn}
		}
	}
	if !db.Statement.Unscoped {
		if w.deleted, err = softDeleteField(s); err != nil {
			return nil, err
		}
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

// directIndex returns the struct field index of a plain top-level field,
// read with reflection directly (skipping the zero check of GORM's
// ValueOf), or -1: embedded and serialized fields keep GORM's ValueOf.
func directIndex(f *schema.Field) int {
	if len(f.StructField.Index) == 1 && f.Serializer == nil {
		return f.StructField.Index[0]
	}
	return -1
}

// prepare fixes the statement shape, PostgreSQL casts, MySQL JSON column
// types and the chunk size.
func (w *rowWriter) prepare(ctx context.Context, db *gorm.DB) error {
	st := rowsStmt{
		strategy: w.d.Bulk(),
		d:        w.d,
		quote:    func(n string) string { return dialect.Quote(db, n) },
		table:    dialect.Quote(db, w.table),
		loc:      w.d.TimeLocation(),
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
	if w.bump != nil {
		st.bump = w.bump.DBName
	}
	if w.deleted != nil {
		st.deleted = w.deleted.DBName
	}
	for _, f := range w.auto {
		st.auto = append(st.auto, f.DBName)
	}
	named := append(append(append([]string(nil), st.keys...), st.cols...), st.auto...)
	st.as = newAliases(w.table, append(named, st.version, st.bump, st.deleted))
	if st.strategy == dialect.BulkJSONTable {
		server, err := w.d.ColumnCharsets(ctx, db, w.table)
		if err != nil {
			return err
		}
		for _, f := range derived {
			cs, ok := server[f.DBName]
			st.json = append(st.json, newJSONCol(f, cs, ok))
		}
	}
	if st.strategy == dialect.BulkUnnest {
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
	// statement and parameter-list arguments against the 2,100 limit. The
	// JSON and array forms carry a chunk in a few parameters, but a chunk
	// stays no larger than the dialect's parameter limit would allow as
	// VALUES rows, which bounds its memory.
	fixed := len(w.auto) + 2
	perRow := st.perRow()
	if perRow == 0 {
		perRow = st.width()
	}
	room := w.d.ChunkSize(perRow, fixed)
	if room == 0 {
		return fmt.Errorf("%w: one row of %d values does not fit in a %s statement", ErrBadOption, perRow, w.d.Name())
	}
	w.size = max(1, min(DefaultSize, room, (MaxStatementParams-fixed)/perRow, (w.d.FastParams()-fixed)/perRow))
	if w.cfg.chunkRows > 0 {
		if w.cfg.chunkRows > room {
			return fmt.Errorf("%w: Size(%d) exceeds the %d rows that fit in one %s statement", ErrBadOption, w.cfg.chunkRows, room, w.d.Name())
		}
		w.size = w.cfg.chunkRows
	}
	if w.stmt.strategy != dialect.BulkCase {
		w.stmt.full = fullText{rows: w.size, sql: w.stmt.writeText(w.size)}
	}
	return nil
}

// write runs the chunks, atomically or one transaction each.
func (w *rowWriter) write(ctx context.Context, db *gorm.DB, in *input) (Result, error) {
	if w.cfg.workers > 0 {
		return w.writeParallel(ctx, db, in)
	}
	chunks := dialect.Split(in.n, w.size)
	if w.cfg.commitEach && dialect.InTransaction(db) {
		return Result{}, ErrInTransaction
	}
	var res, part Result
	loop := chunker.Loop{Each: w.cfg.commitEach, Policy: w.cfg.policy()}
	if !w.cfg.commitEach && len(chunks) > 1 && !w.d.Has(dialect.DriverCachesStatements) {
		// pgx prepares and caches statements itself.
		loop.Prepare = reuse
	}
	report := progressTo(w.cfg.onProgress)
	loop.Committed = func(n int, _ int64, c chunker.Clock) {
		if w.cfg.commitEach {
			res.add(part)
		} else {
			res = part
		}
		if report != nil {
			report(n, res.Matched, c)
		}
	}
	var now time.Time
	_, err := loop.Run(ctx, db, func(tx *gorm.DB, i int) (int64, bool, error) {
		if i == 0 || w.cfg.commitEach {
			// A new transaction: atomic mode restarts from the first chunk.
			part, now = Result{}, db.NowFunc()
		}
		before := part.Matched
		c := chunks[i]
		err := w.chunk(tx, now, in, c[0], c[1], &part)
		return part.Matched - before, i == len(chunks)-1, err
	})
	if err != nil {
		if !w.cfg.commitEach {
			res = Result{}
		}
		return res, statementError(err)
	}
	return res, nil
}

// add merges the outcome of a committed chunk.
func (r *Result) add(p Result) {
	r.Matched += p.Matched
	r.Missing += p.Missing
	r.MissingKeys = append(r.MissingKeys, p.MissingKeys...)
	r.Conflicts = append(r.Conflicts, p.Conflicts...)
	r.Statements += p.Statements
}
