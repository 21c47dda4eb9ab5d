package main

import (
	"context"

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
	return job{
		title: "conditional bulk (same values, 1/3 of rows)",
		strategies: []strategy{
			{name: "one UPDATE (GORM Updates)", kind: kindNaive, rows: matched,
				run: func(ctx context.Context) error {
					return db.WithContext(ctx).Model(&Wide{}).Where("region = ?", "eu").
						Updates(map[string]any{"credits": gorm.Expr("credits + ?", 1), "active": true}).Error
				}},
		},
	}
}
