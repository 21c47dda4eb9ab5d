package conformance

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// fold maps a key value to what the dialect's comparison sees, so that two
// values the database calls equal fold alike: MariaDB's default collation
// ignores case and trailing spaces, PostgreSQL's char(n) trailing spaces,
// SQLite compares bytes.
func fold(dialect string, v any) string {
	s := fmt.Sprint(v)
	if _, ok := v.(string); !ok {
		return s
	}
	switch dialect {
	case dbtest.MySQL:
		return strings.ToLower(strings.TrimRight(s, " "))
	case dbtest.Postgres:
		return strings.TrimRight(s, " ")
	}
	return s
}

// foldKey joins the folded values of one key tuple.
func foldKey(dialect string, key []any) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = fold(dialect, v)
	}
	return strings.Join(parts, ",")
}

// keyOf returns the primary-key values of row, in schema order.
func keyOf(s *schema.Schema, row any) []any {
	rv := reflect.Indirect(reflect.ValueOf(row))
	key := make([]any, len(s.PrimaryFields))
	for i, f := range s.PrimaryFields {
		key[i] = rv.FieldByName(f.Name).Interface()
	}
	return key
}

// setKey writes key into row's primary-key fields.
func setKey(s *schema.Schema, row any, key []any) {
	rv := reflect.ValueOf(row).Elem()
	for i, f := range s.PrimaryFields {
		rv.FieldByName(f.Name).Set(reflect.ValueOf(key[i]))
	}
}

// keyMap is the row's primary key as a column → value map for Where.
func keyMap(s *schema.Schema, row any) map[string]any {
	m := map[string]any{}
	for i, v := range keyOf(s, row) {
		m[s.PrimaryFields[i].DBName] = v
	}
	return m
}

// addBalance adds d to row's Balance.
func addBalance(row any, d int64) {
	f := reflect.ValueOf(row).Elem().FieldByName("Balance")
	f.SetInt(f.Int() + d)
}

// hasVersion reports whether T has a Version field.
func hasVersion(row any) bool {
	return reflect.Indirect(reflect.ValueOf(row)).FieldByName("Version").IsValid()
}

// setVersion sets row's Version (an int64 or *int64) to next(old), where
// old is nil for a NULL version.
func setVersion(row any, next func(old *int64) int64) {
	f := reflect.ValueOf(row).Elem().FieldByName("Version")
	var old *int64
	if f.Kind() == reflect.Int64 {
		old = ptr(f.Int())
	} else if !f.IsNil() {
		old = ptr(f.Elem().Int())
	}
	n := next(old)
	if f.Kind() == reflect.Int64 {
		f.SetInt(n)
	} else {
		f.Set(reflect.ValueOf(&n))
	}
}

// bumpVersion increments row's Version by one, a NULL version becoming 1.
func bumpVersion(row any) {
	setVersion(row, func(old *int64) int64 {
		if old == nil {
			return 1
		}
		return *old + 1
	})
}

// wrongVersion sets row's Version to one the stored row cannot have.
func wrongVersion(row any) {
	setVersion(row, func(old *int64) int64 {
		if old == nil {
			return 7
		}
		return *old + 100
	})
}

// deleted reports whether row is soft-deleted.
func deleted(row any) bool {
	f := reflect.Indirect(reflect.ValueOf(row)).FieldByName("DeletedAt")
	return f.IsValid() && f.Interface().(gorm.DeletedAt).Valid
}

// markDeleted marks row soft-deleted and reports whether it has a
// soft-delete field to mark.
func markDeleted(row any) bool {
	f := reflect.Indirect(reflect.ValueOf(row)).FieldByName("DeletedAt")
	if !f.IsValid() {
		return false
	}
	f.Set(reflect.ValueOf(gorm.DeletedAt{Valid: true}))
	return true
}

// format renders row compactly: fields joined by "|", NULL as ∅, strings
// without the trailing spaces char(n) pads with, a soft-delete mark as
// "del" or "live".
func format(row any) string {
	rv := reflect.Indirect(reflect.ValueOf(row))
	parts := make([]string, rv.NumField())
	for i := range parts {
		f := rv.Field(i)
		switch v := f.Interface().(type) {
		case gorm.DeletedAt:
			parts[i] = map[bool]string{true: "del", false: "live"}[v.Valid]
		case string:
			parts[i] = strings.TrimRight(v, " ")
		default:
			if f.Kind() == reflect.Pointer {
				if f.IsNil() {
					parts[i] = "∅"
				} else {
					parts[i] = fmt.Sprint(f.Elem().Interface())
				}
				continue
			}
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, "|")
}

// formatAll renders rows sorted, so that two readings compare whole.
func formatAll[T any](rows []T) []string {
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = format(&rows[i])
	}
	sort.Strings(out)
	return out
}

// readBack returns the rows of table as the database has them, soft-deleted
// ones included.
func readBack[T any](tb testing.TB, db *gorm.DB, table string) []string {
	tb.Helper()
	var rows []T
	if err := db.Session(&gorm.Session{NewDB: true}).Unscoped().Table(table).Find(&rows).Error; err != nil {
		tb.Fatalf("reading back %s: %v", table, err)
	}
	return formatAll(rows)
}

// clone returns a copy of rows.
func clone[T any](rows []T) []T { return append([]T(nil), rows...) }
