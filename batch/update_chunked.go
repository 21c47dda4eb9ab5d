package batch

import (
	"context"
	"reflect"
	"time"

	"github.com/gormup/gormup/hooks"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// chunked runs the update in primary-key ranges of at most cfg.chunked rows,
// each committed in a transaction of its own. The upper bound of each range
// is read first (the key of the size-th matching row after the previous
// range), so sparse keys still give full chunks and rows the update stops
// matching do not shift later ranges.
func (u *updater) chunked(ctx context.Context, db *gorm.DB) (int64, error) {
	if dialect.InTransaction(db) {
		return 0, ErrInTransaction
	}
	pk, err := singleKey(u.s)
	if err != nil {
		return 0, err
	}
	col := clause.Column{Table: clause.CurrentTable, Name: pk.DBName}
	base := dialect.Primary(db.WithContext(ctx))
	if u.cfg.maxRows > 0 {
		var n int64
		if err := countOnly(base).Count(&n).Error; err != nil {
			return 0, err
		}
		if n > u.cfg.maxRows {
			return 0, &TooManyRowsError{Matched: n, Max: u.cfg.maxRows}
		}
	}
	start := time.Now()
	var (
		lo    any
		done  int64
		chunk int
	)
	for ; ; chunk++ {
		var bounds []clause.Expression
		if lo != nil {
			bounds = append(bounds, clause.Gt{Column: col, Value: lo})
		}
		// The key of the last row of this chunk, or none for the final one.
		keys := reflect.New(reflect.SliceOf(pk.IndirectFieldType))
		// Select the key alone: Pluck reads a single Select of the caller's
		// (the columns a struct value writes) instead of the column it names.
		q := u.t.Bound(base, bounds...).Select(pk.DBName)
		err := q.Order(clause.OrderByColumn{Column: col}).Offset(u.cfg.chunked-1).Limit(1).Pluck(pk.DBName, keys.Interface()).Error
		if err != nil {
			return done, &StatementError{Chunk: chunk, Done: done, Err: err}
		}
		var hi any
		if keys.Elem().Len() > 0 {
			hi = keys.Elem().Index(0).Interface()
			bounds = append(bounds, clause.Lte{Column: col, Value: hi})
		}
		var n int64
		attempts, err := runTx(ctx, db, u.cfg.policy(), func(tx *gorm.DB) error {
			var err error
			n, err = u.run(tx, bounds)
			return err
		})
		if err != nil {
			return done, &StatementError{Chunk: chunk, Done: done, Attempts: attempts, Err: err}
		}
		done += n
		if u.cfg.onProgress != nil {
			el := time.Since(start)
			p := hooks.Progress{Done: done, Chunks: int64(chunk + 1), Total: -1, Elapsed: el}
			if el > 0 {
				p.Rate = float64(done) / el.Seconds()
			}
			u.cfg.onProgress(p)
		}
		if hi == nil {
			return done, nil
		}
		lo = hi
	}
}

// countOnly returns a session of db for counting its matches, without the
// column list db.Select may carry.
func countOnly(db *gorm.DB) *gorm.DB {
	q := db.Session(&gorm.Session{}).Select("*")
	return q
}
