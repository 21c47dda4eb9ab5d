package main

import (
	"context"

	"gorm.io/gorm"
)

// chunkedRunJob touches every row once, as a long maintenance job does.
func chunkedRunJob(db *gorm.DB, cfg config) job {
	return job{
		title: "chunked run over every row",
		strategies: []strategy{
			{name: "one UPDATE of all rows", kind: kindHand, rows: cfg.rows,
				run: func(ctx context.Context) error {
					return db.WithContext(ctx).Model(&Wide{}).Where("1 = 1").
						UpdateColumn("score", gorm.Expr("score + 1")).Error
				}},
		},
	}
}
