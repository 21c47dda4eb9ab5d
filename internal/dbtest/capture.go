package dbtest

import (
	"context"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Recorder is a GORM logger that records every statement GORM executes, with
// its bind variables inlined as GORM's logger renders them. It is safe for
// concurrent use.
type Recorder struct {
	mu    sync.Mutex
	stmts []string
}

var _ logger.Interface = (*Recorder)(nil)

// Capture returns a session of db whose statements — including those of
// transactions begun from it — are recorded by the returned Recorder.
func Capture(db *gorm.DB) (*gorm.DB, *Recorder) {
	r := &Recorder{}
	return db.Session(&gorm.Session{Logger: r}), r
}

// Statements returns the recorded statements in execution order.
func (r *Recorder) Statements() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stmts...)
}

// Matching returns the recorded statements that start with prefix, compared
// case-insensitively (e.g. "UPDATE").
func (r *Recorder) Matching(prefix string) []string {
	var out []string
	for _, s := range r.Statements() {
		if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
			out = append(out, s)
		}
	}
	return out
}

// Reset forgets every recorded statement.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.stmts = nil
	r.mu.Unlock()
}

// LogMode implements logger.Interface.
func (r *Recorder) LogMode(logger.LogLevel) logger.Interface { return r }

// Info implements logger.Interface; messages are dropped.
func (r *Recorder) Info(context.Context, string, ...any) {}

// Warn implements logger.Interface; messages are dropped.
func (r *Recorder) Warn(context.Context, string, ...any) {}

// Error implements logger.Interface; messages are dropped.
func (r *Recorder) Error(context.Context, string, ...any) {}

// Trace implements logger.Interface by recording the statement.
func (r *Recorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	r.mu.Lock()
	r.stmts = append(r.stmts, sql)
	r.mu.Unlock()
}
