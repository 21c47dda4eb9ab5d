package batch_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Customer is the model of the Update, UpdateKeys and UpdateRows examples.
type Customer struct {
	ID      int64 `gorm:"primaryKey"`
	Status  string
	Balance int64
	Version int64
}

// openCustomers opens an in-memory SQLite database with six customers:
// odd IDs on "trial", even IDs "active", balance 100, version 1.
func openCustomers() *gorm.DB {
	db := dbtest.Memory(&Customer{})
	for i := int64(1); i <= 6; i++ {
		status := map[bool]string{true: "trial", false: "active"}[i%2 == 1]
		if err := db.Create(&Customer{ID: i, Status: status, Balance: 100, Version: 1}).Error; err != nil {
			panic(err)
		}
	}
	return db
}

func printCustomers(db *gorm.DB) {
	var all []Customer
	db.Order("id").Find(&all)
	for _, c := range all {
		fmt.Printf("%d %s %d v%d\n", c.ID, c.Status, c.Balance, c.Version)
	}
}

func ExampleUpdate() {
	ctx := context.Background()
	db := openCustomers()

	n, err := batch.Update(ctx, db.Model(&Customer{}).Where("status = ?", "trial"),
		map[string]any{"status": "expired", "balance": gorm.Expr("balance - ?", 5)})
	fmt.Println(n, err)

	// A condition that bounds nothing is refused before any SQL runs.
	_, err = batch.Update(ctx, db.Model(&Customer{}).Where("1 = 1"), map[string]any{"balance": 0})
	fmt.Println(errors.Is(err, batch.ErrNoCondition))
	printCustomers(db)
	// Output:
	// 3 <nil>
	// true
	// 1 expired 95 v1
	// 2 active 100 v1
	// 3 expired 95 v1
	// 4 active 100 v1
	// 5 expired 95 v1
	// 6 active 100 v1
}

func ExampleCommitEach() {
	ctx := context.Background()
	db := openCustomers()

	// Two rows per committed transaction, with progress after each.
	n, err := batch.Update(ctx, db.Model(&Customer{}).Where("balance >= ?", 100), map[string]any{"balance": 0},
		batch.Size(2), batch.CommitEach(), batch.MaxRows(10),
		batch.OnProgress(func(p chunk.Progress) { fmt.Printf("chunk %d: %d rows\n", p.Chunks, p.Done) }))
	fmt.Println(n, err)
	// Output:
	// chunk 1: 2 rows
	// chunk 2: 4 rows
	// chunk 3: 6 rows
	// chunk 4: 6 rows
	// 6 <nil>
}

func ExampleUpdateKeys() {
	ctx := context.Background()
	db := openCustomers()

	ids := []int64{2, 4, 5, 99} // 99 does not exist
	n, err := batch.UpdateKeys(ctx, db.Model(&Customer{}), ids, map[string]any{"status": "closed"})
	fmt.Println(n, err)
	printCustomers(db)
	// Output:
	// 3 <nil>
	// 1 trial 100 v1
	// 2 closed 100 v1
	// 3 trial 100 v1
	// 4 closed 100 v1
	// 5 closed 100 v1
	// 6 active 100 v1
}

func ExampleUpdateRows() {
	ctx := context.Background()
	db := openCustomers()

	rows := []Customer{
		{ID: 1, Balance: 10, Status: "gold"},
		{ID: 2, Balance: 0, Status: ""}, // zero values are written too
		{ID: 7, Balance: 70},            // not in the table: never inserted
	}
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance", "status"}, batch.ListMissing())
	fmt.Println(res.Matched, res.Missing, res.MissingKeys, res.Statements, err)
	printCustomers(db)
	// Output:
	// 2 1 [[7]] 1 <nil>
	// 1 gold 10 v1
	// 2  0 v1
	// 3 trial 100 v1
	// 4 active 100 v1
	// 5 trial 100 v1
	// 6 active 100 v1
}

func ExampleCheckVersion() {
	ctx := context.Background()
	db := openCustomers()
	// Someone else changed customer 2 since we read it at version 1.
	db.Exec("UPDATE customers SET balance = 1, version = 2 WHERE id = 2")

	rows := []Customer{{ID: 1, Balance: 11, Version: 1}, {ID: 2, Balance: 22, Version: 1}}
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.CheckVersion("Version"))
	fmt.Println(res.Matched, res.Conflicts, err)
	printCustomers(db)
	// Output:
	// 1 [[2]] <nil>
	// 1 trial 11 v2
	// 2 active 1 v2
	// 3 trial 100 v1
	// 4 active 100 v1
	// 5 trial 100 v1
	// 6 active 100 v1
}

func ExampleAllowAll() {
	ctx := context.Background()
	db := openCustomers()

	// Without a condition Update refuses; AllowAll says every row is meant.
	_, err := batch.Update(ctx, db.Model(&Customer{}), map[string]any{"balance": 0})
	fmt.Println(errors.Is(err, batch.ErrNoCondition))
	n, err := batch.Update(ctx, db.Model(&Customer{}), map[string]any{"balance": 0}, batch.AllowAll())
	fmt.Println(n, err)
	printCustomers(db)
	// Output:
	// true
	// 6 <nil>
	// 1 trial 0 v1
	// 2 active 0 v1
	// 3 trial 0 v1
	// 4 active 0 v1
	// 5 trial 0 v1
	// 6 active 0 v1
}

func ExampleColumns() {
	ctx := context.Background()
	db := openCustomers()

	// A struct value writes only the named columns, zero values included:
	// Balance 0 is written, Status is not named and stays as it was.
	values := Customer{Status: "ignored", Balance: 0}
	_, err := batch.Update(ctx, db.Model(&Customer{}).Where("status = ?", "trial"), values)
	fmt.Println(errors.Is(err, batch.ErrNoColumns))
	n, err := batch.Update(ctx, db.Model(&Customer{}).Where("status = ?", "trial"), values, batch.Columns("Balance"))
	fmt.Println(n, err)
	printCustomers(db)
	// Output:
	// true
	// 3 <nil>
	// 1 trial 0 v1
	// 2 active 100 v1
	// 3 trial 0 v1
	// 4 active 100 v1
	// 5 trial 0 v1
	// 6 active 100 v1
}
