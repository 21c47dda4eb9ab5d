package model

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// Target is what one call writes, resolved once per call.
//
// CONTRACT (lead): fields may be added; these names and meanings are shared
// by updater, batch, hooks, projection and index.
type Target struct {
	// Schema is GORM's parsed schema of the row type.
	Schema *schema.Schema
	// Table is the table written, with its schema/database qualifier when the
	// caller gave one ("archive.accounts"); usable as db.Table(t.Table) and
	// clause.Table{Name: t.Table} (GORM quotes each dotted part).
	Table string
	// PrimaryKey is the primary-key fields in schema order; never empty after
	// a successful Resolve that requires a key.
	PrimaryKey []*schema.Field
	// Version is the version field (`gormup:"version"`, an
	// optimisticlock.Version, or the one named by the caller); nil if none.
	Version *schema.Field
	// SoftDelete is the soft-delete field (gorm.DeletedAt or a type with
	// soft-delete query clauses); nil if none.
	SoftDelete *schema.Field
	// AutoUpdateTime is the writable autoUpdateTime fields.
	AutoUpdateTime []*schema.Field
	// Unscoped is db.Statement.Unscoped: soft-deleted rows are written too.
	Unscoped bool
	// Conds is the caller's WHERE expressions as GORM built them, in order;
	// nil without conditions.
	Conds []clause.Expression
}

// Resolve returns the target of a call made with row type T on db: T's
// schema (from db's schema cache), the table db.Table names (qualifier
// kept) or else T's table, and the caller's conditions. When db carries a
// model (db.Model) it must map to T's table, else ErrMismatch; a db.Table
// that is not a plain, optionally qualified table name is ErrTable. T must be
// a struct (or a pointer to one) GORM can parse.
func Resolve[T any](db *gorm.DB) (*Target, error) {
	rt := reflect.TypeFor[T]()
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("gormup: row type %s is not a struct", reflect.TypeFor[T]())
	}
	// A typed nil pointer: GORM's schema cache needs only its type, and no
	// T is allocated per call.
	s, err := parse(db, reflect.Zero(reflect.PointerTo(rt)).Interface())
	if err != nil {
		return nil, err
	}
	if m := db.Statement.Model; m != nil {
		ms, err := parse(db, m)
		if err != nil {
			return nil, err
		}
		if ms != s && ms.Table != s.Table {
			return nil, fmt.Errorf("%w: db.Model is %s (table %s), the rows are %s (table %s)", ErrMismatch, ms.Name, ms.Table, s.Name, s.Table)
		}
	}
	return build(db, s)
}

// ResolveModel returns the target of a call driven by db.Model (batch.Update,
// UpdateKeys, chunk.Ranges): the model's schema, db.Table's table or the
// model's, and the caller's conditions. model is db.Statement.Model, a
// non-nil pointer to a struct; callers check it is set.
func ResolveModel(db *gorm.DB) (*Target, error) {
	s, err := parse(db, db.Statement.Model)
	if err != nil {
		return nil, err
	}
	return build(db, s)
}

// parse returns v's schema from db's schema cache.
func parse(db *gorm.DB, v any) (*schema.Schema, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(v); err != nil {
		return nil, fmt.Errorf("gormup: parsing %T: %w", v, err)
	}
	return stmt.Schema, nil
}

func build(db *gorm.DB, s *schema.Schema) (*Target, error) {
	table, err := Table(db)
	if err != nil {
		return nil, err
	}
	if table == "" {
		table = s.Table
	}
	version, err := FindVersion(s, "")
	if err != nil {
		return nil, err
	}
	t := &Target{
		Schema:     s,
		Table:      table,
		PrimaryKey: s.PrimaryFields,
		Version:    version,
		SoftDelete: softDelete(s),
		Unscoped:   db.Statement.Unscoped,
	}
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		if f.AutoUpdateTime > 0 && f.Updatable {
			t.AutoUpdateTime = append(t.AutoUpdateTime, f)
		}
	}
	if c, ok := db.Statement.Clauses["WHERE"]; ok {
		if w, ok := c.Expression.(clause.Where); ok && len(w.Exprs) > 0 {
			t.Conds = append([]clause.Expression(nil), w.Exprs...)
		}
	}
	return t, nil
}

// softDelete returns the field of s's soft-delete query clause
// (gorm.DeletedAt, or a plugin type whose clause is named
// SoftDeleteQueryClause and holds the field in Field), nil if none.
func softDelete(s *schema.Schema) *schema.Field {
	for _, c := range s.QueryClauses {
		if sd, ok := c.(gorm.SoftDeleteQueryClause); ok {
			return sd.Field
		}
		rv := reflect.Indirect(reflect.ValueOf(c))
		if rv.Kind() == reflect.Struct && rv.Type().Name() == "SoftDeleteQueryClause" {
			if fv := rv.FieldByName("Field"); fv.IsValid() && fv.CanInterface() {
				if f, ok := fv.Interface().(*schema.Field); ok {
					return f
				}
			}
		}
	}
	return nil
}

// IsKey reports whether f is one of t's primary-key fields.
func (t *Target) IsKey(f *schema.Field) bool {
	for _, k := range t.PrimaryKey {
		if k == f {
			return true
		}
	}
	return false
}

// Of returns the target of v's schema (a pointer to a struct) on db, with
// db.Table's table when set, without comparing v with db.Model: for a call
// whose row type may be a DTO of the model (chunk.Run).
func Of(db *gorm.DB, v any) (*Target, error) {
	s, err := parse(db, v)
	if err != nil {
		return nil, err
	}
	return build(db, s)
}
