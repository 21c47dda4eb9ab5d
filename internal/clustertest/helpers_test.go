package clustertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Account is the table every cluster test works on.
type Account struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Owner   string `gorm:"size:64;not null;default:''"`
	Balance int64  `gorm:"not null;default:0"`
	Version int64  `gorm:"not null;default:0" gormup:"version"`
}

// accountRead is a projection of Account that also says which server
// answered: pg_is_in_recovery() is true only on the standby.
type accountRead struct {
	ID        int64
	Balance   int64
	Owner     string
	OnStandby bool `projection:"expr:pg_is_in_recovery()"`
}

// testTimeout bounds each test's context: no cluster test should come near
// it, and a hung server then fails the test instead of the whole package.
const testTimeout = 3 * time.Minute

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// seedAccounts creates the Account table on db and inserts accounts with ids
// 1..n, Balance 0 and Owner "seed".
func seedAccounts(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	if err := db.AutoMigrate(&Account{}); err != nil {
		t.Fatalf("migrating Account: %v", err)
	}
	rows := make([]Account, n)
	for i := range rows {
		rows[i] = Account{ID: int64(i + 1), Owner: "seed"}
	}
	dbtest.Seed(t, db, rows)
}

// balances reads every account's balance by id from db.
func balances(t *testing.T, db *gorm.DB) map[int64]int64 {
	t.Helper()
	var rows []Account
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatalf("reading accounts: %v", err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Balance
	}
	return out
}

// account reads one account from db, failing t if it is missing.
func account(t *testing.T, db *gorm.DB, id int64) Account {
	t.Helper()
	var a Account
	if err := db.Where("id = ?", id).Take(&a).Error; err != nil {
		t.Fatalf("reading account %d: %v", id, err)
	}
	return a
}

// pauseReplay is dbtest's StandbyDB.PauseReplay.
func pauseReplay(t *testing.T, s *dbtest.StandbyDB) { t.Helper(); s.PauseReplay(t) }

// onStandby reports whether a plain read through db is served by the standby.
func onStandby(t *testing.T, db *gorm.DB) bool {
	t.Helper()
	var in bool
	if err := db.Raw("SELECT pg_is_in_recovery()").Scan(&in).Error; err != nil {
		t.Fatalf("SELECT pg_is_in_recovery(): %v", err)
	}
	return in
}

// wantReadOnlyError fails t unless err is PostgreSQL's refusal to write on a
// hot standby.
func wantReadOnlyError(t *testing.T, err error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), "read-only transaction") {
		t.Fatalf("got error %v, want PostgreSQL's \"cannot execute ... in a read-only transaction\"", err)
	}
}
