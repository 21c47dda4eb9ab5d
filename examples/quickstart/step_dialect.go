package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

func stepDialect(ctx context.Context, db *gorm.DB, out io.Writer) error {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return err
	}
	matched, err := d.RowsAffectedMatched(ctx, db)
	if err != nil {
		return err
	}
	var n int64
	if err := db.WithContext(ctx).Model(&Account{}).Count(&n).Error; err != nil {
		return err
	}
	fmt.Fprintf(out, "   database:            %s %s\n", d.Family(), d.Version())
	fmt.Fprintf(out, "   bind parameters:     %d per statement (3-column rows per chunk: %d)\n", d.MaxParams(), d.ChunkSize(3, 0))
	fmt.Fprintf(out, "   RowsAffected counts: %s rows\n", map[bool]string{true: "matched", false: "changed"}[matched])
	fmt.Fprintf(out, "   demo table:          %d accounts seeded\n", n)
	return nil
}
