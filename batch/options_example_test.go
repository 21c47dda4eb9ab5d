package batch_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
)

func ExampleSize() {
	ctx := context.Background()
	db := openCustomers()

	// Two keys per statement; without CommitEach all statements commit
	// together.
	rows := []Customer{{ID: 1, Balance: 1}, {ID: 2, Balance: 2}, {ID: 3, Balance: 3}, {ID: 4, Balance: 4}, {ID: 5, Balance: 5}}
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.Size(2))
	fmt.Println(res.Matched, res.Statements, err)
	// Output:
	// 5 3 <nil>
}

func ExampleMaxRows() {
	ctx := context.Background()
	db := openCustomers()

	// Three trial customers match: more than 2, so nothing is written.
	_, err := batch.Update(ctx, db.Model(&Customer{}).Where("status = ?", "trial"), map[string]any{"balance": 0}, batch.MaxRows(2))
	var tooMany *batch.TooManyRowsError
	if errors.As(err, &tooMany) {
		fmt.Println(tooMany.Matched, "rows match, limit", tooMany.Max)
	}
	printCustomers(db)
	// Output:
	// 3 rows match, limit 2
	// 1 trial 100 v1
	// 2 active 100 v1
	// 3 trial 100 v1
	// 4 active 100 v1
	// 5 trial 100 v1
	// 6 active 100 v1
}

func ExampleListMissing() {
	ctx := context.Background()
	db := openCustomers()

	rows := []Customer{{ID: 8, Balance: 8}, {ID: 1, Balance: 1}, {ID: 9, Balance: 9}}
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.ListMissing())
	fmt.Println(res.Matched, res.Missing, res.MissingKeys, err)
	// Output:
	// 1 2 [[8] [9]] <nil>
}

func ExampleOnProgress() {
	ctx := context.Background()
	db := openCustomers()

	ids := []int64{1, 2, 3, 4, 5}
	n, err := batch.UpdateKeys(ctx, db.Model(&Customer{}), ids, map[string]any{"status": "closed"},
		batch.Size(2), batch.CommitEach(),
		batch.OnProgress(func(p chunk.Progress) { fmt.Printf("%d chunks, %d rows\n", p.Chunks, p.Done) }))
	fmt.Println(n, err)
	// Output:
	// 1 chunks, 2 rows
	// 2 chunks, 4 rows
	// 3 chunks, 5 rows
	// 5 <nil>
}

func ExampleAttempts() {
	ctx := context.Background()
	db := openCustomers()

	// One attempt: a deadlock or busy error is returned, not retried.
	n, err := batch.Update(ctx, db.Model(&Customer{}).Where("id = ?", 1), map[string]any{"balance": 7}, batch.Attempts(1))
	fmt.Println(n, err)

	// A negative count is refused before any SQL.
	_, err = batch.Update(ctx, db.Model(&Customer{}).Where("id = ?", 1), map[string]any{"balance": 7}, batch.Attempts(-1))
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// batch: invalid option: Attempts is negative; 0 means the default
}

func ExampleRetryBudget() {
	ctx := context.Background()
	db := openCustomers()

	// Retryable failures are retried for at most 2 s after the first
	// attempt began (30 s by default).
	res, err := batch.UpdateRows(ctx, db, []Customer{{ID: 3, Balance: 33}}, []string{"balance"}, batch.RetryBudget(2*time.Second))
	fmt.Println(res.Matched, err)
	// Output:
	// 1 <nil>
}
