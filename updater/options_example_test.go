package updater_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// errDeadlock stands for the error a server returns for a deadlock; it is
// retryable whatever the database the example runs on.
var errDeadlock = &gomysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}

// deadlockTwice returns a transaction function that fails with a deadlock on
// its first two runs and then credits wallet 1.
func deadlockTwice() func(tx *gorm.DB) error {
	runs := 0
	return func(tx *gorm.DB) error {
		runs++
		if runs <= 2 {
			return errDeadlock
		}
		return tx.Model(&Wallet{}).Where("id = ?", 1).Update("balance", gorm.Expr("balance + ?", 1)).Error
	}
}

func ExampleAttempts() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// Two runs at most: the second deadlock is returned.
	err := updater.Transaction(ctx, db, deadlockTwice(), updater.Attempts(2), updater.Backoff(time.Millisecond, 0))
	fmt.Println(errors.Is(err, errDeadlock))
	// Output:
	// true
}

func ExampleOnRetry() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	err := updater.Transaction(ctx, db, deadlockTwice(), updater.OnRetry(func(attempt int, err error) {
		fmt.Printf("attempt %d failed: %v\n", attempt, err)
	}))
	fmt.Println(err)
	// Output:
	// attempt 1 failed: Error 1213: Deadlock found when trying to get lock
	// attempt 2 failed: Error 1213: Deadlock found when trying to get lock
	// <nil>
}

func ExampleRetryBudget() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// No attempt may start more than 5 s after the first one: ample for
	// two short pauses.
	err := updater.Transaction(ctx, db, deadlockTwice(), updater.RetryBudget(5*time.Second))
	fmt.Println(err)

	// A negative budget is refused before anything runs.
	err = updater.Transaction(ctx, db, deadlockTwice(), updater.RetryBudget(-time.Second))
	fmt.Println(errors.Is(err, updater.ErrBadOption))
	// Output:
	// <nil>
	// true
}

func ExampleBackoff() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// Pauses of at most 1 ms, then 2 ms, ... capped at 10 ms.
	err := updater.Transaction(ctx, db, deadlockTwice(), updater.Backoff(time.Millisecond, 10*time.Millisecond))
	var w Wallet
	db.First(&w, 1)
	fmt.Println(err, w.Balance)
	// Output:
	// <nil> 101
}

func ExampleTxOptions() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// Every BEGIN of Update's transaction asks for these options.
	res, err := updater.Update(ctx, db.Where("id = ?", 1), func(w *Wallet) error {
		w.Balance++
		return nil
	}, updater.TxOptions(&sql.TxOptions{Isolation: sql.LevelSerializable}))
	fmt.Println(res.Row.Balance, err)
	// Output:
	// 101 <nil>
}

func ExampleVersionField() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// Rev is not tagged: VersionField names it, which makes Update optimistic.
	type Note struct {
		ID   int64 `gorm:"primaryKey"`
		Body string
		Rev  int64
	}
	if err := db.AutoMigrate(&Note{}); err != nil {
		panic(err)
	}
	if err := db.Create(&Note{ID: 1, Body: "draft", Rev: 4}).Error; err != nil {
		panic(err)
	}
	res, err := updater.Update(ctx, db.Where("id = ?", 1), func(n *Note) error {
		n.Body = "final"
		return nil
	}, updater.VersionField("Rev"))
	fmt.Printf("%q rev %d %v\n", res.Row.Body, res.Row.Rev, err)
	// Output:
	// "final" rev 5 <nil>
}
