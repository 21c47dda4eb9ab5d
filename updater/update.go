package updater

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/internal/txn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Result is what Update did.
type Result[T any] struct {
	// Row is the row as saved: the change function's edits, hook edits,
	// the autoUpdateTime timestamp and the incremented version included.
	// When nothing changed it is the row as read.
	Row T
	// Changes lists the columns written, in schema order; empty when the
	// change function changed nothing, in which case no UPDATE ran.
	Changes []Change
	// Attempts is how many times the row was read and changed: 1 unless a
	// deadlock, serialization failure, busy error or version conflict made
	// Update run its transaction again.
	Attempts int
}

// Update loads the one row of T that the conditions on db select, calls
// change on it, and writes exactly the columns that change (or a
// BeforeSave/BeforeUpdate hook) altered — zero values included — with one
// UPDATE … WHERE <primary key>, all in one transaction ([Which row],
// [Change detection]). ctx bounds every statement and the pauses between
// attempts.
//
// The row is read with a row lock, or optimistically when the model has a
// version field; Lock and Optimistic choose ([Concurrency control]).
// Retryable errors and version conflicts rerun the whole attempt for up to
// DefaultRetryBudget, so change may run more than once; inside a caller's
// transaction nothing is retried ([Retries]). A nil change reads (and
// locks) the row and writes nothing.
//
// No matching row is an error wrapping gorm.ErrRecordNotFound, more than one
// ErrMultipleRows; a conflict that outlasts the retries is a *ConflictError;
// an out-of-range option is ErrBadOption; an error from change or a hook is
// returned as is. On error the Result carries only Attempts.
//
// [Which row]: https://pkg.go.dev/github.com/gormup/gormup/updater#hdr-Which_row
// [Change detection]: https://pkg.go.dev/github.com/gormup/gormup/updater#hdr-Change_detection
// [Concurrency control]: https://pkg.go.dev/github.com/gormup/gormup/updater#hdr-Concurrency_control
// [Retries]: https://pkg.go.dev/github.com/gormup/gormup/updater#hdr-Retries
func Update[T any](ctx context.Context, db *gorm.DB, change func(*T) error, opts ...UpdateOption) (Result[T], error) {
	var res Result[T]
	if db == nil {
		return res, ErrNilDB
	}
	c, err := newConfig(opts, UpdateOption.applyUpdate)
	if err != nil {
		return res, err
	}
	db = model.Scoped(db, c.scopes...)
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return res, err
	}
	p, err := newPlan[T](db, d, &c)
	if err != nil {
		return res, err
	}
	run := &run[T]{p: p, d: d, change: change}
	retryable := dialect.NoWaitRetryable(p.lock, func(err error) bool {
		if errors.Is(err, errStale) {
			return true
		}
		return dialect.Retryable(err)
	})
	attempts, err := txn.RunTx(ctx, db, c.policy(retryable), run.attempt)
	res.Attempts = attempts
	if err != nil {
		if errors.Is(err, errStale) && ctx.Err() == nil {
			return res, &ConflictError{Table: p.table, Key: run.key, Attempts: attempts}
		}
		return res, dialect.LockedError(p.lock, err)
	}
	res.Row, res.Changes = run.row, run.changes
	return res, nil
}

// run is the state of one Update call across its attempts.
type run[T any] struct {
	p      *plan
	d      *dialect.Dialect
	change func(*T) error

	key      []any // the row's primary key, once read
	escalate bool  // a version conflict happened: read with a lock from now on
	row      T
	changes  []Change

	// Storage reused by every attempt, so that one allocation (the run)
	// holds them all.
	buf     [2]T // the rows read: a second one is an error
	rows    []T  // buf[:0], what the read scans into
	old     T    // the row as read, for change tracking
	scratch T    // the model of the UPDATE (see write)
}

// attempt is one transaction: read, change, write.
func (r *run[T]) attempt(tx *gorm.DB) (err error) {
	p, ctx := r.p, tx.Statement.Context
	row, err := r.load(tx)
	if err != nil {
		return err
	}
	defer func() {
		if errors.Is(err, errStale) {
			r.escalate = true
		}
	}()
	rv := reflect.ValueOf(row).Elem()
	r.key = p.keyOf(ctx, rv)
	r.changes = nil
	if r.change == nil {
		r.row = *row
		return nil
	}
	old, err := p.snapshotInto(ctx, rv, reflect.ValueOf(&r.old).Elem())
	if err != nil {
		return err
	}
	if err := r.change(row); err != nil {
		return err
	}
	changed, vals, pkChanged, err := p.diff(ctx, rv, old)
	if err != nil {
		return err
	}
	if pkChanged != nil {
		return fmt.Errorf("%w: %s row %v (%s)", ErrPrimaryKeyChanged, p.table, r.key, pkChanged.Name)
	}
	if len(changed) == 0 {
		r.row = *row
		return nil
	}
	var hookTx *gorm.DB
	if p.hooks {
		if hookTx, err = hookSession(tx, row); err != nil {
			return err
		}
	}
	if p.before {
		if err := runBefore(hookTx, row); err != nil {
			return err
		}
		if changed, vals, pkChanged, err = p.diff(ctx, rv, old); err != nil {
			return err
		}
		if pkChanged != nil {
			return fmt.Errorf("%w: %s row %v (%s, by a hook)", ErrPrimaryKeyChanged, p.table, r.key, pkChanged.Name)
		}
		if len(changed) == 0 { // the hooks undid the change
			r.row = *row
			return nil
		}
	}
	if changed, err = r.touch(tx, rv, changed, vals); err != nil {
		return err
	}
	if err := r.write(tx, row, changed, old, vals); err != nil {
		return err
	}
	if p.hooks {
		if err := runAfter(hookTx, row); err != nil {
			return err
		}
	}
	r.row = *row
	return nil
}

