// Package main misuses gormup's options; each line marked "want" must fail
// to compile. TestOptionMisuseDoesNotCompile builds it.
package main

import (
	"context"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

type row struct{ ID int64 }

func main() {
	ctx, db := context.Background(), (*gorm.DB)(nil)
	rows := []row{{1}}
	set := map[string]any{"n": 1}
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.MaxRows(1))              // want: MaxRows is Update's
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.Columns("n"))            // want: Columns is Update's and UpdateKeys'
	_, _ = batch.Update(ctx, db, set, batch.CommitEach())                                // want: CommitEach is UpdateKeys' and UpdateRows'
	_, _ = batch.Update(ctx, db, set, batch.CheckVersion("v"))                           // want: CheckVersion is UpdateRows'
	_, _ = batch.Update(ctx, db, set, batch.Workers(2))                                  // want: Workers is UpdateKeys' and UpdateRows'
	_, _ = batch.UpdateKeys(ctx, db, []int64{1}, set, batch.ListMissing())               // want: ListMissing is UpdateRows'
	_, _ = batch.UpdateKeys(ctx, db, []int64{1}, set, batch.AllowAll())                  // want: AllowAll is Update's
	_ = updater.Transaction(ctx, db, nil, updater.Lock(lock.ForUpdate))                  // want: Lock is Update's
	_ = updater.Transaction(ctx, db, nil, updater.Scopes())                              // want: Scopes is Update's
	_, _ = index.Ensure(ctx, db, []any{&row{}}, index.Repair)                            // want: Repair without ()
	_, _ = index.Diff(ctx, db, []any{&row{}}, index.Repair())                            // want: Diff takes no options
	_, _ = index.Ensure(ctx, db, &row{})                                                 // want: models is a slice
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.Size(1), batch.Scopes()) // allowed
}
