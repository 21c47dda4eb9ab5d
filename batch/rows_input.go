package batch

import (
	"context"
	"database/sql/driver"
	"reflect"
)

// input holds the rows of one UpdateRows call. Rows are checked once up
// front (nil rows, duplicate keys) before any SQL; their key and column
// values are read chunk by chunk into reused buffers (fill), so memory
// stays flat however large the input.
type input struct {
	ctx context.Context
	all reflect.Value // the caller's []T
	n   int
	// order, when not nil, maps row i to the caller's row order[i]
	// (Workers: rows in key order).
	order []int
	// sorted: the keys were proved plain integers in ascending order.
	sorted bool
	// loaded: the values are in BulkLoad's load table, fill reads nothing
	// (every row empty) and chunk reads only the keys it reports (keyAt).
	loaded bool
	buf    []any
	rows   [][]any
	chunkBuf
}

// extractRows checks every row, refusing nil rows and duplicate keys.
func extractRows[T any](ctx context.Context, w *rowWriter, rows []T) (*input, error) {
	in := &input{ctx: ctx, all: reflect.ValueOf(rows), n: len(rows)}
	for i := range rows {
		rv := in.all.Index(i)
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return nil, &KeyError{Index: i, First: -1, Err: ErrNilRow}
			}
			rv = rv.Elem()
		}
	}
	if w.ascending(in) {
		in.sorted = true
		return in, nil
	}
	// Integer keys, the common case, are told apart in a map of int64.
	seenInt := make(map[int64]int, in.n)
	seen := map[any]int{}
	key := make([]any, len(w.keys))
	for i := range in.n {
		w.keyOf(in, i, key)
		k := normKey(key)
		first, dup := 0, false
		if ik, ok := k.(int64); ok {
			if first, dup = seenInt[ik]; !dup {
				seenInt[ik] = i
			}
		} else if first, dup = seen[k]; !dup {
			seen[k] = i
		}
		if dup {
			return nil, &KeyError{Index: i, First: first, Key: append([]any(nil), key...), Err: ErrDuplicateKey}
		}
	}
	return in, nil
}

// row returns row i's struct value.
func (in *input) row(i int) reflect.Value {
	if in.order != nil {
		i = in.order[i]
	}
	rv := in.all.Index(i)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	return rv
}

// keyAt returns a copy of row i's key values: the first values of its
// filled row, or with in.loaded read from the row itself.
func (w *rowWriter) keyAt(in *input, i int, row []any) []any {
	key := make([]any, len(w.keys))
	if in.loaded {
		w.keyOf(in, i, key)
	} else {
		copy(key, row)
	}
	return key
}

// keyOf writes row i's key values into key.
func (w *rowWriter) keyOf(in *input, i int, key []any) {
	rv := in.row(i)
	for j, f := range w.keys {
		key[j], _ = f.ValueOf(in.ctx, rv)
	}
}

// allKeys returns the key values of every row of in, one row after the
// other.
func (w *rowWriter) allKeys(in *input) []any {
	nk := len(w.keys)
	keys := make([]any, in.n*nk)
	for i := range in.n {
		w.keyOf(in, i, keys[i*nk:(i+1)*nk:(i+1)*nk])
	}
	return keys
}

// intKey returns the struct field index of a single key that is a plain
// signed integer (no Valuer, no serializer, not embedded): its values
// compare in Go as on every server. -1 otherwise.
func (w *rowWriter) intKey() int {
	if len(w.keys) != 1 {
		return -1
	}
	f := w.keys[0]
	t := f.FieldType
	valuer := reflect.TypeFor[driver.Valuer]()
	if len(f.StructField.Index) != 1 || f.Serializer != nil || t.Implements(valuer) || reflect.PointerTo(t).Implements(valuer) {
		return -1
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return f.StructField.Index[0]
	}
	return -1
}

// ascending reports whether the input's keys are plain integers in strictly
// ascending order, the common case, which proves them distinct without a
// map of every key.
func (w *rowWriter) ascending(in *input) bool {
	idx := w.intKey()
	if idx < 0 {
		return false
	}
	for i := 1; i < in.n; i++ {
		if in.row(i-1).Field(idx).Int() >= in.row(i).Field(idx).Int() {
			return false
		}
	}
	return true
}

// fill returns the derived-table values of rows [lo, hi): key values, column
// values and (CheckVersion) the expected version; with in.loaded, empty
// rows. The slices are reused by the next call.
func (w *rowWriter) fill(in *input, lo, hi int) [][]any {
	nk, width := len(w.keys), w.stmt.width()
	n := hi - lo
	if in.loaded {
		if cap(in.rows) < n {
			in.rows = make([][]any, n)
		}
		rows := in.rows[:n]
		clear(rows)
		return rows
	}
	if cap(in.buf) < n*width {
		in.buf = make([]any, n*width)
		in.rows = make([][]any, n)
	}
	rows := in.rows[:n]
	for i := range n {
		row := in.buf[i*width : (i+1)*width : (i+1)*width]
		rv := in.row(lo + i)
		for j, f := range w.keys {
			if idx := w.keyIdx[j]; idx >= 0 {
				row[j] = rv.Field(idx).Interface()
			} else {
				row[j], _ = f.ValueOf(in.ctx, rv)
			}
		}
		j := nk
		for c, f := range w.cols {
			if idx := w.direct[c]; idx >= 0 {
				row[j] = rv.Field(idx).Interface()
			} else {
				row[j], _ = f.ValueOf(in.ctx, rv)
			}
			j++
		}
		if w.version != nil {
			row[j], _ = w.version.ValueOf(in.ctx, rv)
		}
		rows[i] = row
	}
	return rows
}
