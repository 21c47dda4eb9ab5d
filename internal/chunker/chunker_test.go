package chunker_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/gormup/gormup/internal/chunker"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

type counter struct {
	ID int64 `gorm:"primaryKey;autoIncrement:false"`
	N  int64
}

var deadlock = &gomysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}

// bumpRow adds 1 to row i+1 on tx.
func bumpRow(tx *gorm.DB, i int) error {
	return tx.Model(&counter{}).Where("id = ?", i+1).Update("n", gorm.Expr("n + 1")).Error
}

func counts(t *testing.T, db *gorm.DB) []int64 {
	t.Helper()
	var n []int64
	if err := db.Model(&counter{}).Order("id").Pluck("n", &n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLoop: atomic mode reruns every chunk from 0 after a retryable error
// and commits once; Each mode commits chunk by chunk, retries only the
// failed chunk, and a failure keeps the earlier chunks with Done counting
// them. Committed sees the totals after each commit.
func TestLoop(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &counter{})
		dbtest.Seed(t, db.DB, []counter{{ID: 1}, {ID: 2}, {ID: 3}})
		ctx := context.Background()

		var commits [][2]int64
		record := func(chunks int, rows int64, _ chunker.Clock) {
			commits = append(commits, [2]int64{int64(chunks), rows})
		}
		failed := false
		atomic := chunker.Loop{Committed: record}
		n, err := atomic.Run(ctx, db.DB, func(tx *gorm.DB, i int) (int64, bool, error) {
			if err := bumpRow(tx, i); err != nil {
				return 0, false, err
			}
			if i == 2 && !failed {
				failed = true
				return 0, false, deadlock
			}
			return 1, i == 2, nil
		})
		if err != nil || n != 3 || !slices.Equal(counts(t, db.DB), []int64{1, 1, 1}) || !slices.Equal(commits, [][2]int64{{3, 3}}) {
			t.Fatalf("atomic: n=%d err=%v counts=%v commits=%v; want 3 rows, each once, one commit", n, err, counts(t, db.DB), commits)
		}

		commits = nil
		boom := errors.New("boom")
		each := chunker.Loop{Each: true, Committed: record}
		n, err = each.Run(ctx, db.DB, func(tx *gorm.DB, i int) (int64, bool, error) {
			if err := bumpRow(tx, i); err != nil {
				return 0, false, err
			}
			if i == 2 {
				return 0, false, boom
			}
			return 1, false, nil
		})
		var e *chunker.Error
		if !errors.As(err, &e) || !errors.Is(err, boom) || e.Chunk != 2 || e.Done != 2 || e.Attempts != 1 || n != 2 {
			t.Fatalf("each: n=%d err=%v (%+v); want chunk 2 failing after 2 committed rows", n, err, e)
		}
		if got := counts(t, db.DB); !slices.Equal(got, []int64{2, 2, 1}) || !slices.Equal(commits, [][2]int64{{1, 1}, {2, 2}}) {
			t.Fatalf("each: counts=%v commits=%v; want chunks 0 and 1 committed, 2 rolled back", got, commits)
		}
	})
}
