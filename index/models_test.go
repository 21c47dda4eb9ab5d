package index_test

import (
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
)

// account declares its indexes with GORM tags; accountTable creates the same
// table without them.
type account struct {
	ID        int64     `gorm:"primaryKey"`
	Email     string    `gorm:"size:191;uniqueIndex"`
	Status    string    `gorm:"size:32;index:idx_accounts_status_created,priority:1"`
	CreatedAt time.Time `gorm:"index:idx_accounts_status_created,priority:2,sort:desc"`
	Balance   int64
	Active    bool
}

func (account) TableName() string { return "accounts" }

type accountTable struct {
	ID        int64  `gorm:"primaryKey"`
	Email     string `gorm:"size:191"`
	Status    string `gorm:"size:32"`
	CreatedAt time.Time
	Balance   int64
	Active    bool
}

func (accountTable) TableName() string { return "accounts" }

// bare creates the accounts table with no index but its primary key.
func bare(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &accountTable{})
}