// load reads the row with the plan's lock, refusing zero or several rows.
func (r *run[T]) load(tx *gorm.DB) (*T, error) {
	lock := r.p.lock
	if r.escalate && lock.Strength == dialect.NoLock {
		lock = dialect.Lock{Strength: dialect.ForUpdate}
	}
	q, err := lockedQuery(tx, r.d, r.p, lock)
	if err != nil {
		return nil, err
	}
	r.rows = r.buf[:0:2] // GORM appends to a slice with capacity in place
	if err := q.Limit(2).Find(&r.rows).Error; err != nil {
		return nil, err
	}
	switch len(r.rows) {
	case 0:
		return nil, fmt.Errorf("updater: no %s row matches: %w", r.p.table, gorm.ErrRecordNotFound)
	case 1:
		return &r.rows[0], nil
	}
	return nil, fmt.Errorf("%w (%s)", ErrMultipleRows, r.p.table)
}

// lockedQuery returns tx (with the caller's conditions) set up to read with
// lock.
func lockedQuery(tx *gorm.DB, d *dialect.Dialect, p *plan, lock dialect.Lock) (*gorm.DB, error) {
	if lock.Strength == dialect.NoLock {
		return tx, nil
	}
	q, err := d.LockRows(tx, lock, p.table, p.pk[0].DBName)
	if err != nil {
		if errors.Is(err, dialect.ErrLockUnsupported) {
			return nil, fmt.Errorf("%w: %w", ErrLockUnsupported, err)
		}
		return nil, err
	}
	return q, nil
}

// touch sets the autoUpdateTime fields the change left alone to the current
// time and adds them to changed.
func (r *run[T]) touch(tx *gorm.DB, rv reflect.Value, changed []int, vals []any) ([]int, error) {
	p, ctx := r.p, tx.Statement.Context
	var now any
	for i, f := range p.fields {
		if f.AutoUpdateTime == 0 || p.isPK[i] || contains(changed, i) {
			continue
		}
		if now == nil {
			now = tx.NowFunc()
		}
		if err := f.Set(ctx, rv, now); err != nil {
			return nil, fmt.Errorf("updater: setting %s.%s: %w", p.sch.Name, f.Name, err)
		}
		v, _ := f.ValueOf(ctx, rv)
		c, err := canonical(v)
		if err != nil {
			return nil, err
		}
		vals[i] = c
		changed = insertSorted(changed, i)
	}
	return changed, nil
}

// write issues the UPDATE of the changed columns, guarded and incremented by
// the version field when there is one.
func (r *run[T]) write(tx *gorm.DB, row *T, changed []int, old state, vals []any) error {
	p, ctx := r.p, tx.Statement.Context
	set := make(map[string]any, len(changed)+1)
	changes := make([]Change, 0, len(changed)+1)
	for _, i := range changed {
		f := p.fields[i]
		set[f.DBName] = vals[i]
		changes = append(changes, Change{Field: f.Name, Column: f.DBName, Old: p.old(ctx, old, i), New: vals[i]})
	}
	var newVersion int64
	var oldVersion any
	if p.version != nil {
		oldVersion = p.old(ctx, old, p.verIdx)
		cur, ok := asInt64(oldVersion)
		if oldVersion != nil && !ok {
			return fmt.Errorf("%w: %s.%s holds %T", ErrNoVersionField, p.sch.Name, p.version.Name, oldVersion)
		}
		newVersion = cur + 1
		set[p.version.DBName] = model.VersionExpr(p.version)
		changes = append(changes, Change{Field: p.version.Name, Column: p.version.DBName, Old: oldVersion, New: newVersion})
	}
	r.scratch = *row // GORM assigns the written values to the model; keep row as the caller's code left it
	stmt := writeStatement(tx, p, &r.scratch, oldVersion)
	if hooks.Collecting(tx) {
		hc := make([]hooks.Change, len(changes))
		for i, ch := range changes {
			hc[i] = hooks.Change{Table: p.table, Key: r.key, Column: ch.Column, Old: ch.Old, OldKnown: true, New: ch.New}
		}
		stmt = hooks.WithChanges(stmt, hc)
	}
	res := stmt.UpdateColumns(set)
	if res.Error != nil {
		return res.Error
	}
	if p.version != nil {
		if res.RowsAffected == 0 {
			return errStale
		}
		if err := p.version.Set(ctx, reflect.ValueOf(row).Elem(), newVersion); err != nil {
			return fmt.Errorf("updater: setting %s.%s: %w", p.sch.Name, p.version.Name, err)
		}
	}
	r.changes = changes
	return nil
}

// writeStatement returns the UPDATE statement for model: GORM adds
// WHERE <pk> = <model's pk> itself; zero-valued keys and the version guard
// are added here.
func writeStatement(tx *gorm.DB, p *plan, model any, oldVersion any) *gorm.DB {
	ctx := tx.Statement.Context
	stmt := tx.Session(&gorm.Session{NewDB: true}).Model(model)
	if p.table != p.sch.Table {
		stmt = stmt.Table(p.table)
	}
	if p.unscoped {
		stmt = stmt.Unscoped() // the row was read without the soft-delete filter
	}
	rv := reflect.ValueOf(model).Elem()
	for _, f := range p.pk {
		if v, zero := f.ValueOf(ctx, rv); zero {
			stmt = stmt.Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: f.DBName}, Value: v})
		}
	}
	if p.version != nil {
		stmt = stmt.Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: p.version.DBName}, Value: oldVersion})
	}
	return stmt
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func insertSorted(s []int, v int) []int {
	i := 0
	for i < len(s) && s[i] < v {
		i++
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}
