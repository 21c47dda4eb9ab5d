package updater_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/lock"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// Wallet is the model of the examples.
type Wallet struct {
	ID      int64 `gorm:"primaryKey"`
	Owner   string
	Balance int64
	Frozen  bool
}

// exampleDB opens a SQLite database in a temporary directory with one wallet.
func exampleDB() (*gorm.DB, func()) {
	db, done := dbtest.TempFile(&Wallet{})
	if err := db.Create(&Wallet{ID: 1, Owner: "ann", Balance: 100, Frozen: true}).Error; err != nil {
		panic(err)
	}
	return db, done
}

func ExampleUpdate() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	res, err := updater.Update(ctx, db.Where("id = ?", 1), func(w *Wallet) error {
		if w.Balance < 30 {
			return fmt.Errorf("wallet %d: insufficient funds", w.ID)
		}
		w.Balance -= 30
		w.Frozen = false // a zero value, written all the same
		return nil
	})
	if err != nil {
		fmt.Println("update failed:", err)
		return
	}
	fmt.Printf("balance %d, frozen %v, after %d attempt(s)\n", res.Row.Balance, res.Row.Frozen, res.Attempts)
	for _, c := range res.Changes {
		fmt.Printf("%s: %v -> %v\n", c.Column, c.Old, c.New)
	}
	// Output:
	// balance 70, frozen false, after 1 attempt(s)
	// balance: 100 -> 70
	// frozen: true -> false
}

func ExampleOptimistic() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// Doc has a version column: Update checks and increments it.
	type Doc struct {
		ID      int64 `gorm:"primaryKey"`
		Body    string
		Version int64 `gormup:"version"`
	}
	if err := db.AutoMigrate(&Doc{}); err != nil {
		panic(err)
	}
	if err := db.Create(&Doc{ID: 1, Body: "draft"}).Error; err != nil {
		panic(err)
	}
	res, err := updater.Update(ctx, db.Where("id = ?", 1), func(d *Doc) error {
		d.Body = "final"
		return nil
	}, updater.Optimistic())
	if err != nil {
		fmt.Println("update failed:", err)
		return
	}
	fmt.Printf("%q at version %d\n", res.Row.Body, res.Row.Version)
	// Output:
	// "final" at version 1
}

func ExampleTransaction() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// Move 25 from wallet 1 to a new wallet 2; the whole function runs again
	// if the database reports a deadlock, serialization failure or busy error.
	err := updater.Transaction(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Create(&Wallet{ID: 2, Owner: "bob"}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Wallet{}).Where("id = ?", 1).Update("balance", gorm.Expr("balance - ?", 25)).Error; err != nil {
			return err
		}
		return tx.Model(&Wallet{}).Where("id = ?", 2).Update("balance", gorm.Expr("balance + ?", 25)).Error
	}, updater.Attempts(3))
	if err != nil {
		fmt.Println("transfer failed:", err)
		return
	}
	var wallets []Wallet
	if err := db.Order("id").Find(&wallets).Error; err != nil {
		panic(err)
	}
	for _, w := range wallets {
		fmt.Println(w.Owner, w.Balance)
	}
	// Output:
	// ann 75
	// bob 25
}

func ExampleLock() {
	db, done := exampleDB()
	defer done()
	ctx := context.Background()

	// ForUpdate works everywhere: on SQLite it takes the database write lock
	// before the read.
	res, err := updater.Update(ctx, db.Where("id = ?", 1), func(w *Wallet) error {
		w.Balance += 5
		return nil
	}, updater.Lock(lock.ForUpdate))
	fmt.Println(res.Row.Balance, err)

	// NOWAIT needs row locks, which SQLite lacks: Update refuses before any
	// statement runs. On other databases a locked row returns ErrLocked at
	// once, without retrying.
	_, err = updater.Update(ctx, db.Where("id = ?", 1), func(w *Wallet) error {
		w.Balance += 5
		return nil
	}, updater.Lock(lock.ForUpdateNoWait))
	fmt.Println(errors.Is(err, updater.ErrLockUnsupported))
	// Output:
	// 105 <nil>
	// true
}
