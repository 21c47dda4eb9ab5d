package updater

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/schema"
)

// plan is what Update knows about its model on one table: derived from
// GORM's cached schema (resolved by internal/model) and the options, never
// from the call's conditions, so one plan serves every call with the same
// planKey (see cachedPlan). A plan is never modified once built.
type plan struct {
	*tracker
	table    string // the table read and written, qualifier kept
	pk       []*schema.Field
	version  *schema.Field // nil without a version field
	lock     dialect.Lock  // zero in optimistic mode
	unscoped bool          // db was Unscoped: write soft-deleted rows too
	hooks    bool          // run model hooks
	before   bool          // the model has BeforeSave or BeforeUpdate
}

// newPlan resolves T's target on db and returns the plan of the options
// against it, built once per opened database and planKey.
func newPlan[T any](db *gorm.DB, d *dialect.Dialect, c *config) (*plan, error) {
	t, err := resolve[T](db)
	if err != nil {
		return nil, err
	}
	return cachedPlan(db, d, t, c)
}

// buildPlan works out the plan of the options c for target t on db.
func buildPlan(db *gorm.DB, d *dialect.Dialect, t *model.Target, c *config) (*plan, error) {
	var err error
	sch := t.Schema
	p := &plan{table: t.Table, pk: t.PrimaryKey, unscoped: t.Unscoped}
	if len(p.pk) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoPrimaryKey, sch.Name)
	}
	p.version = t.Version
	if c.versionField != "" {
		if p.version, err = model.FindVersion(sch, c.versionField); err != nil {
			return nil, err
		}
	}
	if p.tracker, err = cachedTracker(t, d, p.version); err != nil {
		return nil, err
	}
	switch {
	case c.lock != 0:
		p.lock = dialect.LockOf(c.lock, dialect.Lock{Strength: dialect.ForUpdate})
	case c.optimistic && p.version == nil:
		return nil, fmt.Errorf("%w: %s has no field tagged %s:%q, no optimisticlock.Version and no VersionField", ErrNoVersionField, sch.Name, tagKey, VersionTag)
	case c.optimistic || p.version != nil:
		if d.SingleWriter() {
			// SQLite: a read snapshot outdated by another writer can never
			// be upgraded to a write; take the one write lock first.
			p.lock = dialect.Lock{Strength: dialect.ForUpdate}
		}
	default:
		p.lock = dialect.Lock{Strength: dialect.ForUpdate}
	}
	if err := d.CheckLock(p.lock); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLockUnsupported, err)
	}
	p.hooks = !db.Statement.SkipHooks && (sch.BeforeSave || sch.BeforeUpdate || sch.AfterUpdate || sch.AfterSave)
	p.before = p.hooks && (sch.BeforeSave || sch.BeforeUpdate)
	return p, nil
}

// resolve resolves T's target on db: the table db.Table names (qualifier
// kept) or T's, refusing a db.Model of another table (ErrModelMismatch) and
// a db.Table that is not a plain table name (ErrTable).
func resolve[T any](db *gorm.DB) (*model.Target, error) {
	t, err := model.Resolve[T](db)
	if err == nil || errors.Is(err, model.ErrMismatch) || errors.Is(err, model.ErrTable) || errors.Is(err, model.ErrVersionField) {
		return t, err
	}
	return nil, fmt.Errorf("updater: %w", err)
}

// keyOf returns the primary-key values of rv, in schema order.
func (p *plan) keyOf(ctx context.Context, rv reflect.Value) []any {
	key := make([]any, len(p.pk))
	for i, f := range p.pk {
		key[i], _ = f.ValueOf(ctx, rv)
	}
	return key
}

// hookSession returns the *gorm.DB model hooks receive, as GORM's Save hands
// it: a NewDB session of a statement of its own (never the caller's
// conditions) whose Model, Dest and ReflectValue are row and whose Schema is
// row's, so Statement.Schema, SetColumn and chained queries work as in a Save
// hook.
func hookSession(tx *gorm.DB, row any) (*gorm.DB, error) {
	s := tx.Session(&gorm.Session{NewDB: true}).Model(row)
	if err := s.Statement.Parse(row); err != nil {
		return nil, err
	}
	s.Statement.Dest = row
	s.Statement.ReflectValue = reflect.ValueOf(row).Elem()
	return s.Session(&gorm.Session{NewDB: true}), nil
}

// runBefore runs BeforeSave then BeforeUpdate on row, as Save does.
func runBefore(tx *gorm.DB, row any) error {
	if h, ok := row.(callbacks.BeforeSaveInterface); ok {
		if err := h.BeforeSave(tx); err != nil {
			return err
		}
	}
	if h, ok := row.(callbacks.BeforeUpdateInterface); ok {
		return h.BeforeUpdate(tx)
	}
	return nil
}

// runAfter runs AfterUpdate then AfterSave on row, as Save does.
func runAfter(tx *gorm.DB, row any) error {
	if h, ok := row.(callbacks.AfterUpdateInterface); ok {
		if err := h.AfterUpdate(tx); err != nil {
			return err
		}
	}
	if h, ok := row.(callbacks.AfterSaveInterface); ok {
		return h.AfterSave(tx)
	}
	return nil
}
