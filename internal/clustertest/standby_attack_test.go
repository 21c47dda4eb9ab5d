package clustertest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// Tag is a table with a character(n) key: 'ab' and 'ab ' are one key.
type Tag struct {
	Code string `gorm:"primaryKey;type:character(6)"`
	N    int64
}

// A table the standby has never seen (created with replay paused): the
// column-type and duplicate-key reads that dbresolver sends to the standby
// find nothing there, yet UpdateRows (BulkLoad, Workers) and UpdateKeys
// write the primary's rows exactly, and refuse keys the primary calls equal.
func TestStandbyTableOnlyOnPrimary(t *testing.T) {
	ctx := testContext(t)
	s := dbtest.Standby(t)
	pauseReplay(t, s)
	if err := s.Primary.AutoMigrate(&Tag{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Primary.Create([]Tag{{Code: "ab"}, {Code: "cd"}, {Code: "ef"}}).Error; err != nil {
		t.Fatal(err)
	}
	state := func() string {
		var rows []Tag
		if err := s.Primary.Order("code").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	res, err := batch.UpdateRows(ctx, s.Resolved, []Tag{{Code: "ef", N: 3}, {Code: "ab ", N: 1}, {Code: "zz", N: 9}}, []string{"n"},
		batch.BulkLoad(), batch.ListMissing())
	if err != nil || res.Matched != 2 || fmt.Sprint(res.MissingKeys) != "[[zz]]" {
		t.Fatalf("UpdateRows BulkLoad: %+v, %v; want 2 matched, zz missing", res, err)
	}
	if got, want := state(), "[{ab     1} {cd     0} {ef     3}]"; got != want {
		t.Fatalf("primary rows %s, want %s", got, want)
	}
	res, err = batch.UpdateRows(ctx, s.Resolved, []Tag{{Code: "cd", N: 2}, {Code: "ab", N: 11}}, []string{"n"}, batch.Workers(2), batch.Size(1))
	if err != nil || res.Matched != 2 {
		t.Fatalf("UpdateRows Workers: %+v, %v; want 2 matched", res, err)
	}
	_, err = batch.UpdateRows(ctx, s.Resolved, []Tag{{Code: "cd", N: 5}, {Code: "cd  ", N: 6}}, []string{"n"}, batch.BulkLoad())
	if !errors.Is(err, batch.ErrDuplicateKey) {
		t.Fatalf("UpdateRows with 'cd' and 'cd  ': %v, want ErrDuplicateKey", err)
	}
	n, err := batch.UpdateKeys(ctx, s.Resolved.Model(&Tag{}), []string{"ab", "cd", "ab "}, map[string]any{"n": gorm.Expr("n + 100")},
		batch.Workers(2), batch.Size(1))
	if !errors.Is(err, batch.ErrDuplicateKey) {
		t.Fatalf("UpdateKeys with 'ab' and 'ab ': %d, %v; want ErrDuplicateKey", n, err)
	}
	if got, want := state(), "[{ab     11} {cd     2} {ef     3}]"; got != want {
		t.Fatalf("primary rows %s, want %s", got, want)
	}
	n, err = batch.UpdateKeys(ctx, s.Resolved.Model(&Tag{}), []string{"ab", "cd", "zz"}, map[string]any{"n": gorm.Expr("n + 100")},
		batch.Workers(2), batch.Size(1))
	if err != nil || n != 2 {
		t.Fatalf("UpdateKeys: %d, %v; want 2", n, err)
	}
	if got, want := state(), "[{ab     111} {cd     102} {ef     3}]"; got != want {
		t.Fatalf("primary rows %s, want %s", got, want)
	}
}
