package updater

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/schema"
)

// optimisticLockPkg is the last element of the import path of
// gorm.io/plugin/optimisticlock, whose Version type marks a version field.
const optimisticLockPkg = "optimisticlock"

// plan is what one Update call knows about its model, worked out once per
// call from GORM's cached schema.
type plan struct {
	sch      *schema.Schema
	table    string
	pk       []*schema.Field
	fields   []*schema.Field // compared: primary keys and writable columns, schema order
	isPK     []bool          // parallel to fields
	precs    []int           // time precision per field (fractional-second digits)
	version  *schema.Field   // nil without a version field
	verIdx   int             // index of version in fields, -1 if none
	lock     dialect.Lock    // zero in optimistic mode
	unscoped bool            // db was Unscoped: write soft-deleted rows too
	hooks    bool            // run model hooks
	before   bool            // the model has BeforeSave or BeforeUpdate
}

// newPlan parses the model of T through db's schema cache and resolves the
// options against it.
func newPlan[T any](db *gorm.DB, d *dialect.Dialect, c *config) (*plan, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(new(T)); err != nil {
		return nil, fmt.Errorf("updater: parsing %T: %w", *new(T), err)
	}
	sch := stmt.Schema
	p := &plan{sch: sch, table: sch.Table, pk: sch.PrimaryFields, verIdx: -1}
	if db.Statement.Table != "" {
		p.table = db.Statement.Table
	}
	p.unscoped = db.Statement.Unscoped
	if len(p.pk) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoPrimaryKey, sch.Name)
	}
	version, err := findVersion(sch, c.versionField)
	if err != nil {
		return nil, err
	}
	p.version = version
	defPrec := d.TimePrecision()
	p.fields = make([]*schema.Field, 0, len(sch.Fields))
	p.isPK = make([]bool, 0, len(sch.Fields))
	p.precs = make([]int, 0, len(sch.Fields))
	for _, f := range sch.Fields {
		if f.DBName == "" || (!f.Updatable && !f.PrimaryKey) {
			continue // gorm:"-", relations, read-only (<-:false) columns
		}
		if f == version {
			p.verIdx = len(p.fields)
		}
		prec := defPrec
		if f.Precision > 0 && f.Precision < prec {
			prec = f.Precision
		}
		p.fields = append(p.fields, f)
		p.isPK = append(p.isPK, f.PrimaryKey)
		p.precs = append(p.precs, prec)
	}
	if version != nil && p.verIdx < 0 {
		return nil, fmt.Errorf("%w: %s.%s is not an updatable column", ErrNoVersionField, sch.Name, version.Name)
	}
	switch {
	case c.lock != 0:
		p.lock = c.lock.dialectLock()
	case c.optimistic && version == nil:
		return nil, fmt.Errorf("%w: %s has no field tagged %s:%q, no optimisticlock.Version and no WithVersionField", ErrNoVersionField, sch.Name, tagKey, VersionTag)
	case c.optimistic || version != nil:
		if d.SingleWriter() {
			// SQLite: a read snapshot outdated by another writer can never
			// be upgraded to a write; take the one write lock first.
			p.lock = ForUpdate.dialectLock()
		}
	default:
		p.lock = ForUpdate.dialectLock()
	}
	if err := d.CheckLock(p.lock); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLockUnsupported, err)
	}
	p.hooks = !db.Statement.SkipHooks && (sch.BeforeSave || sch.BeforeUpdate || sch.AfterUpdate || sch.AfterSave)
	p.before = p.hooks && (sch.BeforeSave || sch.BeforeUpdate)
	return p, nil
}

// findVersion returns the version field: the one named, else the one tagged
// `gormup:"version"`, else one of type optimisticlock.Version.
func findVersion(sch *schema.Schema, name string) (*schema.Field, error) {
	if name != "" {
		f := sch.LookUpField(name)
		if f == nil || f.DBName == "" {
			return nil, fmt.Errorf("%w: %s has no field %q", ErrNoVersionField, sch.Name, name)
		}
		if !isVersionType(f.FieldType) {
			return nil, fmt.Errorf("%w: %s.%s has type %s, want an integer", ErrNoVersionField, sch.Name, f.Name, f.FieldType)
		}
		return f, nil
	}
	var typed *schema.Field
	for _, f := range sch.Fields {
		if f.DBName == "" {
			continue
		}
		if strings.TrimSpace(f.Tag.Get(tagKey)) == VersionTag {
			if !isVersionType(f.FieldType) {
				return nil, fmt.Errorf("%w: %s.%s has type %s, want an integer", ErrNoVersionField, sch.Name, f.Name, f.FieldType)
			}
			return f, nil
		}
		if typed == nil && isOptimisticLockVersion(f.FieldType) {
			typed = f
		}
	}
	return typed, nil
}

// isOptimisticLockVersion recognises gorm.io/plugin/optimisticlock's Version
// (and forks of it) by name, without importing the plugin.
func isOptimisticLockVersion(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name() == "Version" && path.Base(t.PkgPath()) == optimisticLockPkg
}

func isVersionType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	case reflect.Struct:
		return isOptimisticLockVersion(t) || reflect.PointerTo(t).Implements(scannerType)
	}
	return false
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
