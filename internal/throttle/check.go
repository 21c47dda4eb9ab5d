package throttle

import (
	"context"
	"fmt"
	"time"
)

// Hold is a check's verdict: whether the run must wait, why, and for how
// long at least.
type Hold struct {
	// Held reports that the run must wait before its next chunk.
	Held bool
	// Reason says why, for logs and progress ("standby replay is 12 MB
	// behind, limit 1 MB"); set whether held or not when there is a reading
	// worth showing.
	Reason string
	// For is how long the check suggests waiting before asking again; zero
	// leaves it to the waiter's Poll interval.
	For time.Duration
}

// Check decides, before each chunk, whether a run may go on. Check reads
// the live state it depends on each time it is called; ctx bounds that read.
// An error means the state could not be read: the waiter fails closed.
// Implementations must be safe for concurrent use.
type Check interface {
	Check(ctx context.Context) (Hold, error)
}

// CheckFunc adapts a function to Check: a caller-supplied check such as a
// load average, a queue depth or a maintenance window.
type CheckFunc func(ctx context.Context) (Hold, error)

// Check calls f.
func (f CheckFunc) Check(ctx context.Context) (Hold, error) { return f(ctx) }

// nameOf names a check for errors: its String method, or its Go type.
func nameOf(c Check) string {
	if s, ok := c.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", c)
}
