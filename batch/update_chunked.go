package batch

import (
	"context"
	"reflect"

	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// chunked runs the update in primary-key ranges of at most u.chunk rows,
// all in one transaction or, with CommitEach, each committed in a
// transaction of its own. The upper bound of each range
// is read first (the key of the size-th matching row after the previous
// range), so sparse keys still give full chunks and rows the update stops
// matching do not shift later ranges.
func (u *updater) chunked(ctx context.Context, db *gorm.DB) (int64, error) {
	if u.cfg.commitEach && dialect.InTransaction(db) {
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
	var lo any
	loop := chunker.Loop{Each: u.cfg.commitEach, Policy: u.cfg.policy(), Committed: progressTo(u.cfg.onProgress)}
	done, err := loop.Run(ctx, db, func(tx *gorm.DB, i int) (int64, bool, error) {
		if i == 0 {
			lo = nil // a retried atomic transaction starts over
		}
		var bounds []clause.Expression
		if lo != nil {
			bounds = append(bounds, clause.Gt{Column: col, Value: lo})
		}
		// The key of the last row of this chunk, or none for the final one.
		keys := reflect.New(reflect.SliceOf(pk.IndirectFieldType))
		// Select the key alone: Pluck reads a single Select of the caller's
		// (the columns a struct value writes) instead of the column it names.
		// The bound is read in the chunk's transaction.
		q := u.t.Bound(tx.Session(&gorm.Session{}), bounds...).Select(pk.DBName)
		if err := q.Order(clause.OrderByColumn{Column: col}).Offset(u.chunk-1).Limit(1).Pluck(pk.DBName, keys.Interface()).Error; err != nil {
			return 0, false, err
		}
		var hi any
		if keys.Elem().Len() > 0 {
			hi = keys.Elem().Index(0).Interface()
			bounds = append(bounds, clause.Lte{Column: col, Value: hi})
		}
		n, err := u.run(tx, bounds)
		if err == nil {
			lo = hi
		}
		return n, hi == nil, err
	})
	return done, statementError(err)
}

// countOnly returns a session of db for counting its matches, without the
// column list db.Select may carry.
func countOnly(db *gorm.DB) *gorm.DB {
	q := db.Session(&gorm.Session{}).Select("*")
	return q
}
