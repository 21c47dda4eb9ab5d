package txn

import "errors"

// ErrBadPolicy is returned by RunTx, before any transaction begins, when a
// field of its RetryPolicy is negative. The error names the field; the
// caller's package wraps it in its own invalid-option error.
var ErrBadPolicy = errors.New("invalid retry policy")
