package main

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Account is the demo model every step works on.
type Account struct {
	ID        int64 `gorm:"primaryKey"`
	Email     string
	Name      string
	Status    string `gorm:"size:32;index"`
	Balance   int64
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// demoRows is how many accounts the tour seeds.
const demoRows = 1000

func setup(ctx context.Context, db *gorm.DB) error {
	db = db.WithContext(ctx)
	if err := db.Migrator().DropTable(&Account{}); err != nil {
		return err
	}
	if err := db.AutoMigrate(&Account{}); err != nil {
		return err
	}
	rows := make([]Account, demoRows)
	for i := range rows {
		rows[i] = Account{
			ID:      int64(i + 1),
			Email:   fmt.Sprintf("user%04d@example.com", i+1),
			Name:    fmt.Sprintf("User %d", i+1),
			Status:  []string{"trial", "active", "active", "closed"}[i%4],
			Balance: int64(100 + i%50),
			Active:  i%4 != 3,
		}
	}
	return db.CreateInBatches(rows, 100).Error
}
