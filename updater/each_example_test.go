package updater_test

import (
	"context"
	"fmt"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/updater"
	"gorm.io/gorm"
)

// openEachExample opens an in-memory SQLite database with four accounts.
func openEachExample() *gorm.DB {
	db := dbtest.Memory(&eachAccount{})
	rows := []eachAccount{
		{ID: 1, Status: "trial", Balance: 50},
		{ID: 2, Status: "active", Balance: 10},
		{ID: 3, Status: "trial", Balance: 200},
		{ID: 4, Status: "trial", Balance: 20},
	}
	if err := db.Create(&rows).Error; err != nil {
		panic(err)
	}
	return db
}

func ExampleUpdateEach() {
	db := openEachExample()
	res, err := updater.UpdateEach(context.Background(), db.Where("status = ?", "trial"),
		func(a *eachAccount) error {
			if a.Balance < 100 {
				a.Status = "expired"
			}
			return nil
		}, chunk.Size(2))
	if err != nil {
		panic(err)
	}
	fmt.Println("scanned:", res.Scanned, "changed:", res.Changed, "columns:", res.Columns)
	var statuses []string
	db.Model(&eachAccount{}).Order("id").Pluck("status", &statuses)
	fmt.Println(statuses)
	// Output:
	// scanned: 3 changed: 2 columns: map[status:2]
	// [expired active trial expired]
}
