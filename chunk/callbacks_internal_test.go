package chunk

import (
	"context"
	"errors"
	"testing"
)

// TestZeroCallbacksIsValid: every callback of the zero Callbacks is skipped.
func TestZeroCallbacksIsValid(t *testing.T) {
	var h Callbacks
	ctx := context.Background()
	if err := h.callBefore(ctx, Info{}); err != nil {
		t.Fatalf("zero Before returned %v", err)
	}
	h.callAfterCommit(ctx, Info{})
	h.callOnRetry(ctx, Info{}, errors.New("x"))
	h.callOnError(ctx, Info{}, errors.New("x"))
	h.callOnHold(ctx, Info{}, "x", 0)
}
