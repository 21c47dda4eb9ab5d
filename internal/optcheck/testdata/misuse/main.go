// Package main misuses gormup's options; each line marked "want" must fail
// to compile. TestOptionMisuseDoesNotCompile builds it.
package main

import (
	"context"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
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
	work := func(*gorm.DB, []row) error { return nil }
	each := func(*row) error { return nil }
	span := func(*gorm.DB, chunk.Range) error { return nil }
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.MaxRows(1))                                // want: MaxRows is Update's
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.Columns("n"))                              // want: Columns is Update's and UpdateKeys'
	_, _ = batch.UpdateKeys(ctx, db, []int64{1}, set, batch.CheckVersion("v"))                             // want: CheckVersion is UpdateRows'
	_, _ = batch.Update(ctx, db, set, batch.CheckVersion("v"))                                             // want: CheckVersion is UpdateRows'
	_, _ = batch.UpdateKeys(ctx, db, []int64{1}, set, batch.ListMissing())                                 // want: ListMissing is UpdateRows'
	_, _ = batch.UpdateKeys(ctx, db, []int64{1}, set, batch.AllowAll())                                    // want: AllowAll is Update's
	_ = updater.Transaction(ctx, db, nil, updater.Lock(lock.ForUpdate))                                    // want: Lock is Update's
	_ = updater.Transaction(ctx, db, nil, updater.Scopes())                                                // want: Scopes is Update's
	_, _ = index.Ensure(ctx, db, []any{&row{}}, index.Repair)                                              // want: Repair without ()
	_, _ = index.Diff(ctx, db, []any{&row{}}, index.Repair())                                              // want: Diff takes no options
	_, _ = index.Ensure(ctx, db, &row{})                                                                   // want: models is a slice
	_, _ = chunk.Run(ctx, db, work, chunk.AllowAll())                                                      // want: AllowAll is Purge's
	_, _ = chunk.Run(ctx, db, work, chunk.DryRun())                                                        // want: DryRun is Purge's
	_, _ = chunk.Ranges(ctx, db, span, chunk.Lock(lock.ForUpdate))                                         // want: Lock is Run's
	_, _ = chunk.Ranges(ctx, db, span, chunk.MaxRows(1), chunk.AllowAll())                                 // want: AllowAll is Purge's
	_, _ = chunk.Purge(ctx, db, chunk.Lock(lock.SkipLocked))                                               // want: Lock is Run's
	_, _ = chunk.Plan(ctx, db, chunk.Checkpoint("c"))                                                      // want: Plan commits nothing
	_, _ = chunk.Plan(ctx, db, chunk.Workers(2))                                                           // want: Workers is Run's, Ranges' and Purge's
	_, _ = chunk.Plan(ctx, db, chunk.MaxRows(1))                                                           // want: MaxRows is Run's, Ranges' and Purge's
	_, _ = chunk.Plan(ctx, db, chunk.DryRun())                                                             // want: DryRun is Purge's
	_, _ = updater.UpdateEach(ctx, db, each, chunk.AllowAll())                                             // want: UpdateEach takes Run's options
	_, _ = updater.UpdateEach(ctx, db, each, batch.Size(1))                                                // want: batch options are not chunk's
	_, _ = batch.UpdateKeys(ctx, db, []int64{1}, set, batch.BulkLoad())                                    // want: BulkLoad is UpdateRows'
	_, _ = batch.Update(ctx, db, set, batch.Workers(2))                                                    // want: Workers is UpdateKeys' and UpdateRows'
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.Size(1), batch.Scopes())                   // allowed
	_, _ = batch.Update(ctx, db, set, batch.Size(2), batch.CommitEach())                                   // allowed
	_, _ = chunk.Run(ctx, db, work, chunk.Lock(lock.ForUpdate), chunk.Workers(2))                          // allowed
	_, _ = chunk.Purge(ctx, db, chunk.AllowAll(), chunk.DryRun(), chunk.OrderBy("id"))                     // allowed
	_, _ = chunk.Plan(ctx, db, chunk.Size(1), chunk.OrderBy("id"), chunk.Scopes())                         // allowed
	_, _ = updater.UpdateEach(ctx, db, each, chunk.Lock(lock.ForUpdate), chunk.Size(1))                    // allowed
	_, _ = batch.UpdateRows(ctx, db, rows, []string{"n"}, batch.Size(1), batch.Scopes(), batch.BulkLoad()) // allowed
}
