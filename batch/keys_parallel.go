package batch

import (
	"context"
	"reflect"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// updateKeysParallel is UpdateKeys with Workers: the keys, ordered, are
// written in chunks of size over cfg.workers goroutines, each chunk in a
// transaction of its own; a failure returns a *PartialError whose lists
// hold positions in keys.
func updateKeysParallel[K comparable](ctx context.Context, db *gorm.DB, u *updater, col clause.Column, keys []K, size int) (int64, error) {
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = k
	}
	order := keyOrder(vals, 1)
	if order != nil {
		sorted := make([]any, len(vals))
		for j, i := range order {
			sorted[j] = vals[i]
		}
		vals = sorted
	}
	chunks := dialect.Split(len(vals), size)
	var done int64
	state, err := parallel(ctx, db, u.cfg.policy(), u.cfg.workersFor(u.d, db, len(chunks)), len(chunks), u.cfg.onProgress,
		func() func(*gorm.DB, int) (int64, error) {
			// GORM's Updates writes the assigned values back into the
			// statement's model: each goroutine gets a model value of its own.
			mt := reflect.TypeOf(db.Statement.Model)
			return func(tx *gorm.DB, i int) (int64, error) {
				if mt != nil && mt.Kind() == reflect.Pointer {
					tx = tx.Model(reflect.New(mt.Elem()).Interface())
				}
				c := chunks[i]
				return u.run(tx, []clause.Expression{clause.IN{Column: col, Values: vals[c[0]:c[1]]}})
			}
		},
		func(_ int, n int64) int64 {
			done += n
			return done
		})
	if err != nil {
		return done, partialError(state, chunks, order, err)
	}
	return done, nil
}
