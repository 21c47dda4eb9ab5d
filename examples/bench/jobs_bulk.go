package main

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/batch"
	"gorm.io/gorm"
)

// conditionalJob sets the same values on every row matching a condition.
func conditionalJob(db *gorm.DB, cfg config) job {
	matched := 0
	for i := 1; i <= cfg.rows; i++ {
		if i%3 == 0 { // region "eu", see setup
			matched++
		}
	}
	values := map[string]any{"credits": gorm.Expr("credits + ?", 1), "active": true}
	eu := func() *gorm.DB { return db.Model(&Wide{}).Where("region = ?", "eu") }
	checkMatched := func(n *int64) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			if *n != int64(matched) {
				return "", fmt.Errorf("matched %d rows, want %d", *n, matched)
			}
			return "", nil
		}
	}
	var one, chunked int64
	chunk := max(matched/10, 1)
	j := job{
		title: "conditional bulk (same values, 1/3 of rows)",
		strategies: []strategy{
			{name: "one UPDATE (GORM Updates)", kind: kindHand, rows: matched,
				run: func(ctx context.Context) error {
					return eu().WithContext(ctx).Updates(values).Error
				}},
			{name: "batch.Update", kind: kindGormup, rows: matched, check: checkMatched(&one),
				run: func(ctx context.Context) (err error) {
					one, err = batch.Update(ctx, eu(), values)
					return err
				}},
			{name: fmt.Sprintf("batch.Update CommitEach Size(%d)", chunk), kind: kindGormup, rows: matched, check: checkMatched(&chunked),
				run: func(ctx context.Context) (err error) {
					chunked, err = batch.Update(ctx, eu(), values, batch.Size(chunk), batch.CommitEach())
					return err
				}},
		},
	}
	for i := range j.strategies {
		// Each strategy rewrites the same third of the rows: none pays for
		// the dead rows or the undo log of those before it.
		j.strategies[i].prepare = vacuumed(db)
	}
	return j
}
