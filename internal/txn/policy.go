package txn

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"
)

// Defaults of RetryPolicy, shared by every gormup entry point that retries.
const (
	// DefaultMaxElapsed is how long RunTx keeps starting new attempts after
	// its first one began, when RetryPolicy.MaxElapsed is zero. A ctx
	// deadline that comes earlier ends the budget earlier.
	DefaultMaxElapsed = 30 * time.Second
	// DefaultBaseDelay is the backoff ceiling after the first failed attempt;
	// it doubles per failed attempt.
	DefaultBaseDelay = 2 * time.Millisecond
	// DefaultMaxDelay caps the backoff ceiling, which reaches it at the 9th
	// failure in a row: contenders that keep colliding (writers of one row
	// on different Galera nodes) spread out over a wide window.
	DefaultMaxDelay = 500 * time.Millisecond
)

// RetryPolicy bounds RunTx. The zero value is ready to use: attempts without
// a count limit for DefaultMaxElapsed, exponential backoff from
// DefaultBaseDelay capped at DefaultMaxDelay, with full jitter, and
// dialect.Retryable deciding what is retried. A negative field makes RunTx
// return ErrBadPolicy before any transaction begins.
type RetryPolicy struct {
	// MaxElapsed is the time budget: no attempt starts later than MaxElapsed
	// after the first one started, nor after ctx's deadline, and a pause
	// that would end past either is not taken — RunTx returns the last error
	// instead. An attempt that has started runs to its end (ctx still bounds
	// its statements). 0 means DefaultMaxElapsed.
	MaxElapsed time.Duration
	// MaxAttempts is how many times fn runs at most, the first run included:
	// 1 disables retrying and 0 means no limit other than MaxElapsed.
	MaxAttempts int
	// BaseDelay is the backoff ceiling after the first failed attempt; it
	// doubles per failed attempt. 0 means DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps the backoff ceiling; 0 means DefaultMaxDelay. A
	// MaxDelay below BaseDelay caps it too.
	MaxDelay time.Duration
	// Retryable decides whether an error is retried; nil means
	// dialect.Retryable.
	Retryable func(error) bool
	// OnRetry, if set, is called before each pause with the attempt that
	// just failed (1-based) and its error, on RunTx's goroutine.
	OnRetry func(attempt int, err error)
	// TxOptions are passed to each BEGIN; nil uses the database defaults.
	TxOptions *sql.TxOptions

	clock *clock // nil: the wall clock, timers and math/rand
}

// clock is what RunTx asks for the time, to pause and for jitter; tests
// replace it so that no test depends on the wall clock.
type clock struct {
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(ceiling time.Duration) time.Duration // uniform in [0, ceiling]
}

var wallClock = &clock{
	now: time.Now,
	sleep: func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	},
	jitter: func(ceiling time.Duration) time.Duration {
		return time.Duration(rand.Int64N(int64(ceiling) + 1))
	},
}

func (p RetryPolicy) clockOrWall() *clock {
	if p.clock != nil {
		return p.clock
	}
	return wallClock
}

// Validate returns an error wrapping ErrBadPolicy that names the first
// negative field of p, or nil.
func (p RetryPolicy) Validate() error {
	if name := firstNegative([]Field{
		{Name: "MaxElapsed", Value: int64(p.MaxElapsed)},
		{Name: "MaxAttempts", Value: int64(p.MaxAttempts)},
		{Name: "BaseDelay", Value: int64(p.BaseDelay)},
		{Name: "MaxDelay", Value: int64(p.MaxDelay)},
	}); name != "" {
		return fmt.Errorf("%w: %s is negative", ErrBadPolicy, name)
	}
	return nil
}

// Field is a named count or duration (as int64) checked by NonNegative.
type Field struct {
	Name  string
	Value int64
}

// NonNegative returns an error wrapping sentinel that names the first
// negative field ("Size is negative; 0 means the default"), or nil: the
// check of every entry point's counts and durations, whose zero means the
// default.
func NonNegative(sentinel error, fields ...Field) error {
	if name := firstNegative(fields); name != "" {
		return fmt.Errorf("%w: %s is negative; 0 means the default", sentinel, name)
	}
	return nil
}

// firstNegative returns the name of the first negative field, or "".
func firstNegative(fields []Field) string {
	for _, f := range fields {
		if f.Value < 0 {
			return f.Name
		}
	}
	return ""
}

// maxElapsed returns the time budget with its default applied.
func (p RetryPolicy) maxElapsed() time.Duration {
	if p.MaxElapsed == 0 {
		return DefaultMaxElapsed
	}
	return p.MaxElapsed
}

// Ceiling returns the longest pause after attempt failed attempts (1-based):
// min(MaxDelay, BaseDelay·2^(attempt-1)), defaults applied.
func (p RetryPolicy) Ceiling(attempt int) time.Duration {
	base, maxDelay := p.BaseDelay, p.MaxDelay
	if base <= 0 {
		base = DefaultBaseDelay
	}
	if maxDelay <= 0 {
		maxDelay = DefaultMaxDelay
	}
	d := min(base, maxDelay)
	for i := 1; i < attempt && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// Backoff returns the pause after attempt failed attempts: a random duration
// in [0, Ceiling(attempt)] (full jitter).
func (p RetryPolicy) Backoff(attempt int) time.Duration {
	return p.clockOrWall().jitter(p.Ceiling(attempt))
}
