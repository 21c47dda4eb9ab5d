package batch

import (
	"context"
	"reflect"
)

// input holds the rows of one UpdateRows call: each row's struct value and
// key, read once up front so that duplicates are refused before any SQL.
// Column values are read chunk by chunk into a reused buffer (fill), which
// keeps memory flat for large inputs.
type input struct {
	ctx     context.Context
	src     []reflect.Value // each row's struct value
	keyVals []any           // the key values of every row, len(keys) per row
	buf     []any
	rows    [][]any
}

// extractRows reads every row's key, refusing nil rows and duplicate keys.
func extractRows[T any](ctx context.Context, w *rowWriter, rows []T) (*input, error) {
	nk := len(w.keys)
	in := &input{ctx: ctx, src: make([]reflect.Value, len(rows)), keyVals: make([]any, len(rows)*nk)}
	// Integer keys, the common case, are told apart in a map of int64.
	seenInt := make(map[int64]int, len(rows))
	seen := map[any]int{}
	for i := range rows {
		rv := reflect.ValueOf(&rows[i]).Elem()
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return nil, &KeyError{Index: i, First: -1, Err: ErrNilRow}
			}
			rv = rv.Elem()
		}
		key := in.keyVals[i*nk : (i+1)*nk : (i+1)*nk]
		for j, f := range w.keys {
			key[j], _ = f.ValueOf(ctx, rv)
		}
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
		in.src[i] = rv
	}
	return in, nil
}

// fill returns the derived-table values of rows [lo, hi): key values, column
// values and (CheckVersion) the expected version. The slices are reused by
// the next call.
func (w *rowWriter) fill(in *input, lo, hi int) [][]any {
	nk, width := len(w.keys), w.stmt.width()
	n := hi - lo
	if cap(in.buf) < n*width {
		in.buf = make([]any, n*width)
		in.rows = make([][]any, n)
	}
	rows := in.rows[:n]
	for i := range n {
		row := in.buf[i*width : (i+1)*width : (i+1)*width]
		copy(row, in.keyVals[(lo+i)*nk:(lo+i+1)*nk])
		rv := in.src[lo+i]
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
