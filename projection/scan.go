package projection

import (
	"context"
	"database/sql"
	"fmt"
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

// bind points dests at the fields of the DTO stored at base; a serializer
// field gets a value from its GORM pool, decoded by set.
func (m *mapping) bind(dests []any, base unsafe.Pointer) {
	for i := range m.cols {
		if ser := m.cols[i].ser; ser != nil {
			dests[i] = ser.NewValuePool.Get()
			continue
		}
		dests[i] = m.cols[i].ptr(unsafe.Add(base, m.cols[i].offset))
	}
}

// set decodes the serializer fields scanned into dests into the DTO root,
// through GORM's own field setters, and returns the values to their pools.
func (m *mapping) set(ctx context.Context, dests []any, root reflect.Value) error {
	var first error
	for i := range m.cols {
		if ser := m.cols[i].ser; ser != nil {
			if err := ser.Set(ctx, root, dests[i]); err != nil && first == nil {
				first = fmt.Errorf("field %s: %w", m.cols[i].field, err)
			}
			ser.NewValuePool.Put(dests[i])
		}
	}
	return first
}

// scanner reads rows into values of T through a mapping.
type scanner[T any] struct {
	ctx        context.Context // handed to serializers
	m          *mapping
	dests      []any
	serialized bool
}

func newScanner[T any](ctx context.Context, m *mapping) *scanner[T] {
	s := &scanner[T]{ctx: ctx, m: m, dests: make([]any, len(m.cols))}
	for _, c := range m.cols {
		s.serialized = s.serialized || c.ser != nil
	}
	return s
}

// scan reads the current row of rows into *dst.
func (s *scanner[T]) scan(rows *sql.Rows, dst *T) error {
	s.m.bind(s.dests, unsafe.Pointer(dst))
	if err := rows.Scan(s.dests...); err != nil || !s.serialized {
		return err
	}
	return s.m.set(s.ctx, s.dests, reflect.ValueOf(dst).Elem())
}
