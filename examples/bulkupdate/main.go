// Command bulkupdate shows gormup's bulk updates on a product catalogue:
// a conditional update that refuses to touch every row, an update by a key
// list larger than any parameter limit, per-row values written set-based and
// compared with GORM's per-row Updates, and an optimistic version check.
//
//	go run ./examples/bulkupdate                     # embedded SQLite
//	go run ./examples/bulkupdate -dsn 'postgres://postgres@127.0.0.1/test?sslmode=disable' -rows 100000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/examples/internal/exampledb"
	"gorm.io/gorm"
)

// Product is the catalogue row every step writes.
type Product struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	SKU       string `gorm:"size:32"`
	Category  string `gorm:"size:32;index"`
	PriceCts  int64
	Stock     int64
	Active    bool
	Version   int64
	UpdatedAt time.Time
}

func main() {
	dsn := exampledb.DSNFlag()
	rows := flag.Int("rows", 20000, "products to seed")
	sample := flag.Int("sample", 500, "rows written with per-row Updates for the comparison")
	flag.Parse()
	if err := run(context.Background(), *dsn, *rows, *sample, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bulkupdate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, n, sample int, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	db, name, cleanup, err := exampledb.Open(dsn)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(out, "bulk updates on %s, %d products\n", name, n)
	if err := seed(ctx, db, n); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}

	// 1. A conditional update: a 10% discount on one category.
	matched, err := batch.Update(ctx, db.Model(&Product{}).Where("category = ?", "books"),
		map[string]any{"price_cts": gorm.Expr("price_cts * 9 / 10")}, batch.MaxRows(int64(n)))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "1. discounted %d books with one UPDATE\n", matched)
	// A condition that bounds nothing is refused, and nothing is written.
	_, err = batch.Update(ctx, db.Model(&Product{}).Not("id", []int{}), map[string]any{"price_cts": 0})
	if !errors.Is(err, batch.ErrNoCondition) {
		return fmt.Errorf("an unbounded update was not refused: %v", err)
	}
	fmt.Fprintf(out, "   refused: %v\n", err)

	// 2. Deactivate a key list longer than any bind-parameter limit.
	ids := make([]int64, 0, n/2)
	for id := int64(2); id <= int64(n); id += 2 {
		ids = append(ids, id)
	}
	matched, err = batch.UpdateKeys(ctx, db.Model(&Product{}), ids, map[string]any{"active": false})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "2. deactivated %d products by key list\n", matched)

	// 3. New price and stock for every product, set-based, and the same
	// change with GORM's per-row Updates on a sample for comparison.
	rows := make([]Product, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = Product{ID: id, PriceCts: 1000 + id%500, Stock: id % 37}
	}
	start := time.Now()
	res, err := batch.UpdateRows(ctx, db, rows, []string{"price_cts", "stock"})
	if err != nil {
		return err
	}
	bulk := time.Since(start)
	sample = min(sample, n)
	start = time.Now()
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range rows[:sample] {
			if err := tx.Model(&Product{ID: r.ID}).Updates(map[string]any{"price_cts": r.PriceCts + 1, "stock": r.Stock}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	perRow := time.Since(start)
	bulkRate := float64(res.Matched) / bulk.Seconds()
	rowRate := float64(sample) / perRow.Seconds()
	fmt.Fprintf(out, "3. UpdateRows wrote %d rows in %d statements (%d missing)\n", res.Matched, res.Statements, res.Missing)
	fmt.Fprintf(out, "   set-based: %.0f rows/s; per-row Updates in one transaction: %.0f rows/s (%.0fx)\n",
		bulkRate, rowRate, bulkRate/rowRate)

	// 4. Optimistic locking: product 3 changed since it was read at version 1.
	if err := db.WithContext(ctx).Model(&Product{}).Where("id = ?", 3).Update("version", 2).Error; err != nil {
		return err
	}
	res, err = batch.UpdateRows(ctx, db, []Product{{ID: 1, Stock: 5, Version: 1}, {ID: 3, Stock: 5, Version: 1}, {ID: int64(n) + 1, Version: 1}},
		[]string{"stock"}, batch.CheckVersion("Version"), batch.ListMissing())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "4. version check: %d written, conflicts %v, missing %v (never inserted)\n", res.Matched, res.Conflicts, res.MissingKeys)
	var count int64
	if err := db.WithContext(ctx).Model(&Product{}).Count(&count).Error; err != nil {
		return err
	}
	if count != int64(n) {
		return fmt.Errorf("table holds %d products, want %d", count, n)
	}
	return nil
}

func seed(ctx context.Context, db *gorm.DB, n int) error {
	db = db.WithContext(ctx)
	if err := db.Migrator().DropTable(&Product{}); err != nil {
		return err
	}
	if err := db.AutoMigrate(&Product{}); err != nil {
		return err
	}
	categories := []string{"books", "games", "music", "tools"}
	batchRows := make([]Product, 0, 250)
	for id := 1; id <= n; id++ {
		batchRows = append(batchRows, Product{ID: int64(id), SKU: fmt.Sprintf("SKU-%06d", id), Category: categories[id%4],
			PriceCts: 1000, Stock: 10, Active: true, Version: 1})
		if len(batchRows) == cap(batchRows) || id == n {
			if err := db.Create(&batchRows).Error; err != nil {
				return err
			}
			batchRows = batchRows[:0]
		}
	}
	return nil
}
