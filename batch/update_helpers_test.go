package batch_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// updAccount is the table the Update, UpdateKeys and UpdateRows tests write.
type updAccount struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	Status    string `gorm:"size:32"`
	Balance   int64
	Active    bool
	Note      *string `gorm:"size:64"`
	Version   int64
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt
}

// updEpoch is the UpdatedAt every seeded row starts with.
var updEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// seedAccounts creates n accounts with IDs 1..n: status "trial" for odd IDs
// and "active" for even ones, balance 100+id, active, version 1.
func seedAccounts(t testing.TB, db *dbtest.DB, n int) {
	t.Helper()
	dbtest.Migrate(t, db, &updAccount{})
	rows := make([]updAccount, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = updAccount{ID: id, Status: map[bool]string{true: "trial", false: "active"}[id%2 == 1],
			Balance: 100 + id, Active: true, Version: 1, UpdatedAt: updEpoch}
	}
	// Keep UpdatedAt as given: skip GORM's autoUpdateTime on insert.
	dbtest.Seed(t, db.Session(&gorm.Session{SkipHooks: true}), rows)
	dbtest.MustExec(t, db.DB, "UPDATE upd_accounts SET updated_at = ?", updEpoch)
}

// loadAccounts returns every account by ID, soft-deleted ones included.
func loadAccounts(t testing.TB, db *gorm.DB) map[int64]updAccount {
	t.Helper()
	var rows []updAccount
	if err := db.Unscoped().Order("id").Find(&rows).Error; err != nil {
		t.Fatalf("loading accounts: %v", err)
	}
	out := make(map[int64]updAccount, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

// fingerprint summarises every account, to show that a refused call wrote
// nothing.
func fingerprint(t testing.TB, db *gorm.DB) string {
	t.Helper()
	var rows []updAccount
	if err := db.Unscoped().Order("id").Find(&rows).Error; err != nil {
		t.Fatalf("loading accounts: %v", err)
	}
	s := ""
	for _, r := range rows {
		note := "<nil>"
		if r.Note != nil {
			note = *r.Note
		}
		s += fmt.Sprintf("%d|%s|%d|%v|%s|%d|%d|%v;", r.ID, r.Status, r.Balance, r.Active, note, r.Version,
			r.UpdatedAt.UTC().Unix(), r.DeletedAt.Valid)
	}
	return s
}

func strp(s string) *string { return &s }
