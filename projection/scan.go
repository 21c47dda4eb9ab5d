package projection

import (
	"database/sql"
	"reflect"
	"time"
	"unsafe"
)

// pointerTo returns a function that turns the address of a field of type t
// into a scan destination. Common types get a typed pointer directly; the rest
// go through reflect.NewAt. The reflection happens once per mapping.
func pointerTo(t reflect.Type) func(unsafe.Pointer) any {
	switch t {
	case reflect.TypeFor[string]():
		return func(p unsafe.Pointer) any { return (*string)(p) }
	case reflect.TypeFor[int64]():
		return func(p unsafe.Pointer) any { return (*int64)(p) }
	case reflect.TypeFor[int]():
		return func(p unsafe.Pointer) any { return (*int)(p) }
	case reflect.TypeFor[int32]():
		return func(p unsafe.Pointer) any { return (*int32)(p) }
	case reflect.TypeFor[uint64]():
		return func(p unsafe.Pointer) any { return (*uint64)(p) }
	case reflect.TypeFor[float64]():
		return func(p unsafe.Pointer) any { return (*float64)(p) }
	case reflect.TypeFor[bool]():
		return func(p unsafe.Pointer) any { return (*bool)(p) }
	case reflect.TypeFor[[]byte]():
		return func(p unsafe.Pointer) any { return (*[]byte)(p) }
	case reflect.TypeFor[time.Time]():
		return func(p unsafe.Pointer) any { return (*time.Time)(p) }
	case reflect.TypeFor[*string]():
		return func(p unsafe.Pointer) any { return (**string)(p) }
	case reflect.TypeFor[*int64]():
		return func(p unsafe.Pointer) any { return (**int64)(p) }
	case reflect.TypeFor[*time.Time]():
		return func(p unsafe.Pointer) any { return (**time.Time)(p) }
	case reflect.TypeFor[sql.NullString]():
		return func(p unsafe.Pointer) any { return (*sql.NullString)(p) }
	case reflect.TypeFor[sql.NullInt64]():
		return func(p unsafe.Pointer) any { return (*sql.NullInt64)(p) }
	}
	return func(p unsafe.Pointer) any { return reflect.NewAt(t, p).Interface() }
}

// bind points dests at the fields of the DTO stored at base.
func (m *mapping) bind(dests []any, base unsafe.Pointer) {
	for i := range m.cols {
		dests[i] = m.cols[i].ptr(unsafe.Add(base, m.cols[i].offset))
	}
}

// scanner reads rows into values of T through a mapping.
type scanner[T any] struct {
	m     *mapping
	dests []any
}

func newScanner[T any](m *mapping) *scanner[T] {
	return &scanner[T]{m: m, dests: make([]any, len(m.cols))}
}

// scan reads the current row of rows into *dst.
func (s *scanner[T]) scan(rows *sql.Rows, dst *T) error {
	s.m.bind(s.dests, unsafe.Pointer(dst))
	return rows.Scan(s.dests...)
}
