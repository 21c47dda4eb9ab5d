package hooks_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gormup/gormup/hooks"
)

func ExampleChunk() {
	// Stop a run cleanly at a maintenance window: nothing of the next chunk
	// runs, earlier chunks stay committed, and batch.Run returns no error
	// (pass h with batch.Hooks; here it is called by hand).
	window := time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)
	now := window.Add(time.Minute)
	h := hooks.Chunk{
		Before: func(ctx context.Context, c hooks.ChunkInfo) error {
			if now.After(window) {
				return hooks.ErrStop
			}
			return nil
		},
		OnRetry: func(ctx context.Context, c hooks.ChunkInfo, err error) {
			fmt.Printf("chunk %d attempt %d: %v\n", c.Index, c.Attempt, err)
		},
	}
	err := h.CallBefore(context.Background(), hooks.ChunkInfo{Index: 7})
	fmt.Println("stop:", errors.Is(err, hooks.ErrStop))
	h.CallOnRetry(context.Background(), hooks.ChunkInfo{Index: 7, Attempt: 1}, errors.New("deadlock"))
	h.CallAfterCommit(context.Background(), hooks.ChunkInfo{}) // unset: does nothing
	// Output:
	// stop: true
	// chunk 7 attempt 1: deadlock
}
