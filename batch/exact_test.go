package batch_test

import (
	"context"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/model/modeltest"
	"gorm.io/gorm"
)

func exactCases() []modeltest.Case {
	incr := map[string]any{"n": gorm.Expr("n + 1")}
	var cases []modeltest.Case
	for _, oc := range modeltest.OrConds {
		cond := oc.Cond
		cases = append(cases,
			// UpdateKeys 1, 5, 9: 9 is "other", so only 1 and 5 (once wrote 11 rows).
			modeltest.Case{Name: "UpdateKeys/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.UpdateKeys(ctx, cond(db.Table(table).Model(&modeltest.Account{})), []int64{1, 5, 9}, incr)
			}, Changed: []int64{1, 5}, Bump: 1, Count: 2},
			modeltest.Case{Name: "UpdateKeys CommitEach/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.UpdateKeys(ctx, cond(db.Table(table).Model(&modeltest.Account{})), []int64{1, 5, 9, 12}, incr, batch.CommitEach(), batch.Size(1))
			}, Changed: []int64{1, 5}, Bump: 1, Count: 2},
			modeltest.Case{Name: "Update/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.Update(ctx, cond(db.Table(table).Model(&modeltest.Account{})), incr)
			}, Changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, Bump: 1, Count: 8},
			// Chunked once never ended: its key range bound only the last alternative.
			modeltest.Case{Name: "Update Chunked/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				return batch.Update(ctx, cond(db.Table(table).Model(&modeltest.Account{})), incr, batch.Size(3), batch.CommitEach())
			}, Changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, Bump: 1, Count: 8},
			modeltest.Case{Name: "Run/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				rep, err := chunk.Run(ctx, cond(db.Table(table)), func(tx *gorm.DB, part []modeltest.Account) error {
					return bumpChunk(tx, table, part)
				}, chunk.Size(3))
				return rep.Rows, err
			}, Changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, Count: 8},
			modeltest.Case{Name: "Run Workers/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				rep, err := chunk.Run(ctx, cond(db.Table(table)), func(tx *gorm.DB, part []modeltest.Account) error {
					return bumpChunk(tx, table, part)
				}, chunk.Size(2), chunk.Workers(2))
				return rep.Rows, err
			}, Changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, Count: 8},
			modeltest.Case{Name: "Ranges/" + oc.Name, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
				rep, err := chunk.Ranges(ctx, cond(db.Table(table).Model(&modeltest.Account{})), func(rows *gorm.DB, _ chunk.Range) error {
					return rows.Update("n", gorm.Expr("n + 1")).Error
				}, chunk.Size(3))
				return rep.Rows, err
			}, Changed: []int64{1, 2, 3, 4, 5, 6, 7, 8}, Count: 8},
		)
	}
	for _, c := range cases[:len(cases):len(cases)] {
		// Every entry point again on the schema-qualified table, whose
		// unqualified neighbour has the same rows in another layout.
		c.Name = "qualified " + c.Name
		c.Qualified = true
		cases = append(cases, c)
	}
	cases = append(cases,
		modeltest.Case{Name: "qualified UpdateRows", Qualified: true, Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := batch.UpdateRows(ctx, db.Table(table), []modeltest.Account{{ID: 2, N: 1}, {ID: 3, N: 1}}, []string{"n"})
			return res.Matched, err
		}, Changed: []int64{2, 3}, Bump: 1, Count: 2},
		modeltest.Case{Name: "Update assigning the version", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.Update(ctx, db.Table(table).Model(&modeltest.Account{}).Where("id = ?", 1), map[string]any{"version": 7})
		}, Err: batch.ErrVersionColumn},
		modeltest.Case{Name: "UpdateKeys assigning the version", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.UpdateKeys(ctx, db.Table(table).Model(&modeltest.Account{}), []int64{1}, map[string]any{"Version": 7})
		}, Err: batch.ErrVersionColumn},
		modeltest.Case{Name: "Update through an aliased table", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.Update(ctx, db.Table(table+" a").Model(&modeltest.Account{}).Where("id = ?", 1), incr)
		}, Err: batch.ErrTable},
		modeltest.Case{Name: "UpdateKeys through a table expression", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			return batch.UpdateKeys(ctx, db.Table("(SELECT * FROM "+table+") x").Model(&modeltest.Account{}), []int64{1}, incr)
		}, Err: batch.ErrTable},
		modeltest.Case{Name: "UpdateRows with db.Model of another table", Run: func(ctx context.Context, db *gorm.DB, table string) (int64, error) {
			res, err := batch.UpdateRows(ctx, db.Model(&modeltest.Other{}), []modeltest.Account{{ID: 2, N: 1}}, []string{"n"})
			return res.Matched, err
		}, Err: batch.ErrModelMismatch},
	)
	return cases
}

// bumpChunk adds 1 to n of chunk's rows in table, as a Run work would.
func bumpChunk(tx *gorm.DB, table string, part []modeltest.Account) error {
	ids := make([]int64, len(part))
	for i, a := range part {
		ids[i] = a.ID
	}
	return tx.Table(table).Where("id IN ?", ids).UpdateColumn("n", gorm.Expr("n + 1")).Error
}

// TestExactWrites is the regression test of the exact-writes defect
// classes on every configured database: caller conditions with OR that GORM
// leaves ungrouped, a schema-qualified db.Table, a db.Model of another table,
// the version field and refusals. It reads back the target table, its
// unqualified (or qualified) neighbour and a third table of the same shape.
// SQLite's second namespace is an ATTACHed database (see modeltest).
func TestExactWrites(t *testing.T) {
	modeltest.Run(t, exactCases())
}
