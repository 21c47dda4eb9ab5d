// Package throttle holds the building blocks that keep a chunked run polite
// on a production database: a Sizer that adapts the chunk size to a target
// chunk time, Checks that read replica lag, Galera flow control or a pause
// flag from the live servers, and a Waiter that holds the run between chunks
// while any check holds.
//
// A chunk driver uses them in a few lines:
//
//	sizer, err := throttle.NewSizer(throttle.SizerConfig{Target: 500 * time.Millisecond})
//	w := &throttle.Waiter{Checks: []throttle.Check{
//		&throttle.PostgresReplicas{DB: db, MaxBytes: 16 << 20},
//		throttle.PauseFlag{DB: db, Name: "backfill-2026-12"},
//	}, Logger: db.Logger}
//	for {
//		if _, err := w.Wait(ctx); err != nil {
//			return err // *HeldError after MaxHold, *CheckError if a check cannot read
//		}
//		start := time.Now()
//		rows, err := runChunk(ctx, sizer.Size())
//		...
//		sizer.Observe(rows, time.Since(start))
//	}
//
// Another process pauses and resumes the run with Pause and Resume on the
// same database.
package throttle
