package chunk_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
)

// textLogger logs to buf without timestamps.
func textLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func committed(index int64, elapsed time.Duration, total int64) chunk.Info {
	return chunk.Info{Name: "job", Index: index, Rows: 100, Attempt: 1,
		Progress: chunk.Progress{Done: (index + 1) * 100, Chunks: index + 1, Total: total, Elapsed: elapsed, Rate: 123.456, ETA: 2 * time.Second}}
}

func TestProgressLoggerRecords(t *testing.T) {
	var buf bytes.Buffer
	h := chunk.ProgressLogger(textLogger(&buf), 0)
	ctx := context.Background()
	h.AfterCommit(ctx, committed(0, time.Second, 500))
	h.AfterCommit(ctx, committed(1, 2*time.Second, -1))
	h.OnRetry(ctx, chunk.Info{Name: "job", Index: 2, Attempt: 1}, errors.New("deadlock"))
	h.OnError(ctx, chunk.Info{Name: "job", Index: 2, After: []any{int64(200)}, Progress: chunk.Progress{Done: 200}}, errors.New("boom"))
	want := strings.Join([]string{
		`level=INFO msg="gormup: chunk committed" name=job chunk=0 rows=100 done=100 rate=123.46 elapsed=1s total=500 eta=2s`,
		`level=INFO msg="gormup: chunk committed" name=job chunk=1 rows=100 done=200 rate=123.46 elapsed=2s`,
		`level=WARN msg="gormup: chunk retried" name=job chunk=2 attempt=1 error=deadlock`,
		`level=ERROR msg="gormup: chunk failed" name=job chunk=2 after=[200] done=200 error=boom`,
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestProgressLoggerThrottles(t *testing.T) {
	var buf bytes.Buffer
	h := chunk.ProgressLogger(textLogger(&buf), 10*time.Second)
	ctx := context.Background()
	for i, elapsed := range []time.Duration{1, 5, 10, 11, 12, 25} {
		h.AfterCommit(ctx, committed(int64(i), elapsed*time.Second, -1))
	}
	// Logged: the first (1s), then 11s (10s after it), then 25s.
	var chunks []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		for _, f := range strings.Fields(line) {
			if strings.HasPrefix(f, "chunk=") {
				chunks = append(chunks, f)
			}
		}
	}
	if got := strings.Join(chunks, " "); got != "chunk=0 chunk=3 chunk=5" {
		t.Fatalf("logged %s, want chunk=0 chunk=3 chunk=5", got)
	}
}

func TestProgressLoggerNilUsesDefault(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	slog.SetDefault(textLogger(&buf))
	chunk.ProgressLogger(nil, 0).AfterCommit(context.Background(), committed(0, time.Second, -1))
	if !strings.Contains(buf.String(), chunk.ProgressMessage) {
		t.Fatalf("default logger got %q", buf.String())
	}
}
