package batch

import (
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// chunk writes one chunk inside tx and adds its outcome to res.
func (w *rowWriter) chunk(tx *gorm.DB, now time.Time, rows [][]any, keys []any, res *Result) error {
	nk := len(w.keys)
	var existing map[any]any
	if tx.DryRun {
		// Statements are only built: nothing to count or read back.
		q, args := w.stmt.build(rows, w.autoValues(now))
		return w.exec(tx, q, args, rows, res)
	}
	if w.version != nil {
		// Read (and lock) the chunk's rows first: a row left unwritten is a
		// conflict if it exists, missing otherwise.
		var err error
		if existing, err = w.selectKeys(tx, rows, true); err != nil {
			return err
		}
	}
	q, args := w.stmt.build(rows, w.autoValues(now))
	if err := w.exec(tx, q, args, rows, res); err != nil {
		return err
	}
	n := res.lastAffected
	missing := func(i int) {
		res.Missing++
		if w.cfg.listMissing {
			res.MissingKeys = append(res.MissingKeys, append([]any(nil), rows[i][:nk]...))
		}
	}
	switch {
	case w.version != nil:
		last := w.stmt.width() - 1
		for i, k := range keys {
			stored, ok := existing[k]
			switch {
			case !ok:
				missing(i)
			case normValue(stored) != normValue(rows[i][last]):
				res.Conflicts = append(res.Conflicts, append([]any(nil), rows[i][:nk]...))
			}
		}
		// The version increment changes every written row, so RowsAffected
		// counts them on every dialect.
		res.Matched += n
	case n == int64(len(rows)):
		res.Matched += n
	case w.matched && !w.cfg.listMissing:
		res.Matched += n
		res.Missing += int64(len(rows)) - n
	default:
		found, err := w.selectKeys(tx, rows, false)
		if err != nil {
			return err
		}
		for i, k := range keys {
			if _, ok := found[k]; ok {
				res.Matched++
			} else {
				missing(i)
			}
		}
	}
	return nil
}

// exec runs one chunk statement through GORM's callback chain, recording
// its RowsAffected in res.lastAffected.
func (w *rowWriter) exec(tx *gorm.DB, q string, args []any, rows [][]any, res *Result) error {
	exec := tx.Session(&gorm.Session{NewDB: true})
	if w.collects {
		exec = hooks.WithChanges(exec, w.changes(rows))
	}
	r := exec.Exec(q, args...)
	if r.Error != nil {
		return r.Error
	}
	res.Statements++
	res.lastAffected = r.RowsAffected
	if tx.DryRun {
		res.Matched += r.RowsAffected
	}
	return nil
}

func (w *rowWriter) autoValues(now time.Time) []any {
	vals := make([]any, len(w.auto))
	for i, f := range w.auto {
		vals[i] = autoValue(f, now)
	}
	return vals
}

// selectKeys returns the normalised keys of rows present in the table, each
// mapped to its stored version (nil without CheckVersion), reading with a
// write lock when lock is set.
func (w *rowWriter) selectKeys(tx *gorm.DB, rows [][]any, lock bool) (map[any]any, error) {
	nk := len(w.keys)
	q := tx.Session(&gorm.Session{NewDB: true}).Table(w.table)
	if lock {
		var err error
		if q, err = w.d.LockRows(q, dialect.Lock{Strength: dialect.ForUpdate}, w.table, w.keys[0].DBName); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, nk+1)
	for _, f := range w.keys {
		names = append(names, f.DBName)
	}
	if w.version != nil {
		names = append(names, w.version.DBName)
	}
	var cond clause.Expression
	if nk == 1 {
		vals := make([]any, len(rows))
		for i, r := range rows {
			vals[i] = r[0]
		}
		cond = clause.IN{Column: clause.Column{Name: names[0]}, Values: vals}
	} else {
		ors := make([]clause.Expression, len(rows))
		for i, r := range rows {
			ands := make([]clause.Expression, nk)
			for j := range nk {
				ands[j] = clause.Eq{Column: clause.Column{Name: names[j]}, Value: r[j]}
			}
			ors[i] = clause.And(ands...)
		}
		cond = clause.Or(ors...)
	}
	cur, err := q.Select(names).Where(cond).Rows()
	if err != nil {
		return nil, err
	}
	defer cur.Close()
	out := make(map[any]any, len(rows))
	dest := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	for cur.Next() {
		if err := cur.Scan(ptrs...); err != nil {
			return nil, err
		}
		var v any
		if w.version != nil {
			v = normValue(dest[nk])
		}
		out[normKey(dest[:nk])] = v
	}
	return out, cur.Err()
}

// changes describes every written column of every row for hooks.
func (w *rowWriter) changes(rows [][]any) []hooks.Change {
	nk := len(w.keys)
	out := make([]hooks.Change, 0, len(rows)*len(w.cols))
	for _, row := range rows {
		key := append([]any(nil), row[:nk]...) // rows are reused by the next chunk
		for j, f := range w.cols {
			out = append(out, hooks.Change{Table: w.table, Key: key, Column: f.DBName, New: row[nk+j]})
		}
	}
	return out
}

// autoValue is the value GORM would give an autoUpdateTime field at now.
func autoValue(f *schema.Field, now time.Time) any {
	switch f.AutoUpdateTime {
	case schema.UnixNanosecond:
		return now.UnixNano()
	case schema.UnixMillisecond:
		return now.UnixMilli()
	case schema.UnixSecond:
		return now.Unix()
	}
	return now
}

// normKey turns key values into a comparable map key that is equal for the
// Go value and the value scanned back from any driver.
func normKey(vals []any) any {
	if len(vals) == 1 {
		return normValue(vals[0])
	}
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(0x1f)
		}
		nv := normValue(v)
		fmt.Fprintf(&b, "%T:%v", nv, nv)
	}
	return b.String()
}

// normValue maps v to a canonical comparable form: integers to int64,
// floats to float64, bytes to string, times to UTC RFC 3339 text, Valuers to
// their value.
func normValue(v any) any {
	if vr, ok := v.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil
		}
		if x, err := vr.Value(); err == nil {
			v = x
		}
	}
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		return string(x)
	case string, bool, int64:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u)
		}
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return normValue(rv.Elem().Interface())
	}
	if rv.Comparable() {
		return v
	}
	return fmt.Sprint(v)
}
