package chunk

import (
	"context"
	"fmt"
	"reflect"

	"gorm.io/gorm"
)

// loadStep returns Run's chunk step: load the next Size rows of T into a
// reused buffer (with the row lock, if any) and call work on them.
//
// When T carries the ordering columns, one query loads the chunk and its
// first and last rows give the keys. When T is a DTO without them, the
// chunk's bounds are read first (one row, as Ranges does) and the rows
// between the keyset bound and the last key are then loaded in order.
func loadStep[T any](r *runner, work func(tx *gorm.DB, chunk []T) error) func(context.Context, *gorm.DB, *Info) error {
	buf := make([]T, 0, r.cfg.size)
	return func(ctx context.Context, tx *gorm.DB, info *Info) error {
		var last []any
		if r.viaBounds {
			n, key, err := r.bounds(tx)
			if err != nil {
				return fmt.Errorf("chunk: reading chunk bounds: %w", err)
			}
			if n == 0 {
				return nil
			}
			last, r.full = key, n == r.cfg.size
		}
		q, err := r.dialect.LockRows(tx, r.lock, r.table, r.keys[0].name)
		if err != nil {
			return err
		}
		if last != nil {
			q = r.scope(q, r.after, last).Clauses(keysetOrder(r.keys))
		} else {
			q = r.scope(q, r.after).Clauses(keysetOrder(r.keys)).Limit(r.cfg.size)
		}
		buf = buf[:0]
		if err := q.Find(&buf).Error; err != nil {
			return fmt.Errorf("chunk: loading chunk: %w", err)
		}
		info.Rows = len(buf)
		if last != nil {
			// Keys come from the bounds; rows gone since are simply not here.
			info.LastKey = last
			if len(buf) == 0 {
				return nil
			}
			return work(cleanSession(tx), buf)
		}
		if len(buf) == 0 {
			return nil
		}
		r.full = len(buf) == r.cfg.size
		if info.FirstKey, err = keyOf(ctx, r.keys, reflect.ValueOf(&buf[0]).Elem()); err != nil {
			return err
		}
		if info.LastKey, err = keyOf(ctx, r.keys, reflect.ValueOf(&buf[len(buf)-1]).Elem()); err != nil {
			return err
		}
		return work(cleanSession(tx), buf)
	}
}
