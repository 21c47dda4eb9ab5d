package throttle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/logger"
)

// fakeClock advances only when the waiter waits.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) after(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch
}

func withClock(w *Waiter) *fakeClock {
	c := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	w.now, w.after = c.now, c.after
	return c
}

// heldFor returns a check that holds for its first n calls.
func heldFor(n int, reason string) (Check, *int) {
	calls := 0
	return CheckFunc(func(context.Context) (Hold, error) {
		calls++
		if calls <= n {
			return Hold{Held: true, Reason: reason}, nil
		}
		return Hold{Reason: "fine"}, nil
	}), &calls
}

func TestWaiterZeroValueNeverHolds(t *testing.T) {
	var w Waiter
	c := withClock(&w)
	held, err := w.Wait(context.Background())
	if err != nil || held != 0 {
		t.Fatalf("Wait() = %s, %v; want 0, nil", held, err)
	}
	if len(c.waits) != 0 {
		t.Errorf("waited %v, want no wait", c.waits)
	}
}

type logLines struct {
	logger.Interface
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Info(_ context.Context, f string, a ...any) { l.add("info: "+f, a...) }
func (l *logLines) Warn(_ context.Context, f string, a ...any) { l.add("warn: "+f, a...) }
func (l *logLines) add(f string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(f, a...))
}

func TestWaiterHoldsThenReleases(t *testing.T) {
	check, calls := heldFor(3, "replica is 9 MB behind")
	var events []Waiting
	log := &logLines{}
	w := Waiter{Checks: []Check{check}, OnHold: func(wt Waiting) { events = append(events, wt) }, Logger: log}
	c := withClock(&w)
	held, err := w.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := held, 3*DefaultPoll; got != want {
		t.Errorf("held %s, want %s", got, want)
	}
	if *calls != 4 {
		t.Errorf("check called %d times, want 4", *calls)
	}
	if got, want := fmt.Sprint(c.waits), fmt.Sprint([]time.Duration{DefaultPoll, DefaultPoll, DefaultPoll}); got != want {
		t.Errorf("waits %s, want %s", got, want)
	}
	want := []Waiting{
		{Reason: "replica is 9 MB behind", Held: 0, Polls: 1},
		{Reason: "replica is 9 MB behind", Held: DefaultPoll, Polls: 2},
		{Reason: "replica is 9 MB behind", Held: 2 * DefaultPoll, Polls: 3},
	}
	if got := fmt.Sprint(events); got != fmt.Sprint(want) {
		t.Errorf("OnHold events %s, want %s", got, fmt.Sprint(want))
	}
	wantLines := []string{"warn: gormup: throttle holds the run: replica is 9 MB behind", "info: gormup: throttle released after 3s"}
	if got := strings.Join(log.lines, "\n"); got != strings.Join(wantLines, "\n") {
		t.Errorf("log lines:\n%s\nwant:\n%s", got, strings.Join(wantLines, "\n"))
	}
}

func TestWaiterFailsWithHeldErrorAfterMaxHold(t *testing.T) {
	check, _ := heldFor(1<<30, "run \"x\" is paused")
	w := Waiter{Checks: []Check{check}, Poll: 4 * time.Second, MaxHold: 10 * time.Second}
	c := withClock(&w)
	held, err := w.Wait(context.Background())
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHeldTooLong) {
		t.Fatalf("Wait() = %s, %v; want a *HeldError", held, err)
	}
	if he.Reason != `run "x" is paused` || he.Held != 10*time.Second || he.Limit != 10*time.Second {
		t.Errorf("HeldError = %+v, want reason, held 10s, limit 10s", *he)
	}
	if !strings.Contains(err.Error(), "Waiter.MaxHold") {
		t.Errorf("error %q does not say how to wait longer", err)
	}
	// The last wait is cut to the limit, so the check is asked at 10s.
	if got, want := fmt.Sprint(c.waits), "[4s 4s 2s]"; got != want {
		t.Errorf("waits %s, want %s", got, want)
	}
}

func TestWaiterHonoursHoldFor(t *testing.T) {
	calls := 0
	check := CheckFunc(func(context.Context) (Hold, error) {
		calls++
		return Hold{Held: calls == 1, Reason: "busy", For: 7 * time.Second}, nil
	})
	w := Waiter{Checks: []Check{check}, Poll: time.Second}
	c := withClock(&w)
	if _, err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(c.waits), "[7s]"; got != want {
		t.Errorf("waits %s, want %s", got, want)
	}
}

func TestWaiterFailsClosedOnCheckError(t *testing.T) {
	boom := errors.New("connection refused")
	w := Waiter{Checks: []Check{
		CheckFunc(func(context.Context) (Hold, error) { return Hold{Held: true, Reason: "a"}, nil }),
		&PostgresReplicas{}, // nil DB: a configuration error
	}}
	withClock(&w)
	_, err := w.Wait(context.Background())
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Check != "PostgresReplicas" || !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Wait() error = %v; want a *CheckError from PostgresReplicas wrapping ErrInvalidConfig", err)
	}
	w.Checks = []Check{CheckFunc(func(context.Context) (Hold, error) { return Hold{}, boom })}
	if _, err := w.Wait(context.Background()); !errors.Is(err, boom) || !errors.As(err, &ce) || !strings.Contains(ce.Check, "CheckFunc") {
		t.Fatalf("Wait() error = %v; want a *CheckError wrapping %v", err, boom)
	}
}

func TestWaiterStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	check := CheckFunc(func(context.Context) (Hold, error) {
		cancel()
		return Hold{Held: true, Reason: "lagging"}, nil
	})
	w := Waiter{Checks: []Check{check}}
	// A clock that never fires: only the context can end the wait.
	w.after = func(time.Duration) <-chan time.Time { return nil }
	_, err := w.Wait(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "lagging") {
		t.Fatalf("Wait() error = %v; want context.Canceled naming the reason", err)
	}
}

func TestWaiterRefusesNegativeSettings(t *testing.T) {
	for _, w := range []*Waiter{{Poll: -1}, {MaxHold: -time.Second}} {
		if _, err := w.Wait(context.Background()); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("Wait() with %+v = %v, want ErrInvalidConfig", *w, err)
		}
	}
}

func TestEvaluateCombinesHolds(t *testing.T) {
	hold := func(h Hold) Check { return CheckFunc(func(context.Context) (Hold, error) { return h, nil }) }
	got, err := Evaluate(context.Background(),
		hold(Hold{Reason: "ok"}),
		hold(Hold{Held: true, Reason: "lag", For: 2 * time.Second}),
		hold(Hold{Held: true, For: 5 * time.Second}),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := Hold{Held: true, Reason: "lag; throttle.CheckFunc holds", For: 5 * time.Second}
	if got != want {
		t.Errorf("Evaluate() = %+v, want %+v", got, want)
	}
}
