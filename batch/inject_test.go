package batch_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// errInjected is the non-retryable error updateFailer makes an UPDATE fail
// with.
var errInjected = errors.New("injected failure")

// updateFailer fails the nth UPDATE a handle runs after failAt(n), on every
// dialect: a callback on the handle (its Raw processor for statements run by
// Exec, its Update processor for db.Updates) sets errInjected before GORM
// executes the statement, so the database never sees it.
type updateFailer struct {
	at    atomic.Int64 // 0: disarmed
	count atomic.Int64
}

// failUpdates registers an updateFailer on db, which must be the test's own
// handle (callbacks are shared by every session of it). It starts disarmed.
func failUpdates(t testing.TB, db *gorm.DB) *updateFailer {
	t.Helper()
	f := &updateFailer{}
	const name = "gormup_test:fail_nth_update"
	if err := db.Callback().Raw().Before("gorm:raw").Register(name, func(tx *gorm.DB) {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(tx.Statement.SQL.String())), "UPDATE") {
			f.hit(tx)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Callback().Update().Before("gorm:update").Register(name, f.hit); err != nil {
		t.Fatal(err)
	}
	return f
}

// failAt arms f to fail the nth UPDATE from now on (1-based); 0 disarms it.
func (f *updateFailer) failAt(n int64) {
	f.count.Store(0)
	f.at.Store(n)
}

func (f *updateFailer) hit(tx *gorm.DB) {
	at := f.at.Load()
	if tx.Error != nil || at == 0 {
		return
	}
	if f.count.Add(1) == at {
		_ = tx.AddError(errInjected)
	}
}
