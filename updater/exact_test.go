package updater_test

import (
	"context"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/model/modeltest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

func setN(a *modeltest.Account) error {
	a.N = 1
	return nil
}

// TestExactWrites is the regression test of the exact-writes defect classes
// for updater's entry points on every configured database (see
// modeltest.Run): the row is read from and written to the schema-qualified
// db.Table, a db.Model of another table is refused before any SQL, the
// version is incremented by one in lock and optimistic mode (a NULL version
// becomes 1), and UpdateEach's chunks stay within caller conditions with OR.
func TestExactWrites(t *testing.T) {
	one := func(opts ...updater.UpdateOption) func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
		return func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := updater.Update(ctx, db.Table(table).Where("id = ?", 3), setN, opts...)
			return int64(len(res.Changes)), err
		}
	}
	cases := []modeltest.Case{
		{Name: "Update", Run: one(), Changed: []int64{3}, Bump: 1, Count: 2},
		{Name: "Update Lock", Run: one(updater.Lock(lock.ForUpdate)), Changed: []int64{3}, Bump: 1, Count: 2},
		{Name: "Update Optimistic", Run: one(updater.Optimistic()), Changed: []int64{3}, Bump: 1, Count: 2},
		{Name: "Update NULL version", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := updater.Update(ctx, db.Table(table).Where("id = ?", 12), setN)
			return int64(len(res.Changes)), err
		}, Changed: []int64{12}, Bump: 1, Count: 2},
		{Name: "Update inside Transaction", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			var n int64
			err := updater.Transaction(ctx, db, func(tx *gorm.DB) error {
				res, err := updater.Update(ctx, tx.Table(table).Where("id = ?", 3), setN)
				n = int64(len(res.Changes))
				return err
			})
			return n, err
		}, Changed: []int64{3}, Bump: 1, Count: 2},
		{Name: "Update with db.Model of another table", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			_, err := updater.Update(ctx, db.Model(&modeltest.Other{}).Where("id = ?", 3), setN)
			return 0, err
		}, Err: updater.ErrModelMismatch},
		{Name: "Update through an aliased table", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			_, err := updater.Update(ctx, db.Table(table+" a").Where("a.id = ?", 3), setN)
			return 0, err
		}, Err: updater.ErrTable},
		{Name: "UpdateEach with db.Model of another table", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			_, err := updater.UpdateEach(ctx, db.Model(&modeltest.Other{}).Where("id = ?", 3), setN)
			return 0, err
		}, Err: updater.ErrModelMismatch},
	}
	for _, oc := range modeltest.OrConds {
		cond := oc.Cond
		// UpdateEach writes through UpdateRows, which increments the version.
		cases = append(cases, modeltest.Case{Name: "UpdateEach/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := updater.UpdateEach(ctx, cond(db.Table(table)), setN, chunk.Size(3))
			return res.Changed, err
		}, Changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, Bump: 1, Count: 8})
	}
	for _, c := range cases[:len(cases):len(cases)] {
		if c.Err == nil {
			c.Name = "qualified " + c.Name
			c.Qualified = true
			cases = append(cases, c)
		}
	}
	modeltest.Run(t, cases)
}
