package chunk_test

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/gormup/gormup/chunk"
)

func ExampleProgressLogger() {
	// Drop the time and the run-dependent figures so the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "rate", "elapsed", "eta":
				return slog.Attr{}
			}
			return a
		},
	}))
	// Pass the result to chunk.Run with chunk.Hooks; here it is called by hand.
	h := chunk.ProgressLogger(logger, 5*time.Second)
	h.AfterCommit(context.Background(), chunk.Info{
		Name: "recalc", Index: 0, Rows: 1000,
		Progress: chunk.Progress{Done: 1000, Chunks: 1, Total: 4000, Elapsed: time.Second, Rate: 1000},
	})
	// Output:
	// level=INFO msg="gormup: chunk committed" name=recalc chunk=0 rows=1000 done=1000 total=4000
}
