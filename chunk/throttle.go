package chunk

import (
	"context"
	"fmt"
	"time"

	"github.com/gormup/gormup/internal/throttle"
	"gorm.io/gorm"
)

// Throttling types, re-exported from gormup's throttle building blocks.
type (
	// Check decides, before each chunk, whether the run may go on; see
	// Throttle. Implementations read live state each call and must be safe
	// for concurrent use; an error fails the run closed.
	Check = throttle.Check
	// CheckFunc adapts a function to a Check.
	CheckFunc = throttle.CheckFunc
	// Hold is a Check's verdict: held or not, why, and for how long at least.
	Hold = throttle.Hold
	// PostgresReplicas holds while a streaming replica of the PostgreSQL
	// primary it reads (pg_stat_replication) lags beyond its limits.
	PostgresReplicas = throttle.PostgresReplicas
	// PostgresStandby holds while the PostgreSQL standby it reads lags.
	PostgresStandby = throttle.PostgresStandby
	// MySQLReplicaLag holds while the MySQL/MariaDB replica it reads lags.
	MySQLReplicaLag = throttle.MySQLReplicaLag
	// GaleraFlowControl holds while the Galera node it reads is in flow
	// control or has a long receive queue.
	GaleraFlowControl = throttle.GaleraFlowControl
	// HeldError is returned, inside a *ChunkError, when the checks held the
	// run longer than MaxHold; errors.Is(err, ErrHeldTooLong) reports it.
	HeldError = throttle.HeldError
)

// ErrHeldTooLong is wrapped by the *HeldError of a run held longer than
// MaxHold. The run stops before the chunk it was waiting for: every earlier
// chunk is committed and the checkpoint points after the last of them, so a
// rerun resumes there.
var ErrHeldTooLong = throttle.ErrHeldTooLong

// ControlTable is the table Pause and Resume write (created on demand).
const ControlTable = throttle.ControlTable

// DefaultTargetChunkTime is the chunk time TargetChunkTime(0) aims at.
const DefaultTargetChunkTime = throttle.DefaultTarget

// DefaultMaxHold is how long Throttle's checks may hold a run before one
// chunk when MaxHold is not given.
const DefaultMaxHold = throttle.DefaultMaxHold

// Pause marks the run name paused, from any process reaching the same
// database: a run whose Checkpoint is name and that was given Throttle then
// holds between chunks until Resume (or fails once held past MaxHold).
// ctx bounds the statements; call it outside a transaction.
func Pause(ctx context.Context, db *gorm.DB, name string) error {
	return throttle.Pause(ctx, db, name)
}

// Resume clears the pause flag of the run name; a held run goes on at its
// next poll. Resuming a run never paused is a no-op.
func Resume(ctx context.Context, db *gorm.DB, name string) error {
	return throttle.Resume(ctx, db, name)
}

// Paused reports whether the run name is paused.
func Paused(ctx context.Context, db *gorm.DB, name string) (bool, error) {
	return throttle.Paused(ctx, db, name)
}

// TargetChunkTime adapts the chunk size so that each chunk's transaction
// takes about d (DefaultTargetChunkTime, 500ms, when d is 0): the first
// chunk has Size rows, and after each chunk the size follows the measured
// time per row (the median of the last chunks, so one slow chunk does not
// collapse it), growing by at most 20% and shrinking by at most 30% per
// chunk, within [1, 100000]. The checkpoint stays exact whatever the size.
// A negative d returns ErrBadOption before anything runs. Run, Ranges and
// Purge.
func TargetChunkTime(d time.Duration) ExecOption {
	return execOption(func(c *runConfig) { c.target, c.adaptive = d, true })
}

// Throttle makes the run ask checks before each chunk, and wait (ctx-aware,
// polling every second or as long as a check asks) while any holds. With a
// Checkpoint, the run's pause flag (Pause) is one of the checks. While held,
// Callbacks.OnHold is called on every poll and the db's GORM logger gets a
// Warn line when the hold begins or its reason changes and an Info line
// when it ends. A check that cannot read its server fails the run (a
// *ChunkError wrapping the check's error); a hold longer than MaxHold fails
// it with a *HeldError. Either way no chunk was begun and the checkpoint is
// clean. Run, Ranges and Purge.
func Throttle(checks ...Check) ExecOption {
	return execOption(func(c *runConfig) { c.throttled, c.checks = true, append(c.checks, checks...) })
}

// MaxHold sets how long Throttle's checks may hold the run before one chunk
// (DefaultMaxHold when 0). A negative d returns ErrBadOption before
// anything runs. Run, Ranges and Purge.
func MaxHold(d time.Duration) ExecOption {
	return execOption(func(c *runConfig) { c.maxHold = d })
}

// pacing is the throttling state of a run: nil fields do nothing.
type pacing struct {
	waiter *throttle.Waiter
	sizer  *throttle.Sizer
}

// newPacing builds the waiter and sizer of cfg on db; name is the run's
// checkpoint name. onHold reports a hold.
func newPacing(cfg runConfig, db *gorm.DB, onHold func(throttle.Waiting)) (pacing, error) {
	var p pacing
	if cfg.adaptive {
		s, err := throttle.NewSizer(throttle.SizerConfig{Target: cfg.target, Min: 1, Initial: cfg.size})
		if err != nil {
			return p, fmt.Errorf("%w: %w", ErrBadOption, err)
		}
		p.sizer = s
	}
	if cfg.throttled {
		checks := append([]Check(nil), cfg.checks...)
		if cfg.checkpoint != "" {
			checks = append(checks, throttle.PauseFlag{DB: db, Name: cfg.checkpoint})
		}
		p.waiter = &throttle.Waiter{Checks: checks, MaxHold: cfg.maxHold, OnHold: onHold, Logger: db.Logger}
	}
	return p, nil
}

// wait holds the run before a chunk while a check holds; it returns how
// long it held.
func (p pacing) wait(ctx context.Context) (time.Duration, error) {
	if p.waiter == nil {
		return 0, nil
	}
	return p.waiter.Wait(ctx)
}

// size returns the next chunk's size, def without TargetChunkTime.
func (p pacing) size(def int) int {
	if p.sizer == nil {
		return def
	}
	return p.sizer.Size()
}

// observe feeds a committed chunk's rows and duration to the sizer.
func (p pacing) observe(rows int, took time.Duration) {
	if p.sizer != nil {
		p.sizer.Observe(rows, took)
	}
}

// held reports a hold of the chunk r is waiting for to the OnHold callbacks.
func (r *runner) held(w throttle.Waiting) {
	for _, h := range r.cfg.hooks {
		h.callOnHold(r.holding.ctx, r.holding.info, w.Reason, w.Held)
	}
}
