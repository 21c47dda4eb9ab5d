package throttle_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/throttle"
)

// TestPauseFromAnotherProcessHoldsTheRun pauses a run through a second
// handle with a pool of its own (another process, as far as the server
// knows): the first handle's waiter holds until Resume.
func TestPauseFromAnotherProcessHoldsTheRun(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		runner, other := db.DB, dbtest.Reopen(t, db)

		if paused, err := throttle.Paused(ctx, runner, "backfill"); err != nil || paused {
			t.Fatalf("Paused before any Pause = %v, %v; want false, nil", paused, err)
		}
		if other.Migrator().HasTable(throttle.ControlTable) {
			t.Fatalf("Paused created %s; only Pause and Resume may", throttle.ControlTable)
		}
		if err := throttle.Pause(ctx, other, "backfill"); err != nil {
			t.Fatal(err)
		}
		if err := throttle.Pause(ctx, other, "backfill"); err != nil { // idempotent
			t.Fatal(err)
		}
		if err := throttle.Resume(ctx, other, "other-run"); err != nil { // never paused: a row, not paused
			t.Fatal(err)
		}
		if got, want := controlRows(t, runner), lines("backfill=paused", "other-run"); got != want {
			t.Fatalf("%s holds %q, want %q", throttle.ControlTable, got, want)
		}

		holds := make(chan throttle.Waiting, 100)
		w := &throttle.Waiter{
			Checks:  []throttle.Check{throttle.PauseFlag{DB: runner, Name: "backfill"}, throttle.PauseFlag{DB: runner, Name: "other-run"}},
			Poll:    20 * time.Millisecond,
			MaxHold: time.Minute,
			OnHold: func(w throttle.Waiting) {
				select {
				case holds <- w:
				default:
				}
			},
		}
		done := make(chan error, 1)
		go func() { _, err := w.Wait(ctx); done <- err }()
		// Held across several polls, and still waiting.
		for range 3 {
			h := <-holds
			if want := `run "backfill" is paused; throttle.Resume releases it`; h.Reason != want {
				t.Fatalf("held because %q, want %q", h.Reason, want)
			}
		}
		select {
		case err := <-done:
			t.Fatalf("Wait returned (%v) while the run is paused", err)
		default:
		}
		if err := throttle.Resume(ctx, other, "backfill"); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Wait after Resume = %v, want nil", err)
		}
		if got, want := controlRows(t, runner), lines("backfill", "other-run"); got != want {
			t.Fatalf("%s holds %q, want %q", throttle.ControlTable, got, want)
		}
	})
}

// lines renders names as controlRows does, in its order (by the names'
// SHA-256).
func lines(names ...string) string {
	slices.SortFunc(names, func(a, b string) int {
		ka, kb := sha256.Sum256([]byte(strings.TrimSuffix(a, "=paused"))), sha256.Sum256([]byte(strings.TrimSuffix(b, "=paused")))
		return bytes.Compare(ka[:], kb[:])
	})
	return strings.Join(names, "\n") + "\n"
}

func TestPauseRefusesBadNamesAndWritesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		for _, name := range []string{"", strings.Repeat("x", throttle.MaxRunName+1)} {
			for _, f := range []func(context.Context, *gorm.DB, string) error{throttle.Pause, throttle.Resume} {
				if err := f(ctx, db.DB, name); !errors.Is(err, throttle.ErrInvalidConfig) {
					t.Errorf("Pause/Resume(%d-byte name) = %v, want ErrInvalidConfig", len(name), err)
				}
			}
			if _, err := throttle.Paused(ctx, db.DB, name); !errors.Is(err, throttle.ErrInvalidConfig) {
				t.Errorf("Paused(%d-byte name) = %v, want ErrInvalidConfig", len(name), err)
			}
		}
		if db.Migrator().HasTable(throttle.ControlTable) {
			t.Fatalf("a refused call created %s", throttle.ControlTable)
		}
		// The longest name is accepted, byte for byte.
		long := strings.Repeat("y", throttle.MaxRunName)
		if err := throttle.Pause(ctx, db.DB, long); err != nil {
			t.Fatal(err)
		}
		if got, want := controlRows(t, db.DB), lines(long+"=paused"); got != want {
			t.Fatalf("%s holds %q, want %q", throttle.ControlTable, got, want)
		}
	})
}

// TestPauseUnderDBResolverWritesThePrimary pauses through a handle whose
// reads go to the standby: the table is created and the flag written and
// read on the primary (a write on the standby fails as read-only).
func TestPauseUnderDBResolverWritesThePrimary(t *testing.T) {
	s := dbtest.Standby(t)
	ctx := context.Background()
	if err := throttle.Pause(ctx, s.Resolved, "resolved"); err != nil {
		t.Fatal(err)
	}
	if paused, err := throttle.Paused(ctx, s.Resolved, "resolved"); err != nil || !paused {
		t.Fatalf("Paused through dbresolver = %v, %v; want true, nil", paused, err)
	}
	if got, want := controlRows(t, s.Primary), lines("resolved=paused"); got != want {
		t.Fatalf("primary's %s holds %q, want %q", throttle.ControlTable, got, want)
	}
	if err := throttle.Resume(ctx, s.Resolved, "resolved"); err != nil {
		t.Fatal(err)
	}
	if paused, err := throttle.Paused(ctx, s.Resolved, "resolved"); err != nil || paused {
		t.Fatalf("Paused after Resume = %v, %v; want false, nil", paused, err)
	}
}
