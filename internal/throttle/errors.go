package throttle

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidConfig is returned by NewSizer and Waiter.Wait when a setting is
// negative or out of range; the message names the field and what zero means.
var ErrInvalidConfig = errors.New("throttle: invalid configuration")

// ErrHeldTooLong is matched (errors.Is) by a *HeldError: a check held a run
// longer than the waiter's MaxHold.
var ErrHeldTooLong = errors.New("throttle: held longer than the limit")

// ErrWrongDialect is returned by a built-in check asked to read a server of
// another family (a PostgreSQL check on MariaDB, a Galera check on SQLite).
var ErrWrongDialect = errors.New("throttle: check does not apply to this database")

// ErrNotReplica is returned by a replica check reading a server that is not
// a replica (MySQLReplicaLag: SHOW REPLICA STATUS returns no row;
// PostgresStandby: the server is not in recovery): a lag limit that can never
// be read is refused rather than ignored. Point the check at the replica, or
// drop it.
var ErrNotReplica = errors.New("throttle: server is not a replica")

// ErrNotPrimary is returned by PostgresReplicas reading a standby, whose
// pg_stat_replication lists no replicas of the primary: a check that would
// never hold is refused. Point it at the primary, or use PostgresStandby.
var ErrNotPrimary = errors.New("throttle: server is not the primary")

// HeldError is returned by Waiter.Wait when the checks held a run longer than
// MaxHold. errors.Is(err, ErrHeldTooLong) reports it; errors.As gives the
// reason and the time held.
type HeldError struct {
	// Reason is the last reason the checks gave.
	Reason string
	// Held is how long the run was held before Wait gave up.
	Held time.Duration
	// Limit is the waiter's MaxHold.
	Limit time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("throttle: held for %s, longer than the limit of %s (last reason: %s); raise Waiter.MaxHold to wait longer",
		e.Held.Round(time.Millisecond), e.Limit, e.Reason)
}

// Unwrap returns ErrHeldTooLong.
func (e *HeldError) Unwrap() error { return ErrHeldTooLong }

// CheckError is returned by Waiter.Wait when a check could not read its
// server: the waiter fails closed rather than run unthrottled.
type CheckError struct {
	// Check is the failing check's name (its String method, or its Go type).
	Check string
	// Err is what the check returned.
	Err error
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("throttle: check %s failed: %v", e.Check, e.Err)
}

// Unwrap returns the check's error.
func (e *CheckError) Unwrap() error { return e.Err }

func invalid(field string, format string, args ...any) error {
	return fmt.Errorf("%w: %s %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
}
