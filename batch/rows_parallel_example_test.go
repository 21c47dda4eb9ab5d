package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
)

func ExampleWorkers() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openCustomers()

	rows := []Customer{{ID: 6, Balance: 60}, {ID: 5, Balance: 50}, {ID: 4, Balance: 40}, {ID: 3, Balance: 30}}
	// Chunks of 2 rows in key order (3, 4 | 5, 6), each committed on its
	// own; the call is cancelled once the first one has committed.
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.Workers(4), batch.Size(2),
		batch.OnProgress(func(chunk.Progress) { cancel() }))
	var partial *batch.PartialError
	if errors.As(err, &partial) {
		fmt.Println("committed", partial.Committed, "rolled back", partial.RolledBack, "not started", partial.NotStarted)
	}
	fmt.Println(res.Matched, errors.Is(err, context.Canceled))
	printCustomers(db)
	// Output:
	// committed [2 3] rolled back [] not started [0 1]
	// 2 true
	// 1 trial 100 v1
	// 2 active 100 v1
	// 3 trial 30 v1
	// 4 active 40 v1
	// 5 trial 100 v1
	// 6 active 100 v1
}
