package updater

import (
	"context"
	"fmt"
	"reflect"

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
	}
	if version != nil && k.verIdx < 0 {
		return nil, fmt.Errorf("%w: %s.%s is not an updatable column", ErrNoVersionField, sch.Name, version.Name)
	}
	return k, nil
}

// snapshot returns the comparable value of every tracked field of rv.
func (k *tracker) snapshot(ctx context.Context, rv reflect.Value) ([]any, error) {
	vals := make([]any, len(k.fields))
	for i, f := range k.fields {
		v, _ := f.ValueOf(ctx, rv)
		c, err := canonical(v)
		if err != nil {
			return nil, fmt.Errorf("updater: reading %s.%s: %w", k.sch.Name, f.Name, err)
		}
		vals[i] = c
	}
	return vals, nil
}

// diff lists the tracked fields whose value in rv differs from old, with the
// new canonical values; pkChanged names the first changed primary-key field.
func (k *tracker) diff(ctx context.Context, rv reflect.Value, old []any) (changed []int, vals []any, pkChanged *schema.Field, err error) {
	vals, err = k.snapshot(ctx, rv)
	if err != nil {
		return nil, nil, nil, err
	}
	for i, f := range k.fields {
		if i == k.verIdx || equal(old[i], vals[i], k.precs[i]) {
			continue
		}
		if k.isPK[i] {
			return nil, nil, f, nil
		}
		changed = append(changed, i)
	}
	return changed, vals, nil, nil
}
