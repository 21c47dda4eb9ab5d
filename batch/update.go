package batch

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/internal/where"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Update writes values to every row of db's model that db's conditions match
// and returns the number of rows matched, changed or not, on every dialect.
//
//	n, err := batch.Update(ctx, db.Model(&Account{}).Where("status = ?", "trial"),
//		map[string]any{"status": "expired", "balance": gorm.Expr("balance - ?", 5)})
//
// db must carry a model (db.Model(&T{}), else ErrNoModel or ErrBadModel)
// and usually conditions; it may be a transaction, which the write then
// joins without retrying. values is a map of column or field names to
// values, or a struct of the model's type with Columns ([Values and
// columns]). A condition that does not bound the rows returns
// ErrNoCondition before anything is written, unless AllowAll ([Unbounded
// conditions]). MaxRows refuses, rolled back, with a *TooManyRowsError when
// more rows match; Size and CommitEach write primary-key ranges, committed
// one by one with CommitEach ([Chunks and transactions]). ctx bounds every
// statement.
//
// A bad name or value is a *ColumnError, and a bad table ErrTable, before
// any SQL ([Tables and conditions]); a failed chunk is a *StatementError. See also [Matched rows] and [Hooks and plugins].
//
// [Values and columns]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Values_and_columns
// [Unbounded conditions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Unbounded_conditions
// [Chunks and transactions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Chunks_and_transactions
// [Tables and conditions]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Tables_and_conditions
// [Matched rows]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Matched_rows
// [Hooks and plugins]: https://pkg.go.dev/github.com/gormup/gormup/batch#hdr-Hooks_and_plugins
func Update(ctx context.Context, db *gorm.DB, values any, opts ...UpdateOption) (int64, error) {
	if db == nil {
		return 0, ErrNilDB
	}
	cfg, err := newConfig(opts, UpdateOption.applyUpdate)
	if err != nil {
		return 0, err
	}
	db = model.Scoped(db, cfg.scopes...)
	t, err := resolveModel(db)
	if err != nil {
		return 0, err
	}
	s := t.Schema
	assign, err := assignments(ctx, db, t, values, cfg.columns)
	if err != nil {
		return 0, err
	}
	keyed := modelKeyCondition(ctx, db, s)
	if !cfg.allowAll && keyed == nil {
		if err := where.Check(db.Statement); err != nil {
			return 0, fmt.Errorf("%w: %w; to write every row it matches on purpose, pass batch.AllowAll()", ErrNoCondition, err)
		}
	}
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return 0, err
	}
	matchedSemantics, err := d.RowsAffectedMatched(ctx, db)
	if err != nil {
		return 0, err
	}
	u := &updater{d: d, t: t, s: s, table: t.Table, assign: assign, cfg: cfg, chunk: cfg.updateChunk(), matched: matchedSemantics, base: keyed}
	if u.chunk > 0 {
		return u.chunked(ctx, db)
	}
	var n int64
	_, err = runTx(ctx, db, cfg.policy(), func(tx *gorm.DB) error {
		var err error
		n, err = u.run(tx, nil)
		return err
	})
	if err != nil {
		return 0, err
	}
	u.report(n)
	return n, nil
}

// updater runs one Update, chunked or not.
type updater struct {
	d       *dialect.Dialect
	t       *model.Target
	s       *schema.Schema
	table   string
	assign  map[string]any
	cfg     config
	chunk   int  // rows per primary-key range; 0: one statement
	matched bool // RowsAffected counts matched rows
	// base holds conditions GORM adds by itself but only to the UPDATE (the
	// key of a model value), so that counts see them too.
	base []clause.Expression
}

// run writes the rows tx's conditions (plus extra) match, inside tx, and
// returns how many matched.
func (u *updater) run(tx *gorm.DB, extra []clause.Expression) (int64, error) {
	scoped := func() *gorm.DB {
		q := tx.Session(&gorm.Session{SkipDefaultTransaction: true})
		if u.cfg.allowAll {
			// GORM's AllowGlobalUpdate, and the same permission for hooks.Guard.
			q = hooks.AllowUnbounded(q)
		}
		// The caller's conditions grouped, then AND the library's bounds.
		return u.t.Bound(q, append(append([]clause.Expression(nil), u.base...), extra...)...)
	}
	var counted int64 = -1
	assign, viaVar := u.assign, false
	if !u.matched && (u.cfg.maxRows == 0 || u.chunk > 0) {
		// Count in the UPDATE itself; MaxRows must refuse before writing.
		assign, viaVar = countingAssign(tx, u.assign)
		if !viaVar {
			assign = u.assign
		}
	}
	switch {
	case viaVar:
		if err := resetMatched(tx); err != nil {
			return 0, err
		}
	case !u.matched:
		// RowsAffected counts changed rows: count (and lock) the matches first.
		q, err := u.d.LockRows(countOnly(scoped()), dialect.Lock{Strength: dialect.ForUpdate}, u.table, u.lockColumn())
		if err != nil {
			return 0, err
		}
		if err := q.Count(&counted).Error; err != nil {
			return 0, err
		}
	case u.cfg.maxRows > 0 && u.chunk == 0:
		if err := countOnly(scoped()).Count(&counted).Error; err != nil {
			return 0, err
		}
	}
	if u.cfg.maxRows > 0 && u.chunk == 0 && counted > u.cfg.maxRows {
		return 0, &TooManyRowsError{Matched: counted, Max: u.cfg.maxRows}
	}
	q := scoped()
	if hooks.Collecting(q) {
		q = hooks.WithChanges(q, u.changes(q))
	}
	res := q.Updates(assign)
	if res.Error != nil {
		return 0, res.Error
	}
	n := res.RowsAffected
	switch {
	case viaVar:
		var err error
		if n, err = readMatched(tx); err != nil {
			return 0, err
		}
	case !u.matched:
		n = counted
	}
	if u.cfg.maxRows > 0 && u.chunk == 0 && n > u.cfg.maxRows {
		// Rows that began to match between the count and the write.
		return 0, &TooManyRowsError{Matched: n, Max: u.cfg.maxRows}
	}
	return n, nil
}

