package chunk_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gormup/gormup/chunk"
	"gorm.io/gorm"
)

// creditClosed is the work of the pacing examples: +1 on every row of the
// chunk's range.
func creditClosed(rows *gorm.DB, _ chunk.Range) error {
	return rows.Update("balance", gorm.Expr("balance + 1")).Error
}

func ExampleTargetChunkTime() {
	ctx := context.Background()
	db := openRunExample()

	// Start with chunks of 2 rows and let the size follow the time each
	// chunk takes, aiming at 200ms per chunk's transaction.
	rep, err := chunk.Ranges(ctx, db.Model(&exampleAccount{}).Where("status = ?", "closed"), creditClosed,
		chunk.Size(2), chunk.TargetChunkTime(200*time.Millisecond))
	fmt.Println("rows:", rep.Rows, err)
	// Output: rows: 5 <nil>
}

func ExampleThrottle() {
	ctx := context.Background()
	db := openRunExample()

	// A caller-supplied check: hold while a (here simulated) queue is long.
	// Built-in checks read replica lag and Galera flow control, e.g.
	// &chunk.PostgresReplicas{DB: primary, MaxBytes: 16 << 20}.
	queue := 0
	busy := chunk.CheckFunc(func(context.Context) (chunk.Hold, error) {
		if queue > 100 {
			return chunk.Hold{Held: true, Reason: fmt.Sprintf("queue at %d, limit 100", queue)}, nil
		}
		return chunk.Hold{}, nil
	})
	rep, err := chunk.Ranges(ctx, db.Model(&exampleAccount{}).Where("status = ?", "closed"), creditClosed,
		chunk.Size(2), chunk.Throttle(busy), chunk.MaxHold(time.Minute),
		chunk.Hooks(chunk.Callbacks{OnHold: func(_ context.Context, c chunk.Info, reason string, held time.Duration) {
			fmt.Println("held before chunk", c.Index, "because", reason)
		}}))
	fmt.Println("rows:", rep.Rows, err)
	// Output: rows: 5 <nil>
}

func ExampleMaxHold() {
	ctx := context.Background()
	db := openRunExample()

	lagging := chunk.CheckFunc(func(context.Context) (chunk.Hold, error) {
		return chunk.Hold{Held: true, Reason: "replica 30s behind, limit 5s"}, nil
	})
	_, err := chunk.Ranges(ctx, db.Model(&exampleAccount{}).Where("status = ?", "closed"), creditClosed,
		chunk.Checkpoint("held"), chunk.Throttle(lagging), chunk.MaxHold(time.Millisecond))
	var held *chunk.HeldError
	fmt.Println(errors.Is(err, chunk.ErrHeldTooLong), errors.As(err, &held) && held.Reason == "replica 30s behind, limit 5s")
	// Output: true true
}

func ExamplePause() {
	ctx := context.Background()
	db := openRunExample()

	// Another process (here: the same one) pauses the run "nightly"; a
	// throttled run with that checkpoint holds between chunks until Resume.
	if err := chunk.Pause(ctx, db, "nightly"); err != nil {
		panic(err)
	}
	paused, _ := chunk.Paused(ctx, db, "nightly")
	fmt.Println("paused:", paused)
	rep, err := chunk.Ranges(ctx, db.Model(&exampleAccount{}).Where("status = ?", "closed"), creditClosed,
		chunk.Size(2), chunk.Checkpoint("nightly"), chunk.Throttle(),
		chunk.Hooks(chunk.Callbacks{OnHold: func(ctx context.Context, c chunk.Info, reason string, _ time.Duration) {
			fmt.Println("held:", reason != "")
			if err := chunk.Resume(ctx, db, "nightly"); err != nil {
				panic(err)
			}
		}}))
	fmt.Println("rows:", rep.Rows, err)
	// Output:
	// paused: true
	// held: true
	// rows: 5 <nil>
}

func ExamplePurge() {
	ctx := context.Background()
	db := openRunExample()

	// Delete the closed accounts, 2 per transaction, resumable by name.
	rep, err := chunk.Purge(ctx, db.Model(&exampleAccount{}).Where("status = ?", "closed"),
		chunk.Size(2), chunk.Checkpoint("purge-closed"))
	fmt.Println("deleted:", rep.Rows, err)

	// Without a condition, Purge refuses.
	_, err = chunk.Purge(ctx, db.Model(&exampleAccount{}))
	fmt.Println(errors.Is(err, chunk.ErrNoCondition))

	var left int64
	db.Model(&exampleAccount{}).Count(&left)
	fmt.Println("left:", left)
	// Output:
	// deleted: 5 <nil>
	// true
	// left: 5
}

func ExampleMaxRows() {
	ctx := context.Background()
	db := openRunExample()

	_, err := chunk.Purge(ctx, db.Model(&exampleAccount{}).Where("balance >= ?", 0), chunk.MaxRows(3))
	fmt.Println(errors.Is(err, chunk.ErrTooManyRows), err)
	// Output: true chunk: 10 rows match, MaxRows allows 3
}

func ExampleAllowAll() {
	ctx := context.Background()
	db := openRunExample()

	rep, err := chunk.Purge(ctx, db.Model(&exampleAccount{}), chunk.AllowAll(), chunk.Size(4))
	fmt.Println("deleted:", rep.Rows, err)
	// Output: deleted: 10 <nil>
}

func ExamplePlan() {
	ctx := context.Background()
	db := openRunExample()

	p, err := chunk.Plan(ctx, db.Model(&exampleAccount{}).Where("status = ?", "active"), chunk.Size(2))
	if err != nil {
		panic(err)
	}
	fmt.Println("matching:", p.Matching, "chunks:", p.Chunks, "indexed:", p.Indexed)
	for _, r := range p.Ranges {
		fmt.Println("after", r.After, "up to", r.Last, "rows", r.Rows)
	}
	// Output:
	// matching: 5 chunks: 3 indexed: true
	// after [] up to [3] rows 2
	// after [3] up to [7] rows 2
	// after [7] up to [9] rows 1
}

func ExampleDryRun() {
	ctx := context.Background()
	db := openRunExample()

	rep, err := chunk.Purge(ctx, db.Model(&exampleAccount{}).Where("status = ?", "closed"), chunk.Size(2), chunk.DryRun())
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Plan.FirstSQL)
	var left int64
	db.Model(&exampleAccount{}).Count(&left)
	fmt.Println("left:", left)
	// Output:
	// DELETE FROM `example_accounts` WHERE (status = "closed") AND `example_accounts`.`id` <= 4
	// left: 10
}

// Conditions written for gorm.G — func(*gorm.Statement) scopes, what
// gorm.G[T](db).Scopes takes — go to Run, Ranges and Purge with Scopes.
func ExampleScopes() {
	ctx := context.Background()
	db := openRunExample()
	closed := func(s *gorm.Statement) { s.Where("status = ?", "closed") }

	rep, err := chunk.Purge(ctx, db.Model(&exampleAccount{}), chunk.Size(2), chunk.Scopes(closed))
	fmt.Println("deleted:", rep.Rows, err)

	var left int64
	db.Model(&exampleAccount{}).Count(&left)
	fmt.Println("left:", left)
	// Output:
	// deleted: 5 <nil>
	// left: 5
}
