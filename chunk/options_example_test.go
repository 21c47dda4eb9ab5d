package chunk_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gormup/gormup/chunk"
	"gorm.io/gorm"
)

// noWork is a work function that changes nothing.
func noWork(*gorm.DB, []exampleAccount) error { return nil }

func ExampleSize() {
	ctx := context.Background()
	db := openRunExample()
	// Four rows per chunk: ten rows make three chunks.
	rep, err := chunk.Run(ctx, db, noWork, chunk.Size(4))
	fmt.Println(rep.Rows, rep.Chunks, err)
	// Output:
	// 10 3 <nil>
}

func ExampleRestart() {
	ctx := context.Background()
	db := openRunExample()
	first, _ := chunk.Run(ctx, db, noWork, chunk.Checkpoint("scan"))
	// The checkpoint is done; Restart runs it again from the first row.
	again, err := chunk.Run(ctx, db, noWork, chunk.Checkpoint("scan"), chunk.Restart())
	fmt.Println(first.Rows, again.AlreadyDone, again.Rows, err)
	// Output:
	// 10 false 10 <nil>
}

func ExampleCountTotal() {
	ctx := context.Background()
	db := openRunExample()
	// The total is counted once at the start, so progress has an end.
	_, err := chunk.Run(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"), noWork,
		chunk.Size(3), chunk.CountTotal(),
		chunk.OnProgress(func(p chunk.Progress) { fmt.Printf("%d of %d\n", p.Done, p.Total) }))
	fmt.Println(err)
	// Output:
	// 3 of 5
	// 5 of 5
	// <nil>
}

func ExampleOnProgress() {
	ctx := context.Background()
	db := openRunExample()
	// Without CountTotal the total is -1.
	_, err := chunk.Ranges(ctx, db.Model(&exampleAccount{}), func(rows *gorm.DB, r chunk.Range) error {
		return rows.Update("balance", gorm.Expr("balance + 1")).Error
	}, chunk.Size(4), chunk.OnProgress(func(p chunk.Progress) {
		fmt.Printf("chunk %d: %d rows, total %d\n", p.Chunks, p.Done, p.Total)
	}))
	fmt.Println(err)
	// Output:
	// chunk 1: 4 rows, total -1
	// chunk 2: 8 rows, total -1
	// chunk 3: 10 rows, total -1
	// <nil>
}

func ExampleHooks() {
	ctx := context.Background()
	db := openRunExample()
	logChunks := chunk.Callbacks{AfterCommit: func(ctx context.Context, c chunk.Info) {
		fmt.Printf("chunk %d committed: keys %v..%v\n", c.Index, c.FirstKey, c.LastKey)
	}}
	_, err := chunk.Run(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"), noWork,
		chunk.Size(3), chunk.Hooks(logChunks))
	fmt.Println(err)
	// Output:
	// chunk 0 committed: keys [1]..[5]
	// chunk 1 committed: keys [7]..[9]
	// <nil>
}

func ExampleAttempts() {
	ctx := context.Background()
	db := openRunExample()
	// One attempt per chunk: a deadlock or busy error fails the run at once.
	rep, err := chunk.Run(ctx, db, noWork, chunk.Attempts(1))
	fmt.Println(rep.Rows, err)
	// A negative count is refused before anything runs.
	_, err = chunk.Run(ctx, db, noWork, chunk.Attempts(-1))
	fmt.Println(err)
	// Output:
	// 10 <nil>
	// chunk: invalid option: Attempts is negative; 0 means the default
}

func ExampleRetryBudget() {
	ctx := context.Background()
	db := openRunExample()
	// A chunk failing with retryable errors is rerun for at most 5 s after
	// its first attempt (30 s by default).
	rep, err := chunk.Run(ctx, db, noWork, chunk.RetryBudget(5*time.Second))
	fmt.Println(rep.Rows, err)
	// Output:
	// 10 <nil>
}

func ExamplePaused() {
	ctx := context.Background()
	db := openRunExample()
	before, _ := chunk.Paused(ctx, db, "nightly")
	if err := chunk.Pause(ctx, db, "nightly"); err != nil {
		panic(err)
	}
	during, _ := chunk.Paused(ctx, db, "nightly")
	fmt.Println(before, during)
	// Output:
	// false true
}

func ExampleResume() {
	ctx := context.Background()
	db := openRunExample()
	if err := chunk.Pause(ctx, db, "nightly"); err != nil {
		panic(err)
	}
	// A throttled run of "nightly" would hold now; Resume lets it go on.
	if err := chunk.Resume(ctx, db, "nightly"); err != nil {
		panic(err)
	}
	paused, err := chunk.Paused(ctx, db, "nightly")
	fmt.Println(paused, err)
	// Output:
	// false <nil>
}

func ExampleWorkerOf() {
	ctx := context.Background()
	db := openRunExample()
	// Per-worker state, indexed by the worker's number: each worker writes
	// only its own slot, so no lock is needed.
	rowsBy := make([]int, 2)
	_, err := chunk.Run(ctx, db, func(tx *gorm.DB, part []exampleAccount) error {
		w := chunk.WorkerOf(tx.Statement.Context)
		rowsBy[w] += len(part)
		return nil
	}, chunk.Workers(2), chunk.Size(2))
	fmt.Println(rowsBy, err)
	// Output:
	// [5 5] <nil>
}
