package lock_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
)

type account struct {
	ID      int64 `gorm:"primaryKey"`
	Balance int64
}

func ExampleMode() {
	ctx := context.Background()
	db := dbtest.Memory(&account{})
	db.Create(&account{ID: 1, Balance: 10})

	// The same lock.Mode goes to updater.Lock and chunk.Lock.
	_, err := updater.Update(ctx, db.Where("id = ?", 1), func(a *account) error { a.Balance++; return nil },
		updater.Lock(lock.ForUpdate))
	fmt.Println(lock.ForUpdate, err)

	// SQLite has no row locks to refuse to wait for: NOWAIT is refused
	// before any statement. Elsewhere a held row returns lock.ErrLocked.
	_, err = updater.Update(ctx, db.Where("id = ?", 1), func(a *account) error { a.Balance++; return nil },
		updater.Lock(lock.ForUpdateNoWait))
	fmt.Println(lock.ForUpdateNoWait, errors.Is(err, updater.ErrLockUnsupported), errors.Is(err, lock.ErrLocked))
	// Output:
	// ForUpdate <nil>
	// ForUpdateNoWait true false
}

func ExampleMode_String() {
	fmt.Println(lock.Default, lock.SkipLocked)
	// Output:
	// Default SkipLocked
}
