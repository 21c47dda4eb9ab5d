package catalog_test

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/internal/catalog"
	"github.com/gormup/gormup/internal/dbtest"
)

// EstimateRows sizes a dry run's plan from the catalog; SQLite keeps no row
// count, so there it counts.
func ExampleEstimateRows() {
	type Order struct{ ID int64 }
	db := dbtest.Memory(&Order{})
	db.Create(&[]Order{{1}, {2}, {3}})
	est, err := catalog.EstimateRows(context.Background(), db, "orders")
	if err != nil {
		panic(err)
	}
	fmt.Println(est.Rows, est.Exact)
	// Output:
	// 3 true
}
