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
	"gorm.io/gorm/schema"
)

// chunk writes input rows [lo, hi) inside tx and adds their outcome to
// res: every input row lands in exactly one of Matched, Missing and
// Conflicts, decided by the database's own equality. It reuses in's
// buffers: one goroutine per input.
func (w *rowWriter) chunk(tx *gorm.DB, now time.Time, in *input, lo, hi int, res *Result) error {
	rows := w.fill(in, lo, hi)
	q, args, err := w.stmt.buildInto(&in.chunkBuf, rows, w.autoValues(now))
	if err != nil {
		return err
	}
	if tx.DryRun {
		// Statements are only built: nothing to count or read back.
		return w.exec(tx, q, args, rows, res)
	}
	var found map[int]bool
	if w.version != nil {
		// Read (and lock) the chunk's rows first: a row left unwritten is a
		// conflict if it exists, missing otherwise.
		if found, err = w.status(tx, rows, true); err != nil {
			return err
		}
	}
	if err := w.exec(tx, q, args, rows, res); err != nil {
		return err
	}
	n := res.lastAffected
	switch {
	case w.version != nil:
	case n == int64(len(rows)):
		res.Matched += n
		return nil
	case w.matched && !w.cfg.listMissing:
		res.Matched += n
		res.Missing += int64(len(rows)) - n
		return nil
	default:
		if found, err = w.status(tx, rows, false); err != nil {
			return err
		}
	}
	var matched int64
	for i, row := range rows {
		ok, present := found[i]
		switch {
		case !present:
			res.Missing++
			if w.cfg.listMissing {
				res.MissingKeys = append(res.MissingKeys, w.keyAt(in, lo+i, row))
			}
		case ok:
			matched++
		default:
			res.Conflicts = append(res.Conflicts, w.keyAt(in, lo+i, row))
		}
	}
	if w.version != nil && matched != n {
		// The rows were locked: anything else is a statement that did not
		// do what it says.
		return fmt.Errorf("batch: the chunk UPDATE wrote %d rows where %d matched their version", n, matched)
	}
	res.Matched += matched
	return nil
}

// status reads which of the chunk's rows the table holds, by the server's
// equality and skipping soft-deleted rows: each found row's 0-based index
// maps to whether its stored version equals the expected one (true without
// CheckVersion). With lock the rows are locked for update.
func (w *rowWriter) status(tx *gorm.DB, rows [][]any, lock bool) (map[int]bool, error) {
	if lock && w.d.SingleWriter() {
		if _, err := w.d.LockRows(tx, dialect.Lock{Strength: dialect.ForUpdate}, w.table, w.keys[0].DBName); err != nil {
			return nil, err
		}
	}
	q, args, err := w.stmt.buildStatus(rows, lock)
	if err != nil {
		return nil, err
	}
	cur, err := tx.Session(&gorm.Session{NewDB: true}).Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer cur.Close()
	out := make(map[int]bool, len(rows))
	for cur.Next() {
		var n, ok int64
		if err := cur.Scan(&n, &ok); err != nil {
			return nil, err
		}
		out[int(n)-1] = ok == 1
	}
	return out, cur.Err()
}

// exec runs one chunk statement through GORM's callback chain, recording
// its RowsAffected in res.lastAffected.
func (w *rowWriter) exec(tx *gorm.DB, q string, args []any, rows [][]any, res *Result) error {
	exec := tx.Session(&gorm.Session{NewDB: true})
	if w.collects {
		exec = hooks.WithChanges(exec, w.changes(rows))
	}
	var r *gorm.DB
	if w.d.Has(dialect.NativePlaceholders) {
		// "?" is these drivers' own placeholder: GORM's callback chain gets
		// the statement as built, instead of Exec parsing the SQL again and
		// adding its thousands of values one by one.
		exec = exec.Scopes() // a statement of its own, not tx's
		exec.Statement.SQL.Reset()
		exec.Statement.SQL.WriteString(q)
		exec.Statement.Vars = args
		r = exec.Callback().Raw().Execute(exec)
	} else {
		r = exec.Exec(q, args...)
	}
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
