package chunk_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gormup/gormup/chunk"
)

func ExampleCallbacks() {
	// Stop a run cleanly at a maintenance window: nothing of the next chunk
	// runs, earlier chunks stay committed, and chunk.Run returns no error
	// (pass h with chunk.Hooks; here its fields are called by hand).
	window := time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)
	now := window.Add(time.Minute)
	h := chunk.Callbacks{
		Before: func(ctx context.Context, c chunk.Info) error {
			if now.After(window) {
				return chunk.ErrStop
			}
			return nil
		},
		OnRetry: func(ctx context.Context, c chunk.Info, err error) {
			fmt.Printf("chunk %d attempt %d: %v\n", c.Index, c.Attempt, err)
		},
	}
	err := h.Before(context.Background(), chunk.Info{Index: 7})
	fmt.Println("stop:", errors.Is(err, chunk.ErrStop))
	h.OnRetry(context.Background(), chunk.Info{Index: 7, Attempt: 1}, errors.New("deadlock"))
	// Output:
	// stop: true
	// chunk 7 attempt 1: deadlock
}
