package main

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/projection"

	"gorm.io/gorm"
)

// readingJob loads every row's id and email.
func readingJob(db *gorm.DB, cfg config) job {
	checkLen := func(n *int) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			if *n != cfg.rows {
				return "", fmt.Errorf("loaded %d rows, want %d", *n, cfg.rows)
			}
			return "", nil
		}
	}
	var full, hand, proj int
	return job{
		title: "reading 2 of 13 columns",
		strategies: []strategy{
			{name: "Find full rows", kind: kindNaive, rows: cfg.rows, check: checkLen(&full),
				run: func(ctx context.Context) error {
					var rows []Wide
					err := db.WithContext(ctx).Find(&rows).Error
					full = len(rows)
					return err
				}},
			{name: "hand-written Select(id, email)", kind: kindHand, rows: cfg.rows, check: checkLen(&hand),
				run: func(ctx context.Context) error {
					var rows []Brief
					err := db.WithContext(ctx).Model(&Wide{}).Select("id", "email").Find(&rows).Error
					hand = len(rows)
					return err
				}},
			{name: "projection.Find[Brief]", kind: kindGormup, rows: cfg.rows, check: checkLen(&proj),
				run: func(ctx context.Context) error {
					rows, err := projection.Find[Brief](ctx, db.Model(&Wide{}))
					proj = len(rows)
					return err
				}},
		},
	}
}
