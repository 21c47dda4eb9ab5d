package throttle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/logger"
)

// Defaults of Waiter's zero fields.
const (
	// DefaultPoll is how often held checks are asked again.
	DefaultPoll = time.Second
	// DefaultMaxHold is how long a run may be held before Wait fails.
	DefaultMaxHold = 30 * time.Minute
)

// Waiting describes a run held by its checks, for progress reports.
type Waiting struct {
	// Reason joins the reasons of every check that holds.
	Reason string
	// Held is how long this Wait has held the run so far.
	Held time.Duration
	// Polls counts the evaluations of the checks in this Wait, this one
	// included.
	Polls int
}

// Waiter holds a run between chunks while any of its checks holds. The zero
// value (no checks) never holds. A Waiter is safe for concurrent use if its
// checks and OnHold are; Wait does not modify it.
type Waiter struct {
	// Checks are evaluated, in order, on every poll; the run is held while
	// any of them holds.
	Checks []Check
	// Poll is how long to wait between evaluations while held, unless a
	// Hold asks for longer. Zero means DefaultPoll; negative is refused.
	Poll time.Duration
	// MaxHold is how long one Wait may hold before it fails with a
	// *HeldError. Zero means DefaultMaxHold; negative is refused.
	MaxHold time.Duration
	// OnHold, if not nil, is called after every evaluation that holds,
	// before waiting: a progress hook.
	OnHold func(Waiting)
	// Logger, if not nil, receives a Warn line when a hold begins or its
	// reason changes and an Info line when it ends (usually the *gorm.DB's
	// Logger).
	Logger logger.Interface

	// now and after replace the clock in tests; nil means the time package.
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
}

func (w *Waiter) clock() (func() time.Time, func(time.Duration) <-chan time.Time) {
	now, after := w.now, w.after
	if now == nil {
		now = time.Now
	}
	if after == nil {
		after = time.After
	}
	return now, after
}

// Wait evaluates the checks and returns once none holds, with how long it
// held. It fails with a *CheckError (fail closed) when a check cannot read
// its state, with a *HeldError once held longer than MaxHold, and with ctx's
// error, wrapped, when ctx ends first; ctx also bounds each check's reads.
func (w *Waiter) Wait(ctx context.Context) (time.Duration, error) {
	poll, maxHold := w.Poll, w.MaxHold
	switch {
	case poll < 0:
		return 0, invalid("Waiter.Poll", "is %s; zero means %s, negative is not allowed", poll, DefaultPoll)
	case maxHold < 0:
		return 0, invalid("Waiter.MaxHold", "is %s; zero means %s, negative is not allowed", maxHold, DefaultMaxHold)
	}
	if poll == 0 {
		poll = DefaultPoll
	}
	if maxHold == 0 {
		maxHold = DefaultMaxHold
	}
	now, after := w.clock()
	start := now()
	lastReason := ""
	for polls := 1; ; polls++ {
		hold, err := Evaluate(ctx, w.Checks...)
		held := now().Sub(start)
		if err != nil {
			return held, err
		}
		if !hold.Held {
			if polls > 1 && w.Logger != nil {
				w.Logger.Info(ctx, "gormup: throttle released after %s", held.Round(time.Millisecond))
			}
			return held, nil
		}
		if held >= maxHold {
			return held, &HeldError{Reason: hold.Reason, Held: held, Limit: maxHold}
		}
		if w.OnHold != nil {
			w.OnHold(Waiting{Reason: hold.Reason, Held: held, Polls: polls})
		}
		if w.Logger != nil && hold.Reason != lastReason {
			w.Logger.Warn(ctx, "gormup: throttle holds the run: %s", hold.Reason)
		}
		lastReason = hold.Reason
		d := max(poll, hold.For)
		d = min(d, maxHold-held) // ask once more when the limit is reached
		select {
		case <-ctx.Done():
			return now().Sub(start), fmt.Errorf("throttle: held (%s), then the context ended: %w", hold.Reason, ctx.Err())
		case <-after(d):
		}
	}
}

// Evaluate asks every check once and combines their verdicts: held if any
// holds, with the held checks' reasons joined and the longest For. The first
// error is returned as a *CheckError.
func Evaluate(ctx context.Context, checks ...Check) (Hold, error) {
	var out Hold
	var reasons []string
	for _, c := range checks {
		h, err := c.Check(ctx)
		if err != nil {
			return Hold{}, &CheckError{Check: nameOf(c), Err: err}
		}
		if !h.Held {
			continue
		}
		out.Held = true
		out.For = max(out.For, h.For)
		if h.Reason == "" {
			h.Reason = nameOf(c) + " holds"
		}
		reasons = append(reasons, h.Reason)
	}
	out.Reason = strings.Join(reasons, "; ")
	return out, nil
}
