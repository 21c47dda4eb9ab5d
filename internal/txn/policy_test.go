package txn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// fakeClock is a clock under the test's control: sleeping advances it, and
// jitter returns the ceiling it is given (the longest pause allowed), or
// jitterFrac/255 of it when jitterFrac is set, so budgets are reached
// deterministically.
type fakeClock struct {
	now        time.Time
	pauses     []time.Duration // every pause slept, in order
	ceilings   []time.Duration // every ceiling jitter was asked for
	jitterFrac uint8
}

func (f *fakeClock) jittered(ceiling time.Duration) time.Duration {
	if f.jitterFrac == 0 {
		return ceiling
	}
	return ceiling / 255 * time.Duration(f.jitterFrac)
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (f *fakeClock) clock() *clock {
	return &clock{
		now: func() time.Time { return f.now },
		sleep: func(ctx context.Context, d time.Duration) error {
			f.pauses = append(f.pauses, d)
			f.now = f.now.Add(d)
			return ctx.Err()
		},
		jitter: func(ceiling time.Duration) time.Duration {
			f.ceilings = append(f.ceilings, ceiling)
			return f.jittered(ceiling)
		},
	}
}

func equalDurations(got, want []time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestCeilingDoublesUpToMaxDelay(t *testing.T) {
	tests := []struct {
		name    string
		p       RetryPolicy
		attempt int
		want    time.Duration
	}{
		{"zero policy, first failure", RetryPolicy{}, 1, DefaultBaseDelay},
		{"zero policy, second failure", RetryPolicy{}, 2, 2 * DefaultBaseDelay},
		{"zero policy, eighth failure", RetryPolicy{}, 8, 128 * DefaultBaseDelay},
		{"zero policy, ninth failure is capped", RetryPolicy{}, 9, DefaultMaxDelay},
		{"zero policy, far out", RetryPolicy{}, 1000, DefaultMaxDelay},
		{"custom", RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}, 3, 40 * time.Millisecond},
		{"custom capped", RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}, 4, 40 * time.Millisecond},
		{"MaxDelay below BaseDelay caps the first pause", RetryPolicy{BaseDelay: time.Second, MaxDelay: time.Millisecond}, 1, time.Millisecond},
	}
	for _, tt := range tests {
		if got := tt.p.Ceiling(tt.attempt); got != tt.want {
			t.Errorf("%s: Ceiling(%d) = %v, want %v", tt.name, tt.attempt, got, tt.want)
		}
	}
}

// TestBackoffIsFullJitter: the wall clock's jitter stays within [0, ceiling]
// and reaches both halves of it; Backoff asks for exactly Ceiling(attempt).
func TestBackoffIsFullJitter(t *testing.T) {
	p := RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}
	for attempt := 1; attempt <= 5; attempt++ {
		ceiling := p.Ceiling(attempt)
		low, high := false, false
		for range 1000 {
			d := p.Backoff(attempt)
			if d < 0 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want within [0, %v]", attempt, d, ceiling)
			}
			low, high = low || d < ceiling/2, high || d >= ceiling/2
		}
		if !low || !high {
			t.Fatalf("Backoff(%d) over 1000 draws: below half %v, above half %v; want both", attempt, low, high)
		}
	}
	fc := newFakeClock()
	p.clock = fc.clock()
	for attempt := 1; attempt <= 4; attempt++ {
		p.Backoff(attempt)
	}
	if want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}; !equalDurations(fc.ceilings, want) {
		t.Fatalf("ceilings asked = %v, want %v", fc.ceilings, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		p    RetryPolicy
		want string // "" means valid
	}{
		{RetryPolicy{}, ""},
		{RetryPolicy{MaxAttempts: 1, MaxElapsed: time.Nanosecond}, ""},
		{RetryPolicy{MaxElapsed: -time.Second}, "invalid retry policy: MaxElapsed is negative"},
		{RetryPolicy{MaxAttempts: -1}, "invalid retry policy: MaxAttempts is negative"},
		{RetryPolicy{BaseDelay: -1}, "invalid retry policy: BaseDelay is negative"},
		{RetryPolicy{MaxDelay: -1}, "invalid retry policy: MaxDelay is negative"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate(%+v) = %v, want nil", tt.p, err)
		case tt.want != "" && (!errors.Is(err, ErrBadPolicy) || err.Error() != tt.want):
			t.Errorf("Validate(%+v) = %v, want %q wrapping ErrBadPolicy", tt.p, err, tt.want)
		}
	}
}

// budgetRun runs RunTx on SQLite with fn failing with a deadlock until
// succeedAt (0: never), each attempt taking attemptTime on fc.
func budgetRun(t *testing.T, ctx context.Context, p RetryPolicy, fc *fakeClock, attemptTime time.Duration, succeedAt int) (int, []time.Time, error) {
	t.Helper()
	db := dbtest.Open(t, dbtest.SQLite)
	p.clock = fc.clock()
	var starts []time.Time
	attempts, err := RunTx(ctx, db.DB, p, func(*gorm.DB) error {
		starts = append(starts, fc.now)
		fc.now = fc.now.Add(attemptTime)
		if len(starts) == succeedAt {
			return nil
		}
		return deadlock
	})
	if attempts != len(starts) {
		t.Fatalf("RunTx reported %d attempts, fn ran %d times", attempts, len(starts))
	}
	return attempts, starts, err
}

