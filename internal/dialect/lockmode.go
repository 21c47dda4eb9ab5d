package dialect

import (
	"fmt"

	"github.com/gormup/gormup/lock"
)

// LockOf returns the dialect lock of a lock.Mode; lock.Default maps to def.
func LockOf(m lock.Mode, def Lock) Lock {
	switch m {
	case lock.ForUpdate:
		return Lock{Strength: ForUpdate}
	case lock.ForUpdateNoWait:
		return Lock{Strength: ForUpdate, Wait: NoWait}
	case lock.SkipLocked:
		return Lock{Strength: ForUpdate, Wait: SkipLocked}
	case lock.ForNoKeyUpdate:
		return Lock{Strength: ForNoKeyUpdate}
	}
	return def
}

// Locked reports whether err is a NOWAIT read finding a row locked (or a
// lock wait timing out), which a NOWAIT caller must not retry.
func Locked(err error) bool {
	r := Classify(err)
	return r == LockNotAvailable || r == LockTimeout
}

// NoWaitRetryable wraps a retry predicate (nil: Retryable) so that, for a
// NOWAIT lock l, a locked row is never retried.
func NoWaitRetryable(l Lock, retryable func(error) bool) func(error) bool {
	if retryable == nil {
		retryable = Retryable
	}
	if l.Wait != NoWait {
		return retryable
	}
	return func(err error) bool { return !Locked(err) && retryable(err) }
}

// LockedError wraps err in lock.ErrLocked when l is a NOWAIT lock and err
// says the row was locked; otherwise it returns err.
func LockedError(l Lock, err error) error {
	if err != nil && l.Wait == NoWait && Locked(err) {
		return fmt.Errorf("%w: %w", lock.ErrLocked, err)
	}
	return err
}
