package chunk_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
)

// exampleAccount is the model of the Run examples.
type exampleAccount struct {
	ID      int64 `gorm:"primaryKey"`
	Status  string
	Balance int64
}

// openRunExample opens an in-memory SQLite database with ten accounts, every
// other one active.
func openRunExample() *gorm.DB {
	db := dbtest.Memory(&exampleAccount{})
	for i := 1; i <= 10; i++ {
		status := map[bool]string{true: "active", false: "closed"}[i%2 == 1]
		if err := db.Create(&exampleAccount{ID: int64(i), Status: status, Balance: 100}).Error; err != nil {
			panic(err)
		}
	}
	return db
}

func ExampleRun() {
	ctx := context.Background()
	db := openRunExample()

	// Credit every active account 5, two accounts per transaction. The
	// checkpoint advances with each chunk, so a crash resumes where it stopped.
	rep, err := chunk.Run(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"),
		func(tx *gorm.DB, part []exampleAccount) error {
			ids := make([]int64, len(part))
			for i, a := range part {
				ids[i] = a.ID
			}
			return tx.Model(&exampleAccount{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + 5")).Error
		},
		chunk.Size(2), chunk.Checkpoint("credit-2026-11"), chunk.CountTotal(),
		chunk.OnProgress(func(p chunk.Progress) { fmt.Printf("%d/%d rows\n", p.Done, p.Total) }))
	if err != nil {
		panic(err)
	}
	fmt.Println("rows:", rep.Rows, "chunks:", rep.Chunks, "last key:", rep.LastKey)

	// The checkpoint is done: running again does nothing.
	again, err := chunk.Run(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"),
		func(*gorm.DB, []exampleAccount) error { panic("not called") }, chunk.Checkpoint("credit-2026-11"))
	fmt.Println("already done:", again.AlreadyDone, err)

	var total int64
	db.Model(&exampleAccount{}).Select("SUM(balance)").Scan(&total)
	fmt.Println("total balance:", total)
	// Output:
	// 2/5 rows
	// 4/5 rows
	// 5/5 rows
	// rows: 5 chunks: 3 last key: [9]
	// already done: true <nil>
	// total balance: 1025
}

func ExampleCheckpoint() {
	ctx := context.Background()
	db := openRunExample()
	work := func(tx *gorm.DB, part []exampleAccount) error {
		for _, a := range part {
			if err := tx.Model(&a).Update("balance", gorm.Expr("balance * 2")).Error; err != nil {
				return err
			}
		}
		return nil
	}

	// The first run fails in its third chunk: the chunk rolls back, the two
	// before it stay committed.
	failing := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
		if c.Index == 2 {
			return errors.New("lost the connection")
		}
		return nil
	}}
	_, err := chunk.Run(ctx, db, work, chunk.Size(4), chunk.Checkpoint("double"), chunk.Hooks(failing))
	fmt.Println(err)

	// Running again with the same checkpoint does the remaining rows once.
	rep, err := chunk.Run(ctx, db, work, chunk.Size(4), chunk.Checkpoint("double"))
	fmt.Println("resumed:", rep.Resumed, "rows:", rep.Rows, "done in all:", rep.RowsDone, err)

	var balances []int64
	db.Model(&exampleAccount{}).Order("id").Pluck("balance", &balances)
	fmt.Println(balances)
	// Output:
	// chunk: chunk 2 failed; 8 rows committed; checkpoint "double" resumes after key [8]: lost the connection
	// resumed: true rows: 2 done in all: 10 <nil>
	// [200 200 200 200 200 200 200 200 200 200]
}

func ExampleLock() {
	ctx := context.Background()
	db := openRunExample()
	// Workers sharing a queue take each chunk FOR UPDATE SKIP LOCKED; SQLite,
	// which has no row locks, refuses the mode before touching a row.
	_, err := chunk.Run(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"),
		func(*gorm.DB, []exampleAccount) error { return nil }, chunk.Lock(lock.SkipLocked))
	fmt.Println(errors.Is(err, chunk.ErrLockUnsupported))
	// Output:
	// true
}

func ExampleRanges() {
	ctx := context.Background()
	db := openRunExample()
	// Set-based work per chunk: only each chunk's row count and last key are
	// read; one UPDATE then covers the chunk.
	rep, err := chunk.Ranges(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"),
		func(rows *gorm.DB, r chunk.Range) error {
			fmt.Printf("chunk %d: after %v up to %v, %d rows\n", r.Index, r.After, r.Last, r.Rows)
			return rows.Update("balance", gorm.Expr("balance * 2")).Error
		}, chunk.Size(3), chunk.Checkpoint("double-active"))
	if err != nil {
		panic(err)
	}
	fmt.Println("rows:", rep.Rows)
	// Output:
	// chunk 0: after [] up to [5], 3 rows
	// chunk 1: after [5] up to [9], 2 rows
	// rows: 5
}

func ExampleDeleteCheckpoint() {
	ctx := context.Background()
	db := openRunExample()
	count := func(tx *gorm.DB, part []exampleAccount) error { return nil }
	first, _ := chunk.Run(ctx, db, count, chunk.Checkpoint("audit"))
	again, _ := chunk.Run(ctx, db, count, chunk.Checkpoint("audit"))
	// Forget the checkpoint: the next run of the name starts from the first row.
	if err := chunk.DeleteCheckpoint(ctx, db, "audit"); err != nil {
		panic(err)
	}
	fresh, _ := chunk.Run(ctx, db, count, chunk.Checkpoint("audit"))
	fmt.Println(first.Rows, again.AlreadyDone, fresh.Rows)
	// Output:
	// 10 true 10
}

func ExampleWorkers() {
	ctx := context.Background()
	db := openRunExample()
	// Two workers split the ten accounts into two key ranges, each with its
	// own transactions and checkpoint (SQLite has one writer, so here they
	// take turns; on a server they run in parallel).
	rep, err := chunk.Run(ctx, db.Model(&exampleAccount{}), func(tx *gorm.DB, part []exampleAccount) error {
		ids := make([]int64, len(part))
		for i, a := range part {
			ids[i] = a.ID
		}
		return tx.Model(&exampleAccount{}).Where("id IN ?", ids).Update("balance", gorm.Expr("balance + 1")).Error
	}, chunk.Workers(2), chunk.Size(2), chunk.Checkpoint("bump"))
	if err != nil {
		panic(err)
	}
	var names []string
	db.Table(chunk.CheckpointTable).Order("name").Pluck("name", &names)
	var total int64
	db.Model(&exampleAccount{}).Select("SUM(balance)").Scan(&total)
	fmt.Println("rows:", rep.Rows, "checkpoints:", names, "total balance:", total)
	// Output:
	// rows: 10 checkpoints: [bump bump/1-of-2 bump/2-of-2] total balance: 1010
}

func ExampleOrderBy() {
	ctx := context.Background()
	db := openRunExample()

	// Page by balance, highest first; the primary key, appended ascending,
	// breaks ties so that the ordering is unique.
	db.Exec("UPDATE example_accounts SET balance = id * 10 WHERE id > 6")
	rep, err := chunk.Run(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"),
		func(tx *gorm.DB, part []exampleAccount) error {
			fmt.Print("chunk:")
			for _, a := range part {
				fmt.Printf(" %d=%d", a.ID, a.Balance)
			}
			fmt.Println()
			return nil
		}, chunk.OrderBy("balance DESC"), chunk.Size(2))
	fmt.Println(rep.Rows, rep.LastKey, err)
	// Output:
	// chunk: 1=100 3=100
	// chunk: 5=100 9=90
	// chunk: 7=70
	// 5 [70 7] <nil>
}
