package index_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Order is the model of the examples. Its table is created without indexes
// by openExample, as a migration that predates the tags would have.
type Order struct {
	ID        int64     `gorm:"primaryKey"`
	Number    string    `gorm:"size:32;uniqueIndex"`
	Status    string    `gorm:"size:16;index:idx_orders_status_created,priority:1"`
	CreatedAt time.Time `gorm:"index:idx_orders_status_created,priority:2,sort:desc"`
	Total     int64
	Paid      bool
}

// openExample opens SQLite in a temporary directory with an orders table.
func openExample() (*gorm.DB, func()) {
	db, done := dbtest.TempFile()
	err := db.Exec(`CREATE TABLE orders (id integer PRIMARY KEY, number text, status text,
		created_at datetime, total integer, paid numeric)`).Error
	if err != nil {
		panic(err)
	}
	return db, done
}

func ExampleEnsure() {
	db, done := openExample()
	defer done()
	ctx := context.Background()

	report, err := index.Ensure(ctx, db, []any{&Order{}})
	if err != nil {
		panic(err)
	}
	fmt.Print(report)

	// A second run finds everything in place and issues no DDL.
	report, err = index.Ensure(ctx, db, []any{&Order{}})
	if err != nil {
		panic(err)
	}
	fmt.Print(report)
	// Output:
	// orders.idx_orders_number: created
	// orders.idx_orders_status_created: created
	// orders.idx_orders_number: present
	// orders.idx_orders_status_created: present
}

func ExampleDiff() {
	db, done := openExample()
	defer done()
	ctx := context.Background()

	// Someone created the composite index without its DESC.
	db.Exec("CREATE INDEX idx_orders_status_created ON orders (status, created_at)")

	report, err := index.Diff(ctx, db, []any{&Order{}})
	if err != nil {
		panic(err)
	}
	fmt.Print(report)
	// Output:
	// orders.idx_orders_number: missing
	// orders.idx_orders_status_created: drifted (sort: want status ASC, created_at DESC, got status ASC, created_at ASC)
}

func ExampleRepair() {
	db, done := openExample()
	defer done()
	ctx := context.Background()
	db.Exec("CREATE INDEX idx_orders_status_created ON orders (status)")

	report, err := index.Ensure(ctx, db, []any{&Order{}}, index.Repair())
	if err != nil {
		panic(err)
	}
	for _, ix := range report.Indexes {
		fmt.Println(ix.Name, ix.Status, ix.Differences)
	}
	// Output:
	// idx_orders_number created []
	// idx_orders_status_created repaired [columns: want status, created_at, got status]
}

func ExampleOn() {
	db, done := openExample()
	defer done()
	ctx := context.Background()

	// Indexes for a model whose tags you cannot change: a partial index of
	// unpaid orders by total, created through the same GORM Migrator path.
	unpaid := index.On(&Order{}, index.Def{
		Name:    "idx_orders_unpaid_total",
		Keys:    []index.Key{{Column: "total", Desc: true}},
		Where:   "paid = false",
		Comment: "dashboard",
	})
	report, err := index.Ensure(ctx, db, []any{unpaid})
	if err != nil {
		panic(err)
	}
	ix := report.Indexes[0]
	fmt.Println(ix.Name, ix.Status, ix.Source)
	fmt.Println(ix.Warnings)
	// Output:
	// idx_orders_unpaid_total created code
	// [comment left out: only MySQL and MariaDB store index comments]
}

func ExampleCovers() {
	db, done := openExample()
	defer done()
	ctx := context.Background()

	before, err := index.Covers(ctx, db, &Order{}, "status", "created_at")
	if err != nil {
		panic(err)
	}
	if _, err := index.Ensure(ctx, db, []any{&Order{}}); err != nil {
		panic(err)
	}
	after, err := index.Covers(ctx, db, &Order{}, "status", "created_at")
	if err != nil {
		panic(err)
	}
	byKey, err := index.Covers(ctx, db, &Order{}, "id")
	if err != nil {
		panic(err)
	}
	fmt.Println(before, after, byKey)
	// Output: false true true
}

func ExampleAdvise() {
	db, done := openExample()
	defer done()
	ctx := context.Background()

	for _, columns := range [][]string{{"id"}, {"status"}, {"paid", "id"}} {
		advice, err := index.Advise(ctx, db, &Order{}, columns...)
		if err != nil {
			panic(err)
		}
		fmt.Println(advice)
	}
	// Output:
	// orders (id): covered by PRIMARY KEY
	// orders (status): not covered; declared index idx_orders_status_created would cover it: run index.Ensure
	// orders (paid, id): not covered; declare index.Def{Name: "idx_orders_paid_id", Columns: ["paid" "id"]}
}

func ExampleConcurrently() {
	db, done := openExample()
	defer done()

	// On PostgreSQL the indexes are built with CREATE INDEX CONCURRENTLY,
	// which does not block writes, and db must not be a transaction. Other
	// databases ignore the option.
	report, err := index.Ensure(context.Background(), db, []any{&Order{}}, index.Concurrently())
	if err != nil {
		panic(err)
	}
	fmt.Println(report.Count(index.Created), "created")
	// Output: 2 created
}

func ExampleReport_Find() {
	db, done := openExample()
	defer done()
	db.Exec("CREATE UNIQUE INDEX idx_orders_status_created ON orders (status, created_at DESC)")

	report, err := index.Diff(context.Background(), db, []any{&Order{}})
	if err != nil {
		panic(err)
	}
	ix, _ := report.Find("orders", "idx_orders_status_created")
	fmt.Println(ix.Status, ix.Differences)
	// Output: drifted [unique: want false, got true]
}
