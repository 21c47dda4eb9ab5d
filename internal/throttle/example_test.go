package throttle_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/throttle"
)

// A Sizer aims each chunk at a target duration: fast chunks grow it by at
// most 20% a step, a slow one shrinks it by at most 30%.
func ExampleSizer() {
	sizer, err := throttle.NewSizer(throttle.SizerConfig{Target: 500 * time.Millisecond, Initial: 1000})
	if err != nil {
		panic(err)
	}
	fmt.Println(sizer.Observe(1000, 100*time.Millisecond)) // 0.1 ms a row: grow
	fmt.Println(sizer.Observe(1200, 120*time.Millisecond))
	fmt.Println(sizer.Observe(1440, 1440*time.Millisecond)) // one chunk at 1 ms a row: the median holds
	// Output:
	// 1200
	// 1440
	// 1728
}

// A caller-supplied check holds the run; the waiter polls until it lets go.
func ExampleWaiter() {
	queue := 3 // a queue that drains by one per poll
	w := &throttle.Waiter{
		Checks: []throttle.Check{throttle.CheckFunc(func(context.Context) (throttle.Hold, error) {
			if queue == 0 {
				return throttle.Hold{}, nil
			}
			queue--
			return throttle.Hold{Held: true, Reason: fmt.Sprintf("queue holds %d jobs", queue+1)}, nil
		})},
		Poll:   time.Millisecond,
		OnHold: func(w throttle.Waiting) { fmt.Printf("poll %d: %s\n", w.Polls, w.Reason) },
	}
	if _, err := w.Wait(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println("go on")
	// Output:
	// poll 1: queue holds 3 jobs
	// poll 2: queue holds 2 jobs
	// poll 3: queue holds 1 jobs
	// go on
}

// A run held longer than MaxHold fails with a *HeldError.
func ExampleHeldError() {
	w := &throttle.Waiter{
		Checks: []throttle.Check{throttle.CheckFunc(func(context.Context) (throttle.Hold, error) {
			return throttle.Hold{Held: true, Reason: "replica is 3 GB behind"}, nil
		})},
		Poll:    time.Millisecond,
		MaxHold: 5 * time.Millisecond,
	}
	_, err := w.Wait(context.Background())
	var held *throttle.HeldError
	if errors.As(err, &held) {
		fmt.Println(held.Reason, held.Limit)
	}
	// Output:
	// replica is 3 GB behind 5ms
}

// Another process pauses a run by name; the run's PauseFlag holds it between
// chunks until Resume.
func ExamplePause() {
	db := dbtest.Memory()
	ctx := context.Background()
	flag := throttle.PauseFlag{DB: db, Name: "backfill-orders"}

	if err := throttle.Pause(ctx, db, "backfill-orders"); err != nil {
		panic(err)
	}
	h, _ := flag.Check(ctx)
	fmt.Println(h.Held, h.Reason)

	if err := throttle.Resume(ctx, db, "backfill-orders"); err != nil {
		panic(err)
	}
	h, _ = flag.Check(ctx)
	fmt.Println(h.Held)
	// Output:
	// true run "backfill-orders" is paused; throttle.Resume releases it
	// false
}

// A run on a PostgreSQL primary held while a streaming replica has more
// than 64 MB of WAL to replay, or while no replica is connected, for at most
// an hour; holds are logged through GORM's logger.
func ExamplePostgresReplicas() {
	run := func(ctx context.Context, primary *gorm.DB) error {
		w := &throttle.Waiter{
			Checks:  []throttle.Check{&throttle.PostgresReplicas{DB: primary, MaxBytes: 64 << 20, MinReplicas: 1}},
			MaxHold: time.Hour,
			Logger:  primary.Logger,
		}
		for range 10 {
			if _, err := w.Wait(ctx); err != nil {
				return err
			}
			// ... write one chunk ...
		}
		return nil
	}
	_ = run
}
