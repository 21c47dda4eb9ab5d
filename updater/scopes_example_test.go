package updater_test

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// A gorm.G codebase passes its statement scopes to Update with Scopes: the
// row they select is read, changed and written in one transaction.
func ExampleScopes() {
	db := openEachExample()
	byStatus := func(status string) func(*gorm.Statement) {
		return func(s *gorm.Statement) { s.Where("status = ?", status) }
	}
	rich := func(s *gorm.Statement) { s.Where("balance > ?", 100) }
	res, err := updater.Update(context.Background(), db, func(a *eachAccount) error {
		a.Status = "gold"
		return nil
	}, updater.Scopes(byStatus("trial"), rich))
	fmt.Println(res.Row.ID, res.Row.Status, err)
	// Output:
	// 3 gold <nil>
}
