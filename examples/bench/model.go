package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gormup/gormup/internal/baseline"
	"gorm.io/gorm"
)

// Wide is the benchmark's table: twelve columns of the common types, the
// shape of a real accounts or orders table.
type Wide struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	AccountNo string `gorm:"size:32"`
	Email     string `gorm:"size:128"`
	Name      string `gorm:"size:128"`
	Status    string `gorm:"size:16;index"`
	Region    string `gorm:"size:16"`
	Balance   int64
	Credits   int64
	Score     float64
	Active    bool
	Notes     string `gorm:"size:255"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName pins the table name on every dialect.
func (Wide) TableName() string { return "bench_wide" }

// Brief is the two-column DTO the reading job loads.
type Brief struct {
	ID    int64
	Email string
}

// wideTable is Wide as the per-row-values strategies see it: two columns
// written per row, as in DESIGN.md's measurements, and updated_at set per
// statement as UpdateRows sets it, so every strategy writes the same columns.
var wideTable = baseline.Table{
	Name:    "bench_wide",
	Key:     "id",
	Columns: []string{"balance", "status"},
	Types:   []string{"bigint", "bigint", "varchar"},
	Stamp:   "updated_at",
}

// counter is the row the concurrent writers increment.
type Counter struct {
	ID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Value int64
}

// TableName pins the table name on every dialect.
func (Counter) TableName() string { return "bench_counter" }

func setup(ctx context.Context, db *gorm.DB, rows int) error {
	db = db.WithContext(ctx)
	if err := db.Migrator().DropTable(&Wide{}, &Counter{}); err != nil {
		return err
	}
	if err := db.AutoMigrate(&Wide{}, &Counter{}); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	batch := make([]Wide, 0, 100)
	for i := 1; i <= rows; i++ {
		batch = append(batch, Wide{
			ID:        int64(i),
			AccountNo: fmt.Sprintf("AC%010d", i),
			Email:     fmt.Sprintf("user%d@example.com", i),
			Name:      fmt.Sprintf("User Number %d", i),
			Status:    []string{"trial", "active", "active", "closed"}[i%4],
			Region:    []string{"eu", "us", "apac"}[i%3],
			Balance:   int64(i % 1000),
			Credits:   int64(i % 17),
			Score:     float64(i%100) / 7,
			Active:    i%4 != 0,
			Notes:     "lorem ipsum dolor sit amet, consectetur adipiscing elit",
			CreatedAt: now,
			UpdatedAt: now,
		})
		if len(batch) == cap(batch) || i == rows {
			if err := db.Create(&batch).Error; err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return db.Create(&Counter{ID: 1}).Error
}
