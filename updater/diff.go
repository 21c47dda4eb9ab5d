package updater

import (
	"bytes"
	"database/sql/driver"
	"reflect"
	"time"
)

// Change is one column Update wrote.
type Change struct {
	// Field is the Go field name, Column the column name.
	Field, Column string
	// Old and New are the values as the database sees them: pointers are
	// dereferenced (nil is NULL), driver.Valuer and serializer fields hold
	// what Value returned (JSON text for serializer:json), []byte is copied.
	Old, New any
}

// canonical turns a field value into the value the database stores, so that
// two values compare equal exactly when they would be written the same.
func canonical(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		if x == nil {
			return nil, nil
		}
		return bytes.Clone(x), nil
	case time.Time, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v, nil
	case driver.Valuer:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil
		}
		dv, err := x.Value()
		if err != nil {
			return nil, err
		}
		if b, ok := dv.([]byte); ok {
			return bytes.Clone(b), nil
		}
		return dv, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, nil
		}
		return canonical(rv.Elem().Interface())
	}
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		if rv.IsNil() {
			return nil, nil
		}
		return bytes.Clone(rv.Bytes()), nil
	}
	return v, nil
}

// equal reports whether two canonical values are stored alike; times are
// compared as instants at prec fractional-second digits.
func equal(a, b any, prec int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && equalTime(x, y, prec)
	}
	if reflect.TypeOf(a).Comparable() && reflect.TypeOf(a) == reflect.TypeOf(b) {
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

// equalTime reports whether two times are the same instant at prec
// fractional-second digits.
func equalTime(x, y time.Time, prec int) bool {
	if prec < 9 {
		unit := time.Duration(1)
		for range 9 - prec {
			unit *= 10
		}
		x, y = x.Truncate(unit), y.Truncate(unit)
	}
	return x.Equal(y)
}

// asInt64 reads a canonical version value.
func asInt64(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint()), true
	}
	return 0, false
}
