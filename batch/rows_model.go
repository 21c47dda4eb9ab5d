package batch

import (
	"fmt"
	"path"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// versionField returns the model's version field: the one tagged
// `gormup:"version"`, else one of type optimisticlock.Version; nil if none.
// It follows updater's rule; internal/model's Target.Version replaces it
// once the resolver lands.
func versionField(s *schema.Schema) *schema.Field {
	var typed *schema.Field
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		if strings.TrimSpace(f.Tag.Get("gormup")) == "version" {
			return f
		}
		t := f.FieldType
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if typed == nil && t.Name() == "Version" && path.Base(t.PkgPath()) == "optimisticlock" {
			typed = f
		}
	}
	return typed
}

// softDeleteField returns the model's gorm.DeletedAt field, nil if none. A
// soft-delete field of another type (a plugin's flag or Unix time) is
// refused: UpdateRows cannot tell its deleted rows apart; db.Unscoped()
// writes every row.
func softDeleteField(s *schema.Schema) (*schema.Field, error) {
	deletedAt := reflect.TypeFor[gorm.DeletedAt]()
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue
		}
		t := f.FieldType
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == deletedAt {
			return f, nil
		}
		if _, ok := reflect.New(t).Interface().(schema.QueryClausesInterface); !ok {
			continue
		}
		return nil, fmt.Errorf("%w: %s.%s is a soft-delete field of type %s; only gorm.DeletedAt is supported (pass db.Unscoped() to write deleted rows too)", ErrBadModel, s.Name, f.Name, f.FieldType)
	}
	return nil, nil
}
