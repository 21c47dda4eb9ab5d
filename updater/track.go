package updater

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"time"

	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"gorm.io/gorm/schema"
)

// tracker tells which columns of a row a change function altered, for
// Update and UpdateEach alike: every primary-key and writable column is
// compared as the database stores it (see canonical), times as instants at
// the column's precision (its precision tag, else the dialect's default).
// The version field is never reported as changed: every write increments it.
type tracker struct {
	sch    *schema.Schema
	fields []*schema.Field // compared: primary keys and writable columns, schema order
	isPK   []bool          // parallel to fields
	precs  []int           // time precision per field (fractional-second digits)
	plain  []bool          // parallel to fields: compared in place (see plainField)
	verIdx int             // index of the version field in fields, -1 if none
}

// newTracker builds the tracker of t's schema on dialect d; version is the
// version field (t.Version or the one the caller named), nil for none.
func newTracker(t *model.Target, d *dialect.Dialect, version *schema.Field) (*tracker, error) {
	sch := t.Schema
	k := &tracker{sch: sch, verIdx: -1}
	defPrec := d.TimePrecision()
	k.fields = make([]*schema.Field, 0, len(sch.Fields))
	k.isPK = make([]bool, 0, len(sch.Fields))
	k.precs = make([]int, 0, len(sch.Fields))
	k.plain = make([]bool, 0, len(sch.Fields))
	for _, f := range sch.Fields {
		if f.DBName == "" || (!f.Updatable && !f.PrimaryKey) {
			continue // gorm:"-", relations, read-only (<-:false) columns
		}
		if f == version {
			k.verIdx = len(k.fields)
		}
		prec := defPrec
		if f.Precision > 0 && f.Precision < prec {
			prec = f.Precision
		}
		k.fields = append(k.fields, f)
		k.isPK = append(k.isPK, f.PrimaryKey)
		k.precs = append(k.precs, prec)
		k.plain = append(k.plain, plainField(f))
	}
	if version != nil && k.verIdx < 0 {
		return nil, fmt.Errorf("%w: %s.%s is not an updatable column", ErrNoVersionField, sch.Name, version.Name)
	}
	return k, nil
}

var (
	valuerType = reflect.TypeFor[driver.Valuer]()
	timeType   = reflect.TypeFor[time.Time]()
)

// plainField reports whether f's canonical value is its Go value and the
// field can be read in place: a bool, number, string (named types
// included) or time.Time, not a driver.Valuer, without a serializer, and
// reached through no pointer (GORM marks an embedded pointer with a
// negative index). A shallow copy of the row keeps such a field's value
// whatever the change function does, so it needs no snapshot of its own.
func plainField(f *schema.Field) bool {
	if f.Serializer != nil {
		return false
	}
	for _, i := range f.StructField.Index {
		if i < 0 {
			return false
		}
	}
	t := f.FieldType
	if t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType) {
		return false
	}
	if t == timeType {
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// state is a row's tracked values before a change function ran: a shallow
// copy of the row, which holds the plain fields' values, and the canonical
// values of the other fields (nil entries for plain ones; nil when every
// field is plain).
type state struct {
	row  reflect.Value // addressable copy of the row
	vals []any
}

// snapshot returns the state of rv.
func (k *tracker) snapshot(ctx context.Context, rv reflect.Value) (state, error) {
	return k.snapshotInto(ctx, rv, reflect.New(rv.Type()).Elem())
}

// snapshotInto returns the state of rv, its copy kept in dst (addressable,
// of rv's type).
func (k *tracker) snapshotInto(ctx context.Context, rv, dst reflect.Value) (state, error) {
	s := state{row: dst}
	s.row.Set(rv)
	for i := range k.fields {
		if k.plain[i] {
			continue
		}
		if s.vals == nil {
			s.vals = make([]any, len(k.fields))
		}
		c, err := k.value(ctx, rv, i)
		if err != nil {
			return state{}, err
		}
		s.vals[i] = c
	}
	return s, nil
}

// value returns the canonical value of field i of rv.
func (k *tracker) value(ctx context.Context, rv reflect.Value, i int) (any, error) {
	f := k.fields[i]
	v, _ := f.ValueOf(ctx, rv)
	c, err := canonical(v)
	if err != nil {
		return nil, fmt.Errorf("updater: reading %s.%s: %w", k.sch.Name, f.Name, err)
	}
	return c, nil
}

// old returns the canonical value field i had in s.
func (k *tracker) old(ctx context.Context, s state, i int) any {
	if k.plain[i] {
		v, _ := k.fields[i].ValueOf(ctx, s.row)
		return v
	}
	return s.vals[i]
}

// diff lists the tracked fields whose value in rv differs from old, with
// their new canonical values in vals (indexed like fields; nil when nothing
// changed); pkChanged names the first changed primary-key field.
func (k *tracker) diff(ctx context.Context, rv reflect.Value, old state) (changed []int, vals []any, pkChanged *schema.Field, err error) {
	for i, f := range k.fields {
		if i == k.verIdx {
			continue
		}
		var cur any
		if k.plain[i] {
			idx := f.StructField.Index
			if equalPlain(old.row.FieldByIndex(idx), rv.FieldByIndex(idx), k.precs[i]) {
				continue
			}
			cur, _ = f.ValueOf(ctx, rv)
		} else {
			if cur, err = k.value(ctx, rv, i); err != nil {
				return nil, nil, nil, err
			}
			if equal(old.vals[i], cur, k.precs[i]) {
				continue
			}
		}
		if k.isPK[i] {
			return nil, nil, f, nil
		}
		if vals == nil {
			vals = make([]any, len(k.fields))
		}
		vals[i] = cur
		changed = append(changed, i)
	}
	return changed, vals, nil, nil
}

// equalPlain reports whether two values of a plain field (see plainField)
// are stored alike, as equal does for their canonical values.
func equalPlain(a, b reflect.Value, prec int) bool {
	switch a.Kind() {
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return a.Uint() == b.Uint()
	}
	return equalTime(*a.Addr().Interface().(*time.Time), *b.Addr().Interface().(*time.Time), prec)
}
