package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gormup/gormup/chunk"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// gormupPurge runs chunk.Purge over the selected rows of a fresh table.
func gormupPurge(ctx context.Context, db *gorm.DB, c config, size int, out io.Writer) (result, error) {
	r, err := gormupRun(ctx, db, c, size, out, "gormup chunk.Purge",
		func(q *gorm.DB, size int, hooks chunk.Callbacks) (chunk.Report, error) {
			return chunk.Purge(ctx, q, chunk.Size(size), chunk.Hooks(hooks))
		})
	if err != nil {
		return r, err
	}
	return r, verifyPurged(ctx, db, c.rows)
}

// gormupUpdate runs chunk.Ranges with UPDATE … SET counter = counter + 1
// over the selected rows of a fresh table.
func gormupUpdate(ctx context.Context, db *gorm.DB, c config, size int, out io.Writer) (result, error) {
	increment := func(rows *gorm.DB, _ chunk.Range) error {
		return rows.Update("counter", gorm.Expr("counter + 1")).Error
	}
	r, err := gormupRun(ctx, db, c, size, out, "gormup chunk.Ranges UPDATE",
		func(q *gorm.DB, size int, hooks chunk.Callbacks) (chunk.Report, error) {
			return chunk.Ranges(ctx, q, increment, chunk.Size(size), chunk.Hooks(hooks))
		})
	if err != nil {
		return r, err
	}
	return r, verifyUpdated(ctx, db, c.rows)
}

// gormupRun resets the table and times do on the selected rows in chunks of
// size, counting its statements and timing each chunk.
func gormupRun(ctx context.Context, db *gorm.DB, c config, size int, out io.Writer, tool string,
	do func(q *gorm.DB, size int, hooks chunk.Callbacks) (chunk.Report, error)) (result, error) {
	r := result{tool: tool, size: size}
	if err := reset(ctx, db); err != nil {
		return r, err
	}
	t, counted := newTimer(), newCounter()
	start := time.Now()
	rep, err := do(counted.on(db).Model(&Event{}).Where("status = ?", "expired"), size, t.callbacks())
	r.total = time.Since(start)
	if err != nil {
		return r, err
	}
	r.rows, r.chunks, r.longest, r.stmts = rep.Rows, rep.Chunks, t.longest, counted.perChunk(rep.Chunks)
	counted.print(out, c.showSQL, r.tool)
	return r, nil
}

// plainUpdate is the server's limit: one UPDATE of every selected row in one
// statement, nothing chunked.
func plainUpdate(ctx context.Context, db *gorm.DB, rows int) (result, error) {
	r := result{tool: "one plain UPDATE (server limit)"}
	if err := reset(ctx, db); err != nil {
		return r, err
	}
	start := time.Now()
	res := db.WithContext(ctx).Exec("UPDATE events SET counter = counter + 1 WHERE status = ?", "expired")
	r.total = time.Since(start)
	if res.Error != nil {
		return r, res.Error
	}
	r.rows = res.RowsAffected
	return r, verifyUpdated(ctx, db, rows)
}

// timer measures each chunk from Callbacks.Before to AfterCommit.
type timer struct {
	started time.Time
	longest time.Duration
}

func newTimer() *timer { return &timer{} }

func (t *timer) callbacks() chunk.Callbacks {
	return chunk.Callbacks{
		Before: func(context.Context, chunk.Info) error { t.started = time.Now(); return nil },
		AfterCommit: func(context.Context, chunk.Info) {
			if d := time.Since(t.started); d > t.longest {
				t.longest = d
			}
		},
	}
}

// counter is a GORM logger that counts the statements a run sends, by their
// first word, and keeps the first ones.
type counter struct {
	logger.Interface
	mu    sync.Mutex
	kinds map[string]int64
	first []string
}

// keepFirst is how many statements counter keeps for -sql.
const keepFirst = 8

func newCounter() *counter {
	return &counter{Interface: logger.Discard, kinds: map[string]int64{}}
}

// on returns db logging through c.
func (c *counter) on(db *gorm.DB) *gorm.DB { return db.Session(&gorm.Session{Logger: c}) }

func (c *counter) LogMode(logger.LogLevel) logger.Interface { return c }

func (c *counter) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	kind, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kinds[strings.ToUpper(kind)]++
	if len(c.first) < keepFirst {
		c.first = append(c.first, sql)
	}
}

// perChunk renders the statements per committed chunk, e.g. "1.0 SELECT + 1.0 DELETE".
func (c *counter) perChunk(chunks int64) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if chunks == 0 {
		return ""
	}
	kinds := make([]string, 0, len(c.kinds))
	for k := range c.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%.2f %s", float64(c.kinds[k])/float64(chunks), k))
	}
	return strings.Join(parts, " + ")
}

func (c *counter) print(out io.Writer, show bool, tool string) {
	if !show {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(out, "first statements of %s:\n", tool)
	for _, s := range c.first {
		fmt.Fprintf(out, "  %s\n", s)
	}
}
