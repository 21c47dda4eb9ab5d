package chunk

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Messages of the records ProgressLogger writes.
const (
	ProgressMessage = "gormup: chunk committed"
	RetryMessage    = "gormup: chunk retried"
	ErrorMessage    = "gormup: chunk failed"
	HeldMessage     = "gormup: run held"
)

// ProgressLogger returns Callbacks that report a run on logger
// (slog.Default() when nil):
//
//   - AfterCommit logs ProgressMessage at Info level with the attributes
//     name, chunk, rows, done, rate (rows/s), elapsed and, when the run counts
//     its total, total and eta. With every > 0 it logs at most one chunk per
//     every of run time (measured by Progress.Elapsed), always including the
//     first; every <= 0 logs every chunk.
//   - OnRetry logs RetryMessage at Warn level with the chunk, attempt and error.
//   - OnHold logs HeldMessage at Warn level with the chunk waiting, the
//     reason the checks give and how long the run has been held.
//   - OnError logs ErrorMessage at Error level with the chunk, where the run
//     can resume (after) and the error.
//
// The returned Callbacks are safe for concurrent use by several runs, though their
// throttle is then shared between them.
func ProgressLogger(logger *slog.Logger, every time.Duration) Callbacks {
	if logger == nil {
		logger = slog.Default()
	}
	var (
		mu     sync.Mutex
		logged bool
		last   time.Duration
	)
	due := func(elapsed time.Duration) bool {
		mu.Lock()
		defer mu.Unlock()
		if every > 0 && logged && elapsed-last < every {
			return false
		}
		logged, last = true, elapsed
		return true
	}
	return Callbacks{
		AfterCommit: func(ctx context.Context, c Info) {
			if !due(c.Progress.Elapsed) {
				return
			}
			attrs := []slog.Attr{
				slog.String("name", c.Name),
				slog.Int64("chunk", c.Index),
				slog.Int("rows", c.Rows),
				slog.Int64("done", c.Progress.Done),
				slog.Float64("rate", roundRate(c.Progress.Rate)),
				slog.Duration("elapsed", c.Progress.Elapsed),
			}
			if c.Progress.Total >= 0 {
				attrs = append(attrs, slog.Int64("total", c.Progress.Total), slog.Duration("eta", c.Progress.ETA))
			}
			logger.LogAttrs(ctx, slog.LevelInfo, ProgressMessage, attrs...)
		},
		OnRetry: func(ctx context.Context, c Info, err error) {
			logger.LogAttrs(ctx, slog.LevelWarn, RetryMessage,
				slog.String("name", c.Name), slog.Int64("chunk", c.Index),
				slog.Int("attempt", c.Attempt), slog.Any("error", err))
		},
		OnHold: func(ctx context.Context, c Info, reason string, held time.Duration) {
			logger.LogAttrs(ctx, slog.LevelWarn, HeldMessage,
				slog.String("name", c.Name), slog.Int64("chunk", c.Index),
				slog.String("reason", reason), slog.Duration("held", held))
		},
		OnError: func(ctx context.Context, c Info, err error) {
			logger.LogAttrs(ctx, slog.LevelError, ErrorMessage,
				slog.String("name", c.Name), slog.Int64("chunk", c.Index),
				slog.Any("after", c.After), slog.Int64("done", c.Progress.Done), slog.Any("error", err))
		},
	}
}

// roundRate keeps two decimals so log lines stay short.
func roundRate(r float64) float64 {
	return float64(int64(r*100+0.5)) / 100
}
