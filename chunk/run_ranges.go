package chunk

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Range is one chunk of Ranges: the rows db selects whose ordering key
// sorts after After and at or before Last.
type Range struct {
	// Index is the 0-based chunk number across every run of the checkpoint.
	Index int64
	// After is the key the chunk starts after; nil for the first chunk.
	After []any
	// Last is the key of the chunk's last row.
	Last []any
	// Rows is the number of rows in the chunk when its bounds were read.
	Rows int
}

// rangeAlias names the derived table Ranges reads a chunk's bounds from.
const rangeAlias = "gormup_chunk"

// Ranges is Run for set-based work: instead of loading each chunk's rows it
// reads only the chunk's bounds (its row count and last key, one row
// computed by the database over the next Size keys) and calls work with
// rows, a query on the chunk's transaction carrying db's model and
// conditions restricted to the chunk, so that one statement does the
// chunk's work (see [Set-based chunks] for the SQL):
//
//	chunk.Ranges(ctx, db.Model(&Account{}).Where("status = ?", "active"),
//		func(rows *gorm.DB, r chunk.Range) error {
//			return rows.Update("balance", gorm.Expr("balance * 2")).Error
//		}, chunk.Size(10000), chunk.Checkpoint("double"))
//
// Chunks hold DefaultRangesSize rows unless Size is given. Transactions,
// retries, checkpoints, hooks, progress and cancellation behave as in Run;
// hooks see no FirstKey. db must carry a model (else ErrNoModel) and work
// must not be nil (ErrBadWork); a nil db returns ErrNilDB.
//
// [Set-based chunks]: https://pkg.go.dev/github.com/gormup/gormup/chunk#hdr-Set_based_chunks
func Ranges(ctx context.Context, db *gorm.DB, work func(rows *gorm.DB, r Range) error, opts ...RangesOption) (Report, error) {
	cfg, err := newRunConfig(opts, RangesOption.applyRanges, DefaultRangesSize)
	if err != nil {
		return Report{}, err
	}
	return ranges(ctx, db, work, cfg)
}

// ranges is Ranges with its options applied; Purge runs on it.
func ranges(ctx context.Context, db *gorm.DB, work func(rows *gorm.DB, r Range) error, cfg runConfig) (Report, error) {
	start := time.Now()
	if db == nil {
		return Report{}, ErrNilDB
	}
	if work == nil {
		return Report{}, fmt.Errorf("%w: nil work function", ErrBadWork)
	}
	if db.Statement.Model == nil {
		return Report{}, ErrNoModel
	}
	r, err := newRunner(ctx, db, db.Statement.Model, cfg)
	if err != nil {
		return Report{}, err
	}
	r.warnUnanalyzed(ctx, "chunk.Ranges")
	r.newStep = func(r *runner) stepFunc {
		return func(ctx context.Context, tx *gorm.DB, info *Info) error {
			// Only SQLite workers lock (the write lock up front); see newRunner.
			tx, err := r.dialect.LockRows(tx, r.lock, r.table, r.keys[0].name)
			if err != nil {
				return err
			}
			n, last, err := r.bounds(tx)
			if err != nil {
				return fmt.Errorf("chunk: reading chunk bounds: %w", err)
			}
			if n == 0 {
				return nil
			}
			info.Rows, info.LastKey, r.full = n, last, n == r.cfg.size
			rows := r.scope(tx, r.after, last)
			return work(rows, Range{Index: info.Index, After: info.After, Last: last, Rows: n})
		}
	}
	rep, err := r.execute(ctx)
	rep.Elapsed = time.Since(start)
	return rep, err
}

// bounds reads the number of rows of the next chunk and its last key.
//
// For a single integer or string key, the end of a full chunk is the key
// Size-1 rows past the keyset bound:
//
//	SELECT t.k FROM t WHERE <conditions> AND t.k > ? ORDER BY t.k
//	LIMIT 1 OFFSET size-1
//
// The OFFSET is relative to the last committed key, not to the start of the
// table: it walks Size index entries per chunk, as loading the chunk would,
// and rows changing behind the cursor cannot shift it — this is still
// keyset pagination. When fewer than Size rows remain, the tail is counted
// and its last key aggregated: SELECT COUNT(*), MAX(t.k) ... (MIN for DESC).
//
// For composite keys, and types whose MAX SQLite would return as text
// (times), the last row of the next Size keys is picked with a window count:
//
//	SELECT COUNT(*) OVER (), c.k1, c.k2 FROM (SELECT t.k1, t.k2 FROM t
//	WHERE ... ORDER BY t.k1, t.k2 LIMIT size) c
//	ORDER BY c.k1 DESC, c.k2 DESC LIMIT 1
func (r *runner) bounds(tx *gorm.DB) (int, []any, error) {
	if !r.aggregatable() {
		return r.scanBounds(r.boundsQuery(tx), true)
	}
	n, key, err := r.scanBounds(r.endQuery(tx), false)
	if err != nil || n > 0 {
		return n, key, err
	}
	return r.scanBounds(r.tailQuery(tx), true)
}

