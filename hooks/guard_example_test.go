package hooks_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/hooks"
	"gorm.io/gorm"
)

func ExampleAllowUnboundedContext() {
	db, done := pluginExampleDB()
	defer done()
	if err := db.Use(&hooks.Guard{}); err != nil {
		panic(err)
	}
	ctx := context.Background()

	// gorm.G[T] calls start from the ctx they are given: the permission
	// travels in it.
	n, err := gorm.G[Account](db).Where("balance >= ?", 0).Or("1 = 1").Update(ctx, "status", "x")
	fmt.Println(n, errors.Is(err, hooks.ErrUnboundedWrite))
	n, err = gorm.G[Account](db).Where("1 = 1").Update(hooks.AllowUnboundedContext(ctx), "status", "migrated")
	fmt.Println(n, err)
	// Output:
	// 0 true
	// 3 <nil>
}
