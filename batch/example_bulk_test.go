package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/batch"
)

func ExampleBulkLoad() {
	ctx := context.Background()
	db := openCustomers()
	rows := []Customer{{ID: 2, Balance: 250}, {ID: 4, Balance: 40}, {ID: 9, Balance: 1}}

	// PostgreSQL: COPY into a temporary table, then one UPDATE joined to it;
	// MySQL and MariaDB: multi-row INSERTs instead of COPY. SQLite (this
	// example) has no bulk-load path: the default statements run.
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.BulkLoad())
	if errors.Is(err, batch.ErrBulkLoad) {
		// The server refused the temporary table, or db is a transaction on
		// PostgreSQL: nothing was written, and the default path can be.
		res, err = batch.UpdateRows(ctx, db, rows, []string{"balance"})
	}
	fmt.Println(res.Matched, res.Missing, err)
	printCustomers(db)
	// Output:
	// 2 1 <nil>
	// 1 trial 100 v1
	// 2 active 250 v1
	// 3 trial 100 v1
	// 4 active 40 v1
	// 5 trial 100 v1
	// 6 active 100 v1
}