// scanBounds reads the first row of q: a count (if counted, else Size is
// assumed) and the key columns. No row, or a count of 0, is an empty chunk.
func (r *runner) scanBounds(q *gorm.DB, counted bool) (int, []any, error) {
	rows, err := q.Rows()
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, nil, rows.Err()
	}
	n := int64(r.cfg.size)
	var dest []any
	if counted {
		dest = append(dest, &n)
	}
	first := len(dest)
	for _, k := range r.keys {
		// A pointer to a pointer: the aggregate of no rows is NULL.
		dest = append(dest, reflect.New(reflect.PointerTo(k.field.FieldType)).Interface())
	}
	if err := rows.Scan(dest...); err != nil {
		return 0, nil, err
	}
	if n == 0 {
		return 0, nil, rows.Close()
	}
	key := make([]any, len(r.keys))
	for i := range r.keys {
		p := reflect.ValueOf(dest[first+i]).Elem()
		if p.IsNil() {
			return 0, nil, fmt.Errorf("%w: column %q", ErrNullKey, r.keys[i].name)
		}
		key[i] = p.Elem().Interface()
		if isNullKey(key[i]) {
			return 0, nil, fmt.Errorf("%w: column %q", ErrNullKey, r.keys[i].name)
		}
	}
	return int(n), key, rows.Close()
}

// aggregatable reports whether the bounds of a chunk can be read with
// OFFSET and COUNT/MAX: one key column of an integer or string type.
func (r *runner) aggregatable() bool {
	if len(r.keys) != 1 {
		return false
	}
	switch r.keys[0].field.FieldType.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.String:
		return true
	}
	return false
}

// endQuery selects the key Size-1 rows past the keyset bound.
func (r *runner) endQuery(tx *gorm.DB) *gorm.DB {
	sel := clause.Select{Columns: []clause.Column{keyColumn(r.keys[0].name)}}
	return r.scope(tx, r.after).Clauses(sel, keysetOrder(r.keys)).Limit(1).Offset(r.cfg.size - 1)
}

// tailQuery counts the rows past the keyset bound and aggregates their last
// key.
func (r *runner) tailQuery(tx *gorm.DB) *gorm.DB {
	agg := "MAX"
	if r.keys[0].desc {
		agg = "MIN"
	}
	col := dialect.Quote(tx, r.table+"."+r.keys[0].name)
	return r.scope(tx, r.after).Select("COUNT(*) AS gormup_rows, " + agg + "(" + col + ")")
}

// boundsQuery picks the last of the next Size keys with a window count.
func (r *runner) boundsQuery(tx *gorm.DB) *gorm.DB {
	sel := clause.Select{Columns: make([]clause.Column, len(r.keys))}
	cols := make([]string, len(r.keys))
	last := clause.OrderBy{Columns: make([]clause.OrderByColumn, len(r.keys))}
	for i, k := range r.keys {
		sel.Columns[i] = keyColumn(k.name)
		cols[i] = dialect.Quote(tx, rangeAlias+"."+k.name)
		last.Columns[i] = clause.OrderByColumn{Column: clause.Column{Table: rangeAlias, Name: k.name}, Desc: !k.desc}
	}
	sub := r.scope(tx, r.after).Clauses(sel, keysetOrder(r.keys)).Limit(r.cfg.size)
	return cleanSession(tx).Table("(?) "+dialect.Quote(tx, rangeAlias), sub).
		Select("COUNT(*) OVER () AS gormup_rows, " + strings.Join(cols, ", ")).Clauses(last).Limit(1)
}

// warnUnanalyzed logs, through db's GORM logger, one warning when the
// table has no planner statistics (dialect.Unanalyzed): the bounds query
// (LIMIT 1 OFFSET Size-1) may then be planned as a sort of the whole table
// for every chunk instead of a walk of Size index entries. A failed check
// stays silent: the run itself reports a missing table.
func (r *runner) warnUnanalyzed(ctx context.Context, entry string) {
	if r.db.DryRun {
		return
	}
	never, err := r.dialect.Unanalyzed(ctx, r.db, r.table)
	if err != nil || !never {
		return
	}
	r.db.Logger.Warn(ctx, "gormup: %s reads each chunk's bounds from %s, which has never been analyzed: "+
		"the planner may sort the whole table for every chunk; run ANALYZE %s first", entry, r.table, r.table)
}
