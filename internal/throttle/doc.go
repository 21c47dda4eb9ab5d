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
//
// The built-in checks read, each on the server it is given:
//
//	PostgresReplicas   the primary's pg_stat_replication (WAL bytes, replay_lag)
//	PostgresStandby    a standby's received-but-not-replayed WAL and replay delay
//	MySQLReplicaLag    SHOW REPLICA STATUS on a MySQL/MariaDB replica
//	GaleraFlowControl  a Galera node's wsrep status (flow control, receive queue)
//	PauseFlag          the run's row in ControlTable
//
// A check that cannot read its server fails the wait (fail closed) with a
// *CheckError; one given the wrong kind of server fails with ErrWrongDialect,
// ErrNotReplica or ErrNotPrimary.
package throttle