func (u *updater) lockColumn() string {
	if len(u.s.PrimaryFields) > 0 {
		return u.s.PrimaryFields[0].DBName
	}
	return u.s.DBNames[0]
}

// changes describes the assignments for hooks, in column order.
func (u *updater) changes(q *gorm.DB) []hooks.Change {
	cond := renderWhere(q)
	cols := make([]string, 0, len(u.assign))
	for c := range u.assign {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	out := make([]hooks.Change, 0, len(cols))
	for _, c := range cols {
		out = append(out, hooks.Change{Table: u.table, Where: cond, Column: c, New: u.assign[c]})
	}
	return out
}

// report tells OnProgress that a single-statement Update matched done rows.
func (u *updater) report(done int64) {
	if u.cfg.onProgress != nil {
		u.cfg.onProgress(chunk.Progress{Done: done, Chunks: 1, Total: -1})
	}
}

// renderWhere renders db's WHERE clause with its variables inlined, for
// hooks.Change.Where.
func renderWhere(db *gorm.DB) string {
	c, ok := db.Statement.Clauses["WHERE"]
	if !ok || c.Expression == nil {
		return ""
	}
	scratch := &gorm.Statement{DB: db, Table: db.Statement.Table, Schema: db.Statement.Schema, Clauses: map[string]clause.Clause{}}
	c.Expression.Build(scratch)
	return db.Dialector.Explain(scratch.SQL.String(), scratch.Vars...)
}

// modelKeyCondition returns the condition on the primary key of db's model
// value when every key field is set — GORM adds it to the UPDATE by itself —
// and nil otherwise.
func modelKeyCondition(ctx context.Context, db *gorm.DB, s *schema.Schema) []clause.Expression {
	rv := reflect.Indirect(reflect.ValueOf(db.Statement.Model))
	if rv.Kind() != reflect.Struct || len(s.PrimaryFields) == 0 {
		return nil
	}
	var out []clause.Expression
	for _, f := range s.PrimaryFields {
		v, zero := f.ValueOf(ctx, rv)
		if zero {
			return nil
		}
		out = append(out, clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: f.DBName}, Value: v})
	}
	return out
}

// assignments turns values into column → value, checked against t's
// schema, plus the version increment when t has a version field.
func assignments(ctx context.Context, db *gorm.DB, t *model.Target, values any, columns []string) (map[string]any, error) {
	out, err := assignValues(ctx, db, t.Schema, values, columns)
	if err != nil || t.Version == nil {
		return out, err
	}
	if _, ok := out[t.Version.DBName]; ok {
		return nil, &ColumnError{Column: t.Version.DBName, Model: t.Schema.Name, Err: ErrVersionColumn}
	}
	out[t.Version.DBName] = model.VersionExpr(t.Version)
	return out, nil
}

// assignValues turns values into column → value, checked against s.
func assignValues(ctx context.Context, db *gorm.DB, s *schema.Schema, values any, columns []string) (map[string]any, error) {
	switch v := values.(type) {
	case nil:
		return nil, ErrNoColumns
	case map[string]any:
		if len(v) == 0 {
			return nil, ErrNoColumns
		}
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		sort.Strings(names)
		fields, err := resolveColumns(s, names)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(v))
		for i, f := range fields {
			out[f.DBName] = v[names[i]]
		}
		return out, nil
	}
	rv := reflect.ValueOf(values)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || rv.Type() != s.ModelType {
		return nil, fmt.Errorf("%w: got %T for model %s", ErrBadValues, values, s.Name)
	}
	if len(columns) == 0 {
		columns = db.Statement.Selects
	}
	if len(columns) == 0 {
		return nil, fmt.Errorf("%w: name the struct fields to write with batch.Columns", ErrNoColumns)
	}
	fields, err := resolveColumns(s, columns)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		val, _ := f.ValueOf(ctx, rv)
		out[f.DBName] = val
	}
	return out, nil
}
