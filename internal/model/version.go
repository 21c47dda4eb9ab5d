package model

import (
	"database/sql"
	"fmt"
	"path"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// TagKey is the struct tag key gormup reads; VersionTag its value marking a
// version field (`gormup:"version"`).
const (
	TagKey     = "gormup"
	VersionTag = "version"
)

// optimisticLockPkg is the last element of the import path of
// gorm.io/plugin/optimisticlock, whose Version type marks a version field.
const optimisticLockPkg = "optimisticlock"

var scannerType = reflect.TypeFor[sql.Scanner]()

// FindVersion returns s's version field: the one named (a Go field or
// column name) when name is set, else the one tagged `gormup:"version"`,
// else one of type optimisticlock.Version; nil when there is none. A named
// or tagged field that is missing or not an integer is ErrVersionField.
func FindVersion(s *schema.Schema, name string) (*schema.Field, error) {
	if name != "" {
		f := s.LookUpField(name)
		if f == nil || f.DBName == "" {
			return nil, fmt.Errorf("%w: %s has no field %q", ErrVersionField, s.Name, name)
		}
		if !isVersionType(f.FieldType) {
			return nil, fmt.Errorf("%w: %s.%s has type %s, want an integer", ErrVersionField, s.Name, f.Name, f.FieldType)
		}
		return f, nil
	}
	var typed *schema.Field
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		if strings.TrimSpace(f.Tag.Get(TagKey)) == VersionTag {
			if !isVersionType(f.FieldType) {
				return nil, fmt.Errorf("%w: %s.%s has type %s, want an integer", ErrVersionField, s.Name, f.Name, f.FieldType)
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

// VersionIncrement is the assignment every gormup write makes to a version
// column: version = COALESCE(version, 0) + 1, set-based, so a NULL version
// becomes 1.
func VersionIncrement(f *schema.Field) clause.Assignment {
	return clause.Assignment{
		Column: clause.Column{Name: f.DBName},
		Value:  gorm.Expr("COALESCE(?, 0) + 1", clause.Column{Table: clause.CurrentTable, Name: f.DBName}),
	}
}

// VersionExpr is VersionIncrement's value, for a map of assignments
// (db.Updates(map[string]any{...})).
func VersionExpr(f *schema.Field) clause.Expr {
	return VersionIncrement(f).Value.(clause.Expr)
}
