package txn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// fuzzMaxCalls ends a fuzzed run that would otherwise make more attempts
// than a test should: the attempt with this number succeeds.
const fuzzMaxCalls = 500

// FuzzRunTx runs RunTx with fuzzed policies, attempt durations, jitter and
// ctx deadlines on a fake clock, against SQLite as the oracle of what was
// committed: exactly one increment when RunTx returns nil, none otherwise;
// a negative field is refused before anything runs; no attempt starts at or
// past the budget's end; MaxAttempts is never exceeded; every pause is
// within its ceiling; and RunTx stops retrying only for a reason.
func FuzzRunTx(f *testing.F) {
	f.Add(int64(0), 0, int64(0), int64(0), int64(10), uint8(255), uint16(0), uint16(0))         // zero policy, never succeeds
	f.Add(int64(0), 0, int64(0), int64(0), int64(1), uint8(128), uint16(13), uint16(0))         // succeeds at 13
	f.Add(int64(5000), 3, int64(1000), int64(1000), int64(0), uint8(255), uint16(0), uint16(0)) // MaxAttempts first
	f.Add(int64(3600000), 0, int64(1000), int64(1000), int64(0), uint8(255), uint16(0), uint16(4))
	f.Add(int64(-1), 0, int64(0), int64(0), int64(0), uint8(0), uint16(0), uint16(0))
	f.Add(int64(0), -2, int64(0), int64(0), int64(0), uint8(0), uint16(0), uint16(0))
	f.Add(int64(0), 0, int64(-5), int64(0), int64(0), uint8(0), uint16(0), uint16(0))
	f.Add(int64(0), 0, int64(0), int64(-5), int64(0), uint8(0), uint16(0), uint16(0))
	f.Add(int64(1), 1, int64(1), int64(1), int64(0), uint8(0), uint16(1), uint16(1))
	db := dbtest.Open(f, dbtest.SQLite)
	dbtest.Migrate(f, db, &counter{})
	dbtest.Seed(f, db.DB, []counter{{ID: 1}})
	f.Fuzz(func(t *testing.T, elapsedMs int64, maxAttempts int, baseMs, maxMs, attemptMs int64, jitter uint8, succeedAt, deadlineMin uint16) {
		fc := newFakeClock()
		fc.jitterFrac = jitter
		p := RetryPolicy{
			MaxElapsed:  time.Duration(elapsedMs) * time.Millisecond,
			MaxAttempts: maxAttempts,
			BaseDelay:   time.Duration(baseMs) * time.Millisecond,
			MaxDelay:    time.Duration(maxMs) * time.Millisecond,
			clock:       fc.clock(),
		}
		if elapsedMs > int64(1<<40) || elapsedMs < -int64(1<<40) || baseMs > 1<<40 || baseMs < -(1<<40) || maxMs > 1<<40 || maxMs < -(1<<40) {
			t.Skip("durations beyond ±35 years overflow time.Duration")
		}
		if attemptMs < 0 || attemptMs > 1<<30 {
			attemptMs = 0
		}
		attemptTime := time.Duration(attemptMs) * time.Millisecond
		win := int(succeedAt)
		if win == 0 || win > fuzzMaxCalls {
			win = fuzzMaxCalls
		}
		ctx := context.Background()
		start := fc.now
		end := start.Add(p.maxElapsed())
		if deadlineMin > 0 {
			// Minutes away on the wall clock, so ctx never expires for real
			// during the run: only RunTx's arithmetic on the fake clock
			// reaches it.
			d := start.Add(time.Duration(deadlineMin) * time.Minute)
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, d)
			defer cancel()
			if d.Before(end) {
				end = d
			}
		}
		before := valueOf(t, db.DB, 1)
		var starts []time.Time
		attempts, err := RunTx(ctx, db.DB, p, func(tx *gorm.DB) error {
			starts = append(starts, fc.now)
			fc.now = fc.now.Add(attemptTime)
			if err := increment(tx, 1); err != nil {
				return err
			}
			if len(starts) == win {
				return nil
			}
			return deadlock
		})
		committed := valueOf(t, db.DB, 1) - before

		if p.Validate() != nil {
			if !errors.Is(err, ErrBadPolicy) || attempts != 0 || len(starts) != 0 || committed != 0 {
				t.Fatalf("invalid policy %+v: RunTx = %d, %v; %d calls, %d committed; want ErrBadPolicy and nothing run", p, attempts, err, len(starts), committed)
			}
			return
		}
		if attempts != len(starts) || attempts < 1 {
			t.Fatalf("RunTx reported %d attempts, fn ran %d times", attempts, len(starts))
		}
		switch {
		case err == nil && committed != 1, err != nil && committed != 0:
			t.Fatalf("RunTx = %v but %d increments committed", err, committed)
		case err == nil && attempts != win:
			t.Fatalf("success after %d attempts, want %d", attempts, win)
		case err != nil && !errors.Is(err, deadlock):
			t.Fatalf("RunTx = %v, want nil or the deadlock", err)
		case maxAttempts > 0 && attempts > maxAttempts:
			t.Fatalf("%d attempts, MaxAttempts %d", attempts, maxAttempts)
		}
		for i, s := range starts[1:] {
			if !s.Before(end) {
				t.Fatalf("attempt %d started %v after the budget's end", i+2, s.Sub(end))
			}
		}
		for k, pause := range fc.pauses {
			if c := p.Ceiling(k + 1); pause < 0 || pause > c {
				t.Fatalf("pause %d = %v, want within [0, %v]", k+1, pause, c)
			}
		}
		if err != nil && attempts != maxAttempts {
			// Stopped for the budget: the pause it declined ended at or past
			// the end.
			if len(fc.ceilings) != attempts {
				t.Fatalf("%d attempts, %d pauses drawn; want one declined pause after the last", attempts, len(fc.ceilings))
			}
			if declined := fc.jittered(fc.ceilings[attempts-1]); fc.now.Add(declined).Before(end) {
				t.Fatalf("stopped after %d attempts with a %v pause that ended before the budget", attempts, declined)
			}
		}
	})
}