// TestZeroPolicyIsTimeBounded: with the zero policy the number of attempts
// is not limited (50 failures in a row are retried, where the old default
// stopped at 5), and no attempt starts DefaultMaxElapsed or more after the
// first one: RunTx stops when the next pause would end past it.
func TestZeroPolicyIsTimeBounded(t *testing.T) {
	ctx := context.Background()
	t.Run("no count limit", func(t *testing.T) {
		fc := newFakeClock()
		attempts, _, err := budgetRun(t, ctx, RetryPolicy{}, fc, time.Millisecond, 51)
		if err != nil || attempts != 51 {
			t.Fatalf("RunTx = %d, %v; want 51, nil", attempts, err)
		}
	})
	t.Run("DefaultMaxElapsed", func(t *testing.T) {
		fc := newFakeClock()
		start := fc.now
		attempts, starts, err := budgetRun(t, ctx, RetryPolicy{}, fc, 10*time.Millisecond, 0)
		if !errors.Is(err, deadlock) {
			t.Fatalf("RunTx = %d, %v; want the deadlock back", attempts, err)
		}
		last := starts[len(starts)-1]
		if got := last.Sub(start); got >= DefaultMaxElapsed {
			t.Fatalf("last attempt started %v after the first, want < %v", got, DefaultMaxElapsed)
		}
		// The pause RunTx declined: the last ceiling asked for.
		declined := fc.ceilings[len(fc.ceilings)-1]
		if end := fc.now.Add(declined); end.Before(start.Add(DefaultMaxElapsed)) {
			t.Fatalf("stopped with a pause of %v that ended %v before the budget", declined, start.Add(DefaultMaxElapsed).Sub(end))
		}
		if len(fc.pauses) != attempts-1 || len(fc.ceilings) != attempts {
			t.Fatalf("%d attempts, %d pauses, %d ceilings; want n, n-1, n", attempts, len(fc.pauses), len(fc.ceilings))
		}
		// Pauses of 2ms doubling to 256ms (8 pauses, 510ms), then 500ms,
		// with 10ms per attempt: the 9th attempt starts at 590ms, the
		// (9+k)th at 590ms + k·510ms; after the 66th (k = 57) a 500ms
		// pause would end at 30.17s, past the 30s budget.
		if attempts != 66 {
			t.Fatalf("attempts = %d, want 66", attempts)
		}
	})
}

// TestBudget: MaxElapsed, MaxAttempts and ctx's deadline each end the
// retries, whichever comes first; the error is the last attempt's.
func TestBudget(t *testing.T) {
	steady := RetryPolicy{BaseDelay: time.Second, MaxDelay: time.Second} // every pause 1s on the fake clock
	tests := []struct {
		name     string
		p        RetryPolicy
		deadline time.Duration // of ctx, from the fake start; 0: none
		want     int
	}{
		// Attempts start at 0s, 1s, 2s...; each takes no time.
		{"MaxElapsed 5s", withElapsed(steady, 5*time.Second), 0, 5},
		{"MaxElapsed 5.5s", withElapsed(steady, 5500*time.Millisecond), 0, 6},
		{"MaxAttempts before MaxElapsed", withAttempts(withElapsed(steady, time.Hour), 3), 0, 3},
		{"ctx deadline before MaxElapsed", withElapsed(steady, time.Hour), 4 * time.Second, 4},
		{"MaxElapsed before ctx deadline", withElapsed(steady, 2*time.Second), time.Hour, 2},
		{"one attempt", withAttempts(steady, 1), 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFakeClock()
			ctx := context.Background()
			if tt.deadline > 0 {
				// The fake clock starts at the wall clock's now and never
				// reaches the deadline for real: only RunTx's arithmetic does.
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, fc.now.Add(tt.deadline))
				defer cancel()
			}
			attempts, _, err := budgetRun(t, ctx, tt.p, fc, 0, 0)
			if attempts != tt.want || !errors.Is(err, deadlock) || err != error(deadlock) {
				t.Fatalf("RunTx = %d, %v; want %d, the deadlock as is", attempts, err, tt.want)
			}
		})
	}
}

func withElapsed(p RetryPolicy, d time.Duration) RetryPolicy { p.MaxElapsed = d; return p }
func withAttempts(p RetryPolicy, n int) RetryPolicy          { p.MaxAttempts = n; return p }

func TestNonNegative(t *testing.T) {
	errBad := errors.New("pkg: invalid option")
	if err := NonNegative(errBad, Field{Name: "Size", Value: 0}, Field{Name: "Workers", Value: 3}); err != nil {
		t.Fatalf("NonNegative(0, 3) = %v, want nil", err)
	}
	err := NonNegative(errBad, Field{Name: "Size", Value: 1}, Field{Name: "Workers", Value: -1}, Field{Name: "MaxRows", Value: -2})
	if want := "pkg: invalid option: Workers is negative; 0 means the default"; !errors.Is(err, errBad) || err.Error() != want {
		t.Fatalf("NonNegative = %v, want %q wrapping the sentinel", err, want)
	}
}
