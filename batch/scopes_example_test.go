package batch_test

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/batch"
	"gorm.io/gorm"
)

// trialOrSecond is a condition as gorm.G code writes it: a statement scope, the
// argument gorm.G[T](db).Scopes takes. Its OR stays inside the condition:
// gormup ANDs its own bounds onto the scope as one group.
func trialOrSecond(s *gorm.Statement) {
	s.Where("status = ?", "trial").Or("id = ?", 2)
}

// A gorm.G codebase passes its scopes to Update with Scopes, and reads the
// rows back with the same scopes.
func ExampleScopes() {
	ctx := context.Background()
	db := openCustomers()
	n, err := batch.Update(ctx, db.Model(&Customer{}), map[string]any{"status": "expired"}, batch.Scopes(trialOrSecond))
	fmt.Println(n, err)
	expired, _ := gorm.G[Customer](db).Where("status = ?", "expired").Count(ctx, "id")
	fmt.Println(expired)
	// Output:
	// 4 <nil>
	// 4
}

// UpdateKeys writes only the listed keys among the rows the scopes select.
func ExampleUpdateKeys_scopes() {
	ctx := context.Background()
	db := openCustomers()
	n, err := batch.UpdateKeys(ctx, db.Model(&Customer{}), []int64{1, 2, 3, 4}, map[string]any{"balance": 0}, batch.Scopes(trialOrSecond))
	fmt.Println(n, err)
	printCustomers(db)
	// Output:
	// 3 <nil>
	// 1 trial 0 v1
	// 2 active 0 v1
	// 3 trial 0 v1
	// 4 active 100 v1
	// 5 trial 100 v1
	// 6 active 100 v1
}

// UpdateRows matches rows by primary key alone: a scope may choose the
// table (here as gorm.G's Table would), and one that adds a condition is
// refused with ErrConditions rather than ignored.
func ExampleUpdateRows_scopes() {
	ctx := context.Background()
	db := openCustomers()
	rows := []Customer{{ID: 2, Balance: 7}}
	table := func(s *gorm.Statement) { s.Table = "customers" }
	res, err := batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.Scopes(table))
	fmt.Println(res.Matched, err)
	_, err = batch.UpdateRows(ctx, db, rows, []string{"balance"}, batch.Scopes(trialOrSecond))
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// batch: UpdateRows matches rows by primary key only; db must carry no Where conditions
}
