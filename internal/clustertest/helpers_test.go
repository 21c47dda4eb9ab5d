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

// replayLockKey is the advisory lock key (on the primary) that pauseReplay
// holds: "gormup" in ASCII.
const replayLockKey = 0x676f726d7570

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

// pauseReplay stops the standby from applying the primary's WAL until the
// test ends, so that every row written on the primary from now on is missing
// on the standby: a read that sees such a row was served by the primary, one
// that misses it by the standby. The standby resumes in t.Cleanup. An
// advisory lock on the primary keeps two test processes from pausing and
// resuming the one standby under each other.
func pauseReplay(t *testing.T, s *dbtest.StandbyDB) {
	t.Helper()
	ctx := testContext(t)
	sqlDB, err := s.Primary.DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", replayLockKey); err != nil {
		conn.Close()
		t.Fatalf("taking the replay lock: %v", err)
	}
	t.Cleanup(func() {
		// Closing the session releases its advisory lock.
		conn.Close()
	})
	s.Sync(t)
	dbtest.MustExec(t, s.Standby, "SELECT pg_wal_replay_pause()")
	t.Cleanup(func() {
		if err := s.Standby.Exec("SELECT pg_wal_replay_resume()").Error; err != nil {
			t.Errorf("resuming WAL replay on the standby: %v", err)
		}
	})
	var state string
	deadline := time.Now().Add(dbtest.ClusterWait)
	for state != "paused" {
		if err := s.Standby.Raw("SELECT pg_get_wal_replay_pause_state()").Scan(&state).Error; err != nil {
			t.Fatalf("reading the standby's replay state: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("standby replay state %q, want paused", state)
		}
		if state != "paused" {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

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
